//! ptrace requests on one thread, each returning a `SysError` that names pid and request.

use crate::error::SysError;
use libc::{c_long, c_void, pid_t};

const PTRACE_GETSIGMASK: u32 = 0x420a;
const PTRACE_SETSIGMASK: u32 = 0x420b;
const PTRACE_PEEKSIGINFO: u32 = 0x4209;
const PTRACE_PEEKSIGINFO_SHARED: u32 = 1;
const PTRACE_GET_RSEQ_CONFIGURATION: u32 = 0x420f;
const NT_PRSTATUS: usize = 1;
const NT_X86_XSTATE: usize = 0x202;

/// The largest xsave area any x86 CPU reports today is well under this.
const XSTATE_BUF: usize = 64 * 1024;

/// General registers, as the kernel's `struct user_regs_struct`.
pub type Regs = libc::user_regs_struct;

/// One raw siginfo as the kernel stores it (128 bytes).
pub type RawSiginfo = [u8; 128];

/// The rseq area a thread has registered, as PTRACE_GET_RSEQ_CONFIGURATION reports it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[repr(C)]
pub struct RseqConfig {
    pub rseq_abi_pointer: u64,
    pub rseq_abi_size: u32,
    pub signature: u32,
    pub flags: u32,
    pub pad: u32,
}

fn request(
    req: u32,
    pid: pid_t,
    addr: *mut c_void,
    data: *mut c_void,
    what: &str,
) -> Result<c_long, SysError> {
    // SAFETY: every caller passes `addr`/`data` that are either plain integers the
    // request takes by value or pointers to live buffers sized for that request.
    let ret = unsafe { libc::ptrace(req, pid, addr, data) };
    if ret == -1 {
        Err(SysError::last(format!("{what} of pid {pid}")))
    } else {
        Ok(ret)
    }
}

/// Attaches without stopping the task or sending it a signal it could see.
pub fn seize(pid: pid_t, options: c_long) -> Result<(), SysError> {
    request(
        libc::PTRACE_SEIZE,
        pid,
        std::ptr::null_mut(),
        options as *mut c_void,
        "PTRACE_SEIZE",
    )
    .map(drop)
}

/// Asks a seized task to stop; the stop is reported through waitpid.
pub fn interrupt(pid: pid_t) -> Result<(), SysError> {
    request(
        libc::PTRACE_INTERRUPT,
        pid,
        std::ptr::null_mut(),
        std::ptr::null_mut(),
        "PTRACE_INTERRUPT",
    )
    .map(drop)
}

/// Makes the calling process a tracee of its parent (used by restored tasks).
pub fn traceme() -> Result<(), SysError> {
    request(
        libc::PTRACE_TRACEME,
        0,
        std::ptr::null_mut(),
        std::ptr::null_mut(),
        "PTRACE_TRACEME",
    )
    .map(drop)
}

pub fn detach(pid: pid_t, sig: i32) -> Result<(), SysError> {
    request(
        libc::PTRACE_DETACH,
        pid,
        std::ptr::null_mut(),
        sig as c_long as *mut c_void,
        "PTRACE_DETACH",
    )
    .map(drop)
}

pub fn cont(pid: pid_t, sig: i32) -> Result<(), SysError> {
    request(
        libc::PTRACE_CONT,
        pid,
        std::ptr::null_mut(),
        sig as c_long as *mut c_void,
        "PTRACE_CONT",
    )
    .map(drop)
}

pub fn singlestep(pid: pid_t) -> Result<(), SysError> {
    request(
        libc::PTRACE_SINGLESTEP,
        pid,
        std::ptr::null_mut(),
        std::ptr::null_mut(),
        "PTRACE_SINGLESTEP",
    )
    .map(drop)
}

pub fn get_regs(pid: pid_t) -> Result<Regs, SysError> {
    // SAFETY: user_regs_struct is plain integers; all-zero is a valid value.
    let mut regs: Regs = unsafe { std::mem::zeroed() };
    let mut iov = libc::iovec {
        iov_base: (&mut regs as *mut Regs).cast(),
        iov_len: std::mem::size_of::<Regs>(),
    };
    let iov_ptr: *mut libc::iovec = &mut iov;
    request(
        libc::PTRACE_GETREGSET,
        pid,
        NT_PRSTATUS as *mut c_void,
        iov_ptr.cast(),
        "PTRACE_GETREGSET(NT_PRSTATUS)",
    )?;
    Ok(regs)
}

pub fn set_regs(pid: pid_t, regs: &Regs) -> Result<(), SysError> {
    let mut copy = *regs;
    let mut iov = libc::iovec {
        iov_base: (&mut copy as *mut Regs).cast(),
        iov_len: std::mem::size_of::<Regs>(),
    };
    let iov_ptr: *mut libc::iovec = &mut iov;
    request(
        libc::PTRACE_SETREGSET,
        pid,
        NT_PRSTATUS as *mut c_void,
        iov_ptr.cast(),
        "PTRACE_SETREGSET(NT_PRSTATUS)",
    )
    .map(drop)
}

/// The whole xsave area (x87, SSE, AVX, AVX-512, AMX ...), as long as the kernel makes it.
pub fn get_xstate(pid: pid_t) -> Result<Vec<u8>, SysError> {
    let mut buf = vec![0u8; XSTATE_BUF];
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    let iov_ptr: *mut libc::iovec = &mut iov;
    request(
        libc::PTRACE_GETREGSET,
        pid,
        NT_X86_XSTATE as *mut c_void,
        iov_ptr.cast(),
        "PTRACE_GETREGSET(NT_X86_XSTATE)",
    )?;
    buf.truncate(iov.iov_len);
    Ok(buf)
}

pub fn set_xstate(pid: pid_t, xstate: &[u8]) -> Result<(), SysError> {
    let mut copy = xstate.to_vec();
    let mut iov = libc::iovec {
        iov_base: copy.as_mut_ptr().cast(),
        iov_len: copy.len(),
    };
    let iov_ptr: *mut libc::iovec = &mut iov;
    request(
        libc::PTRACE_SETREGSET,
        pid,
        NT_X86_XSTATE as *mut c_void,
        iov_ptr.cast(),
        "PTRACE_SETREGSET(NT_X86_XSTATE)",
    )
    .map(drop)
}

pub fn get_sigmask(pid: pid_t) -> Result<u64, SysError> {
    let mut mask: u64 = 0;
    let mask_ptr: *mut u64 = &mut mask;
    request(
        PTRACE_GETSIGMASK,
        pid,
        8 as *mut c_void,
        mask_ptr.cast(),
        "PTRACE_GETSIGMASK",
    )?;
    Ok(mask)
}

pub fn set_sigmask(pid: pid_t, mask: u64) -> Result<(), SysError> {
    let mut copy = mask;
    let mask_ptr: *mut u64 = &mut copy;
    request(
        PTRACE_SETSIGMASK,
        pid,
        8 as *mut c_void,
        mask_ptr.cast(),
        "PTRACE_SETSIGMASK",
    )
    .map(drop)
}

#[repr(C)]
struct PeekSiginfoArgs {
    off: u64,
    flags: u32,
    nr: i32,
}

/// Every queued signal, without dequeuing any: the thread's own queue, or with
/// `shared` the queue of the whole thread group.
pub fn peek_siginfo(pid: pid_t, shared: bool) -> Result<Vec<RawSiginfo>, SysError> {
    let mut all = Vec::new();
    loop {
        let mut batch = [[0u8; 128]; 16];
        let mut args = PeekSiginfoArgs {
            off: all.len() as u64,
            flags: if shared { PTRACE_PEEKSIGINFO_SHARED } else { 0 },
            nr: batch.len() as i32,
        };
        let args_ptr: *mut PeekSiginfoArgs = &mut args;
        let got = request(
            PTRACE_PEEKSIGINFO,
            pid,
            args_ptr.cast(),
            batch.as_mut_ptr().cast(),
            "PTRACE_PEEKSIGINFO",
        )?;
        all.extend_from_slice(&batch[..got as usize]);
        if (got as usize) < batch.len() {
            return Ok(all);
        }
    }
}

pub fn rseq_config(pid: pid_t) -> Result<RseqConfig, SysError> {
    let mut conf = RseqConfig::default();
    let conf_ptr: *mut RseqConfig = &mut conf;
    request(
        PTRACE_GET_RSEQ_CONFIGURATION,
        pid,
        std::mem::size_of::<RseqConfig>() as *mut c_void,
        conf_ptr.cast(),
        "PTRACE_GET_RSEQ_CONFIGURATION",
    )?;
    Ok(conf)
}

/// What waitpid reported about a traced task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Stopped: the signal, and the ptrace event number (0 if none).
    Stopped {
        sig: i32,
        event: i32,
    },
    Exited(i32),
    Killed(i32),
}

/// Waits for the next state change of `pid` (any thread kind).
pub fn wait(pid: pid_t) -> Result<Stop, SysError> {
    loop {
        if let Some(stop) = wait_flags(pid, 0)? {
            return Ok(stop);
        }
    }
}

/// Like `wait`, but returns `None` at once when nothing has happened yet.
pub fn try_wait(pid: pid_t) -> Result<Option<Stop>, SysError> {
    wait_flags(pid, libc::WNOHANG)
}

fn wait_flags(pid: pid_t, flags: i32) -> Result<Option<Stop>, SysError> {
    let mut status = 0;
    // SAFETY: `status` is a valid out-pointer for the duration of the call.
    let ret = unsafe { libc::waitpid(pid, &mut status, libc::__WALL | flags) };
    if ret == -1 {
        let err = SysError::last(format!("waitpid of pid {pid}"));
        return if err.errno() == Some(libc::EINTR) {
            Ok(None)
        } else {
            Err(err)
        };
    }
    if ret == 0 {
        return Ok(None);
    }
    Ok(Some(if libc::WIFSTOPPED(status) {
        Stop::Stopped {
            sig: libc::WSTOPSIG(status),
            event: (status >> 16) & 0xff,
        }
    } else if libc::WIFSIGNALED(status) {
        Stop::Killed(libc::WTERMSIG(status))
    } else {
        Stop::Exited(libc::WEXITSTATUS(status))
    }))
}

/// An all-zero register set, to be filled in.
pub fn empty_regs() -> Regs {
    // SAFETY: user_regs_struct is plain integers; all-zero is a valid value.
    unsafe { std::mem::zeroed() }
}

/// How the wait for the stop PTRACE_INTERRUPT asked for ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InterruptStop {
    /// In the stop; `sig` is the job-control stop signal when the task was in a
    /// job-control stop, SIGTRAP otherwise.
    Stopped {
        sig: i32,
    },
    /// The task exited or was killed first.
    Ended(Stop),
    TimedOut,
}

/// Waits up to `timeout` for the stop PTRACE_INTERRUPT asked for. Signals that
/// arrive first are delivered as they would have been without a tracer; the
/// interrupt stays pending and is reported after them.
pub fn wait_interrupt_stop(
    pid: pid_t,
    timeout: std::time::Duration,
) -> Result<InterruptStop, SysError> {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        match try_wait(pid)? {
            Some(Stop::Stopped {
                sig,
                event: libc::PTRACE_EVENT_STOP,
            }) => return Ok(InterruptStop::Stopped { sig }),
            Some(Stop::Stopped { sig, .. }) => cont(pid, sig)?,
            Some(ended) => return Ok(InterruptStop::Ended(ended)),
            None if std::time::Instant::now() >= deadline => return Ok(InterruptStop::TimedOut),
            None => std::thread::sleep(std::time::Duration::from_micros(100)),
        }
    }
}
