//! End-to-end tests: real processes dumped and restored by the crust binary.
//!
//! Each test runs a bash scenario as pid 1 of its own pid and mount
//! namespace (see `support`), then checks the state the restored process
//! shows (its output, its memory, its registers, its credentials), not just
//! crust's exit codes. All scenarios live in this one test binary so that
//! cargo runs them in parallel, the slow `sleep 30` one beside the others.
//!
//! Run: `cargo test -p crust --release --test e2e` as root (add
//! `-- --nocapture` to see what the memstate program could exercise).

#[path = "../support/mod.rs"]
mod support;

mod bad_input;
mod continuity;
mod credentials;
mod failures;
mod guarantees;
mod images;
mod memstate;
