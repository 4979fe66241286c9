//! Choosing addresses that are free both in crust and in the restored layout.

use crust_kernel::PAGE_SIZE;

/// Top of the user address space with 4-level paging: no dumped mapping lies above.
pub const USER_TOP: u64 = 0x7fff_ffff_f000;
/// Stay clear of the zero page and of mmap_min_addr.
const LOW_LIMIT: u64 = 0x10_0000;

/// The highest `len`-byte range below USER_TOP that overlaps none of `busy`.
pub fn free_range(busy: &[(u64, u64)], len: u64) -> Option<u64> {
    let mut ranges: Vec<(u64, u64)> = busy.to_vec();
    ranges.sort_unstable();
    let mut candidate_end = USER_TOP;
    // Walk down from the top, trying the gap above each busy range.
    for &(start, end) in ranges.iter().rev() {
        if end <= candidate_end && candidate_end - end >= len + PAGE_SIZE {
            return Some(candidate_end - len - PAGE_SIZE);
        }
        candidate_end = candidate_end.min(start);
    }
    (candidate_end >= LOW_LIMIT + len + PAGE_SIZE).then(|| candidate_end - len - PAGE_SIZE)
}

/// The ranges of [0, USER_TOP) not covered by `keep`.
pub fn complement(keep: &[(u64, u64)]) -> Vec<(u64, u64)> {
    let mut keep = keep.to_vec();
    keep.sort_unstable();
    let mut gaps = Vec::new();
    let mut at = 0;
    for (start, end) in keep {
        if start > at {
            gaps.push((at, start));
        }
        at = at.max(end);
    }
    if at < USER_TOP {
        gaps.push((at, USER_TOP));
    }
    gaps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_range_avoids_everything_busy() {
        let busy = [(0x7fff_0000_0000, USER_TOP), (0x5000_0000, 0x5100_0000)];
        let got = free_range(&busy, PAGE_SIZE).unwrap();
        for (s, e) in busy {
            assert!(
                got + PAGE_SIZE <= s || got >= e,
                "{got:#x} overlaps {s:#x}-{e:#x}"
            );
        }
    }

    #[test]
    fn complement_covers_the_gaps() {
        let gaps = complement(&[(0x2000, 0x3000), (0x1000, 0x2000)]);
        assert_eq!(gaps, vec![(0, 0x1000), (0x3000, USER_TOP)]);
    }
}
