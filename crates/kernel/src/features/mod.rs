//! Kernel feature probes, for `crust check`.
//!
//! Each probe asks the running kernel, as directly as it can, whether one
//! thing crust relies on works here, and answers `Ok(detail)` or
//! `Err(what is missing and what the user can do about it)`. Probes that need
//! another process fork a child that only waits in `pause()` and is killed
//! and reaped before the probe returns.
//!
//! The probes use the rest of this crate (ptrace, spawn, task, memory) where
//! it has the call; only the calls nothing else makes are issued here.

mod child;
mod pages;
mod restore;
mod tracing;

pub use pages::{pagemap, pagemap_scan, uffd};
pub use restore::{clone3_set_tid, mm_map};
pub use tracing::{pidfd, process_vm_readv, ptrace_seize, rseq, xsave};

/// What a probe found: `Ok(detail)` when the feature works, `Err(explanation)`
/// naming what is missing and what the user can do.
pub type ProbeResult = Result<String, String>;

/// One kernel feature crust checks for.
#[derive(Debug)]
pub struct Feature {
    /// Name used by `crust check` output and `crust check --feature NAME`.
    pub name: &'static str,
    /// Whether dump or restore cannot work without it (optional features only
    /// make some things faster or enable extra modes).
    pub required: bool,
    /// One line on what crust needs it for.
    pub description: &'static str,
    /// The probe itself.
    pub probe: fn() -> ProbeResult,
}

static FEATURES: [Feature; 10] = [
    Feature {
        name: "ptrace-seize",
        required: true,
        description: "attach to and stop the tree being dumped (PTRACE_SEIZE, PTRACE_INTERRUPT)",
        probe: ptrace_seize,
    },
    Feature {
        name: "clone3-set-tid",
        required: true,
        description: "recreate tasks with their original PIDs on restore (clone3 set_tid)",
        probe: clone3_set_tid,
    },
    Feature {
        name: "pidfd",
        required: true,
        description: "refer to tasks and copy their file descriptors (pidfd_open, pidfd_getfd)",
        probe: pidfd,
    },
    Feature {
        name: "process-vm-readv",
        required: true,
        description: "read the memory of the tree being dumped",
        probe: process_vm_readv,
    },
    Feature {
        name: "pagemap",
        required: true,
        description: "find which pages are present (/proc/PID/pagemap)",
        probe: pagemap,
    },
    Feature {
        name: "rseq",
        required: true,
        description: "dump restartable-sequence registrations (PTRACE_GET_RSEQ_CONFIGURATION)",
        probe: rseq,
    },
    Feature {
        name: "mm-map",
        required: true,
        description: "restore the memory layout description (prctl PR_SET_MM_MAP)",
        probe: mm_map,
    },
    Feature {
        name: "xsave",
        required: true,
        description: "dump and restore the extended FPU state (PTRACE_GETREGSET NT_X86_XSTATE)",
        probe: xsave,
    },
    Feature {
        name: "pagemap-scan",
        required: false,
        description: "faster page scanning (PAGEMAP_SCAN ioctl)",
        probe: pagemap_scan,
    },
    Feature {
        name: "uffd",
        required: false,
        description: "lazy restore of memory (userfaultfd)",
        probe: uffd,
    },
];

/// Every feature crust checks, in the order `crust check` reports them.
pub fn all() -> &'static [Feature] {
    &FEATURES
}

/// The feature called `name`; `_` and `-` are interchangeable (criu spells
/// its feature names with underscores).
pub fn find(name: &str) -> Option<&'static Feature> {
    let name = name.replace('_', "-");
    FEATURES.iter().find(|f| f.name == name)
}

/// What to tell the user when ptrace on our own child is refused.
const PTRACE_DENIED_HINT: &str = "run crust as root (or with CAP_SYS_PTRACE); check that \
     kernel.yama.ptrace_scope is below 3 and that no seccomp or LSM policy (such as a \
     container runtime's default profile) blocks ptrace";

/// The pid of this process, for the calls that take one.
fn own_pid() -> libc::pid_t {
    std::process::id() as libc::pid_t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_findable() {
        for (i, f) in all().iter().enumerate() {
            assert!(
                all()[..i].iter().all(|g| g.name != f.name),
                "{} twice",
                f.name
            );
            assert!(std::ptr::eq(find(f.name).unwrap(), f));
            assert!(std::ptr::eq(find(&f.name.replace('-', "_")).unwrap(), f));
        }
        assert!(find("no-such-feature").is_none());
    }

    /// Every probe returns an answer, whatever this machine supports.
    #[test]
    fn probes_answer() {
        for f in all() {
            let r = (f.probe)();
            match &r {
                Ok(detail) => assert!(!detail.is_empty(), "{}", f.name),
                Err(why) => assert!(!why.is_empty(), "{}", f.name),
            }
            eprintln!("{}: {r:?}", f.name);
        }
    }

    #[test]
    fn ptrace_seize_works_here_when_root() {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } == 0 {
            assert_eq!(ptrace_seize(), Ok("seized and interrupted a child".into()));
        }
    }
}
