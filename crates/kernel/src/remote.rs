//! Running single system calls inside a stopped tracee.
//!
//! The tracee's instruction pointer is pointed at a `syscall` instruction that is
//! already in its address space, the registers are loaded with the call's number and
//! arguments, and one PTRACE_SINGLESTEP executes exactly that instruction. The step
//! trap arrives when the call returns, before the next instruction is fetched, so the
//! code after the `syscall` never runs and may even be unmapped by the call itself.
//!
//! Callers block every signal in the tracee (PTRACE_SETSIGMASK) while they use this,
//! so no handler can run in the middle, and put the saved registers back afterwards.

use crate::error::SysError;
use crate::ptrace::{self, Regs, Stop};
use libc::pid_t;

/// Opcode bytes of `syscall`.
pub const SYSCALL_INSN: [u8; 2] = [0x0f, 0x05];

/// A stopped tracee that crust can make issue system calls.
pub struct RemoteSyscalls {
    pid: pid_t,
    syscall_ip: u64,
    base: Regs,
}

impl RemoteSyscalls {
    /// `syscall_ip` must hold the bytes `0f 05` in an executable mapping of `pid`;
    /// `base` is the register set the calls start from (segment registers and
    /// flags must be valid user values: the tracee's own registers are).
    pub fn new(pid: pid_t, syscall_ip: u64, base: Regs) -> RemoteSyscalls {
        RemoteSyscalls {
            pid,
            syscall_ip,
            base,
        }
    }

    pub fn pid(&self) -> pid_t {
        self.pid
    }

    /// Executes one system call and returns the raw result (a negative errno on failure).
    pub fn raw(&self, nr: i64, args: [u64; 6]) -> Result<i64, SysError> {
        let mut regs = self.base;
        regs.rip = self.syscall_ip;
        regs.rax = nr as u64;
        // -1 tells the kernel this stop is not inside a system call, so it does not
        // apply syscall-restart rules to the registers we load.
        regs.orig_rax = u64::MAX;
        regs.rdi = args[0];
        regs.rsi = args[1];
        regs.rdx = args[2];
        regs.r10 = args[3];
        regs.r8 = args[4];
        regs.r9 = args[5];
        regs.eflags &= !0x100; // the kernel sets the trap flag itself for the step
        ptrace::set_regs(self.pid, &regs)?;
        let after = self.step_over_syscall(nr)?;
        Ok(after.rax as i64)
    }

    /// Single-steps the loaded `syscall` instruction and returns the registers
    /// after it. A job-control event (a SIGCONT or SIGSTOP sent to the task
    /// meanwhile) can trap the task before the instruction ran: it is stepped
    /// again then, never once the instruction ran, which would run the program's
    /// next instruction.
    fn step_over_syscall(&self, nr: i64) -> Result<Regs, SysError> {
        let unexpected = |what: String| {
            SysError::from_errno(
                format!("remote syscall {nr} in pid {}: {what}", self.pid),
                libc::EIO,
            )
        };
        for _ in 0..16 {
            ptrace::singlestep(self.pid)?;
            let stop = ptrace::wait(self.pid)?;
            let after = ptrace::get_regs(self.pid)?;
            let ran = after.rip == self.syscall_ip + 2;
            match stop {
                Stop::Stopped {
                    sig: libc::SIGTRAP, ..
                }
                | Stop::Stopped {
                    event: libc::PTRACE_EVENT_STOP,
                    ..
                } if ran => return Ok(after),
                // Trapped before the instruction ran: stepping again runs just it.
                Stop::Stopped {
                    sig: libc::SIGTRAP, ..
                }
                | Stop::Stopped {
                    event: libc::PTRACE_EVENT_STOP,
                    ..
                } if after.rip == self.syscall_ip => continue,
                other => {
                    return Err(unexpected(format!(
                        "unexpected stop {other:?} at {:#x} (the syscall is at {:#x})",
                        after.rip, self.syscall_ip
                    )))
                }
            }
        }
        Err(unexpected(
            "kept being trapped before the syscall ran".into(),
        ))
    }

    /// Ends single-stepping: the task is resumed into a PTRACE_INTERRUPT trap,
    /// which clears the kernel's step flag. Without this, a task whose tracer
    /// dies (crust killed outright) would take a SIGTRAP, deadly to it, after its
    /// next instruction.
    pub fn settle(&self) -> Result<(), SysError> {
        ptrace::interrupt(self.pid)?;
        ptrace::cont(self.pid, 0)?;
        match ptrace::wait_interrupt_stop(self.pid, std::time::Duration::from_secs(10))? {
            ptrace::InterruptStop::Stopped { .. } => Ok(()),
            other => Err(SysError::from_errno(
                format!("settling pid {} after remote syscalls: {other:?}", self.pid),
                libc::EIO,
            )),
        }
    }

    /// Executes one system call; a negative result becomes an error naming `what`.
    pub fn call(&self, nr: i64, args: [u64; 6], what: &str) -> Result<u64, SysError> {
        let ret = self.raw(nr, args)?;
        if (-4095..0).contains(&ret) {
            Err(SysError::from_errno(
                format!("{what} in pid {}", self.pid),
                -ret as i32,
            ))
        } else {
            Ok(ret as u64)
        }
    }
}

/// Finds a `syscall` instruction in `code`, which was read from address `base`.
pub fn find_syscall_insn(code: &[u8], base: u64) -> Option<u64> {
    code.windows(2)
        .position(|w| w == SYSCALL_INSN)
        .map(|off| base + off as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_syscall_bytes() {
        assert_eq!(
            find_syscall_insn(&[0x90, 0x0f, 0x05, 0xc3], 0x1000),
            Some(0x1001)
        );
        assert_eq!(find_syscall_insn(&[0x0f, 0x90, 0x05], 0x1000), None);
    }
}
