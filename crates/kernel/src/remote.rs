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
        ptrace::singlestep(self.pid)?;
        match ptrace::wait(self.pid)? {
            Stop::Stopped {
                sig: libc::SIGTRAP, ..
            } => {}
            other => {
                return Err(SysError::from_errno(
                    format!(
                        "remote syscall {nr} in pid {}: unexpected stop {other:?}",
                        self.pid
                    ),
                    libc::EIO,
                ))
            }
        }
        let after = ptrace::get_regs(self.pid)?;
        if after.rip != self.syscall_ip + 2 {
            return Err(SysError::from_errno(
                format!(
                    "remote syscall {nr} in pid {}: stopped at {:#x}, not after the syscall at {:#x}",
                    self.pid, after.rip, self.syscall_ip
                ),
                libc::EIO,
            ));
        }
        Ok(after.rax as i64)
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
