//! Small per-task system calls made from outside the task.

use crate::error::SysError;
use libc::pid_t;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

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

/// Takes ownership of the descriptor a system call that makes a new one returned.
fn new_fd(ret: libc::c_long, action: impl FnOnce() -> String) -> Result<OwnedFd, SysError> {
    let fd = crate::error::check(ret, action)?;
    // SAFETY: callers pass the result of a call that returns a new descriptor;
    // it is not negative (checked above) and nobody else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// A pidfd referring to the process `pid` (pidfd_open, Linux 5.3).
pub fn pidfd_open(pid: pid_t) -> Result<OwnedFd, SysError> {
    // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor.
    let ret = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    new_fd(ret, || format!("pidfd_open of pid {pid}"))
}

/// A copy of descriptor `fd` of the process `pidfd` refers to (pidfd_getfd,
/// Linux 5.6); needs ptrace access to that process.
pub fn pidfd_getfd(pidfd: BorrowedFd<'_>, fd: RawFd) -> Result<OwnedFd, SysError> {
    // SAFETY: pidfd_getfd takes descriptors and flags and returns a new descriptor.
    let ret = unsafe { libc::syscall(libc::SYS_pidfd_getfd, pidfd.as_raw_fd(), fd, 0) };
    new_fd(ret, || format!("pidfd_getfd of fd {fd}"))
}

/// How `pid` is scheduled: its nice value, policy (SCHED_*, with
/// SCHED_RESET_ON_FORK if set) and real-time priority.
pub fn scheduling(pid: pid_t) -> Result<(i32, u32, u32), SysError> {
    // getpriority may legitimately return -1, so errno is cleared and checked.
    // SAFETY: __errno_location returns this thread's errno slot.
    unsafe { *libc::__errno_location() = 0 };
    // SAFETY: getpriority takes plain integers.
    let nice = unsafe { libc::getpriority(libc::PRIO_PROCESS, pid as libc::id_t) };
    if nice == -1 && std::io::Error::last_os_error().raw_os_error() != Some(0) {
        return Err(SysError::last(format!("getpriority of pid {pid}")));
    }
    // SAFETY: sched_getscheduler takes a plain integer.
    let policy = unsafe { libc::sched_getscheduler(pid) };
    if policy < 0 {
        return Err(SysError::last(format!("sched_getscheduler of pid {pid}")));
    }
    let mut param = libc::sched_param { sched_priority: 0 };
    // SAFETY: `param` is a valid out-pointer for the duration of the call.
    if unsafe { libc::sched_getparam(pid, &mut param) } != 0 {
        return Err(SysError::last(format!("sched_getparam of pid {pid}")));
    }
    Ok((nice, policy as u32, param.sched_priority as u32))
}
