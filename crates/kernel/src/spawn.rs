//! Creating a task with a chosen pid: clone3 with set_tid.

use crate::error::SysError;
use crate::own;
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

/// `CLONE_ARGS_SIZE_VER1`: `struct clone_args` up to `set_tid_size`, the first
/// size of it that has `set_tid` (Linux 5.5; `cgroup` came in 5.7).
const CLONE_ARGS_SIZE_VER1: usize = std::mem::offset_of!(CloneArgs, cgroup);
const _: () = assert!(CLONE_ARGS_SIZE_VER1 == 80);

/// `MAX_PID_NS_LEVEL`: how deep pid namespaces nest, so the most `set_tid` entries.
const MAX_PID_NS_LEVEL: u64 = 32;

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

/// Calls clone3 with arguments that no kernel accepts, to learn from the error
/// how much of clone3 the kernel knows: ENOSYS without clone3, E2BIG with a
/// clone3 that lacks `set_tid` (the struct passed is larger than it knows),
/// EINVAL with both (`set_tid_size` is above the nesting limit). `Ok` would
/// mean the arguments were accepted, which no known kernel does.
///
/// No task is created: `CLONE_THREAD` without `CLONE_SIGHAND` is invalid on
/// every kernel.
pub fn clone3_invalid_set_tid() -> Result<(), SysError> {
    let tids: [pid_t; 1] = [1];
    let args = CloneArgs {
        flags: libc::CLONE_THREAD as u64,
        set_tid: tids.as_ptr() as u64,
        set_tid_size: MAX_PID_NS_LEVEL * 32,
        ..CloneArgs::default()
    };
    // SAFETY: `args` and the `tids` it points to outlive the call, and the size
    // passed is no larger than `args`. The arguments are invalid (see above), so
    // the kernel creates no task that could return here.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_clone3,
            &args as *const CloneArgs,
            CLONE_ARGS_SIZE_VER1,
        )
    };
    if ret < 0 {
        return Err(SysError::last("clone3 with invalid set_tid arguments"));
    }
    Ok(())
}

/// Forks a child that does nothing but wait in `pause()` until it is killed,
/// and that the kernel kills when its parent dies (PR_SET_PDEATHSIG). Returns
/// its pid; the caller kills and reaps it.
pub fn fork_idle() -> Result<pid_t, SysError> {
    // SAFETY: between fork and its death the child calls only the
    // async-signal-safe prctl and pause (prctl(PR_SET_PDEATHSIG, SIGKILL)
    // cannot fail, so `own::prctl` never builds its error), so forking a
    // multi-threaded process is fine.
    let pid = unsafe { libc::fork() };
    match pid {
        -1 => Err(SysError::last("fork")),
        0 => {
            let _ = own::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as u64);
            loop {
                own::pause();
            }
        }
        child => Ok(child),
    }
}
