//! Probes for what restore needs from the kernel: tasks with chosen pids and
//! the memory layout description.

use super::{own_pid, ProbeResult};
use crate::{proc, spawn};

/// `sizeof(struct prctl_mm_map)`: 11 addresses, the auxv pointer, its size and exe_fd.
const PRCTL_MM_MAP_SIZE: u32 = 104;
const CAP_SYS_ADMIN: u32 = 21;
const CAP_CHECKPOINT_RESTORE: u32 = 40;

fn has_cap(cap: u32) -> bool {
    proc::credentials(own_pid()).is_ok_and(|c| c.cap_eff & (1 << cap) != 0)
}

/// clone3 with `set_tid`, the privilege to use it, and /proc/sys/kernel/ns_last_pid.
///
/// clone3 is called with arguments every kernel rejects, and what it answers
/// tells how much of clone3 the kernel knows (see `spawn::clone3_invalid_set_tid`).
pub fn clone3_set_tid() -> ProbeResult {
    match spawn::clone3_invalid_set_tid() {
        Ok(()) => {
            return Err("clone3 accepted invalid arguments; this kernel is not understood".into())
        }
        Err(e) if e.errno() == Some(libc::EINVAL) => {}
        Err(e) => {
            return Err(match e.errno() {
                Some(libc::ENOSYS) => "the kernel has no clone3 (Linux 5.5 or newer is needed), \
                     or a seccomp filter (e.g. a container runtime's) hides it: upgrade the \
                     kernel or allow clone3"
                    .into(),
                Some(libc::E2BIG) => {
                    "clone3 lacks set_tid (Linux 5.5 or newer is needed): upgrade the kernel".into()
                }
                Some(libc::EPERM) => format!(
                    "clone3 is refused ({}), probably by a seccomp filter: allow clone3",
                    e.source
                ),
                _ => format!("probing clone3 gave an unexpected error: {}", e.source),
            })
        }
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

/// `prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE)`, which reports the size of `struct prctl_mm_map`.
pub fn mm_map() -> ProbeResult {
    let mut size: u32 = 0;
    // SAFETY: the kernel writes one u32 into `size`, which lives across the call.
    let r = unsafe {
        libc::prctl(
            libc::PR_SET_MM,
            libc::PR_SET_MM_MAP_SIZE as u64,
            &mut size as *mut u32,
            0u64,
            0u64,
        )
    };
    if r < 0 {
        let e = std::io::Error::last_os_error();
        return Err(if e.raw_os_error() == Some(libc::EINVAL) {
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
