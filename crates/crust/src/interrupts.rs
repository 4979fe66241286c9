//! Keeping Ctrl-C and kill(1) from cutting a dump or restore in half.
//!
//! Dying between two steps would leave a task traced with crust's registers in
//! it, or a tree half built. While held, the usual termination signals wait; once
//! crust has put everything in order they take effect as they would have.

use crust_kernel::own;

const HELD: [i32; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

/// Whether a held termination signal is waiting: the user asked crust to stop.
pub fn requested() -> bool {
    let pending = own::pending_signals();
    HELD.iter().any(|sig| pending & (1 << (sig - 1)) != 0)
}

/// Termination signals held back until this is dropped.
pub struct Held {
    previous_mask: Option<u64>,
}

pub fn hold() -> Held {
    let previous_mask = own::block_signals(&HELD)
        .map_err(|e| log::warn!("termination signals are not held back during the work: {e}"))
        .ok();
    Held { previous_mask }
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(mask) = self.previous_mask {
            if let Err(e) = own::set_signal_mask(mask) {
                log::warn!("letting termination signals through again: {e}");
            }
        }
    }
}
