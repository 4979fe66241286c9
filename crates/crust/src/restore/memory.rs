//! Rebuilding the dumped address space inside the restored task: crust's copy of
//! itself is unmapped, the vDSO moved to where it was, every dumped mapping made
//! again and filled from the pages image.

use super::driver::Driver;
use super::error::RestoreError;
use super::layout::{complement, free_range};
use super::plan::{Plan, TaskPlan};
use super::{fill, mm};
use crust_images::pb::{PagemapEntry, VmaEntry};
use crust_images::vma::*;
use crust_kernel::proc::{read_vmas, VmaKind};
use crust_kernel::{ptrace, SysError, PAGE_SIZE};
use log::debug;
use std::collections::HashMap;

const RSEQ_FLAG_UNREGISTER: u64 = 1;

pub fn rebuild(d: &Driver, plan: &Plan, task: &TaskPlan) -> Result<u64, RestoreError> {
    let pid = d.pid as u32;
    let mem_err = |source| RestoreError::Memory { pid, source };
    unregister_rseq(d).map_err(mem_err)?;
    let vdso = clear_address_space(d).map_err(mem_err)?;
    debug!("pid {pid}: crust's mappings removed");
    place_vdso(d, &vdso, &task.mm.vmas).map_err(mem_err)?;
    let filled = map_areas(d, plan, task)?;
    debug!("pid {pid}: {} mappings made", task.mm.vmas.len());
    let pages = fill::fill_pages(d, plan, task)?;
    protect_filled(d, task, &filled)?;
    debug!("pid {pid}: {pages} pages filled");
    mm::set_mm_fields(d, plan, task)?;
    Ok(pages)
}

/// The kernel writes a thread's rseq area on every return to user space; crust's
/// area is about to be unmapped, so the registration goes first.
fn unregister_rseq(d: &Driver) -> Result<(), SysError> {
    let conf = ptrace::rseq_config(d.pid)?;
    if conf.rseq_abi_pointer != 0 {
        d.call(
            libc::SYS_rseq,
            [
                conf.rseq_abi_pointer,
                conf.rseq_abi_size as u64,
                RSEQ_FLAG_UNREGISTER,
                conf.signature as u64,
                0,
                0,
            ],
            "rseq unregister",
        )?;
    }
    Ok(())
}

/// Unmaps all but the stub page and the vDSO areas; returns those areas (in address
/// order) as (start, end).
fn clear_address_space(d: &Driver) -> Result<Vec<(u64, u64)>, SysError> {
    let vdso: Vec<(u64, u64)> = read_vmas(d.pid)?
        .into_iter()
        .filter(|v| matches!(v.kind, VmaKind::Vdso(_)))
        .map(|v| (v.start, v.end))
        .collect();
    let mut keep = vdso.clone();
    keep.push((d.stub, d.stub + PAGE_SIZE));
    for (start, end) in complement(&keep) {
        d.call(
            libc::SYS_munmap,
            [start, end - start, 0, 0, 0, 0],
            &format!("munmap {start:#x}-{end:#x}"),
        )?;
    }
    Ok(vdso)
}

/// Moves the kernel's vDSO areas to the addresses they had at dump time. They are
/// the same kernel's areas (sizes are checked), so moving them is enough.
fn place_vdso(d: &Driver, current: &[(u64, u64)], vmas: &[VmaEntry]) -> Result<(), SysError> {
    let wanted: Vec<(u64, u64)> = vmas
        .iter()
        .filter(|v| v.status & (VMA_AREA_VDSO | VMA_AREA_VVAR) != 0)
        .map(|v| (v.start, v.end))
        .collect();
    let sizes = |areas: &[(u64, u64)]| areas.iter().map(|(s, e)| e - s).collect::<Vec<_>>();
    if sizes(&wanted) != sizes(current) {
        return Err(SysError::from_errno(
            format!(
                "the vDSO of this kernel ({:?} bytes) differs from the dumped one ({:?} bytes): images from another kernel are not supported yet",
                sizes(current),
                sizes(&wanted)
            ),
            libc::EINVAL,
        ));
    }
    // Moving straight to targets that overlap the current areas could clobber one of
    // them, so in that case everything goes through a free range first.
    let overlaps = wanted
        .iter()
        .any(|&(ws, we)| current.iter().any(|&(cs, ce)| ws < ce && cs < we));
    let mut from = current.to_vec();
    if overlaps {
        let total = current.last().map_or(0, |l| l.1) - current.first().map_or(0, |f| f.0);
        let mut busy: Vec<(u64, u64)> = vmas.iter().map(|v| (v.start, v.end)).collect();
        busy.extend_from_slice(current);
        busy.push((d.stub, d.stub + PAGE_SIZE));
        let temp = free_range(&busy, total).ok_or_else(|| {
            SysError::from_errno(
                "no free range to move the vDSO through".to_string(),
                libc::ENOMEM,
            )
        })?;
        let base = current[0].0;
        from = move_areas(
            d,
            current,
            &current
                .iter()
                .map(|&(s, e)| (temp + s - base, temp + e - base))
                .collect::<Vec<_>>(),
        )?;
    }
    move_areas(d, &from, &wanted)?;
    Ok(())
}

fn move_areas(
    d: &Driver,
    from: &[(u64, u64)],
    to: &[(u64, u64)],
) -> Result<Vec<(u64, u64)>, SysError> {
    for (&(fs, fe), &(ts, _)) in from.iter().zip(to) {
        if fs != ts {
            let flags = (libc::MREMAP_MAYMOVE | libc::MREMAP_FIXED) as u64;
            d.call(
                libc::SYS_mremap,
                [fs, fe - fs, fe - fs, flags, ts, 0],
                &format!("mremap of the vDSO area {fs:#x} to {ts:#x}"),
            )?;
        }
    }
    Ok(to.to_vec())
}

/// Creates every dumped mapping with its backing. Mappings that get pages from the
/// image are made writable for the fill; returns those, to be given back their
/// dumped protection afterwards.
fn map_areas<'t>(
    d: &Driver,
    plan: &Plan,
    task: &'t TaskPlan,
) -> Result<Vec<&'t VmaEntry>, RestoreError> {
    let pid = d.pid as u32;
    let mem_err = |source| RestoreError::Memory { pid, source };
    let mut open_files: HashMap<u64, u64> = HashMap::new();
    let mut filled = Vec::new();
    for vma in task
        .mm
        .vmas
        .iter()
        .filter(|v| v.status & (VMA_AREA_VDSO | VMA_AREA_VVAR | VMA_AREA_VSYSCALL) == 0)
    {
        let len = vma.end - vma.start;
        let (fd, flags) = if vma.status & (VMA_FILE_PRIVATE | VMA_FILE_SHARED) != 0 {
            let fd = match open_files.get(&vma.shmid) {
                Some(fd) => *fd,
                None => {
                    let reg = plan.reg_file(vma.shmid as u32)?;
                    let flags = vma.fdflags.unwrap_or(libc::O_RDONLY as u32) as u64;
                    let fd = d.open(&reg.name, flags, "to map it").map_err(mem_err)?;
                    open_files.insert(vma.shmid, fd);
                    fd
                }
            };
            (fd, vma.flags as u64 & !(libc::MAP_ANONYMOUS as u64))
        } else {
            (u64::MAX, vma.flags as u64 | libc::MAP_ANONYMOUS as u64)
        };
        let pgoff = if fd == u64::MAX { 0 } else { vma.pgoff };
        let mut prot = vma.prot as u64;
        if has_pages(task, vma) {
            prot |= libc::PROT_WRITE as u64;
            filled.push(vma);
        }
        debug!(
            "pid {pid}: map {:#x}-{:#x} prot {:#x} flags {:#x}",
            vma.start, vma.end, vma.prot, flags
        );
        d.call(
            libc::SYS_mmap,
            [
                vma.start,
                len,
                prot,
                flags | libc::MAP_FIXED as u64,
                fd,
                pgoff,
            ],
            &format!("mmap of {:#x}-{:#x}", vma.start, vma.end),
        )
        .map_err(mem_err)?;
    }
    for fd in open_files.into_values() {
        d.close(fd).map_err(mem_err)?;
    }
    Ok(filled)
}

/// Whether any dumped page lies in `vma`. The pagemap is sorted and its runs
/// disjoint (validate::check_memory), so one binary search answers it.
fn has_pages(task: &TaskPlan, vma: &VmaEntry) -> bool {
    let end = |p: &PagemapEntry| p.vaddr + p.nr_pages as u64 * PAGE_SIZE;
    let first_after_start = task.pagemap.partition_point(|p| end(p) <= vma.start);
    task.pagemap
        .get(first_after_start)
        .is_some_and(|p| p.vaddr < vma.end)
}

fn protect_filled(d: &Driver, task: &TaskPlan, filled: &[&VmaEntry]) -> Result<(), RestoreError> {
    for vma in filled
        .iter()
        .filter(|v| v.prot & libc::PROT_WRITE as u32 == 0)
    {
        d.call(
            libc::SYS_mprotect,
            [vma.start, vma.end - vma.start, vma.prot as u64, 0, 0, 0],
            &format!("mprotect of {:#x}-{:#x}", vma.start, vma.end),
        )
        .map_err(|source| RestoreError::Memory {
            pid: task.pid,
            source,
        })?;
    }
    Ok(())
}
