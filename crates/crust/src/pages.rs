//! Runs of pages as they lie in a pages image, and how dump and restore share the
//! copying of them between two threads.

use crust_kernel::PAGE_SIZE;

/// Consecutive pages of a task: where they are in memory and in the pages image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub vaddr: u64,
    pub bytes: u64,
    pub offset: u64,
}

/// Below this much memory a second thread costs more than it saves.
const SPLIT_MIN: u64 = 64 << 20;

/// Cuts `runs` into two shares of about equal size (one run may be cut in two), so
/// that two cores can copy them at once. Small sets stay in the first share.
pub fn split_in_two(runs: &[Run]) -> (Vec<Run>, Vec<Run>) {
    let total: u64 = runs.iter().map(|r| r.bytes).sum();
    if total < SPLIT_MIN {
        return (runs.to_vec(), Vec::new());
    }
    let half = total / 2 / PAGE_SIZE * PAGE_SIZE;
    let (mut first, mut second, mut seen) = (Vec::new(), Vec::new(), 0);
    for r in runs {
        if seen >= half {
            second.push(*r);
        } else if seen + r.bytes <= half {
            first.push(*r);
        } else {
            let cut = half - seen;
            first.push(Run { bytes: cut, ..*r });
            second.push(Run {
                vaddr: r.vaddr + cut,
                bytes: r.bytes - cut,
                offset: r.offset + cut,
            });
        }
        seen += r.bytes;
    }
    (first, second)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(runs: &[Run]) -> u64 {
        runs.iter().map(|r| r.bytes).sum()
    }

    #[test]
    fn small_sets_are_not_split() {
        let runs = [Run {
            vaddr: 0x1000,
            bytes: PAGE_SIZE,
            offset: 0,
        }];
        assert_eq!(split_in_two(&runs), (runs.to_vec(), vec![]));
    }

    #[test]
    fn halves_cover_every_page_once() {
        let big = 100 << 20;
        let runs = [
            Run {
                vaddr: 0x10_0000,
                bytes: big,
                offset: 0,
            },
            Run {
                vaddr: 0x9000_0000,
                bytes: 3 * PAGE_SIZE,
                offset: big,
            },
        ];
        let (a, b) = split_in_two(&runs);
        assert_eq!(bytes(&a) + bytes(&b), bytes(&runs));
        assert!(bytes(&a).abs_diff(bytes(&b)) <= 4 * PAGE_SIZE);
        // The cut run continues exactly where its first part ends, in memory and file.
        assert_eq!(b[0].vaddr, a[0].vaddr + a[0].bytes);
        assert_eq!(b[0].offset, a[0].offset + a[0].bytes);
    }
}
