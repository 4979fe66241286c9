//! `crust dump`: freeze a process tree, write its state as images, then kill it or
//! let it run on.
//!
//! The order matters for the promise that a failed dump costs nothing: the tree is
//! frozen with ptrace (invisible to it), everything is read while it is frozen, and
//! only once every image is written is it killed. Any error before that drops the
//! `Frozen` guards, which put each task back exactly as it was; images are written
//! to a staging directory first, so the images dir is left as it was.

mod core;
mod error;
mod files;
mod freeze;
mod inside;
mod memory;
mod task;

pub use error::DumpError;

use crate::cli::Options;
use crate::stats::Timer;
use crust_images::pb::{
    CoreEntry, DumpStatsEntry, InventoryEntry, PstreeEntry, StatsEntry, TaskCoreEntry,
};
use crust_images::{ImageDir, ImageKind};
use files::FileTable;
use freeze::{freeze_tree, FrozenTree, Zombie};
use log::info;
use std::time::Duration;
use task::write_one;

pub fn run(opts: &Options) -> Result<(), DumpError> {
    let pid = opts.tree.ok_or(DumpError::NoTree)?;
    if !crust_kernel::task::exists(pid) {
        return Err(DumpError::NoProcess { pid });
    }
    if let Some(mode) = &opts.pre_dump_mode {
        log::debug!(
            "--pre-dump-mode {mode} accepted: crust has no pre-dump, so it changes nothing"
        );
    }
    let dir = ImageDir::create(&opts.images_dir)?;
    let staging = Staging::create(&dir)?;
    let mut timer = Timer::start();

    info!("freezing the tree of pid {pid}");
    let tree = freeze_tree(pid, Duration::from_secs(opts.timeout_secs))?;
    let freezing_time = timer.lap();
    let stats = write_images(&tree, &staging.dir, opts, freezing_time, &mut timer)?;
    if crate::interrupts::requested() {
        return Err(DumpError::Interrupted);
    }
    staging.publish(&dir)?;

    let pids: Vec<i32> = tree.tasks.iter().map(|t| t.pid).collect();
    if opts.leave_running {
        tree.tasks.into_iter().for_each(|t| t.release());
        info!("tree of pid {pid} dumped and left running");
    } else if opts.leave_stopped {
        // criu leaves the tree stopped by SIGSTOP, so that a later SIGCONT resumes it.
        // Every task gets its signal even if one fails: a tree half stopped and half
        // running would be worse than either.
        let mut first_error = None;
        for task in tree.tasks {
            if let Err(source) = crust_kernel::task::kill(task.pid, libc::SIGSTOP) {
                first_error.get_or_insert(DumpError::Kill {
                    pid: task.pid,
                    source,
                });
            }
            task.release();
        }
        first_error.map_or(Ok(()), Err)?;
        info!("tree of pid {pid} dumped and left stopped");
    } else {
        let results: Vec<_> = tree.tasks.into_iter().map(|task| task.kill()).collect();
        results.into_iter().collect::<Result<Vec<()>, _>>()?;
        info!("tree of pid {pid} dumped and killed");
    }
    info!(
        "dump of {pids:?} finished: {} pages written in {:.3} s",
        stats.pages_written,
        timer.total().as_secs_f64()
    );
    Ok(())
}

/// A private directory inside the images dir where a dump writes its images.
/// Only a complete set is moved into the images dir: a dump that fails half way
/// leaves an earlier image set there as it was, and no new file at all.
struct Staging {
    dir: ImageDir,
    published: bool,
}

impl Staging {
    fn create(images: &ImageDir) -> Result<Staging, DumpError> {
        remove_stale_staging(images);
        let path = images
            .path()
            .join(format!("{STAGING_PREFIX}{}", std::process::id()));
        Ok(Staging {
            dir: ImageDir::create(&path)?,
            published: false,
        })
    }

    /// Moves every image into `images`, replacing the files of an earlier dump and
    /// removing the images of it that this dump has no counterpart for. The moves
    /// are renames within one directory; should one fail all the same, the error
    /// says so and the images dir may hold a mix.
    fn publish(mut self, images: &ImageDir) -> Result<(), DumpError> {
        let io_err = |path: &std::path::Path, source| {
            DumpError::Images(crust_images::ImageError::Write {
                path: path.to_path_buf(),
                source,
            })
        };
        let names = |dir: &std::path::Path| -> Result<Vec<std::ffi::OsString>, DumpError> {
            let entries = std::fs::read_dir(dir).map_err(|e| io_err(dir, e))?;
            entries
                .map(|e| e.map(|e| e.file_name()).map_err(|e| io_err(dir, e)))
                .collect()
        };
        let new = names(self.dir.path())?;
        for old in names(images.path())? {
            if !new.contains(&old) && is_image_name(&old.to_string_lossy()) {
                let path = images.path().join(&old);
                std::fs::remove_file(&path).map_err(|e| io_err(&path, e))?;
            }
        }
        for name in new {
            let target = images.path().join(&name);
            std::fs::rename(self.dir.path().join(&name), &target)
                .map_err(|e| io_err(&target, e))?;
        }
        self.published = true;
        Ok(())
    }
}

const STAGING_PREFIX: &str = ".crust-dump-";

/// Staging dirs left by a crust that was killed outright (SIGKILL, a crash): their
/// owner's pid no longer runs, or is this crust's.
fn remove_stale_staging(images: &ImageDir) {
    let Ok(entries) = std::fs::read_dir(images.path()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let owner = name
            .to_str()
            .and_then(|n| n.strip_prefix(STAGING_PREFIX))
            .and_then(|p| p.parse::<i32>().ok());
        let stale = owner.is_some_and(|pid| {
            pid == std::process::id() as i32 || !crust_kernel::task::exists(pid)
        });
        if stale {
            if let Err(e) = std::fs::remove_dir_all(entry.path()) {
                log::warn!("removing the stale {}: {e}", entry.path().display());
            }
        }
    }
}

/// Names of the files of an image set: other files in the images dir are the
/// user's and stay.
fn is_image_name(name: &str) -> bool {
    const SINGLE: [&str; 10] = [
        "inventory.img",
        "pstree.img",
        "files.img",
        "tty-info.img",
        "tty-data.img",
        "seccomp.img",
        "cpuinfo.img",
        "reg-files.img",
        "stats-dump",
        "stats-restore",
    ];
    const PER_TASK: [&str; 8] = [
        "core-", "mm-", "pagemap-", "pages-", "fdinfo-", "fs-", "ids-", "creds-",
    ];
    let numbered = |prefix: &str| {
        name.strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(".img"))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    SINGLE.contains(&name) || PER_TASK.iter().any(|p| numbered(p))
}

impl Drop for Staging {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir_all(self.dir.path()) {
            if !self.published || e.kind() != std::io::ErrorKind::NotFound {
                log::warn!("removing {}: {e}", self.dir.path().display());
            }
        }
    }
}

/// Writes every image of the frozen tree; returns the statistics it also wrote.
fn write_images(
    tree: &FrozenTree,
    dir: &ImageDir,
    opts: &Options,
    freezing_time: Duration,
    timer: &mut Timer,
) -> Result<DumpStatsEntry, DumpError> {
    let checked = tree
        .tasks
        .iter()
        .map(task::check_task)
        .collect::<Result<Vec<_>, _>>()?;
    let mut files = FileTable::default();
    let mut stats = DumpStatsEntry {
        freezing_time: freezing_time.as_micros() as u32,
        ..DumpStatsEntry::default()
    };
    let mut pstree: Vec<PstreeEntry> = tree
        .tasks
        .iter()
        .zip(&checked)
        .enumerate()
        .map(|(i, (t, c))| {
            let b = &c.bounds;
            pstree_entry(t.pid, if i == 0 { 0 } else { b.ppid }, b.pgrp, b.session)
        })
        .collect();
    pstree.extend(
        tree.zombies
            .iter()
            .map(|z| pstree_entry(z.pid, z.ppid, z.pgid, z.sid)),
    );
    // Checked before anything is written: a tree restore could not rebuild is not
    // killed for the sake of its images.
    if let Some((pid, what)) = crate::pstree::unrebuildable(&pstree) {
        return Err(DumpError::Unsupported {
            pid: pid as i32,
            what,
        });
    }

    let mut root_ids = None;
    for (index, (frozen, bounds)) in tree.tasks.iter().zip(&checked).enumerate() {
        if crate::interrupts::requested() {
            return Err(DumpError::Interrupted);
        }
        info!("dumping pid {} into {}", frozen.pid, dir.path().display());
        let dumped = task::dump_task(frozen, bounds, index as u32 + 1, dir, opts, &mut files)?;
        stats.pages_scanned += dumped.memory.pages_scanned;
        stats.pages_written += dumped.memory.pages_written;
        stats.memdump_time += dumped.memdump_time.as_micros() as u32;
        root_ids.get_or_insert(dumped.ids);
    }
    for zombie in &tree.zombies {
        write_zombie(dir, zombie)?;
    }

    let mut pstree_img = dir.writer(ImageKind::Pstree)?;
    pstree.iter().try_for_each(|e| pstree_img.write(e))?;
    pstree_img.finish()?;
    let mut files_img = dir.writer(ImageKind::Files)?;
    files.entries.iter().try_for_each(|e| files_img.write(e))?;
    files_img.finish()?;
    if !files.ttys.is_empty() {
        let mut ttys = dir.writer(ImageKind::TtyInfo)?;
        files.ttys.iter().try_for_each(|t| ttys.write(t))?;
        ttys.finish()?;
    }
    write_one(
        dir,
        ImageKind::Inventory,
        &InventoryEntry {
            img_version: crust_images::IMAGES_VERSION,
            fdinfo_per_id: Some(true),
            root_ids,
            ns_per_id: Some(true),
            lsmtype: Some(0),
            ..InventoryEntry::default()
        },
    )?;
    stats.frozen_time = timer.lap().as_micros() as u32;
    stats.memwrite_time = stats.memdump_time;
    write_one(
        dir,
        ImageKind::StatsDump,
        &StatsEntry {
            dump: Some(stats.clone()),
            restore: None,
        },
    )?;
    Ok(stats)
}

fn pstree_entry(pid: i32, ppid: i32, pgid: i32, sid: i32) -> PstreeEntry {
    PstreeEntry {
        pid: pid as u32,
        ppid: ppid as u32,
        pgid: pgid as u32,
        sid: sid as u32,
        threads: vec![pid as u32],
    }
}

/// A zombie has nothing but its exit status: restore makes a task that exits
/// with it, for the parent to collect.
fn write_zombie(dir: &ImageDir, zombie: &Zombie) -> Result<(), DumpError> {
    let core = CoreEntry {
        mtype: crust_images::pb::core_entry::March::X86_64 as i32,
        tc: Some(TaskCoreEntry {
            task_state: crust_images::task_state::ZOMBIE,
            exit_code: zombie.exit_status as u32,
            comm: zombie.comm.clone(),
            ..TaskCoreEntry::default()
        }),
        ..CoreEntry::default()
    };
    write_one(dir, ImageKind::Core(zombie.pid as u32), &core)
}

#[cfg(test)]
mod tests {
    use super::is_image_name;

    #[test]
    fn only_image_set_names_count_as_images() {
        for name in [
            "core-12.img",
            "pages-1.img",
            "pstree.img",
            "stats-dump",
            "fdinfo-3.img",
        ] {
            assert!(is_image_name(name), "{name}");
        }
        for name in [
            "disk.img",
            "core-.img",
            "core-12.img.bak",
            "dump.log",
            "mm-x.img",
            ".pstree.img",
        ] {
            assert!(!is_image_name(name), "{name}");
        }
    }
}
