//! Per-task facts from /proc/PID: threads, children, credentials, limits, mm bounds.

use super::proc_err;
use crate::error::SysError;
use libc::pid_t;
use procfs::process::{LimitValue, Process};

fn process(pid: pid_t) -> Result<Process, SysError> {
    Process::new(pid).map_err(|e| proc_err(format!("open /proc/{pid}"), e))
}

/// The thread ids of `pid`, sorted.
pub fn threads(pid: pid_t) -> Result<Vec<pid_t>, SysError> {
    let dir = format!("/proc/{pid}/task");
    let mut tids: Vec<pid_t> = std::fs::read_dir(&dir)
        .map_err(|e| SysError::from_io(format!("list {dir}"), e))?
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    tids.sort_unstable();
    Ok(tids)
}

/// The children of every thread of `pid`.
pub fn children(pid: pid_t) -> Result<Vec<pid_t>, SysError> {
    let mut all = Vec::new();
    for tid in threads(pid)? {
        let path = format!("/proc/{pid}/task/{tid}/children");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| SysError::from_io(format!("read {path}"), e))?;
        all.extend(
            text.split_whitespace()
                .filter_map(|s| s.parse::<pid_t>().ok()),
        );
    }
    all.sort_unstable();
    Ok(all)
}

/// Ids, groups and capabilities, as /proc/PID/status shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    pub uids: [u32; 4],
    pub gids: [u32; 4],
    pub groups: Vec<u32>,
    pub cap_inh: u64,
    pub cap_prm: u64,
    pub cap_eff: u64,
    pub cap_bnd: u64,
    pub cap_amb: u64,
    pub no_new_privs: bool,
    pub seccomp_mode: u32,
    pub umask: u32,
    pub comm: String,
}

pub fn credentials(pid: pid_t) -> Result<Credentials, SysError> {
    let status = process(pid)?
        .status()
        .map_err(|e| proc_err(format!("read /proc/{pid}/status"), e))?;
    Ok(Credentials {
        uids: [status.ruid, status.euid, status.suid, status.fuid],
        gids: [status.rgid, status.egid, status.sgid, status.fgid],
        groups: status.groups.clone(),
        cap_inh: status.capinh,
        cap_prm: status.capprm,
        cap_eff: status.capeff,
        cap_bnd: status.capbnd.unwrap_or(0),
        cap_amb: status.capamb.unwrap_or(0),
        no_new_privs: status.nonewprivs.unwrap_or(0) != 0,
        seccomp_mode: status.seccomp.unwrap_or(0),
        umask: status.umask.unwrap_or(0o022),
        comm: status.name,
    })
}

/// The resource limits of `pid` in RLIMIT_* order (soft, hard), read from
/// /proc/PID/limits: reading them this way needs no capability at all.
pub fn limits(pid: pid_t) -> Result<Vec<(u64, u64)>, SysError> {
    let l = process(pid)?
        .limits()
        .map_err(|e| proc_err(format!("read /proc/{pid}/limits"), e))?;
    let value = |v: LimitValue| match v {
        LimitValue::Unlimited => u64::MAX,
        LimitValue::Value(n) => n,
    };
    Ok([
        l.max_cpu_time,
        l.max_file_size,
        l.max_data_size,
        l.max_stack_size,
        l.max_core_file_size,
        l.max_resident_set,
        l.max_processes,
        l.max_open_files,
        l.max_locked_memory,
        l.max_address_space,
        l.max_file_locks,
        l.max_pending_signals,
        l.max_msgqueue_size,
        l.max_nice_priority,
        l.max_realtime_priority,
        l.max_realtime_timeout,
    ]
    .into_iter()
    .map(|limit| (value(limit.soft_limit), value(limit.hard_limit)))
    .collect())
}

/// Address-space bounds the kernel keeps in the mm and shows in /proc/PID/stat.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MmBounds {
    pub start_code: u64,
    pub end_code: u64,
    pub start_data: u64,
    pub end_data: u64,
    pub start_stack: u64,
    pub start_brk: u64,
    pub arg_start: u64,
    pub arg_end: u64,
    pub env_start: u64,
    pub env_end: u64,
    pub pgrp: pid_t,
    pub session: pid_t,
    pub ppid: pid_t,
}

pub fn mm_bounds(pid: pid_t) -> Result<MmBounds, SysError> {
    let stat = process(pid)?
        .stat()
        .map_err(|e| proc_err(format!("read /proc/{pid}/stat"), e))?;
    let missing = |field: &str| {
        SysError::from_errno(
            format!("read /proc/{pid}/stat: field {field} is not shown"),
            libc::EACCES,
        )
    };
    Ok(MmBounds {
        start_code: stat.startcode,
        end_code: stat.endcode,
        start_stack: stat.startstack,
        start_data: stat.start_data.ok_or_else(|| missing("start_data"))?,
        end_data: stat.end_data.ok_or_else(|| missing("end_data"))?,
        start_brk: stat.start_brk.ok_or_else(|| missing("start_brk"))?,
        arg_start: stat.arg_start.ok_or_else(|| missing("arg_start"))?,
        arg_end: stat.arg_end.ok_or_else(|| missing("arg_end"))?,
        env_start: stat.env_start.ok_or_else(|| missing("env_start"))?,
        env_end: stat.env_end.ok_or_else(|| missing("env_end"))?,
        pgrp: stat.pgrp,
        session: stat.session,
        ppid: stat.ppid,
    })
}

/// The execution domain (personality(2) value) of `pid`.
pub fn personality(pid: pid_t) -> Result<u32, SysError> {
    let path = format!("/proc/{pid}/personality");
    let text =
        std::fs::read_to_string(&path).map_err(|e| SysError::from_io(format!("read {path}"), e))?;
    u32::from_str_radix(text.trim(), 16)
        .map_err(|_| SysError::from_errno(format!("parse {path}: {text:?}"), libc::EINVAL))
}

/// The few /proc/PID/stat fields that describe a task's place in the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskStat {
    pub comm: String,
    pub state: char,
    pub ppid: pid_t,
    pub pgrp: pid_t,
    pub session: pid_t,
    /// The wait status of an exited task (0 while it runs).
    pub exit_code: i32,
}

pub fn task_stat(pid: pid_t) -> Result<TaskStat, SysError> {
    let stat = process(pid)?
        .stat()
        .map_err(|e| proc_err(format!("read /proc/{pid}/stat"), e))?;
    Ok(TaskStat {
        comm: stat.comm,
        state: stat.state,
        ppid: stat.ppid,
        pgrp: stat.pgrp,
        session: stat.session,
        exit_code: stat.exit_code.unwrap_or(0),
    })
}
