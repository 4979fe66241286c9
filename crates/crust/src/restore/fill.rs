//! Filling the rebuilt address space with the dumped pages, from two sides at once.

use super::driver::Driver;
use super::error::RestoreError;
use super::plan::{Plan, TaskPlan};
use crate::pages::{split_in_two, Run};
use crust_images::pb::PagemapEntry;
use crust_kernel::{SysError, PAGE_SIZE};

const MADV_POPULATE_WRITE: u64 = 23;

/// Fills every dumped page: the task itself reads each run from the pages image
/// straight into place, one copy and its own page faults, the fastest way in.
pub fn fill_pages(d: &Driver, plan: &Plan, task: &TaskPlan) -> Result<u64, RestoreError> {
    let pid = d.pid as u32;
    let mem_err = |source| RestoreError::Memory { pid, source };
    let path = plan.dir.pages_path(task.pages_id);
    let path = std::fs::canonicalize(&path).map_err(|source| RestoreError::FileMissing {
        path: path.display().to_string(),
        source,
    })?;
    let name = path.display().to_string();
    let fd = d
        .open(&name, libc::O_RDONLY as u64, "to read its pages")
        .map_err(mem_err)?;
    let runs = with_offsets(&task.pagemap);
    let (own_runs, helped_runs) = split_in_two(&runs);
    let pages_file = plan.dir.open_pages(task.pages_id)?;
    // Both cores work: the task reads its share of the runs, while a thread of
    // crust copies the rest in with process_vm_writev. Allocating the pages is
    // most of the cost, and each side allocates its own.
    let (filled, helped) = std::thread::scope(|scope| {
        let helper = scope.spawn(|| write_runs(d.pid, &pages_file, &helped_runs, &name));
        let filled = read_runs(d, fd, &own_runs, &name);
        (filled, helper.join())
    });
    let helped = helped.unwrap_or_else(|_| {
        Err(SysError::from_errno(
            format!("copying pages of {name}: the copying thread failed"),
            libc::EIO,
        ))
    });
    let closed = d.close(fd);
    let total = filled.map_err(mem_err)? + helped.map_err(mem_err)?;
    closed.map_err(mem_err)?;
    Ok(total)
}

fn with_offsets(pagemap: &[PagemapEntry]) -> Vec<Run> {
    let mut offset = 0;
    pagemap
        .iter()
        .map(|e| {
            let bytes = e.nr_pages as u64 * PAGE_SIZE;
            offset += bytes;
            Run {
                vaddr: e.vaddr,
                bytes,
                offset: offset - bytes,
            }
        })
        .collect()
}

fn read_runs(d: &Driver, fd: u64, runs: &[Run], name: &str) -> Result<u64, SysError> {
    let mut total = 0u64;
    for run in runs {
        // Allocating the run's pages in one call is cheaper than taking a page
        // fault for each during the read.
        d.call(
            libc::SYS_madvise,
            [run.vaddr, run.bytes, MADV_POPULATE_WRITE, 0, 0, 0],
            "madvise(MADV_POPULATE_WRITE)",
        )?;
        let mut done = 0u64;
        while done < run.bytes {
            let what = format!(
                "pread of {} bytes of {name} at offset {} into {:#x}",
                run.bytes - done,
                run.offset + done,
                run.vaddr + done
            );
            let args = [
                fd,
                run.vaddr + done,
                run.bytes - done,
                run.offset + done,
                0,
                0,
            ];
            let got = d.call(libc::SYS_pread64, args, &what)?;
            if got == 0 {
                return Err(SysError::from_errno(
                    format!("{what}: the pages image ends early"),
                    libc::EIO,
                ));
            }
            done += got;
        }
        total += run.bytes / PAGE_SIZE;
    }
    Ok(total)
}

/// Copies runs from the pages image into the task from crust's side.
fn write_runs(pid: i32, pages: &std::fs::File, runs: &[Run], name: &str) -> Result<u64, SysError> {
    use std::os::unix::fs::FileExt;
    let mut buf = vec![0u8; COPY_CHUNK];
    let mut total = 0u64;
    for run in runs {
        let mut done = 0u64;
        while done < run.bytes {
            let n = (run.bytes - done).min(COPY_CHUNK as u64) as usize;
            pages
                .read_exact_at(&mut buf[..n], run.offset + done)
                .map_err(|e| {
                    SysError::from_io(
                        format!("read {n} bytes of {name} at offset {}", run.offset + done),
                        e,
                    )
                })?;
            crust_kernel::memory::vm_write(pid, run.vaddr + done, &buf[..n])?;
            done += n as u64;
        }
        total += run.bytes / PAGE_SIZE;
    }
    Ok(total)
}

/// Bytes copied at a time from crust's side: small enough to stay in the cache.
const COPY_CHUNK: usize = 1 << 20;
