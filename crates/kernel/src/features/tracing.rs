//! Probes for what dump does to a running task: seize it, refer to it by
//! pidfd, read its memory and its rseq and FPU state.

use super::child::TracedChild;
use super::{own_pid, ProbeResult, PTRACE_DENIED_HINT};
use crate::{memory, ptrace, task};
use std::os::fd::{AsFd, AsRawFd};

/// `PTRACE_SEIZE` and `PTRACE_INTERRUPT` on a forked child.
pub fn ptrace_seize() -> ProbeResult {
    TracedChild::spawn()?;
    Ok("seized and interrupted a child".into())
}

/// `pidfd_open` on ourselves and `pidfd_getfd` through that pidfd.
pub fn pidfd() -> ProbeResult {
    let pidfd = task::pidfd_open(own_pid()).map_err(|e| match e.errno() {
        Some(libc::ENOSYS) => {
            "the kernel has no pidfd_open (Linux 5.3 or newer is needed): upgrade the kernel".into()
        }
        _ => format!("pidfd_open failed: {}", e.source),
    })?;
    task::pidfd_getfd(pidfd.as_fd(), pidfd.as_raw_fd()).map_err(|e| match e.errno() {
        Some(libc::ENOSYS) => {
            "the kernel has no pidfd_getfd (Linux 5.6 or newer is needed): upgrade the kernel"
                .into()
        }
        Some(libc::EPERM) => format!(
            "pidfd_getfd was refused ({}): {PTRACE_DENIED_HINT}",
            e.source
        ),
        _ => format!("pidfd_getfd failed: {}", e.source),
    })?;
    Ok("pidfd_open and pidfd_getfd work".into())
}

/// Data the probe child inherits at the same address, for `process_vm_readv`.
static VM_READ_PATTERN: [u8; 32] = *b"crust process_vm_readv pattern!!";

/// `process_vm_readv` from a forked child.
pub fn process_vm_readv() -> ProbeResult {
    let child = TracedChild::spawn()?;
    let mut buf = [0u8; VM_READ_PATTERN.len()];
    let addr = VM_READ_PATTERN.as_ptr() as u64;
    memory::vm_read(child.pid, addr, &mut buf).map_err(|e| match e.errno() {
        Some(libc::ENOSYS) => {
            "the kernel was built without CONFIG_CROSS_MEMORY_ATTACH: use a kernel with it".into()
        }
        Some(libc::EPERM) => format!(
            "process_vm_readv was refused ({}): {PTRACE_DENIED_HINT}",
            e.source
        ),
        _ => format!("process_vm_readv failed: {}", e.source),
    })?;
    let n = buf.len();
    if buf != VM_READ_PATTERN {
        return Err(format!(
            "process_vm_readv read {n} bytes that do not match the child's memory"
        ));
    }
    Ok(format!("read {n} bytes from a child"))
}

/// `PTRACE_GET_RSEQ_CONFIGURATION` on a seized child.
pub fn rseq() -> ProbeResult {
    let child = TracedChild::spawn()?;
    let conf = ptrace::rseq_config(child.pid).map_err(|e| match e.errno() {
        Some(libc::EIO) => {
            "the kernel lacks PTRACE_GET_RSEQ_CONFIGURATION (Linux 5.13 or newer is needed), so \
             processes using rseq (every thread with glibc 2.35 or newer) cannot be dumped: \
             upgrade the kernel"
                .into()
        }
        _ => format!("PTRACE_GET_RSEQ_CONFIGURATION failed: {}", e.source),
    })?;
    Ok(if conf.rseq_abi_pointer == 0 {
        "works; the probe child has no rseq area".into()
    } else {
        format!(
            "works; the probe child has an rseq area of {} bytes",
            conf.rseq_abi_size
        )
    })
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
    let xstate = ptrace::get_xstate(child.pid).map_err(|e| match e.errno() {
        Some(libc::ENODEV | libc::EINVAL) => format!(
            "PTRACE_GETREGSET NT_X86_XSTATE is not available ({}): the CPU or the kernel \
             (booted with noxsave?) does not use XSAVE, so the extended FPU state cannot be saved",
            e.source
        ),
        _ => format!("PTRACE_GETREGSET NT_X86_XSTATE failed: {}", e.source),
    })?;
    Ok(format!("{} bytes; CPUID says {cpuid}", xstate.len()))
}

/// The XSAVE area exists only on x86.
#[cfg(not(target_arch = "x86_64"))]
pub fn xsave() -> ProbeResult {
    Ok(format!("not applicable on {}", std::env::consts::ARCH))
}
