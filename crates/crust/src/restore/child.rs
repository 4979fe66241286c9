//! A restored task's first moments: a fork of crust that forks its own children
//! with their pids, takes on the dumped task's fds, limits and signal dispositions
//! by itself, maps the page crust will drive it from, and waits for crust to seize
//! it and rebuild its memory.

use super::plan::{Plan, TaskPlan};
use super::session;
use crust_images::pb::FdTypes;
use crust_kernel::own;
use crust_kernel::spawn::{fork_with_pid, Forked};
use crust_kernel::SysError;
use std::path::Path;

/// The instruction crust's remote system calls execute in the restored task.
pub const STUB_CODE: [u8; 3] = [0x0f, 0x05, 0xcc]; // syscall; int3

/// What every new task of the tree needs to know to become its dumped self.
pub struct Spawn<'a> {
    pub plan: &'a Plan,
    /// Where each task maps the page crust drives it from.
    pub stub: u64,
    /// The pipe each task reports on: "ready PID FD" or "error PID MESSAGE".
    pub report_fd: i32,
    pub shell_job: bool,
}

impl Spawn<'_> {
    /// Runs in a freshly forked task that is to become pstree entry `pid`, forked
    /// by `parent`. It forks its own children, prepares itself, says so on the
    /// report pipe and waits, signals blocked, for crust to seize it. Never returns.
    pub fn become_task(&self, pid: u32, parent: i32) -> ! {
        if let Some(zombie) = self.plan.zombies.iter().find(|z| z.pstree.pid == pid) {
            let _ = own::set_comm(&zombie.comm);
            exit_like(zombie.exit_status);
        }
        match self.prepare(pid, parent) {
            Ok(report_fd) => {
                own::write_all(report_fd, format!("ready {pid} {report_fd}\n").as_bytes());
                // crust seizes the task here and never lets this call return.
                loop {
                    own::pause();
                }
            }
            Err(message) => {
                let line = format!("error {pid} {}\n", message.replace('\n', " "));
                own::write_all(self.report_fd, line.as_bytes());
                own::exit_now(1);
            }
        }
    }

    /// Returns the report fd, moved above the restored fd numbers.
    fn prepare(&self, pid: u32, parent: i32) -> Result<i32, String> {
        let plan = self.plan;
        let task = plan
            .tasks
            .iter()
            .find(|t| t.pid == pid)
            .ok_or_else(|| format!("pid {pid} is not in the plan"))?;
        let text = |e: SysError| e.to_string();
        own::block_all_signals().map_err(text)?;
        // If the parent dies while crust drives the tree, the half-built task dies too.
        own::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as u64).map_err(text)?;
        // A parent that died before the line above would never send that signal.
        if own::parent_pid() != parent {
            return Err(format!(
                "its parent {parent} died while it was being created"
            ));
        }

        session::start(task, pid == plan.tasks[0].pid, self.shell_job).map_err(text)?;
        self.fork_children(pid)?;
        let report_fd = restore_fds(plan, task, self.report_fd, self.shell_job)?;
        own::set_umask(task.fs.umask.unwrap_or(0o022));

        let tc = &task.tc;
        own::set_personality(tc.personality).map_err(text)?;
        own::set_comm(&tc.comm).map_err(text)?;
        if let Some(rlimits) = &tc.rlimits {
            for (resource, lim) in rlimits.rlimits.iter().enumerate() {
                set_limit(resource as u32, lim.cur, lim.max)?;
            }
        }
        for (sig, sa) in crate::signals::with_disposition().zip(&tc.sigactions) {
            own::set_sigaction(sig, sa.sigaction, sa.flags, sa.restorer, sa.mask).map_err(text)?;
        }

        own::map_code_page(self.stub, &STUB_CODE).map_err(text)?;
        Ok(report_fd)
    }

    /// Forks every child of `pid`, live or zombie, each with its own pid.
    fn fork_children(&self, pid: u32) -> Result<(), String> {
        let plan = self.plan;
        let entries = plan
            .tasks
            .iter()
            .map(|t| &t.pstree)
            .chain(plan.zombies.iter().map(|z| &z.pstree));
        for child in entries.filter(|c| c.ppid == pid && c.pid != pid) {
            match fork_with_pid(child.pid as i32)
                .map_err(|e| format!("creating child {}: {e}", child.pid))?
            {
                Forked::Child => self.become_task(child.pid, pid as i32),
                Forked::Parent(_) => {}
            }
            if plan.zombies.iter().any(|z| z.pstree.pid == child.pid) {
                // The stand-in's exit must not reach the program as a new SIGCHLD:
                // the one it had pending at dump time, if any, is queued again later.
                own::wait_exited(child.pid as i32).map_err(|e| e.to_string())?;
                own::discard_pending(libc::SIGCHLD);
            }
        }
        Ok(())
    }
}

/// Ends a stand-in for a zombie the way the original ended, so that its parent
/// collects the same wait status.
fn exit_like(status: u32) -> ! {
    let status = status as i32;
    if libc::WIFSIGNALED(status) {
        let sig = libc::WTERMSIG(status);
        let _ = own::set_sigaction(sig, libc::SIG_DFL as u64, 0, 0, 0);
        // Dying of SIGSEGV or SIGABRT must not leave a core dump of crust's memory.
        let _ = own::set_rlimit(libc::RLIMIT_CORE, 0, 0);
        // The mask inherited from the parent being prepared blocks everything.
        let _ = own::set_signal_mask(0);
        let _ = crust_kernel::task::kill(std::process::id() as i32, sig);
    }
    own::exit_now(libc::WEXITSTATUS(status));
}

/// Raising a hard limit needs CAP_SYS_RESOURCE, which root may lack; such a limit
/// is restored as high as this process may set it.
fn set_limit(resource: u32, cur: u64, max: u64) -> Result<(), String> {
    match own::set_rlimit(resource, cur, max) {
        Ok(()) => Ok(()),
        Err(e) if e.errno() == Some(libc::EPERM) => {
            let (_, hard) = own::get_rlimit(resource).map_err(|e| e.to_string())?;
            own::set_rlimit(resource, cur.min(hard), hard).map_err(|e| e.to_string())
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Opens every file of the dumped fd table and puts each at its number. Returns the
/// report fd, moved out of the way of the restored numbers.
fn restore_fds(
    plan: &Plan,
    task: &TaskPlan,
    report_fd: i32,
    shell_job: bool,
) -> Result<i32, String> {
    let fds = &task.fds;
    let above = fds.iter().map(|f| f.fd as i32).max().unwrap_or(2) + 1;
    let text = |e: SysError| e.to_string();
    let report_fd = own::dup_above(report_fd, above).map_err(text)?;

    // First everything is opened out of the way, then crust's own fds go, then the
    // opened files move to their numbers: no order of numbers can collide.
    let mut opened = Vec::new();
    for fd in fds {
        let file = &plan.files[&fd.id];
        let src = if file.r#type == FdTypes::Tty as i32 {
            if !shell_job {
                return Err(format!(
                    "fd {} is a terminal: restore with --shell-job",
                    fd.fd
                ));
            }
            terminal_fd().map_err(text)?
        } else {
            let reg = file
                .reg
                .as_ref()
                .ok_or_else(|| format!("file id {} has no regular file entry", fd.id))?;
            let flags = reg.flags as i32 & !(libc::O_CREAT | libc::O_TRUNC | libc::O_EXCL);
            let raw = own::open(Path::new(&reg.name), flags).map_err(text)?;
            if reg.pos != 0 {
                own::seek(raw, reg.pos).map_err(text)?;
            }
            // Logged while crust's log file is still open in this task.
            log::debug!(
                "pid {}: fd {} -> {} (flags {:#o}, pos {})",
                task.pid,
                fd.fd,
                reg.name,
                reg.flags,
                reg.pos
            );
            raw
        };
        opened.push((
            own::dup_above(src, above).map_err(text)?,
            fd.fd as i32,
            fd.flags & libc::FD_CLOEXEC as u32 != 0,
        ));
        own::close(src);
    }
    let keep: Vec<i32> = opened.iter().map(|o| o.0).chain([report_fd]).collect();
    for fd in own::open_fds() {
        if !keep.contains(&fd) {
            own::close(fd);
        }
    }
    for (src, target, cloexec) in opened {
        own::dup_to(src, target, cloexec).map_err(text)?;
        own::close(src);
    }
    Ok(report_fd)
}

/// The terminal crust itself runs on, for a shell job's terminal fds.
fn terminal_fd() -> Result<i32, SysError> {
    for fd in 0..3 {
        // SAFETY-free check through /proc: is this fd of crust a terminal?
        if let Ok(target) = std::fs::read_link(format!("/proc/self/fd/{fd}")) {
            let name = target.to_string_lossy();
            if name.starts_with("/dev/pts/") || name.starts_with("/dev/tty") {
                return own::dup_above(fd, 3);
            }
        }
    }
    own::open(Path::new("/dev/tty"), libc::O_RDWR)
}
