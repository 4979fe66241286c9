//! `crust dump`: freeze a process, write its state as images, then kill it or let
//! it run on.
//!
//! The order matters for the promise that a failed dump costs nothing: the task is
//! frozen with ptrace (invisible to it), everything is read while it is frozen, and
//! only once every image is written is it killed. Any error before that drops the
//! `Frozen` guard, which puts the task back exactly as it was.

mod core;
mod error;
mod files;
mod freeze;
mod inside;
mod memory;
mod task;

pub use error::DumpError;
pub use files::mtime_ns;
pub use self::core::regs_from_entry;

use crate::cli::Options;
use crate::stats::Timer;
use crust_images::pb::{DumpStatsEntry, InventoryEntry, StatsEntry};
use crust_images::{ImageDir, ImageKind};
use freeze::Frozen;
use log::info;
use std::time::Duration;

/// criu's image format version that crit and criu expect in inventory.img.
const IMAGES_VERSION: u32 = 2;

pub fn run(opts: &Options) -> Result<(), DumpError> {
    let pid = opts.tree.ok_or(DumpError::NoTree)?;
    if !crust_kernel::task::exists(pid) {
        return Err(DumpError::NoProcess { pid });
    }
    let dir = ImageDir::create(&opts.images_dir)?;
    let mut timer = Timer::start();

    info!("freezing pid {pid}");
    let frozen = Frozen::seize(pid, Duration::from_secs(opts.timeout_secs))?;
    let freezing_time = timer.lap();
    let tree = task::check_tree(&frozen)?;

    info!("dumping pid {pid} into {}", dir.path().display());
    let dumped = task::dump_task(&frozen, &dir, opts, &tree)?;
    let frozen_time = timer.lap();

    task::write_one(&dir, ImageKind::Inventory, &InventoryEntry {
        img_version: IMAGES_VERSION,
        fdinfo_per_id: Some(true),
        root_ids: Some(dumped.ids.clone()),
        ns_per_id: Some(true),
        lsmtype: Some(0),
        ..InventoryEntry::default()
    })?;
    let stats = StatsEntry {
        dump: Some(DumpStatsEntry {
            freezing_time: freezing_time.as_micros() as u32,
            frozen_time: frozen_time.as_micros() as u32,
            memdump_time: dumped.memdump_time.as_micros() as u32,
            memwrite_time: dumped.memdump_time.as_micros() as u32,
            pages_scanned: dumped.memory.pages_scanned,
            pages_written: dumped.memory.pages_written,
            ..DumpStatsEntry::default()
        }),
        restore: None,
    };
    task::write_one(&dir, ImageKind::StatsDump, &stats)?;

    if opts.leave_running {
        frozen.release();
        info!("pid {pid} dumped and left running");
    } else if opts.leave_stopped {
        // criu leaves the tree stopped by SIGSTOP, so that a later SIGCONT resumes it.
        crust_kernel::task::kill(pid, libc::SIGSTOP).map_err(|source| DumpError::Kill { pid, source })?;
        frozen.release();
        info!("pid {pid} dumped and left stopped");
    } else {
        frozen.kill()?;
        info!("pid {pid} dumped and killed");
    }
    info!(
        "dump finished: {} pages written in {:.3} s",
        dumped.memory.pages_written,
        timer.total().as_secs_f64()
    );
    Ok(())
}
