//! Kernel feature probes, for `crust check`.
//!
//! Each probe asks the running kernel, as directly as it can, whether one
//! thing crust relies on works here, and answers `Ok(detail)` or
//! `Err(what is missing and what the user can do about it)`. Probes that need
//! another process fork a child that only waits in `pause()` and is killed
//! and reaped before the probe returns.

use std::ffi::c_void;
use std::fs::File;
use std::io;
use std::mem::size_of;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::FileExt;
use std::time::{Duration, Instant};

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

// Kernel ABI constants not (or not on every target) exported by libc.
const PTRACE_EVENT_STOP: i32 = 128;
const PTRACE_GET_RSEQ_CONFIGURATION: u32 = 0x420f;
const NT_X86_XSTATE: usize = 0x202;
const PR_SET_MM: i32 = 35;
const PR_SET_MM_MAP_SIZE: u64 = 15;
/// `sizeof(struct prctl_mm_map)`: 11 addresses, the auxv pointer, its size and exe_fd.
const PRCTL_MM_MAP_SIZE: u32 = 104;
/// `CLONE_ARGS_SIZE_VER1`: the first `struct clone_args` with `set_tid`.
const CLONE_ARGS_SIZE_VER1: usize = 80;
const MAX_PID_NS_LEVEL: u64 = 32;
const CAP_SYS_ADMIN: u32 = 21;
const CAP_CHECKPOINT_RESTORE: u32 = 40;
/// `_IOWR('f', 16, struct pm_scan_arg)`.
const PAGEMAP_SCAN: u64 = 0xc060_6610;
const PAGE_IS_PRESENT: u64 = 1 << 3;
const UFFD_USER_MODE_ONLY: i32 = 1;
const UFFD_API: u64 = 0xaa;
/// `_IOWR(0xaa, 0x3f, struct uffdio_api)`.
const UFFDIO_API: u64 = 0xc018_aa3f;

/// `struct clone_args` up to `CLONE_ARGS_SIZE_VER1`.
#[repr(C)]
#[allow(dead_code)] // kernel ABI: the kernel reads or fills in every field
#[derive(Default)]
struct CloneArgsV1 {
    flags: u64,
    pidfd: u64,
    child_tid: u64,
    parent_tid: u64,
    exit_signal: u64,
    stack: u64,
    stack_size: u64,
    tls: u64,
    set_tid: u64,
    set_tid_size: u64,
}

/// `struct ptrace_rseq_configuration`.
#[repr(C)]
#[allow(dead_code)] // kernel ABI: the kernel reads or fills in every field
#[derive(Default)]
struct RseqConfiguration {
    rseq_abi_pointer: u64,
    rseq_abi_size: u32,
    signature: u32,
    flags: u32,
    pad: u32,
}

/// `struct pm_scan_arg`.
#[repr(C)]
#[allow(dead_code)] // kernel ABI: the kernel reads or fills in every field
#[derive(Default)]
struct PmScanArg {
    size: u64,
    flags: u64,
    start: u64,
    end: u64,
    walk_end: u64,
    vec: u64,
    vec_len: u64,
    max_pages: u64,
    category_inverted: u64,
    category_mask: u64,
    category_anyof_mask: u64,
    return_mask: u64,
}

/// `struct page_region`.
#[repr(C)]
#[allow(dead_code)] // kernel ABI: the kernel reads or fills in every field
#[derive(Default, Clone, Copy)]
struct PageRegion {
    start: u64,
    end: u64,
    categories: u64,
}

/// `struct uffdio_api`.
#[repr(C)]
#[allow(dead_code)] // kernel ABI: the kernel reads or fills in every field
#[derive(Default)]
struct UffdioApi {
    api: u64,
    features: u64,
    ioctls: u64,
}

fn errno() -> io::Error {
    io::Error::last_os_error()
}

fn is(err: &io::Error, code: i32) -> bool {
    err.raw_os_error() == Some(code)
}

fn page_size() -> u64 {
    // SAFETY: sysconf only reads a configuration value.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    u64::try_from(n).unwrap_or(4096)
}

/// The effective capability set of this process, from /proc/self/status.
fn effective_caps() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let hex = status.lines().find_map(|l| l.strip_prefix("CapEff:"))?;
    u64::from_str_radix(hex.trim(), 16).ok()
}

fn has_cap(cap: u32) -> bool {
    effective_caps().is_some_and(|caps| caps & (1 << cap) != 0)
}

/// What to tell the user when ptrace on our own child is refused.
const PTRACE_DENIED_HINT: &str = "run crust as root (or with CAP_SYS_PTRACE); check that \
     kernel.yama.ptrace_scope is below 3 and that no seccomp or LSM policy (such as a \
     container runtime's default profile) blocks ptrace";

/// A forked child that waits in `pause()`, seized and stopped with
/// `PTRACE_INTERRUPT`. Dropping it kills and reaps the child.
struct TracedChild {
    pid: libc::pid_t,
}

impl TracedChild {
    fn spawn() -> Result<Self, String> {
        // SAFETY: between fork and its death the child calls only the
        // async-signal-safe prctl and pause, so forking a multi-threaded
        // process is fine.
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            return Err(format!("cannot fork a probe child: {}", errno()));
        }
        if pid == 0 {
            // SAFETY: plain syscalls in the child; it never returns to Rust code.
            unsafe {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
                loop {
                    libc::pause();
                }
            }
        }
        let child = TracedChild { pid };
        let options = libc::PTRACE_O_EXITKILL as usize as *mut c_void;
        // SAFETY: PTRACE_SEIZE takes no pointers; `options` is a flag word.
        let r = unsafe {
            libc::ptrace(
                libc::PTRACE_SEIZE,
                pid,
                std::ptr::null_mut::<c_void>(),
                options,
            )
        };
        if r < 0 {
            let e = errno();
            return Err(if is(&e, libc::EPERM) || is(&e, libc::EACCES) {
                format!("PTRACE_SEIZE of a child was refused ({e}): {PTRACE_DENIED_HINT}")
            } else if is(&e, libc::EIO) || is(&e, libc::EINVAL) {
                format!("the kernel lacks PTRACE_SEIZE ({e}): Linux 3.4 or newer is needed")
            } else {
                format!("PTRACE_SEIZE of a child failed: {e}")
            });
        }
        // SAFETY: PTRACE_INTERRUPT takes no pointers.
        let r = unsafe {
            libc::ptrace(
                libc::PTRACE_INTERRUPT,
                pid,
                std::ptr::null_mut::<c_void>(),
                std::ptr::null_mut::<c_void>(),
            )
        };
        if r < 0 {
            return Err(format!(
                "PTRACE_INTERRUPT of a seized child failed: {}",
                errno()
            ));
        }
        let status = child.wait(Duration::from_secs(5))?;
        if !libc::WIFSTOPPED(status) || status >> 16 != PTRACE_EVENT_STOP {
            return Err(format!(
                "the seized child did not report a PTRACE_EVENT_STOP after PTRACE_INTERRUPT \
                 (wait status {status:#x})"
            ));
        }
        Ok(child)
    }

    /// Waits for the child to change state, giving up after `limit`.
    fn wait(&self, limit: Duration) -> Result<i32, String> {
        let deadline = Instant::now() + limit;
        loop {
            let mut status = 0;
            // SAFETY: `status` is a valid out-pointer for the duration of the call.
            let r = unsafe { libc::waitpid(self.pid, &mut status, libc::__WALL | libc::WNOHANG) };
            if r == self.pid {
                return Ok(status);
            }
            if r < 0 && !is(&errno(), libc::EINTR) {
                return Err(format!("waiting for the probe child failed: {}", errno()));
            }
            if Instant::now() > deadline {
                return Err(format!("the probe child did not stop within {limit:?}"));
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

impl Drop for TracedChild {
    fn drop(&mut self) {
        // SAFETY: `pid` is our own child, not yet reaped, so it names no other process.
        unsafe { libc::kill(self.pid, libc::SIGKILL) };
        loop {
            let mut status = 0;
            // SAFETY: `status` is a valid out-pointer for the duration of the call.
            let r = unsafe { libc::waitpid(self.pid, &mut status, libc::__WALL) };
            if r == self.pid && (libc::WIFEXITED(status) || libc::WIFSIGNALED(status)) {
                break;
            }
            if r < 0 && !is(&errno(), libc::EINTR) {
                break;
            }
        }
    }
}

/// `PTRACE_SEIZE` and `PTRACE_INTERRUPT` on a forked child.
pub fn ptrace_seize() -> ProbeResult {
    TracedChild::spawn()?;
    Ok("seized and interrupted a child".into())
}

/// clone3 with `set_tid`, the privilege to use it, and /proc/sys/kernel/ns_last_pid.
///
/// clone3 is called with `set_tid_size` above the kernel's limit, which a
/// kernel that knows `set_tid` rejects with EINVAL before creating anything;
/// a kernel without clone3 answers ENOSYS, one with clone3 but without
/// `set_tid` E2BIG (the struct is larger than it knows). `CLONE_THREAD`
/// without `CLONE_SIGHAND` is invalid too, so no kernel can create a task.
pub fn clone3_set_tid() -> ProbeResult {
    let tids = [1 as libc::pid_t; 1];
    let args = CloneArgsV1 {
        flags: libc::CLONE_THREAD as u64,
        set_tid: tids.as_ptr() as u64,
        set_tid_size: MAX_PID_NS_LEVEL * 32,
        ..Default::default()
    };
    const _: () = assert!(size_of::<CloneArgsV1>() == CLONE_ARGS_SIZE_VER1);
    // SAFETY: `args` and the `tids` it points to outlive the call, and the size
    // passed is the struct's. The arguments are invalid, so no task is created.
    let r = unsafe {
        libc::syscall(
            libc::SYS_clone3,
            &args as *const CloneArgsV1,
            CLONE_ARGS_SIZE_VER1,
        )
    };
    if r >= 0 {
        // Cannot happen (see above); if it did, the thread runs nothing of ours.
        return Err("clone3 accepted invalid arguments; this kernel is not understood".into());
    }
    let e = errno();
    if is(&e, libc::ENOSYS) {
        return Err("the kernel has no clone3 (Linux 5.5 or newer is needed), or a seccomp \
                    filter (e.g. a container runtime's) hides it: upgrade the kernel or allow clone3"
            .into());
    }
    if is(&e, libc::E2BIG) {
        return Err(
            "clone3 lacks set_tid (Linux 5.5 or newer is needed): upgrade the kernel".into(),
        );
    }
    if is(&e, libc::EPERM) {
        return Err(format!(
            "clone3 is refused ({e}), probably by a seccomp filter: allow clone3"
        ));
    }
    if !is(&e, libc::EINVAL) {
        return Err(format!("probing clone3 gave an unexpected error: {e}"));
    }
    if !std::path::Path::new("/proc/sys/kernel/ns_last_pid").exists() {
        return Err(
            "/proc/sys/kernel/ns_last_pid is missing: the kernel was built without \
                    CONFIG_CHECKPOINT_RESTORE; use a kernel with it enabled"
                .into(),
        );
    }
    let cap = if has_cap(CAP_CHECKPOINT_RESTORE) {
        "CAP_CHECKPOINT_RESTORE"
    } else if has_cap(CAP_SYS_ADMIN) {
        "CAP_SYS_ADMIN"
    } else {
        return Err(
            "clone3 set_tid works, but choosing PIDs needs CAP_CHECKPOINT_RESTORE \
                    (or CAP_SYS_ADMIN): run crust as root or give it that capability"
                .into(),
        );
    };
    Ok(format!("clone3 knows set_tid; holding {cap}"))
}

/// `pidfd_open` on ourselves and `pidfd_getfd` through that pidfd.
pub fn pidfd() -> ProbeResult {
    // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, libc::getpid(), 0) };
    if fd < 0 {
        let e = errno();
        return Err(if is(&e, libc::ENOSYS) {
            "the kernel has no pidfd_open (Linux 5.3 or newer is needed): upgrade the kernel".into()
        } else {
            format!("pidfd_open failed: {e}")
        });
    }
    // SAFETY: `fd` was just returned by pidfd_open and is owned by nobody else.
    let pidfd = unsafe { OwnedFd::from_raw_fd(fd as RawFd) };
    // SAFETY: pidfd_getfd takes descriptors and flags and returns a new descriptor.
    let copy = unsafe {
        libc::syscall(
            libc::SYS_pidfd_getfd,
            pidfd.as_raw_fd(),
            pidfd.as_raw_fd(),
            0,
        )
    };
    if copy < 0 {
        let e = errno();
        return Err(if is(&e, libc::ENOSYS) {
            "the kernel has no pidfd_getfd (Linux 5.6 or newer is needed): upgrade the kernel"
                .into()
        } else if is(&e, libc::EPERM) {
            format!("pidfd_getfd was refused ({e}): {PTRACE_DENIED_HINT}")
        } else {
            format!("pidfd_getfd failed: {e}")
        });
    }
    // SAFETY: `copy` was just returned by pidfd_getfd and is owned by nobody else.
    drop(unsafe { OwnedFd::from_raw_fd(copy as RawFd) });
    Ok("pidfd_open and pidfd_getfd work".into())
}

/// Data the probe child inherits at the same address, for `process_vm_readv`.
static VM_READ_PATTERN: [u8; 32] = *b"crust process_vm_readv pattern!!";

/// `process_vm_readv` from a forked child.
pub fn process_vm_readv() -> ProbeResult {
    let child = TracedChild::spawn()?;
    let mut buf = [0u8; 32];
    let local = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    let remote = libc::iovec {
        iov_base: VM_READ_PATTERN.as_ptr() as *mut c_void,
        iov_len: VM_READ_PATTERN.len(),
    };
    // SAFETY: `local` describes `buf`, which lives across the call; `remote` is
    // only read, in the child's address space.
    let n = unsafe { libc::process_vm_readv(child.pid, &local, 1, &remote, 1, 0) };
    if n < 0 {
        let e = errno();
        return Err(if is(&e, libc::ENOSYS) {
            "the kernel was built without CONFIG_CROSS_MEMORY_ATTACH: use a kernel with it".into()
        } else if is(&e, libc::EPERM) {
            format!("process_vm_readv was refused ({e}): {PTRACE_DENIED_HINT}")
        } else {
            format!("process_vm_readv failed: {e}")
        });
    }
    if n as usize != buf.len() || buf != VM_READ_PATTERN {
        return Err(format!(
            "process_vm_readv read {n} bytes that do not match the child's memory"
        ));
    }
    Ok(format!("read {n} bytes from a child"))
}

/// Reading the entry of a page we just touched from /proc/self/pagemap.
pub fn pagemap() -> ProbeResult {
    let page = page_size();
    let mut probe = [0u8; 64];
    // SAFETY: `probe` is a live local array; the volatile write makes sure its page is present.
    unsafe { std::ptr::write_volatile(probe.as_mut_ptr(), 1) };
    let addr = probe.as_ptr() as u64;
    let file = File::open("/proc/self/pagemap").map_err(|e| {
        format!("cannot open /proc/self/pagemap ({e}): is /proc mounted? the kernel needs CONFIG_PROC_PAGE_MONITOR")
    })?;
    let mut entry = [0u8; 8];
    file.read_exact_at(&mut entry, addr / page * 8)
        .map_err(|e| format!("cannot read /proc/self/pagemap: {e}"))?;
    std::hint::black_box(&probe);
    let entry = u64::from_ne_bytes(entry);
    if entry & (1 << 63) == 0 {
        return Err(format!(
            "/proc/self/pagemap says a page just written is not present (entry {entry:#x})"
        ));
    }
    let pfn = entry & ((1 << 55) - 1);
    Ok(if pfn == 0 {
        "readable; page frame numbers are hidden (not privileged)".into()
    } else {
        "readable".into()
    })
}

/// `PTRACE_GET_RSEQ_CONFIGURATION` on a seized child.
pub fn rseq() -> ProbeResult {
    let child = TracedChild::spawn()?;
    let mut conf = RseqConfiguration::default();
    // SAFETY: the kernel writes at most `size_of::<RseqConfiguration>()` bytes
    // into `conf`, which lives across the call.
    let r = unsafe {
        libc::ptrace(
            PTRACE_GET_RSEQ_CONFIGURATION as _,
            child.pid,
            size_of::<RseqConfiguration>() as *mut c_void,
            &mut conf as *mut RseqConfiguration as *mut c_void,
        )
    };
    if r < 0 {
        let e = errno();
        return Err(if is(&e, libc::EIO) {
            "the kernel lacks PTRACE_GET_RSEQ_CONFIGURATION (Linux 5.13 or newer is needed), so \
             processes using rseq (every thread with glibc 2.35 or newer) cannot be dumped: \
             upgrade the kernel"
                .into()
        } else {
            format!("PTRACE_GET_RSEQ_CONFIGURATION failed: {e}")
        });
    }
    Ok(if conf.rseq_abi_pointer == 0 {
        "works; the probe child has no rseq area".into()
    } else {
        format!(
            "works; the probe child has an rseq area of {} bytes",
            conf.rseq_abi_size
        )
    })
}

/// `prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE)`, which reports the size of `struct prctl_mm_map`.
pub fn mm_map() -> ProbeResult {
    let mut size: u32 = 0;
    // SAFETY: the kernel writes one u32 into `size`, which lives across the call.
    let r = unsafe {
        libc::prctl(
            PR_SET_MM,
            PR_SET_MM_MAP_SIZE,
            &mut size as *mut u32,
            0u64,
            0u64,
        )
    };
    if r < 0 {
        let e = errno();
        return Err(if is(&e, libc::EINVAL) {
            "prctl PR_SET_MM_MAP is missing: the kernel was built without \
             CONFIG_CHECKPOINT_RESTORE; use a kernel with it enabled"
                .into()
        } else {
            format!("prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE) failed: {e}")
        });
    }
    if size != PRCTL_MM_MAP_SIZE {
        return Err(format!(
            "the kernel's struct prctl_mm_map is {size} bytes, crust knows the {PRCTL_MM_MAP_SIZE}-byte one"
        ));
    }
    Ok(format!("struct prctl_mm_map is {size} bytes"))
}

/// The size of the XSAVE area, through `PTRACE_GETREGSET NT_X86_XSTATE` on a
/// seized child (what dump uses), with CPUID leaf 0xD's answer alongside.
#[cfg(target_arch = "x86_64")]
pub fn xsave() -> ProbeResult {
    // CPUID leaf 0xD, sub-leaf 0: EBX is the XSAVE area size for the
    // features enabled in XCR0.
    // SAFETY: every x86_64 CPU has CPUID (the intrinsic is only `unsafe` before Rust 1.87).
    #[allow(unused_unsafe)]
    let cpuid = unsafe { std::arch::x86_64::__cpuid_count(0xd, 0) }.ebx;
    let child = TracedChild::spawn()?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    // SAFETY: `iov` describes `buf`, both live across the call; the kernel
    // writes at most `iov_len` bytes and updates `iov_len`.
    let r = unsafe {
        libc::ptrace(
            libc::PTRACE_GETREGSET,
            child.pid,
            NT_X86_XSTATE as *mut c_void,
            &mut iov as *mut libc::iovec as *mut c_void,
        )
    };
    if r < 0 {
        let e = errno();
        return Err(if is(&e, libc::ENODEV) || is(&e, libc::EINVAL) {
            format!(
                "PTRACE_GETREGSET NT_X86_XSTATE is not available ({e}): the CPU or the kernel \
                 (booted with noxsave?) does not use XSAVE, so the extended FPU state cannot be saved"
            )
        } else {
            format!("PTRACE_GETREGSET NT_X86_XSTATE failed: {e}")
        });
    }
    Ok(format!("{} bytes; CPUID says {cpuid}", iov.iov_len))
}

/// The XSAVE area exists only on x86.
#[cfg(not(target_arch = "x86_64"))]
pub fn xsave() -> ProbeResult {
    Ok(format!("not applicable on {}", std::env::consts::ARCH))
}

/// The `PAGEMAP_SCAN` ioctl on /proc/self/pagemap, over one page we touched.
pub fn pagemap_scan() -> ProbeResult {
    let page = page_size();
    let mut probe = [0u8; 64];
    // SAFETY: `probe` is a live local array; the volatile write makes sure its page is present.
    unsafe { std::ptr::write_volatile(probe.as_mut_ptr(), 1) };
    let start = probe.as_ptr() as u64 / page * page;
    let file = File::open("/proc/self/pagemap")
        .map_err(|e| format!("cannot open /proc/self/pagemap: {e}"))?;
    let mut regions = [PageRegion::default(); 1];
    let mut arg = PmScanArg {
        size: size_of::<PmScanArg>() as u64,
        start,
        end: start + page,
        vec: regions.as_mut_ptr() as u64,
        vec_len: regions.len() as u64,
        return_mask: PAGE_IS_PRESENT,
        ..Default::default()
    };
    // SAFETY: `arg` and the `regions` it points to live across the call; the
    // kernel writes at most `vec_len` regions and updates `arg.walk_end`.
    let r = unsafe {
        libc::ioctl(
            file.as_raw_fd(),
            PAGEMAP_SCAN as _,
            &mut arg as *mut PmScanArg,
        )
    };
    std::hint::black_box(&probe);
    if r < 0 {
        let e = errno();
        return Err(if is(&e, libc::ENOTTY) || is(&e, libc::EINVAL) {
            format!("not available ({e}; Linux 6.7 or newer has it): crust reads /proc/PID/pagemap instead")
        } else {
            format!("PAGEMAP_SCAN failed: {e}")
        });
    }
    if r != 1 || regions[0].categories & PAGE_IS_PRESENT == 0 {
        return Err(format!(
            "PAGEMAP_SCAN did not report a page just written as present ({r} regions)"
        ));
    }
    Ok("available".into())
}

/// userfaultfd and its `UFFDIO_API` handshake.
pub fn uffd() -> ProbeResult {
    let open = |flags: i32| {
        // SAFETY: userfaultfd takes flags and returns a new descriptor.
        let fd = unsafe { libc::syscall(libc::SYS_userfaultfd, flags) };
        if fd < 0 {
            Err(errno())
        } else {
            // SAFETY: `fd` was just returned by userfaultfd and is owned by nobody else.
            Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
        }
    };
    let base = libc::O_CLOEXEC | libc::O_NONBLOCK;
    // Without privilege, only user-mode faults may be handled (when
    // vm.unprivileged_userfaultfd is 0); older kernels do not know that flag.
    let mut user_mode_only = false;
    let fd = open(base).or_else(|e| {
        if is(&e, libc::EPERM) {
            user_mode_only = true;
            open(base | UFFD_USER_MODE_ONLY)
        } else {
            Err(e)
        }
    });
    let fd = fd.map_err(|e| {
        if is(&e, libc::ENOSYS) {
            "not available: the kernel was built without CONFIG_USERFAULTFD (or a seccomp filter \
             hides it); lazy restore is unavailable"
                .to_string()
        } else if is(&e, libc::EPERM) {
            format!("not permitted ({e}): run crust as root, or set vm.unprivileged_userfaultfd=1")
        } else {
            format!("userfaultfd failed: {e}")
        }
    })?;
    let mut api = UffdioApi {
        api: UFFD_API,
        ..Default::default()
    };
    // SAFETY: `api` lives across the call and the kernel writes only inside it.
    let r = unsafe { libc::ioctl(fd.as_raw_fd(), UFFDIO_API as _, &mut api as *mut UffdioApi) };
    if r < 0 {
        return Err(format!("the UFFDIO_API handshake failed: {}", errno()));
    }
    let scope = if user_mode_only {
        "; user-mode faults only (not privileged)"
    } else {
        ""
    };
    Ok(format!("available; features {:#x}{scope}", api.features))
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
