//! The address space of a frozen task: its mappings (mm image) and the contents of
//! the pages it has touched (pagemap and pages images).

use super::error::DumpError;
use super::files::FileTable;
use crust_images::pb::{PagemapEntry, PagemapHead, VmaEntry};
use crust_images::vma::*;
use crust_images::{ImageDir, ImageKind};
use crust_kernel::memory::{vm_read, Pagemap, ProcMem, PM_FILE, PM_PRESENT, PM_SWAPPED};
use crust_kernel::proc::{Vma, VmaKind};
use crust_kernel::PAGE_SIZE;
use log::debug;
use std::io::Write;

/// Pages copied per read: large enough for few system calls, small enough to stay
/// in the CPU caches between the read and the write.
const CHUNK_PAGES: u64 = 256;

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
    let mut entry = VmaEntry {
        start: vma.start,
        end: vma.end,
        pgoff: vma.offset,
        shmid: 0,
        prot: vma.prot,
        flags: share | growsdown,
        status: VMA_AREA_REGULAR,
        fd: -1,
        madv: None,
        fdflags: None,
    };
    match &vma.kind {
        VmaKind::Vsyscall => return Ok(None),
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
        VmaKind::File { path, .. } => {
            let writable = vma.shared && vma.prot & libc::PROT_WRITE as u32 != 0;
            let open_flags = if writable {
                libc::O_RDWR
            } else {
                libc::O_RDONLY
            } as u32;
            let link = format!("/proc/{pid}/map_files/{:x}-{:x}", vma.start, vma.end);
            entry.shmid = files
                .add_mapped(path, &link, open_flags)
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
    let procmem = ProcMem::open(pid, false).map_err(mem_err)?;
    let pages_path = dir.pages_path(pages_id).display().to_string();
    let mut pages = std::io::BufWriter::with_capacity(1 << 20, dir.create_pages(pages_id)?);
    let mut index = dir.writer(ImageKind::Pagemap(pid as u32))?;
    index.write(&PagemapHead { pages_id })?;

    let mut stats = MemoryDump::default();
    let mut buf = vec![0u8; (CHUNK_PAGES * PAGE_SIZE) as usize];
    for vma in vmas.iter().filter(|v| holds_private_pages(v)) {
        let entries = pagemap.read(vma.start, vma.end).map_err(mem_err)?;
        stats.pages_scanned += entries.len() as u64;
        let readable = vma.prot & libc::PROT_READ as u32 != 0;
        for (first, count) in touched_runs(&entries) {
            let run_start = vma.start + first * PAGE_SIZE;
            let mut done = 0;
            while done < count {
                let n = (count - done).min(CHUNK_PAGES);
                let addr = run_start + done * PAGE_SIZE;
                let chunk = &mut buf[..(n * PAGE_SIZE) as usize];
                // process_vm_readv is the fast path; /proc/PID/mem also reaches
                // pages the task cannot read itself (PROT_NONE, exec-only).
                if readable {
                    vm_read(pid, addr, chunk).map_err(mem_err)?;
                } else {
                    procmem.read(addr, chunk).map_err(mem_err)?;
                }
                pages.write_all(chunk).map_err(|source| DumpError::Pages {
                    pid,
                    path: pages_path.clone(),
                    source,
                })?;
                done += n;
            }
            // One entry a run, however long: restore fills each with one read.
            index.write(&PagemapEntry {
                vaddr: run_start,
                nr_pages: count as u32,
                in_parent: None,
                flags: Some(PE_PRESENT),
            })?;
            stats.pages_written += count;
        }
    }
    pages.flush().map_err(|source| DumpError::Pages {
        pid,
        path: pages_path,
        source,
    })?;
    index.finish()?;
    Ok(stats)
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
