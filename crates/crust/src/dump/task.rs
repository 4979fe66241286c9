//! Dumping one frozen task: every image that describes it.

use super::core::{core_entry, TaskFacts};
use super::error::DumpError;
use super::files::FileTable;
use super::freeze::Frozen;
use super::inside::{read_inside, InsideState};
use super::memory::{describe_vmas, dump_pages, MemoryDump};
use crate::cli::Options;
use crust_images::pb::{FsEntry, MmEntry, TaskKobjIdsEntry, VmaEntry};
use crust_images::{ImageDir, ImageKind};
use crust_kernel::proc::{self, MmBounds};
use crust_kernel::{ptrace, task};
use log::debug;
use std::time::{Duration, Instant};

/// What checking a task read that dumping it needs again.
pub struct Checked {
    pub bounds: MmBounds,
    pub creds: proc::Credentials,
}

/// Refuses what this version cannot carry in one task, before any image is written.
pub fn check_task(frozen: &Frozen) -> Result<Checked, DumpError> {
    let pid = frozen.pid;
    let collect = |source| DumpError::Collect { pid, source };
    let threads = proc::threads(pid).map_err(collect)?;
    if threads.len() > 1 {
        return Err(DumpError::Unsupported {
            pid,
            what: format!("a process with {} threads", threads.len()),
        });
    }
    let creds = proc::credentials(pid).map_err(collect)?;
    if creds.seccomp_mode != 0 {
        return Err(DumpError::Unsupported {
            pid,
            what: "a seccomp filter".into(),
        });
    }
    let timers_path = format!("/proc/{pid}/timers");
    let timers = std::fs::read_to_string(&timers_path).map_err(|e| {
        collect(crust_kernel::SysError::from_io(
            format!("read {timers_path}"),
            e,
        ))
    })?;
    if !timers.trim().is_empty() {
        return Err(DumpError::Unsupported {
            pid,
            what: "POSIX timers".into(),
        });
    }
    let bounds = proc::mm_bounds(pid).map_err(collect)?;
    Ok(Checked { bounds, creds })
}

/// What dumping a task produced, for the inventory and the statistics.
pub struct Dumped {
    pub ids: TaskKobjIdsEntry,
    pub memory: MemoryDump,
    pub memdump_time: Duration,
}

/// Writes every image of one live task but the ones shared by the tree (pstree,
/// files, inventory). `index` numbers the task within the dump, for its ids.
pub fn dump_task(
    frozen: &Frozen,
    checked: &Checked,
    index: u32,
    dir: &ImageDir,
    opts: &Options,
    files: &mut FileTable,
) -> Result<Dumped, DumpError> {
    let pid = frozen.pid;
    let collect = |source| DumpError::Collect { pid, source };
    let ids = TaskKobjIdsEntry {
        vm_id: index,
        files_id: index,
        fs_id: index,
        sighand_id: index,
        ..TaskKobjIdsEntry::default()
    };

    let vmas = proc::read_vmas(pid).map_err(collect)?;
    let inside = read_inside(frozen, &vmas)?;
    let xstate = ptrace::get_xstate(pid).map_err(collect)?;
    let creds = &checked.creds;
    let facts = TaskFacts {
        regs: &frozen.regs,
        xstate: &xstate,
        sigmask: frozen.sigmask,
        shared_signals: &ptrace::peek_siginfo(pid, true).map_err(collect)?,
        private_signals: &ptrace::peek_siginfo(pid, false).map_err(collect)?,
        rseq: ptrace::rseq_config(pid).map_err(collect)?,
        robust_list: task::robust_list(pid).map_err(collect)?,
        scheduling: task::scheduling(pid).map_err(collect)?,
        stop_signal: frozen.stop_signal,
        inside: &inside,
        creds,
        personality: proc::personality(pid).map_err(collect)?,
        limits: &proc::limits(pid).map_err(collect)?,
        ids: ids.clone(),
    };
    write_fdinfo(pid, dir, ids.files_id, files, opts.shell_job)?;
    write_fs(pid, dir, files, creds.umask)?;
    let exe_file_id = add_link(pid, files, "exe", libc::O_RDONLY as u32)?;
    let vma_entries = describe_vmas(pid, &vmas, files)?;

    let started = Instant::now();
    let memory = dump_pages(pid, dir, index, &vma_entries)?;
    let memdump_time = started.elapsed();
    debug!(
        "pid {pid}: {} of {} pages written",
        memory.pages_written, memory.pages_scanned
    );

    let auxv = read_auxv(pid).map_err(collect)?;
    let mm = mm_entry(&checked.bounds, &inside, exe_file_id, auxv, vma_entries);
    write_one(dir, ImageKind::Mm(pid as u32), &mm)?;
    write_one(dir, ImageKind::Core(pid as u32), &core_entry(&facts))?;
    write_one(dir, ImageKind::Ids(pid as u32), &ids)?;
    Ok(Dumped {
        ids,
        memory,
        memdump_time,
    })
}

/// fdinfo-N.img: every open fd, each referring to its file in `files`.
fn write_fdinfo(
    pid: i32,
    dir: &ImageDir,
    files_id: u32,
    files: &mut FileTable,
    shell_job: bool,
) -> Result<(), DumpError> {
    let mut fdinfo = dir.writer(ImageKind::Fdinfo(files_id))?;
    for fd in proc::fd_numbers(pid).map_err(|source| DumpError::Collect { pid, source })? {
        fdinfo.write(&files.add_fd(pid, fd, shell_job)?)?;
    }
    fdinfo.finish()?;
    Ok(())
}

/// fs-PID.img: working directory, root and umask.
fn write_fs(pid: i32, dir: &ImageDir, files: &mut FileTable, umask: u32) -> Result<(), DumpError> {
    let directory = (libc::O_RDONLY | libc::O_DIRECTORY) as u32;
    let fs = FsEntry {
        cwd_id: add_link(pid, files, "cwd", directory)?,
        root_id: add_link(pid, files, "root", directory)?,
        umask: Some(umask),
    };
    write_one(dir, ImageKind::Fs(pid as u32), &fs)
}

/// Registers the file a /proc/PID link (cwd, root, exe) points to.
fn add_link(pid: i32, files: &mut FileTable, name: &str, flags: u32) -> Result<u32, DumpError> {
    let collect = |source| DumpError::Collect { pid, source };
    let link = format!("/proc/{pid}/{name}");
    let target = std::fs::read_link(&link).map_err(|e| {
        collect(crust_kernel::SysError::from_io(
            format!("readlink {link}"),
            e,
        ))
    })?;
    files.add_mapped(&target, &link, flags).map_err(collect)
}

fn mm_entry(
    b: &MmBounds,
    inside: &InsideState,
    exe_file_id: u32,
    auxv: Vec<u64>,
    vmas: Vec<VmaEntry>,
) -> MmEntry {
    MmEntry {
        mm_start_code: b.start_code,
        mm_end_code: b.end_code,
        mm_start_data: b.start_data,
        mm_end_data: b.end_data,
        mm_start_stack: b.start_stack,
        mm_start_brk: b.start_brk,
        mm_brk: inside.brk,
        mm_arg_start: b.arg_start,
        mm_arg_end: b.arg_end,
        mm_env_start: b.env_start,
        mm_env_end: b.env_end,
        exe_file_id,
        mm_saved_auxv: auxv,
        vmas,
        dumpable: Some(inside.dumpable as i32),
        aios: Vec::new(),
        thp_disabled: Some(inside.thp_disabled),
    }
}

pub fn write_one<M: prost::Message>(
    dir: &ImageDir,
    kind: ImageKind,
    msg: &M,
) -> Result<(), DumpError> {
    let mut writer = dir.writer(kind)?;
    writer.write(msg)?;
    writer.finish()?;
    Ok(())
}

/// The auxiliary vector as the kernel gave it to the program: pairs of words.
fn read_auxv(pid: i32) -> Result<Vec<u64>, crust_kernel::SysError> {
    let path = format!("/proc/{pid}/auxv");
    let raw = std::fs::read(&path)
        .map_err(|e| crust_kernel::SysError::from_io(format!("read {path}"), e))?;
    Ok(crust_kernel::words(&raw))
}
