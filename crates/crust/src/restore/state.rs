//! The restored task's own state, set from inside it once its memory is back:
//! signal stack, timers, futex lists, rseq, credentials, pending signals; and
//! finally its registers, after which it runs on.

use super::driver::{words_bytes, Driver};
use super::error::RestoreError;
use super::plan::{Plan, TaskPlan};
use crust_images::pb::{CredsEntry, SignalQueueEntry};
use crust_kernel::{ptrace, SysError};
use log::debug;

const ARCH_REQ_XCOMP_PERM: u64 = 0x1023;
const XFEATURE_XTILECFG: u32 = 17;
const XFEATURE_XTILEDATA: u32 = 18;
const LINUX_CAPABILITY_VERSION_3: u32 = 0x2008_0522;
const SECBIT_KEEP_CAPS: u32 = 1 << 4;
const PR_CAP_AMBIENT_RAISE: u64 = 2;
const CAP_LAST: u32 = 63;
const ERESTARTSYS: i64 = -512;
const ERESTARTNOINTR: i64 = -513;
const ERESTARTNOHAND: i64 = -514;
const ERESTART_RESTARTBLOCK: i64 = -516;

pub fn restore_state(d: &Driver, plan: &Plan, task: &TaskPlan) -> Result<(), RestoreError> {
    let state_err = |source| RestoreError::State {
        pid: task.pid,
        source,
    };
    let tc = task.core.tc.as_ref().expect("checked by plan::load");
    let th = task.core.thread_core.as_ref();
    let ti = task
        .core
        .thread_info
        .as_ref()
        .expect("checked by plan::load");

    if let Some(sas) = th.and_then(|t| t.sas.as_ref()) {
        let stack = words_bytes(&[sas.ss_sp, sas.ss_flags as u64, sas.ss_size]);
        let addr = d.put(&stack).map_err(state_err)?;
        d.call(libc::SYS_sigaltstack, [addr, 0, 0, 0, 0, 0], "sigaltstack")
            .map_err(state_err)?;
    }
    d.call(
        libc::SYS_set_tid_address,
        [ti.clear_tid_addr, 0, 0, 0, 0, 0],
        "set_tid_address",
    )
    .map_err(state_err)?;
    if let Some(th) = th {
        if th.futex_rla != 0 {
            d.call(
                libc::SYS_set_robust_list,
                [th.futex_rla, th.futex_rla_len as u64, 0, 0, 0, 0],
                "set_robust_list",
            )
            .map_err(state_err)?;
        }
    }
    if let Some(timers) = &tc.timers {
        for (which, t) in [&timers.real, &timers.virt, &timers.prof]
            .into_iter()
            .enumerate()
        {
            let addr = d
                .put(&words_bytes(&[t.isec, t.iusec, t.vsec, t.vusec]))
                .map_err(state_err)?;
            d.call(
                libc::SYS_setitimer,
                [which as u64, addr, 0, 0, 0, 0],
                "setitimer",
            )
            .map_err(state_err)?;
        }
    }
    if tc.child_subreaper == Some(true) {
        d.call(
            libc::SYS_prctl,
            [libc::PR_SET_CHILD_SUBREAPER as u64, 1, 0, 0, 0, 0],
            "prctl(PR_SET_CHILD_SUBREAPER)",
        )
        .map_err(state_err)?;
    }
    if task.mm.thp_disabled == Some(true) {
        d.call(
            libc::SYS_prctl,
            [libc::PR_SET_THP_DISABLE as u64, 1, 0, 0, 0, 0],
            "prctl(PR_SET_THP_DISABLE)",
        )
        .map_err(state_err)?;
    }
    if let Some(rseq) = th
        .and_then(|t| t.rseq_entry.as_ref())
        .filter(|r| r.rseq_abi_pointer != 0)
    {
        d.call(
            libc::SYS_rseq,
            [
                rseq.rseq_abi_pointer,
                rseq.rseq_abi_size as u64,
                0,
                rseq.signature as u64,
                0,
                0,
            ],
            "rseq register",
        )
        .map_err(state_err)?;
    }
    enter_dirs(d, plan, task).map_err(state_err)?;
    if let Some(creds) = th.and_then(|t| t.creds.as_ref()) {
        restore_creds(d, creds).map_err(state_err)?;
    }
    // Changing ids made the task non-dumpable; put back what it was.
    let dumpable = task.mm.dumpable.unwrap_or(1) as u64;
    d.call(
        libc::SYS_prctl,
        [libc::PR_SET_DUMPABLE as u64, dumpable, 0, 0, 0, 0],
        "prctl(PR_SET_DUMPABLE)",
    )
    .map_err(state_err)?;
    queue_signals(
        d,
        task.pid,
        tc.signals_s.as_ref(),
        th.and_then(|t| t.signals_p.as_ref()),
    )
    .map_err(state_err)?;
    Ok(())
}

/// Root and working directory. They come after the memory, whose files and pages
/// image are opened by crust's paths, and before the credentials, as chroot needs
/// privilege.
fn enter_dirs(d: &Driver, plan: &Plan, task: &TaskPlan) -> Result<(), SysError> {
    let name = |id| {
        plan.reg_file(id)
            .map(|r| r.name.clone())
            .map_err(|e| SysError::from_errno(e.to_string(), libc::ENOENT))
    };
    let root = name(task.fs.root_id)?;
    if root != "/" {
        let at = d.put_path(&root)?;
        d.call(
            libc::SYS_chroot,
            [at, 0, 0, 0, 0, 0],
            &format!("chroot to {root}"),
        )?;
    }
    let cwd = name(task.fs.cwd_id)?;
    let at = d.put_path(&cwd)?;
    d.call(
        libc::SYS_chdir,
        [at, 0, 0, 0, 0, 0],
        &format!("chdir to {cwd}"),
    )?;
    Ok(())
}

/// Ids, groups and capabilities. Everything that needs privilege (the bounding
/// set, groups, gids) happens while the task is still root; capabilities survive
/// the switch of uids through keep-caps and are then cut to the dumped sets.
fn restore_creds(d: &Driver, c: &CredsEntry) -> Result<(), SysError> {
    let caps = |words: &[u32]| {
        words.first().copied().unwrap_or(0) as u64
            | (words.get(1).copied().unwrap_or(0) as u64) << 32
    };
    let bnd = caps(&c.cap_bnd);
    for cap in 0..=CAP_LAST {
        if bnd & (1 << cap) == 0 {
            let ret = d.raw_call(
                libc::SYS_prctl,
                [libc::PR_CAPBSET_DROP as u64, cap as u64, 0, 0, 0, 0],
            )?;
            if ret == -(libc::EINVAL as i64) {
                break; // past the last capability this kernel knows
            }
        }
    }
    d.call(
        libc::SYS_prctl,
        [
            libc::PR_SET_SECUREBITS as u64,
            (c.secbits | SECBIT_KEEP_CAPS) as u64,
            0,
            0,
            0,
            0,
        ],
        "prctl(PR_SET_SECUREBITS)",
    )?;
    let groups: Vec<u8> = c.groups.iter().flat_map(|g| g.to_ne_bytes()).collect();
    let addr = d.put(&groups)?;
    d.call(
        libc::SYS_setgroups,
        [c.groups.len() as u64, addr, 0, 0, 0, 0],
        "setgroups",
    )?;
    d.call(
        libc::SYS_setresgid,
        [c.gid as u64, c.egid as u64, c.sgid as u64, 0, 0, 0],
        "setresgid",
    )?;
    d.call(
        libc::SYS_setfsgid,
        [c.fsgid as u64, 0, 0, 0, 0, 0],
        "setfsgid",
    )?;
    d.call(
        libc::SYS_setresuid,
        [c.uid as u64, c.euid as u64, c.suid as u64, 0, 0, 0],
        "setresuid",
    )?;
    d.call(
        libc::SYS_setfsuid,
        [c.fsuid as u64, 0, 0, 0, 0, 0],
        "setfsuid",
    )?;

    let (eff, prm, inh) = (caps(&c.cap_eff), caps(&c.cap_prm), caps(&c.cap_inh));
    let mut capset = Vec::new();
    for word in [LINUX_CAPABILITY_VERSION_3, 0] {
        capset.extend_from_slice(&word.to_ne_bytes());
    }
    for half in [0, 32] {
        for set in [eff, prm, inh] {
            capset.extend_from_slice(&((set >> half) as u32).to_ne_bytes());
        }
    }
    let header = d.put(&capset)?;
    d.call(libc::SYS_capset, [header, header + 8, 0, 0, 0, 0], "capset")?;
    let amb = caps(&c.cap_amb);
    for cap in (0..=CAP_LAST).filter(|cap| amb & (1 << cap) != 0) {
        d.call(
            libc::SYS_prctl,
            [
                libc::PR_CAP_AMBIENT as u64,
                PR_CAP_AMBIENT_RAISE,
                cap as u64,
                0,
                0,
                0,
            ],
            "prctl(PR_CAP_AMBIENT_RAISE)",
        )?;
    }
    let keep_caps = (c.secbits & SECBIT_KEEP_CAPS != 0) as u64;
    d.call(
        libc::SYS_prctl,
        [libc::PR_SET_KEEPCAPS as u64, keep_caps, 0, 0, 0, 0],
        "prctl(PR_SET_KEEPCAPS)",
    )?;
    if c.no_new_privs == Some(1) {
        d.call(
            libc::SYS_prctl,
            [libc::PR_SET_NO_NEW_PRIVS as u64, 1, 0, 0, 0, 0],
            "prctl(PR_SET_NO_NEW_PRIVS)",
        )?;
    }
    debug!(
        "pid {}: credentials uid {} gid {} restored",
        d.pid, c.uid, c.gid
    );
    Ok(())
}

/// Signals that were pending at dump time are queued again, by the task to itself
/// (the kernel only lets a task forge siginfo for itself). They stay blocked until
/// the final signal mask is in place.
fn queue_signals(
    d: &Driver,
    pid: u32,
    shared: Option<&SignalQueueEntry>,
    private: Option<&SignalQueueEntry>,
) -> Result<(), SysError> {
    for (queue, per_thread) in [(shared, false), (private, true)] {
        for info in queue.map(|q| q.signals.as_slice()).unwrap_or_default() {
            let sig = i32::from_ne_bytes(
                info.siginfo
                    .get(..4)
                    .and_then(|b| b.try_into().ok())
                    .unwrap_or([0; 4]),
            );
            let addr = d.put(&info.siginfo)?;
            if per_thread {
                d.call(
                    libc::SYS_rt_tgsigqueueinfo,
                    [pid as u64, pid as u64, sig as u64, addr, 0, 0],
                    "rt_tgsigqueueinfo",
                )?;
            } else {
                d.call(
                    libc::SYS_rt_sigqueueinfo,
                    [pid as u64, sig as u64, addr, 0, 0, 0],
                    "rt_sigqueueinfo",
                )?;
            }
        }
    }
    Ok(())
}

/// The last steps before the task may run: its parent-death signal (crust's
/// SIGKILL until now), crust's report pipe gone, the stub page removed, and the
/// dumped signal mask and registers loaded. The task stays stopped until detached.
pub fn finish(d: &Driver, task: &TaskPlan, report_fd: i32) -> Result<(), RestoreError> {
    let state_err = |source| RestoreError::State {
        pid: task.pid,
        source,
    };
    let ti = task
        .core
        .thread_info
        .as_ref()
        .expect("checked by plan::load");
    let pdeath = task
        .core
        .thread_core
        .as_ref()
        .and_then(|t| t.pdeath_sig)
        .unwrap_or(0);
    d.call(
        libc::SYS_prctl,
        [libc::PR_SET_PDEATHSIG as u64, pdeath as u64, 0, 0, 0, 0],
        "prctl(PR_SET_PDEATHSIG)",
    )
    .map_err(state_err)?;
    d.call(
        libc::SYS_close,
        [report_fd as u64, 0, 0, 0, 0, 0],
        "close of crust's report pipe",
    )
    .map_err(state_err)?;
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

    let tc = task.core.tc.as_ref().expect("checked by plan::load");
    let mask = task
        .core
        .thread_core
        .as_ref()
        .and_then(|t| t.blk_sigset)
        .unwrap_or(tc.blk_sigset);
    ptrace::set_sigmask(d.pid, mask).map_err(state_err)?;
    if !xstate.is_empty() {
        ptrace::set_xstate(d.pid, xstate).map_err(state_err)?;
    }
    let regs = interrupted_syscall_restarted(crate::dump::regs_from_entry(&ti.gpregs));
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
                regs.rip -= 2;
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
