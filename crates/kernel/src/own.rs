//! Calls a task makes on itself while crust prepares it to become a restored
//! process: signal dispositions, fds, limits, the page crust drives it from.
//!
//! These run in the freshly forked child, before it stops for crust to take over.

use crate::error::SysError;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

fn path_cstr(path: &Path) -> Result<CString, SysError> {
    CString::new(path.as_os_str().as_bytes()).map_err(|_| {
        SysError::from_errno(
            format!("path {} contains a NUL byte", path.display()),
            libc::EINVAL,
        )
    })
}

fn ret_check(ret: libc::c_long, what: impl FnOnce() -> String) -> Result<libc::c_long, SysError> {
    crate::error::check(ret, what)
}

/// Installs a signal disposition exactly as the kernel stores it (handler, flags,
/// restorer and mask words), bypassing the C library's own wrapper, which would
/// substitute its restorer.
pub fn set_sigaction(
    sig: i32,
    handler: u64,
    flags: u64,
    restorer: u64,
    mask: u64,
) -> Result<(), SysError> {
    let act: [u64; 4] = [handler, flags, restorer, mask];
    // SAFETY: rt_sigaction reads a kernel `struct sigaction` (four words on x86_64)
    // from `act`, which lives across the call; the old-action pointer is null.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_rt_sigaction,
            sig,
            act.as_ptr(),
            std::ptr::null::<u64>(),
            8,
        )
    };
    ret_check(ret, || format!("rt_sigaction({sig})")).map(drop)
}

/// Blocks every signal that can be blocked.
pub fn block_all_signals() -> Result<(), SysError> {
    let all: u64 = !0;
    // SAFETY: rt_sigprocmask reads one 8-byte mask from `all`; no old mask requested.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_rt_sigprocmask,
            libc::SIG_SETMASK,
            &all as *const u64,
            std::ptr::null::<u64>(),
            8,
        )
    };
    ret_check(ret, || "rt_sigprocmask(block all)".into()).map(drop)
}

/// Maps one page of anonymous read-write-execute memory at exactly `addr` (never
/// replacing anything already there) and copies `code` to its start.
pub fn map_code_page(addr: u64, code: &[u8]) -> Result<(), SysError> {
    let len = crate::PAGE_SIZE as usize;
    if code.len() > len {
        return Err(SysError::from_errno(
            format!("{} bytes of code do not fit a page", code.len()),
            libc::E2BIG,
        ));
    }
    let prot = libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC;
    let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED_NOREPLACE;
    // SAFETY: MAP_FIXED_NOREPLACE never replaces an existing mapping, so no memory
    // this program uses can be affected; the result is checked below.
    let got = unsafe { libc::mmap(addr as *mut libc::c_void, len, prot, flags, -1, 0) };
    if got == libc::MAP_FAILED {
        return Err(SysError::last(format!("mmap of a page at {addr:#x}")));
    }
    if got as u64 != addr {
        return Err(SysError::from_errno(
            format!("mmap at {addr:#x} landed at {:#x}", got as u64),
            libc::EEXIST,
        ));
    }
    // SAFETY: the page at `got` was just mapped writable, is `len` bytes long, no
    // other reference to it exists, and `code` is no longer than it.
    unsafe { std::ptr::copy_nonoverlapping(code.as_ptr(), got as *mut u8, code.len()) };
    Ok(())
}

pub fn open(path: &Path, flags: i32) -> Result<i32, SysError> {
    let c = path_cstr(path)?;
    // SAFETY: `c` is a NUL-terminated string alive across the call.
    let fd = unsafe { libc::open(c.as_ptr(), flags | libc::O_NOCTTY, 0) };
    ret_check(fd as libc::c_long, || {
        format!("open {} with flags {flags:#o}", path.display())
    })
    .map(|fd| fd as i32)
}

pub fn seek(fd: i32, pos: u64) -> Result<(), SysError> {
    // SAFETY: lseek takes plain integers.
    let ret = unsafe { libc::lseek(fd, pos as libc::off_t, libc::SEEK_SET) };
    ret_check(ret as libc::c_long, || format!("lseek of fd {fd} to {pos}")).map(drop)
}

/// Duplicates `fd` to the lowest free number at or above `min`, close-on-exec.
pub fn dup_above(fd: i32, min: i32) -> Result<i32, SysError> {
    // SAFETY: fcntl(F_DUPFD_CLOEXEC) takes plain integers.
    let ret = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, min) };
    ret_check(ret as libc::c_long, || {
        format!("dup of fd {fd} above {min}")
    })
    .map(|fd| fd as i32)
}

pub fn dup_to(fd: i32, target: i32, cloexec: bool) -> Result<(), SysError> {
    let flags = if cloexec { libc::O_CLOEXEC } else { 0 };
    // SAFETY: dup3 takes plain integers.
    let ret = unsafe { libc::dup3(fd, target, flags) };
    ret_check(ret as libc::c_long, || {
        format!("dup of fd {fd} to {target}")
    })
    .map(drop)
}

pub fn close(fd: i32) {
    // SAFETY: closing an fd number this process owns; errors are irrelevant here.
    unsafe { libc::close(fd) };
}

/// The fds open in this process.
pub fn open_fds() -> Vec<i32> {
    let mut fds: Vec<i32> = std::fs::read_dir("/proc/self/fd")
        .map(|dir| {
            dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    fds.sort_unstable();
    fds
}

pub fn chdir(path: &Path) -> Result<(), SysError> {
    let c = path_cstr(path)?;
    // SAFETY: `c` is NUL-terminated and alive across the call.
    let ret = unsafe { libc::chdir(c.as_ptr()) };
    ret_check(ret as libc::c_long, || {
        format!("chdir to {}", path.display())
    })
    .map(drop)
}

pub fn chroot(path: &Path) -> Result<(), SysError> {
    let c = path_cstr(path)?;
    // SAFETY: `c` is NUL-terminated and alive across the call.
    let ret = unsafe { libc::chroot(c.as_ptr()) };
    ret_check(ret as libc::c_long, || {
        format!("chroot to {}", path.display())
    })
    .map(drop)
}

pub fn set_umask(mask: u32) {
    // SAFETY: umask only swaps an integer in this process; it touches no memory.
    unsafe { libc::umask(mask as libc::mode_t) };
}

pub fn set_rlimit(resource: u32, cur: u64, max: u64) -> Result<(), SysError> {
    let lim = libc::rlimit {
        rlim_cur: cur,
        rlim_max: max,
    };
    // SAFETY: `lim` is a valid rlimit alive across the call.
    let ret = unsafe { libc::setrlimit(resource as _, &lim) };
    ret_check(ret as libc::c_long, || {
        format!("setrlimit({resource}, {cur}, {max})")
    })
    .map(drop)
}

pub fn get_rlimit(resource: u32) -> Result<(u64, u64), SysError> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid out-pointer alive across the call.
    let ret = unsafe { libc::getrlimit(resource as _, &mut lim) };
    ret_check(ret as libc::c_long, || format!("getrlimit({resource})"))?;
    Ok((lim.rlim_cur, lim.rlim_max))
}

pub fn set_personality(persona: u32) -> Result<(), SysError> {
    // SAFETY: personality takes a plain integer.
    let ret = unsafe { libc::personality(persona as libc::c_ulong) };
    ret_check(ret as libc::c_long, || format!("personality({persona:#x})")).map(drop)
}

pub fn prctl(option: i32, arg: u64) -> Result<(), SysError> {
    // SAFETY: only used with options that take integer arguments.
    let ret = unsafe { libc::prctl(option, arg, 0, 0, 0) };
    ret_check(ret as libc::c_long, || format!("prctl({option}, {arg})")).map(drop)
}

pub fn setsid() -> Result<(), SysError> {
    // SAFETY: setsid changes only kernel-side state of this process; no memory is
    // passed or touched.
    let ret = unsafe { libc::setsid() };
    ret_check(ret as libc::c_long, || "setsid".into()).map(drop)
}

pub fn setpgid_self() -> Result<(), SysError> {
    // SAFETY: setpgid takes plain integers.
    let ret = unsafe { libc::setpgid(0, 0) };
    ret_check(ret as libc::c_long, || "setpgid(0, 0)".into()).map(drop)
}

pub fn write_all(fd: i32, bytes: &[u8]) {
    let mut done = 0;
    while done < bytes.len() {
        // SAFETY: the pointer and length describe the unwritten tail of `bytes`.
        let ret = unsafe { libc::write(fd, bytes[done..].as_ptr().cast(), bytes.len() - done) };
        if ret <= 0 {
            return;
        }
        done += ret as usize;
    }
}

/// Ends this process at once, without unwinding or running exit handlers: the
/// forked child shares buffered state with crust that must not be flushed twice.
pub fn exit_now(code: i32) -> ! {
    // SAFETY: _exit never returns and touches no memory of ours.
    unsafe { libc::_exit(code) }
}

/// Stops this process with SIGSTOP so that its tracer can take over.
pub fn stop_self() -> Result<(), SysError> {
    // SAFETY: raise takes a plain integer.
    let ret = unsafe { libc::raise(libc::SIGSTOP) };
    ret_check(ret as libc::c_long, || "raise(SIGSTOP)".into()).map(drop)
}

pub fn pipe() -> Result<(i32, i32), SysError> {
    let mut fds = [0i32; 2];
    // SAFETY: `fds` has room for the two fds pipe2 writes.
    let ret = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    ret_check(ret as libc::c_long, || "pipe2".into())?;
    Ok((fds[0], fds[1]))
}

pub fn read_to_end(fd: i32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        // SAFETY: `buf` is a writable buffer of the given length.
        let ret = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        if ret > 0 {
            out.extend_from_slice(&buf[..ret as usize]);
        } else if ret == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return out;
        }
    }
}

/// The pid of this process's parent.
pub fn parent_pid() -> i32 {
    // SAFETY: getppid only returns an integer; no memory is passed or touched.
    unsafe { libc::getppid() }
}

/// Waits until child `pid` has exited, leaving it a zombie (not reaped).
pub fn wait_exited(pid: i32) -> Result<(), SysError> {
    loop {
        // SAFETY: an all-zero siginfo_t is a valid out-buffer for waitid.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: `info` is a valid out-pointer for the duration of the call.
        let ret = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        if ret == 0 {
            return Ok(());
        }
        let err = SysError::last(format!("waitid for child {pid}"));
        if err.errno() != Some(libc::EINTR) {
            return Err(err);
        }
    }
}

/// Takes every pending instance of the blocked signal `sig` off the queue.
pub fn discard_pending(sig: i32) {
    let set: u64 = 1 << (sig - 1);
    let zero = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    loop {
        // SAFETY: rt_sigtimedwait reads an 8-byte set and a timespec, both alive
        // across the call; no siginfo is requested.
        let ret = unsafe {
            libc::syscall(
                libc::SYS_rt_sigtimedwait,
                &set as *const u64,
                std::ptr::null_mut::<libc::siginfo_t>(),
                &zero as *const libc::timespec,
                8,
            )
        };
        if ret != sig as libc::c_long {
            return;
        }
    }
}

/// The signals pending for this thread or process (blocked ones included).
pub fn pending_signals() -> u64 {
    let mut set: u64 = 0;
    // SAFETY: rt_sigpending writes one 8-byte set to `set`, alive across the call.
    let ret = unsafe { libc::syscall(libc::SYS_rt_sigpending, &mut set as *mut u64, 8) };
    if ret == 0 {
        set
    } else {
        0
    }
}

/// Adds `signals` to the blocked mask; returns the mask as it was.
pub fn block_signals(signals: &[i32]) -> Result<u64, SysError> {
    let add: u64 = signals.iter().fold(0, |mask, sig| mask | 1 << (sig - 1));
    let mut old: u64 = 0;
    // SAFETY: rt_sigprocmask reads one 8-byte mask and writes the old one to `old`,
    // both alive across the call.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_rt_sigprocmask,
            libc::SIG_BLOCK,
            &add as *const u64,
            &mut old as *mut u64,
            8,
        )
    };
    ret_check(ret, || format!("rt_sigprocmask(block {signals:?})"))?;
    Ok(old)
}

/// Sets the blocked signal mask to exactly `mask`.
pub fn set_signal_mask(mask: u64) -> Result<(), SysError> {
    // SAFETY: rt_sigprocmask reads one 8-byte mask; no old mask requested.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_rt_sigprocmask,
            libc::SIG_SETMASK,
            &mask as *const u64,
            std::ptr::null::<u64>(),
            8,
        )
    };
    ret_check(ret, || format!("rt_sigprocmask({mask:#x})")).map(drop)
}

/// Waits for a signal; with every signal blocked, for ever (or until a tracer
/// takes over).
pub fn pause() {
    // SAFETY: pause only sleeps until a signal; no memory is passed or touched.
    unsafe { libc::pause() };
}

/// Makes `fd` non-blocking.
pub fn set_nonblocking(fd: i32) -> Result<(), SysError> {
    // SAFETY: fcntl with F_GETFL/F_SETFL takes plain integers.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    ret_check(flags as libc::c_long, || {
        format!("fcntl(F_GETFL) of fd {fd}")
    })?;
    // SAFETY: as above.
    let ret = unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) };
    ret_check(ret as libc::c_long, || format!("fcntl(F_SETFL) of fd {fd}")).map(drop)
}

/// Reads what is available on a non-blocking fd: `Some(bytes)` (empty at end of
/// file), or `None` if nothing is there yet.
pub fn read_available(fd: i32) -> Result<Option<Vec<u8>>, SysError> {
    let mut buf = [0u8; 4096];
    // SAFETY: `buf` is a writable buffer of the given length.
    let ret = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
    if ret >= 0 {
        return Ok(Some(buf[..ret as usize].to_vec()));
    }
    let err = SysError::last(format!("read of fd {fd}"));
    match err.errno() {
        Some(libc::EAGAIN) | Some(libc::EINTR) => Ok(None),
        _ => Err(err),
    }
}

/// Sets the task's name (/proc/PID/comm), cut to the kernel's 15 bytes.
pub fn set_comm(name: &str) -> Result<(), SysError> {
    let mut bytes: Vec<u8> = name.bytes().filter(|&b| b != 0).take(15).collect();
    bytes.push(0);
    // SAFETY: PR_SET_NAME reads at most 16 bytes from a NUL-terminated buffer that
    // lives across the call.
    let ret = unsafe { libc::prctl(libc::PR_SET_NAME, bytes.as_ptr(), 0, 0, 0) };
    ret_check(ret as libc::c_long, || {
        format!("prctl(PR_SET_NAME, {name:?})")
    })
    .map(drop)
}
