//! The restored task's own state, set from inside it once its memory is back:
//! signal stack, timers, futex lists, rseq, credentials, pending signals; and
//! finally its registers, after which it runs on.

use super::creds;
use super::driver::{words_bytes, Driver};
use super::error::RestoreError;
use super::plan::{Plan, TaskPlan};
use crust_images::pb::{SignalQueueEntry, ThreadCoreEntry};
use crust_kernel::SysError;

pub fn restore_state(d: &Driver, plan: &Plan, task: &TaskPlan) -> Result<(), RestoreError> {
    let state_err = |source| RestoreError::State {
        pid: task.pid,
        source,
    };
    let tc = &task.tc;
    let th = task.thread_core.as_ref();
    let ti = &task.thread_info;

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
    if let Some(th) = th {
        restore_scheduling(d, th).map_err(state_err)?;
    }
    enter_dirs(d, plan, task).map_err(state_err)?;
    if let Some(creds) = th.and_then(|t| t.creds.as_ref()) {
        let permitted_now = crust_kernel::proc::credentials(task.pid as i32)
            .map_err(state_err)?
            .cap_prm;
        creds::restore_creds(d, creds, permitted_now).map_err(state_err)?;
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

/// Policy, real-time priority and nice value; raising them needs privilege, so
/// this comes before the credentials.
fn restore_scheduling(d: &Driver, th: &ThreadCoreEntry) -> Result<(), SysError> {
    let policy = th.sched_policy.unwrap_or(0);
    if policy != libc::SCHED_OTHER as u32 {
        let param = d.put(&th.sched_prio.unwrap_or(0).to_ne_bytes())?;
        d.call(
            libc::SYS_sched_setscheduler,
            [0, policy as u64, param, 0, 0, 0],
            "sched_setscheduler",
        )?;
    }
    let nice = th.sched_nice.unwrap_or(0);
    if nice != 0 {
        d.call(
            libc::SYS_setpriority,
            [libc::PRIO_PROCESS as u64, 0, nice as i64 as u64, 0, 0, 0],
            "setpriority",
        )?;
    }
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
