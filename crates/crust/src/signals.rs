//! Which signals have a disposition in the images.

/// Signals 1 to 64 but SIGKILL and SIGSTOP, whose dispositions cannot change: the
/// order of the sigaction entries of a core image, as criu writes them.
pub fn with_disposition() -> impl Iterator<Item = i32> {
    (1..=64).filter(|&sig| sig != libc::SIGKILL && sig != libc::SIGSTOP)
}

#[cfg(test)]
mod tests {
    #[test]
    fn sixty_two_signals_have_dispositions() {
        let sigs: Vec<i32> = super::with_disposition().collect();
        assert_eq!(sigs.len(), 62);
        assert!(!sigs.contains(&libc::SIGKILL) && !sigs.contains(&libc::SIGSTOP));
    }
}
