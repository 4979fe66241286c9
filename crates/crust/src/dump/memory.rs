//! The address space of a frozen task: its mappings (mm image) and the contents of
//! the pages it has touched (pagemap and pages images).

use super::error::DumpError;
use super::files::FileTable;
use crate::pages::{split_in_two, Run};
use crust_images::pb::{PagemapEntry, PagemapHead, VmaEntry};
use crust_images::vma::*;
use crust_images::{ImageDir, ImageKind};
use crust_kernel::memory::{
    vm_read, Pagemap, ProcMem, PAGE_IS_GUARD, PAGE_IS_PRESENT, PAGE_IS_SWAPPED, PM_FILE,
    PM_GUARD_REGION, PM_PRESENT, PM_SWAPPED,
};
use crust_kernel::proc::{Vma, VmaKind};
use crust_kernel::{SysError, PAGE_SIZE};
use log::debug;
use std::os::unix::fs::FileExt;

/// Pages copied per read: large enough for few system calls, small enough to stay
/// in the CPU caches between the read and the write.
const CHUNK_PAGES: u64 = 256;
/// Pagemap entries read at a time (512 KiB of them).
const PAGEMAP_WINDOW: u64 = 64 * 1024;

/// What dumping the memory of one task produced.
#[derive(Debug, Default)]
pub struct MemoryDump {
    pub pages_scanned: u64,
    pub pages_written: u64,
}

/// Describes every mapping, registering mapped files in `files`.
pub fn describe_vmas(
    pid: i32,
    vmas: &[Vma],
    files: &mut FileTable,
) -> Result<Vec<VmaEntry>, DumpError> {
    let mut entries = Vec::new();
    for vma in vmas {
        if let Some(entry) = vma_entry(pid, vma, files)? {
            debug!(
                "pid {pid}: vma {:#x}-{:#x} prot {:#x} status {:#x}",
                vma.start, vma.end, entry.prot, entry.status
            );
            entries.push(entry);
        }
    }
    Ok(entries)
}

fn vma_entry(pid: i32, vma: &Vma, files: &mut FileTable) -> Result<Option<VmaEntry>, DumpError> {
    let unsupported = |what: String| DumpError::Unsupported { pid, what };
    let share = if vma.shared {
        libc::MAP_SHARED
    } else {
        libc::MAP_PRIVATE
    } as u32;
    let growsdown = if vma.growsdown {
        libc::MAP_GROWSDOWN as u32
    } else {
        0
    };
    // Without it, a huge sparse reservation would not fit the commit limit again.
    let noreserve = if vma.noreserve {
        libc::MAP_NORESERVE as u32
    } else {
        0
    };
    let mut entry = VmaEntry {
        start: vma.start,
        end: vma.end,
        pgoff: vma.offset,
        shmid: 0,
        prot: vma.prot,
        flags: share | growsdown | noreserve,
        status: VMA_AREA_REGULAR,
        fd: -1,
        madv: None,
        fdflags: None,
    };
    match &vma.kind {
        // Recorded as criu does, so tools that walk the mappings see all of them;
        // the kernel provides it to every task, so restore leaves it alone.
        VmaKind::Vsyscall => {
            entry.flags = (libc::MAP_PRIVATE | libc::MAP_ANONYMOUS) as u32;
            entry.status = VMA_AREA_VSYSCALL;
        }
        VmaKind::Vdso(name) => {
            entry.flags = (libc::MAP_PRIVATE | libc::MAP_ANONYMOUS) as u32;
            entry.status |= match name.as_str() {
                "vdso" => VMA_AREA_VDSO,
                "vvar" => VMA_AREA_VVAR,
                _ => VMA_AREA_VVAR | CRUST_VMA_AREA_VVAR_VCLOCK,
            };
        }
        VmaKind::Other(name) => {
            return Err(unsupported(format!(
                "the mapping [{name}] at {:#x}",
                vma.start
            )))
        }
        VmaKind::Anon { .. } if vma.shared => {
            return Err(unsupported(format!(
                "shared anonymous memory at {:#x}-{:#x}",
                vma.start, vma.end
            )))
        }
        VmaKind::Anon { heap, stack } => {
            entry.flags |= libc::MAP_ANONYMOUS as u32;
            entry.status |= VMA_ANON_PRIVATE;
            if *heap {
                entry.status |= VMA_AREA_HEAP;
            }
            if *stack {
                entry.status |= VMA_AREA_STACK;
            }
        }
        VmaKind::File { path, .. } if kernel_object(path).is_some() => {
            let what = kernel_object(path).unwrap_or_default();
            return Err(unsupported(format!(
                "{what} mapped at {:#x}-{:#x}",
                vma.start, vma.end
            )));
        }
        VmaKind::File { path, .. } => {
            let writable = vma.shared && vma.prot & libc::PROT_WRITE as u32 != 0;
            let open_flags = if writable {
                libc::O_RDWR
            } else {
                libc::O_RDONLY
            } as u32;
            let link = format!("/proc/{pid}/map_files/{:x}-{:x}", vma.start, vma.end);
            // /proc/PID/maps escapes odd characters in names (a newline shows as
            // \012); the map_files link gives the name as it is.
            let name = std::fs::read_link(&link).unwrap_or_else(|_| path.clone());
            entry.shmid = files
                .add_mapped(&name, &link, open_flags)
                .map_err(|source| DumpError::Collect { pid, source })?
                as u64;
            entry.status |= if vma.shared {
                VMA_FILE_SHARED
            } else {
                VMA_FILE_PRIVATE
            };
            entry.fdflags = Some(open_flags);
        }
    }
    Ok(Some(entry))
}

/// Mappings that look like files in /proc but are kernel objects crust cannot
/// carry yet: shared anonymous memory (backed by a deleted /dev/zero), memfd, SysV
/// shared memory.
fn kernel_object(path: &std::path::Path) -> Option<&'static str> {
    let name = path.to_string_lossy();
    if name.starts_with("/dev/zero") {
        Some("shared anonymous memory")
    } else if name.starts_with("/memfd:") {
        Some("memfd memory")
    } else if name.starts_with("/SYSV") {
        Some("SysV shared memory")
    } else {
        None
    }
}

/// Whether a mapping's contents belong in the pages image: private memory only;
/// shared file pages live in their file and the vDSO comes from the kernel.
fn holds_private_pages(entry: &VmaEntry) -> bool {
    entry.status & (VMA_ANON_PRIVATE | VMA_FILE_PRIVATE) != 0
}

/// Writes the touched private pages of `pid` to pages-`pages_id`.img and their index
/// to pagemap-`pid`.img.
pub fn dump_pages(
    pid: i32,
    dir: &ImageDir,
    pages_id: u32,
    vmas: &[VmaEntry],
) -> Result<MemoryDump, DumpError> {
    let mem_err = |source| DumpError::Memory { pid, source };
    let pagemap = Pagemap::open(pid).map_err(mem_err)?;
    let mut index = dir.writer(ImageKind::Pagemap(pid as u32))?;
    index.write(&PagemapHead { pages_id })?;

    // First the index: which runs go where in the pages image.
    let mut stats = MemoryDump::default();
    let (mut readable_runs, mut hidden) = (Vec::new(), Vec::new());
    let mut offset = 0;
    for vma in vmas.iter().filter(|v| holds_private_pages(v)) {
        let readable = vma.prot & libc::PROT_READ as u32 != 0;
        stats.pages_scanned += (vma.end - vma.start) / PAGE_SIZE;
        // Only the stretches that hold pages are looked at, a window at a time: a
        // sparse reservation of terabytes would otherwise take minutes to walk and
        // gigabytes of page entries.
        for (span_start, span_end) in
            candidate_spans(&pagemap, vma.start, vma.end).map_err(mem_err)?
        {
            let mut window_start = span_start;
            while window_start < span_end {
                let window_end = span_end.min(window_start + PAGEMAP_WINDOW * PAGE_SIZE);
                let entries = pagemap.read(window_start, window_end).map_err(mem_err)?;
                if let Some(i) = entries.iter().position(|e| e & PM_GUARD_REGION != 0) {
                    return Err(DumpError::Unsupported {
                        pid,
                        what: format!(
                            "a guard region (MADV_GUARD_INSTALL) at {:#x}",
                            window_start + i as u64 * PAGE_SIZE
                        ),
                    });
                }
                for (first, count) in touched_runs(&entries) {
                    let run = Run {
                        vaddr: window_start + first * PAGE_SIZE,
                        bytes: count * PAGE_SIZE,
                        offset,
                    };
                    // One entry a run: restore fills each with one read.
                    index.write(&PagemapEntry {
                        vaddr: run.vaddr,
                        nr_pages: count as u32,
                        in_parent: None,
                        flags: Some(PE_PRESENT),
                    })?;
                    if readable {
                        readable_runs.push(run);
                    } else {
                        hidden.push(run);
                    }
                    offset += run.bytes;
                    stats.pages_written += count;
                }
                window_start = window_end;
            }
        }
    }
    index.finish()?;

    // Then the contents, by two threads when there is much to copy.
    let pages_path = dir.pages_path(pages_id).display().to_string();
    let pages = dir.create_pages(pages_id)?;
    let (first, second) = split_in_two(&readable_runs);
    let copy = |runs: &[Run], procmem: Option<&ProcMem>| {
        copy_runs(pid, runs, procmem, &pages, &pages_path)
    };
    let procmem = ProcMem::open(pid, false).map_err(mem_err)?;
    std::thread::scope(|scope| {
        let helper = scope.spawn(|| copy(&second, None));
        let own = copy(&first, None).and_then(|_| copy(&hidden, Some(&procmem)));
        let helped = helper.join().unwrap_or_else(|_| {
            Err(DumpError::Memory {
                pid,
                source: crust_kernel::SysError::from_errno(
                    "the page-copying thread failed",
                    libc::EIO,
                ),
            })
        });
        own.and(helped)
    })?;
    Ok(stats)
}

/// Copies `runs` from the task into the pages image, at their offsets.
/// process_vm_readv is the fast path; /proc/PID/mem (`procmem`) also reaches pages
/// the task cannot read itself (PROT_NONE, exec-only).
fn copy_runs(
    pid: i32,
    runs: &[Run],
    procmem: Option<&ProcMem>,
    pages: &std::fs::File,
    pages_path: &str,
) -> Result<(), DumpError> {
    let mut buf = vec![0u8; (CHUNK_PAGES * PAGE_SIZE) as usize];
    for run in runs {
        let mut done = 0;
        while done < run.bytes {
            // A large task takes seconds to copy: a Ctrl-C is heeded within a chunk.
            if crate::interrupts::requested() {
                return Err(DumpError::Interrupted);
            }
            let n = (run.bytes - done).min(buf.len() as u64) as usize;
            let chunk = &mut buf[..n];
            let at = run.vaddr + done;
            match procmem {
                Some(mem) => mem.read(at, chunk),
                None => vm_read(pid, at, chunk),
            }
            .map_err(|source| DumpError::Memory { pid, source })?;
            pages
                .write_all_at(chunk, run.offset + done)
                .map_err(|source| DumpError::Pages {
                    pid,
                    path: pages_path.to_string(),
                    source,
                })?;
            done += n as u64;
        }
    }
    Ok(())
}

/// Stretches of `[start, end)` that may hold pages worth a look: those the
/// PAGEMAP_SCAN ioctl finds present, swapped or guarded; the whole range on a
/// kernel without it.
fn candidate_spans(pagemap: &Pagemap, start: u64, end: u64) -> Result<Vec<(u64, u64)>, SysError> {
    const BATCH: usize = 512;
    let wanted = PAGE_IS_PRESENT | PAGE_IS_SWAPPED | PAGE_IS_GUARD;
    let mut spans: Vec<(u64, u64)> = Vec::new();
    let mut at = start;
    while at < end {
        let regions = match pagemap.scan_any_of(at, end, wanted, BATCH) {
            Ok(regions) => regions,
            Err(e) if at == start && matches!(e.errno(), Some(libc::ENOTTY | libc::EINVAL)) => {
                return Ok(vec![(start, end)])
            }
            Err(e) => return Err(e),
        };
        for r in &regions {
            match spans.last_mut() {
                Some(last) if last.1 == r.start => last.1 = r.end,
                _ => spans.push((r.start, r.end)),
            }
        }
        match regions.last() {
            Some(last) if regions.len() == BATCH => at = last.end,
            _ => break,
        }
    }
    Ok(spans)
}

/// Runs of consecutive pages (first index, count) that hold the task's own data:
/// present or swapped, and not a page that still belongs to a file.
fn touched_runs(entries: &[u64]) -> Vec<(u64, u64)> {
    let touched = |e: u64| e & (PM_PRESENT | PM_SWAPPED) != 0 && e & PM_FILE == 0;
    let mut runs = Vec::new();
    let mut i = 0;
    while i < entries.len() {
        if !touched(entries[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < entries.len() && touched(entries[i]) {
            i += 1;
        }
        runs.push((start as u64, (i - start) as u64));
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_skip_untouched_and_file_pages() {
        let p = PM_PRESENT;
        let entries = [0, p, p, p | PM_FILE, PM_SWAPPED, p, 0, p];
        assert_eq!(touched_runs(&entries), vec![(1, 2), (4, 2), (7, 1)]);
        assert_eq!(touched_runs(&[]), vec![]);
    }
}
