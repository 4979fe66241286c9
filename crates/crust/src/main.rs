//! crust: checkpoint and restore of Linux processes, with criu's command line and
//! image format.

mod check;
mod cli;
mod dump;
mod file_stamp;
mod interrupts;
mod log;
mod pages;
mod pstree;
mod regs;
mod restore;
mod signals;
mod stats;

fn main() {
    // --help/--version print to stdout and exit 0; usage errors exit 1, as criu does.
    let opts = cli::parse(std::env::args_os()).unwrap_or_else(|e| e.exit());
    // A dump creates its images dir (owner-only: images hold the process's secrets)
    // before anything else, as the log file usually lives there.
    if opts.action == cli::Action::Dump {
        use std::os::unix::fs::DirBuilderExt;
        for dir in [&opts.images_dir, &opts.work_dir] {
            if let Err(e) = std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
            {
                eprintln!("Error: cannot create the directory {}: {e}", dir.display());
                std::process::exit(1);
            }
        }
    }
    // The log file is created first so that it exists even when the call fails.
    if let Err(e) = crate::log::init(&opts) {
        eprintln!("Error: {e}");
        std::process::exit(1);
    }
    if let Some(msg) = opts.unsupported() {
        ::log::error!("{msg}");
        std::process::exit(1);
    }
    let code = match &opts.action {
        cli::Action::Check { feature } => check::run(feature.as_deref()).unwrap_or_else(|e| {
            ::log::error!("{e:#}");
            1
        }),
        cli::Action::Dump => {
            // Held until the outcome is logged: a Ctrl-C during the dump then ends
            // crust once the tree is back as it was.
            let _held = interrupts::hold();
            match dump::run(&opts) {
                Ok(()) => 0,
                Err(e) => {
                    ::log::error!("dump failed: {e}");
                    1
                }
            }
        }
        cli::Action::Restore => match restore::run(&opts, interrupts::hold()) {
            Ok(restore::Outcome::Detached) => 0,
            Ok(restore::Outcome::Exited(code)) => code,
            Err(e) => {
                ::log::error!("restore failed: {e}");
                1
            }
        },
    };
    std::process::exit(code);
}
