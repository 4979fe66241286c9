//! Creating a task with a chosen pid: clone3 with set_tid.

use crate::error::SysError;
use libc::pid_t;

#[repr(C)]
#[derive(Default)]
struct CloneArgs {
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
    cgroup: u64,
}

/// Which side of a fork the caller is on.
pub enum Forked {
    Parent(pid_t),
    Child,
}

/// Forks the calling process so that the child gets exactly `pid` in the caller's
/// pid namespace. Needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE over that namespace.
///
/// The child is a copy of a single-threaded crust, like after fork(2): it may run
/// ordinary Rust code, but glibc's fork handlers do not run in it.
pub fn fork_with_pid(pid: pid_t) -> Result<Forked, SysError> {
    let tids: [pid_t; 1] = [pid];
    let args = CloneArgs {
        exit_signal: libc::SIGCHLD as u64,
        set_tid: tids.as_ptr() as u64,
        set_tid_size: 1,
        ..CloneArgs::default()
    };
    // SAFETY: clone3 with no CLONE_VM and no new stack behaves as fork: the child gets
    // a private copy of this address space and returns here with 0. `args` and `tids`
    // outlive the call.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_clone3,
            &args as *const CloneArgs,
            std::mem::size_of::<CloneArgs>(),
        )
    };
    match ret {
        -1 => Err(SysError::last(format!("clone3 with set_tid {pid}"))),
        0 => Ok(Forked::Child),
        child => Ok(Forked::Parent(child as pid_t)),
    }
}
