//! Logging: criu's verbosity levels on the `log` facade, written by fern.
//!
//! | `-v` | shows                                |
//! |------|--------------------------------------|
//! | 0    | nothing                              |
//! | 1    | errors                               |
//! | 2    | errors, warnings (the default)       |
//! | 3    | + info                               |
//! | 4    | + debug (and trace: nothing is above) |
//!
//! Messages at or above the level go to stderr; with `-o FILE` they go to that
//! file, each line prefixed with the time since logging started, as
//! `(SS.UUUUUU)`, and stderr keeps only errors and warnings.
//!
//! Inside the crate root, where this module shadows the `log` crate, write
//! the crate's macros as `::log::info!(..)`.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ::log::{Level, LevelFilter, Record};

use crate::cli::Options;

/// Why logging could not be set up as asked.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The `-o` file could not be created. Logging to stderr is set up anyway.
    #[error("cannot create the log file {}: {source}", path.display())]
    CreateFile {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// A logger was already installed in this process.
    #[error("logging was already set up")]
    AlreadySet(#[from] ::log::SetLoggerError),
}

/// The `log` filter for one of criu's verbosity levels.
pub fn level_filter(verbosity: u8) -> LevelFilter {
    match verbosity {
        0 => LevelFilter::Off,
        1 => LevelFilter::Error,
        2 => LevelFilter::Warn,
        3 => LevelFilter::Info,
        _ => LevelFilter::Trace,
    }
}

/// Sets up logging as `opts` ask: stderr, and the `-o` log file if any.
///
/// The log file is created (mode 0600, truncated) before anything else, so
/// it exists after this call even when the call fails; if it cannot be
/// created, stderr logging is still set up and the error returned.
pub fn init(opts: &Options) -> Result<(), LogError> {
    let start = Instant::now();
    let file = match &opts.log_file {
        Some(path) => match create_log_file(path) {
            Ok(file) => Some(file),
            Err(source) => {
                let _ = dispatch(opts.verbosity, start, None).apply();
                return Err(LogError::CreateFile {
                    path: path.clone(),
                    source,
                });
            }
        },
        None => None,
    };
    dispatch(opts.verbosity, start, file).apply()?;
    Ok(())
}

/// Creates (or truncates) the log file, readable only by its owner.
fn create_log_file(path: &Path) -> io::Result<File> {
    // The log usually sits in the images dir: a symlink planted there is replaced,
    // never followed, as for the images themselves.
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        std::fs::remove_file(path)?;
    }
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    // An existing log keeps no wider mode than a new one: it may quote secrets.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    Ok(file)
}

fn dispatch(verbosity: u8, start: Instant, file: Option<File>) -> fern::Dispatch {
    // With a log file, the terminal only gets what needs the user's attention;
    // the file has every message the verbosity asks for.
    let stderr_level = if file.is_some() {
        level_filter(verbosity).min(LevelFilter::Warn)
    } else {
        level_filter(verbosity)
    };
    let stderr = fern::Dispatch::new()
        .level(stderr_level)
        .format(|out, message, record| out.finish(format_args!("{}", Line { record, message })))
        .chain(Box::new(Quiet(io::stderr())) as Box<dyn io::Write + Send>);
    let mut root = fern::Dispatch::new()
        .level(level_filter(verbosity))
        .chain(stderr);
    if let Some(file) = file {
        root = root.chain(
            fern::Dispatch::new()
                .format(move |out, message, record| {
                    out.finish(format_args!(
                        "{} {}",
                        Stamp(start.elapsed()),
                        Line { record, message }
                    ))
                })
                .chain(Box::new(Quiet(file)) as Box<dyn io::Write + Send>),
        );
    }
    root
}

/// An output that never fails: a reader that went away (`crust dump ... | head`)
/// or a full disk under the log file must not turn a log line into a panic in the
/// middle of a dump, while tasks are frozen.
struct Quiet<W>(W);

impl<W: io::Write> io::Write for Quiet<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let _ = self.0.write_all(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let _ = self.0.flush();
        Ok(())
    }
}

/// One message as crust prints it: errors and warnings say so, the rest is the
/// bare message. Errors carry their own context (step, pid, file), so the source
/// location would only be noise.
struct Line<'a> {
    record: &'a Record<'a>,
    message: &'a fmt::Arguments<'a>,
}

impl fmt::Display for Line<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tag = match self.record.level() {
            Level::Error => "Error",
            Level::Warn => "Warn",
            _ => return write!(f, "{}", self.message),
        };
        write!(f, "{tag}: {}", self.message)
    }
}

/// The time since logging started, as `(SS.UUUUUU)`.
struct Stamp(Duration);

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({:02}.{:06})", self.0.as_secs(), self.0.subsec_micros())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn options(log_file: Option<PathBuf>, verbosity: u8) -> Options {
        let mut o = crate::cli::parse(["crust", "check"].map(Into::into)).unwrap();
        o.log_file = log_file;
        o.verbosity = verbosity;
        o
    }

    fn scratch_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("crust-log-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn levels() {
        assert_eq!(level_filter(0), LevelFilter::Off);
        assert_eq!(level_filter(1), LevelFilter::Error);
        assert_eq!(level_filter(2), LevelFilter::Warn);
        assert_eq!(level_filter(3), LevelFilter::Info);
        assert_eq!(level_filter(4), LevelFilter::Trace);
    }

    #[test]
    fn stamp_format() {
        assert_eq!(
            Stamp(Duration::from_micros(1234)).to_string(),
            "(00.001234)"
        );
        assert_eq!(
            Stamp(Duration::from_micros(12_345_678)).to_string(),
            "(12.345678)"
        );
        assert_eq!(Stamp(Duration::from_secs(125)).to_string(), "(125.000000)");
    }

    #[test]
    fn line_format() {
        let show = |level, args: fmt::Arguments<'_>| {
            let record = Record::builder()
                .level(level)
                .target("crust::dump")
                .file(Some("src/dump.rs"))
                .line(Some(7))
                .args(args)
                .build();
            Line {
                record: &record,
                message: record.args(),
            }
            .to_string()
        };
        assert_eq!(
            show(Level::Error, format_args!("boom {}", 1)),
            "Error: boom 1"
        );
        assert_eq!(show(Level::Warn, format_args!("hm")), "Warn: hm");
        assert_eq!(show(Level::Info, format_args!("hello")), "hello");
        assert_eq!(show(Level::Debug, format_args!("dbg")), "dbg");
    }

    #[test]
    fn unwritable_log_file_is_reported() {
        let dir = scratch_dir("missing");
        let path = dir.join("no-such-dir").join("x.log");
        let e = create_log_file(&path).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
        let _ = std::fs::remove_dir_all(dir);
    }

    /// The only test here that installs the process-wide logger. Should some
    /// other test of the crate have installed one first, only the file
    /// creation can be checked.
    #[test]
    fn init_writes_the_log_file() {
        let dir = scratch_dir("init");
        let path = dir.join("crust.log");
        std::fs::write(&path, "old contents\n").unwrap();
        match init(&options(Some(path.clone()), 3)) {
            Ok(()) => {
                ::log::info!("info line");
                ::log::debug!("debug line, filtered out");
                ::log::warn!("warn line");
                let text = std::fs::read_to_string(&path).unwrap();
                let lines: Vec<&str> = text.lines().collect();
                assert_eq!(lines.len(), 2, "{text}");
                assert!(
                    lines[0].starts_with('(') && lines[0].ends_with(") info line"),
                    "{text}"
                );
                assert_eq!(&lines[0][3..4], ".", "{text}");
                assert!(lines[1].ends_with(") Warn: warn line"), "{text}");
            }
            Err(LogError::AlreadySet(_)) => {}
            Err(e) => panic!("{e}"),
        }
        assert!(!std::fs::read_to_string(&path)
            .unwrap()
            .contains("old contents"));

        // Now a logger is installed: init fails, yet creates its log file first.
        let second = dir.join("second.log");
        let e = init(&options(Some(second.clone()), 2)).unwrap_err();
        assert!(matches!(e, LogError::AlreadySet(_)), "{e}");
        let mode = std::fs::metadata(&second).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let _ = std::fs::remove_dir_all(dir);
    }
}
