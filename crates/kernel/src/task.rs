//! Small per-task system calls made from outside the task.

use crate::error::SysError;
use libc::pid_t;

/// Sends `sig` to the whole process `pid`.
pub fn kill(pid: pid_t, sig: i32) -> Result<(), SysError> {
    // SAFETY: kill(2) takes plain integers.
    let ret = unsafe { libc::kill(pid, sig) };
    if ret != 0 {
        return Err(SysError::last(format!("kill pid {pid} with signal {sig}")));
    }
    Ok(())
}

/// The robust futex list head registered by thread `tid`, and its length.
pub fn robust_list(tid: pid_t) -> Result<(u64, u64), SysError> {
    let mut head: u64 = 0;
    let mut len: u64 = 0;
    // SAFETY: get_robust_list writes one pointer and one size_t to the two
    // out-pointers, which are valid u64 locations on this stack frame.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_get_robust_list,
            tid,
            &mut head as *mut u64,
            &mut len as *mut u64,
        )
    };
    if ret != 0 {
        return Err(SysError::last(format!("get_robust_list of pid {tid}")));
    }
    Ok((head, len))
}

/// Whether `pid` exists (as a process or a zombie) in crust's pid namespace.
pub fn exists(pid: pid_t) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}
