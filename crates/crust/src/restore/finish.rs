//! The last steps before a restored task runs: parent-death signal, crust's pipe
//! and stub gone, signal mask, FPU state and registers loaded.

use super::driver::Driver;
use super::error::RestoreError;
use super::plan::TaskPlan;
use crust_kernel::ptrace;

const ARCH_REQ_XCOMP_PERM: u64 = 0x1023;
const XFEATURE_XTILECFG: u32 = 17;
const XFEATURE_XTILEDATA: u32 = 18;
const ERESTARTSYS: i64 = -512;
const ERESTARTNOINTR: i64 = -513;
const ERESTARTNOHAND: i64 = -514;
const ERESTART_RESTARTBLOCK: i64 = -516;

/// The last steps before the task may run: its parent-death signal (crust's
/// SIGKILL until now), crust's report pipe gone, the stub page removed, and the
/// dumped signal mask and registers loaded. The task stays stopped until detached.
/// `keep_pdeath` is false for a root that crust leaves behind (--restore-detached):
/// its parent is crust, which exits at once, so the signal would fire on the spot.
pub fn finish(
    d: &Driver,
    task: &TaskPlan,
    report_fd: i32,
    keep_pdeath: bool,
) -> Result<(), RestoreError> {
    let state_err = |source| RestoreError::State {
        pid: task.pid,
        source,
    };
    let ti = &task.thread_info;
    let pdeath = task
        .thread_core
        .as_ref()
        .and_then(|t| t.pdeath_sig)
        .unwrap_or(0);
    let pdeath = if keep_pdeath {
        pdeath
    } else {
        if pdeath != 0 {
            log::warn!(
                "pid {}: its parent-death signal {pdeath} is not restored: with -d its new parent, crust, exits now",
                task.pid
            );
        }
        0
    };
    d.call(
        libc::SYS_prctl,
        [libc::PR_SET_PDEATHSIG as u64, pdeath as u64, 0, 0, 0, 0],
        "prctl(PR_SET_PDEATHSIG)",
    )
    .map_err(state_err)?;
    // crust's report pipe goes.
    d.close(report_fd as u64).map_err(state_err)?;
    let xstate = ti.xsave_area.as_deref().unwrap_or_default();
    if uses_amx(xstate) {
        d.call(
            libc::SYS_arch_prctl,
            [ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA as u64, 0, 0, 0, 0],
            "arch_prctl(ARCH_REQ_XCOMP_PERM)",
        )
        .map_err(state_err)?;
    }
    // The last call unmaps the page it runs from; the single step stops the task
    // right after it, before any further instruction is fetched from there.
    d.call(
        libc::SYS_munmap,
        [d.stub, crust_kernel::PAGE_SIZE, 0, 0, 0, 0],
        "munmap of the stub page",
    )
    .map_err(state_err)?;

    let tc = &task.tc;
    let mask = task
        .thread_core
        .as_ref()
        .and_then(|t| t.blk_sigset)
        .unwrap_or(tc.blk_sigset);
    ptrace::set_sigmask(d.pid, mask).map_err(state_err)?;
    if !xstate.is_empty() {
        ptrace::set_xstate(d.pid, xstate).map_err(state_err)?;
    }
    let regs = interrupted_syscall_restarted(crate::regs::regs_from_entry(&ti.gpregs));
    ptrace::set_regs(d.pid, &regs).map_err(state_err)?;
    Ok(())
}

fn uses_amx(xstate: &[u8]) -> bool {
    let xstate_bv = xstate
        .get(512..520)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_le_bytes)
        .unwrap_or(0);
    xstate_bv & (1 << XFEATURE_XTILECFG | 1 << XFEATURE_XTILEDATA) != 0
}

/// A task frozen inside a system call shows the kernel's internal restart code in
/// rax. The restored task redoes the call as the kernel would have on the way back
/// to user space; a call whose restart needs kernel-side state that died with the
/// old task (sleeps with a restart block) returns EINTR, and C libraries and
/// runtimes retry those with the remaining time (which the kernel already wrote).
fn interrupted_syscall_restarted(mut regs: ptrace::Regs) -> ptrace::Regs {
    if (regs.orig_rax as i64) >= 0 {
        match regs.rax as i64 {
            ERESTARTSYS | ERESTARTNOINTR | ERESTARTNOHAND => {
                regs.rax = regs.orig_rax;
                regs.rip = regs.rip.wrapping_sub(2);
            }
            ERESTART_RESTARTBLOCK => regs.rax = -(libc::EINTR as i64) as u64,
            _ => {}
        }
    }
    regs.orig_rax = u64::MAX;
    regs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restartable_syscall_is_redone() {
        let mut regs = ptrace::empty_regs();
        (regs.orig_rax, regs.rax, regs.rip) = (0, ERESTARTSYS as u64, 0x1002);
        let out = interrupted_syscall_restarted(regs);
        assert_eq!((out.rax, out.rip, out.orig_rax), (0, 0x1000, u64::MAX));
    }

    #[test]
    fn restart_block_becomes_eintr() {
        let mut regs = ptrace::empty_regs();
        (regs.orig_rax, regs.rax, regs.rip) = (230, ERESTART_RESTARTBLOCK as u64, 0x1002);
        let out = interrupted_syscall_restarted(regs);
        assert_eq!((out.rax as i64, out.rip), (-(libc::EINTR as i64), 0x1002));
    }

    #[test]
    fn user_mode_stop_is_untouched() {
        let mut regs = ptrace::empty_regs();
        (regs.orig_rax, regs.rax, regs.rip) = (u64::MAX, ERESTARTSYS as u64, 0x1002);
        let out = interrupted_syscall_restarted(regs);
        assert_eq!((out.rax, out.rip), (ERESTARTSYS as u64, 0x1002));
    }
}
