//! Open files of a task: the fd numbers and /proc/PID/fdinfo/N.

use crate::error::SysError;
use libc::pid_t;

/// What /proc/PID/fdinfo/N says about one fd.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FdInfo {
    pub pos: u64,
    /// The open file's status flags (O_*), plus O_CLOEXEC when the fd has FD_CLOEXEC.
    pub flags: u32,
    pub mnt_id: i32,
}

/// The fd numbers open in `pid`, in ascending order.
pub fn fd_numbers(pid: pid_t) -> Result<Vec<i32>, SysError> {
    let dir = format!("/proc/{pid}/fd");
    let entries =
        std::fs::read_dir(&dir).map_err(|e| SysError::from_io(format!("list {dir}"), e))?;
    let mut fds = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| SysError::from_io(format!("list {dir}"), e))?;
        if let Some(fd) = entry.file_name().to_str().and_then(|s| s.parse().ok()) {
            fds.push(fd);
        }
    }
    fds.sort_unstable();
    Ok(fds)
}

pub fn read_fdinfo(pid: pid_t, fd: i32) -> Result<FdInfo, SysError> {
    let path = format!("/proc/{pid}/fdinfo/{fd}");
    let text =
        std::fs::read_to_string(&path).map_err(|e| SysError::from_io(format!("read {path}"), e))?;
    parse_fdinfo(&text).ok_or_else(|| {
        SysError::from_errno(
            format!("parse {path}: no pos/flags lines in {text:?}"),
            libc::EINVAL,
        )
    })
}

fn parse_fdinfo(text: &str) -> Option<FdInfo> {
    let mut info = FdInfo::default();
    let (mut pos, mut flags) = (None, None);
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key {
            "pos" => pos = value.parse().ok(),
            "flags" => flags = u32::from_str_radix(value, 8).ok(),
            "mnt_id" => info.mnt_id = value.parse().unwrap_or(-1),
            _ => {}
        }
    }
    info.pos = pos?;
    info.flags = flags?;
    Some(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_captured_fdinfo() {
        let text = "pos:\t4096\nflags:\t02102002\nmnt_id:\t27\nino:\t1234\n";
        let info = parse_fdinfo(text).unwrap();
        assert_eq!(info.pos, 4096);
        assert_eq!(info.flags, 0o2102002);
        assert_eq!(info.mnt_id, 27);
    }

    #[test]
    fn rejects_text_without_flags() {
        assert_eq!(parse_fdinfo("pos:\t0\n"), None);
    }
}
