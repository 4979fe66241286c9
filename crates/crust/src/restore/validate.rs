//! Consistency checks on a task's memory images, so that damaged or mismatched
//! images are refused before any task exists rather than half way into a restore.

use crust_images::pb::{PagemapEntry, VmaEntry};
use crust_images::vma::{VMA_ANON_PRIVATE, VMA_AREA_VSYSCALL, VMA_FILE_PRIVATE};
use crust_kernel::PAGE_SIZE;

/// Mappings are page-aligned, non-empty, in ascending order and disjoint; pages
/// lie each inside one private mapping, in ascending order.
pub fn check_memory(vmas: &[VmaEntry], pagemap: &[PagemapEntry]) -> Result<(), String> {
    let mut previous_end = 0;
    for v in vmas {
        if v.start % PAGE_SIZE != 0 || v.end % PAGE_SIZE != 0 || v.start >= v.end {
            return Err(format!(
                "mapping {:#x}-{:#x} is not a page-aligned range",
                v.start, v.end
            ));
        }
        if v.start < previous_end {
            return Err(format!(
                "mapping {:#x}-{:#x} overlaps or precedes the one before",
                v.start, v.end
            ));
        }
        if v.status & VMA_AREA_VSYSCALL == 0 && v.end > super::layout::USER_TOP {
            return Err(format!(
                "mapping {:#x}-{:#x} lies outside user space",
                v.start, v.end
            ));
        }
        previous_end = v.end;
    }
    let mut previous_end = 0;
    for p in pagemap {
        let end = p.vaddr.saturating_add(p.nr_pages as u64 * PAGE_SIZE);
        if p.vaddr % PAGE_SIZE != 0 || p.nr_pages == 0 || p.vaddr < previous_end {
            return Err(format!(
                "pages at {:#x} ({} pages) are out of order or empty",
                p.vaddr, p.nr_pages
            ));
        }
        let private = VMA_ANON_PRIVATE | VMA_FILE_PRIVATE;
        // The mappings are sorted and disjoint (checked above): the only one that
        // can hold the run is the last that starts at or below it.
        let candidate = vmas
            .partition_point(|v| v.start <= p.vaddr)
            .checked_sub(1)
            .map(|i| &vmas[i]);
        let home = candidate.filter(|v| end <= v.end && v.status & private != 0);
        if home.is_none() {
            return Err(format!(
                "pages at {:#x}-{end:#x} lie in no private mapping",
                p.vaddr
            ));
        }
        previous_end = end;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vma(start: u64, end: u64) -> VmaEntry {
        VmaEntry {
            start,
            end,
            status: VMA_ANON_PRIVATE,
            ..VmaEntry::default()
        }
    }

    fn pages(vaddr: u64, nr_pages: u32) -> PagemapEntry {
        PagemapEntry {
            vaddr,
            nr_pages,
            ..PagemapEntry::default()
        }
    }

    #[test]
    fn accepts_a_sane_layout() {
        let vmas = [vma(0x1000, 0x4000), vma(0x8000, 0x9000)];
        assert_eq!(
            check_memory(&vmas, &[pages(0x1000, 2), pages(0x8000, 1)]),
            Ok(())
        );
    }

    #[test]
    fn refuses_overlaps_and_stray_pages() {
        assert!(check_memory(&[vma(0x1000, 0x4000), vma(0x3000, 0x5000)], &[]).is_err());
        assert!(check_memory(&[vma(0x1000, 0x1800)], &[]).is_err());
        let vmas = [vma(0x1000, 0x4000)];
        assert!(
            check_memory(&vmas, &[pages(0x3000, 2)]).is_err(),
            "runs past the mapping"
        );
        assert!(
            check_memory(&vmas, &[pages(0x2000, 1), pages(0x1000, 1)]).is_err(),
            "order"
        );
        assert!(check_memory(&vmas, &[pages(0x1000, 0)]).is_err(), "empty");
        assert!(check_memory(&vmas, &[pages(0x9000, 1)]).is_err(), "outside");
    }
}
