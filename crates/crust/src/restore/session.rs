//! Sessions and process groups of a restored tree (the rules: crate::pstree).
//!
//! Session leaders call setsid before they fork their children; groups are joined
//! once every task of the tree exists, from inside each task. A root that did not
//! lead its session (a shell job) joins crust's session and group instead, and so
//! do the members of its tree that shared the root's outside session and group.

use super::driver::Driver;
use super::error::RestoreError;
use super::plan::{Plan, TaskPlan};
use crust_images::pb::PstreeEntry;
use crust_kernel::{own, proc, SysError};

/// Refuses trees whose sessions or groups this scheme cannot rebuild, before any
/// task exists.
pub fn check(plan: &Plan) -> Result<(), RestoreError> {
    let tree: Vec<PstreeEntry> = plan
        .tasks
        .iter()
        .map(|t| t.pstree.clone())
        .chain(plan.zombies.iter().map(|z| z.pstree.clone()))
        .collect();
    match crate::pstree::unrebuildable(&tree) {
        Some((pid, what)) => Err(RestoreError::Unsupported { pid, what }),
        None => Ok(()),
    }
}

/// In the new task, before it forks its children: lead its session or group again.
pub fn start(task: &TaskPlan, is_root: bool, shell_job: bool) -> Result<(), SysError> {
    let tree = &task.pstree;
    if tree.sid == tree.pid && !(is_root && shell_job) {
        own::setsid()
    } else if tree.pgid == tree.pid && !(is_root && shell_job) {
        own::setpgid_self()
    } else {
        Ok(())
    }
}

/// From inside a task, once the whole tree exists: join the group it was in.
pub fn join_group(
    d: &Driver,
    plan: &Plan,
    task: &TaskPlan,
    root_pgid_now: i32,
) -> Result<(), SysError> {
    let tree = &task.pstree;
    let root = &plan.tasks[0].pstree;
    let target = if tree.pgid == root.pgid {
        root_pgid_now as u32
    } else {
        tree.pgid
    };
    let now = proc::task_stat(task.pid as i32)?.pgrp as u32;
    if now == target || tree.sid == tree.pid {
        return Ok(());
    }
    d.call(
        libc::SYS_setpgid,
        [0, target as u64, 0, 0, 0, 0],
        &format!("setpgid to group {target}"),
    )
    .map(drop)
}
