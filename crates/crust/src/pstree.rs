//! Which process trees crust can rebuild: the rules on sessions and process groups
//! that restore follows, checked by dump too so that it never kills a tree whose
//! images could not be restored.
//!
//! A session can only be entered by being forked inside it or by creating it
//! (setsid); a group can only be joined while a member of it lives. So a task
//! that does not lead its session must share its parent's, and a task's group
//! must be led from within the tree, or be the root's own outside group (a shell
//! job's), which the tree then joins on crust's side.

use crust_images::pb::PstreeEntry;

/// The first task whose session or group crust could not rebuild, and why.
/// `tree` lists every task, live or zombie, the root first.
pub fn unrebuildable(tree: &[PstreeEntry]) -> Option<(u32, String)> {
    let root = tree.first()?;
    let pids: Vec<u32> = tree.iter().map(|t| t.pid).collect();
    tree.iter().skip(1).find_map(|task| {
        let parent = tree.iter().find(|t| t.pid == task.ppid);
        if task.sid != task.pid && parent.is_some_and(|p| p.sid != task.sid) {
            return Some((
                task.pid,
                format!(
                    "session {} that its parent {} is not in (its leader is gone; crust can only fork into a session)",
                    task.sid, task.ppid
                ),
            ));
        }
        if !pids.contains(&task.pgid) && task.pgid != root.pgid {
            return Some((task.pid, format!("process group {} whose leader is gone", task.pgid)));
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(pid: u32, ppid: u32, pgid: u32, sid: u32) -> PstreeEntry {
        PstreeEntry {
            pid,
            ppid,
            pgid,
            sid,
            threads: vec![pid],
        }
    }

    #[test]
    fn shell_job_and_own_sessions_are_fine() {
        let tree = [
            task(10, 0, 10, 5),
            task(11, 10, 10, 5),
            task(12, 10, 12, 12),
            task(13, 12, 12, 12),
        ];
        assert_eq!(unrebuildable(&tree), None);
    }

    #[test]
    fn orphaned_sessions_and_groups_are_named() {
        // 12 sits in session 20, whose leader (once its parent) is gone.
        let tree = [task(10, 0, 10, 10), task(12, 10, 12, 20)];
        assert_eq!(unrebuildable(&tree).map(|(pid, _)| pid), Some(12));
        // 13 sits in group 30, led by nobody in the tree.
        let tree = [task(10, 0, 10, 10), task(13, 10, 30, 10)];
        assert_eq!(unrebuildable(&tree).map(|(pid, _)| pid), Some(13));
    }
}
