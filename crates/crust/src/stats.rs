//! Timing the stages of a dump or restore, for the stats-dump and stats-restore images.

use std::time::{Duration, Instant};

pub struct Timer {
    start: Instant,
    last: Instant,
}

impl Timer {
    pub fn start() -> Timer {
        let now = Instant::now();
        Timer {
            start: now,
            last: now,
        }
    }

    /// Time since the previous lap (or the start).
    pub fn lap(&mut self) -> Duration {
        let now = Instant::now();
        let lap = now - self.last;
        self.last = now;
        lap
    }

    pub fn total(&self) -> Duration {
        self.start.elapsed()
    }
}
