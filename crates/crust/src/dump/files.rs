//! Open files of a task, and the files its mappings, cwd, root and exe refer to:
//! the entries of files.img and fdinfo-N.img.

use super::error::DumpError;
use crust_images::pb::{
    FdTypes, FdinfoEntry, FileEntry, FownEntry, RegFileEntry, TtyFileEntry, TtyInfoEntry,
    TtyPtyEntry, TtyType,
};
use crust_kernel::proc::read_fdinfo;
use crust_kernel::SysError;
use log::debug;
use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Major numbers of terminal devices: Unix98 pty slaves, and the tty/console devices.
const PTY_SLAVE_MAJORS: std::ops::RangeInclusive<u64> = 136..=143;
const TTY_MAJOR: u64 = 4;
const TTYAUX_MAJOR: u64 = 5;

/// Every file the dumped tasks refer to, each under an id the other images use.
#[derive(Default)]
pub struct FileTable {
    next_id: u32,
    pub entries: Vec<FileEntry>,
    pub ttys: Vec<TtyInfoEntry>,
    /// Files opened only to be mapped, shared between mappings of the same file.
    mapped: HashMap<(PathBuf, u32), u32>,
}

impl FileTable {
    fn new_id(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id
    }

    /// A file that a mapping, the cwd, the root or the exe link refers to. `link` is
    /// the /proc path that reaches the very file the task holds.
    pub fn add_mapped(&mut self, path: &Path, link: &str, flags: u32) -> Result<u32, SysError> {
        if let Some(id) = self.mapped.get(&(path.to_path_buf(), flags)) {
            return Ok(*id);
        }
        let reg = self.reg_entry(path, link, flags, 0)?;
        let id = reg.id;
        self.entries
            .push(file_entry(FdTypes::Reg, id, Some(reg), None));
        self.mapped.insert((path.to_path_buf(), flags), id);
        Ok(id)
    }

    fn reg_entry(
        &mut self,
        path: &Path,
        link: &str,
        flags: u32,
        pos: u64,
    ) -> Result<RegFileEntry, SysError> {
        let name = path.to_string_lossy();
        if name.ends_with(" (deleted)") {
            return Err(SysError::from_errno(
                format!(
                    "{name} was deleted while open; carrying unlinked files is not supported yet"
                ),
                libc::ENOENT,
            ));
        }
        let meta = std::fs::metadata(link)
            .map_err(|e| SysError::from_io(format!("stat {link} ({name})"), e))?;
        Ok(RegFileEntry {
            id: self.new_id(),
            flags,
            pos,
            fown: FownEntry::default(),
            name: name.into_owned(),
            size: Some(meta.size()),
            mode: Some(meta.mode()),
            crust_mtime_ns: Some(crate::file_stamp::mtime_ns(&meta)),
            crust_inode: Some(meta.ino()),
            crust_dev: Some(meta.dev()),
            ..RegFileEntry::default()
        })
    }

    /// Records fd `fd` of `pid`; returns its fdinfo entry.
    pub fn add_fd(&mut self, pid: i32, fd: i32, shell_job: bool) -> Result<FdinfoEntry, DumpError> {
        let fd_err = |source| DumpError::File { pid, fd, source };
        let link = format!("/proc/{pid}/fd/{fd}");
        let target = std::fs::read_link(&link)
            .map_err(|e| fd_err(SysError::from_io(format!("readlink {link}"), e)))?;
        let info = read_fdinfo(pid, fd).map_err(fd_err)?;
        let meta = std::fs::metadata(&link)
            .map_err(|e| fd_err(SysError::from_io(format!("stat {link}"), e)))?;
        let cloexec = info.flags & libc::O_CLOEXEC as u32 != 0;
        let flags = info.flags & !(libc::O_CLOEXEC as u32);
        let file_type = meta.mode() & libc::S_IFMT;
        let unsupported = |what: &str| DumpError::Unsupported {
            pid,
            what: format!("fd {fd} ({}: {what})", target.display()),
        };

        let (kind, id) = if file_type == libc::S_IFCHR && is_terminal(meta.rdev()) {
            if !shell_job {
                return Err(DumpError::NeedsShellJob {
                    pid,
                    fd,
                    tty: target.display().to_string(),
                });
            }
            (FdTypes::Tty, self.add_tty(pid, flags, meta.rdev()))
        } else if target.to_string_lossy().starts_with("/memfd:") {
            return Err(unsupported("a memfd"));
        } else if matches!(file_type, libc::S_IFREG | libc::S_IFDIR | libc::S_IFCHR) {
            let reg = self
                .reg_entry(&target, &link, flags, info.pos)
                .map_err(fd_err)?;
            let id = reg.id;
            self.entries
                .push(file_entry(FdTypes::Reg, id, Some(reg), None));
            (FdTypes::Reg, id)
        } else if file_type == libc::S_IFIFO {
            return Err(unsupported("a pipe or FIFO"));
        } else if file_type == libc::S_IFSOCK {
            return Err(unsupported("a socket"));
        } else {
            return Err(unsupported("an anonymous inode or special file"));
        };
        debug!(
            "pid {pid}: fd {fd} -> {} (flags {flags:#o}, pos {})",
            target.display(),
            info.pos
        );
        Ok(FdinfoEntry {
            id,
            flags: if cloexec { libc::FD_CLOEXEC as u32 } else { 0 },
            r#type: kind as i32,
            fd: fd as u32,
            xattr_security_selinux: None,
        })
    }

    fn add_tty(&mut self, pid: i32, flags: u32, rdev: u64) -> u32 {
        let info_id = match self.ttys.iter().find(|t| t.rdev as u64 == rdev) {
            Some(t) => t.id,
            None => {
                let id = self.new_id();
                let (pgrp, sid) = crust_kernel::proc::mm_bounds(pid)
                    .map(|b| (b.pgrp, b.session))
                    .unwrap_or_else(|e| {
                        log::warn!("pid {pid}: the terminal's session is not recorded: {e}");
                        (0, 0)
                    });
                self.ttys.push(TtyInfoEntry {
                    id,
                    r#type: TtyType::Pty as i32,
                    sid: sid as u32,
                    pgrp: pgrp as u32,
                    rdev: rdev as u32,
                    pty: Some(TtyPtyEntry {
                        index: libc::minor(rdev),
                    }),
                    ..TtyInfoEntry::default()
                });
                id
            }
        };
        let id = self.new_id();
        let tty = TtyFileEntry {
            id,
            tty_info_id: info_id,
            flags,
            fown: FownEntry::default(),
            regf_id: None,
        };
        self.entries
            .push(file_entry(FdTypes::Tty, id, None, Some(tty)));
        id
    }
}

fn file_entry(
    kind: FdTypes,
    id: u32,
    reg: Option<RegFileEntry>,
    tty: Option<TtyFileEntry>,
) -> FileEntry {
    FileEntry {
        r#type: kind as i32,
        id,
        reg,
        tty,
    }
}

fn is_terminal(rdev: u64) -> bool {
    let major = libc::major(rdev) as u64;
    PTY_SLAVE_MAJORS.contains(&major)
        || major == TTY_MAJOR
        || major == TTYAUX_MAJOR && libc::minor(rdev) <= 1
}
