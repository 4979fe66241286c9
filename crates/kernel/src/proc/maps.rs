//! The mappings of an address space, from /proc/PID/smaps.

use super::proc_err;
use crate::error::SysError;
use libc::pid_t;
use procfs::process::{MMPermissions, MMapPath, VmFlags};
use std::path::PathBuf;

/// What backs a mapping, in the terms dump and restore care about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VmaKind {
    /// Anonymous memory; `heap` and `stack` say which named area it is, if any.
    Anon { heap: bool, stack: bool },
    /// A file mapped from `path` (device and inode identify it).
    File {
        path: PathBuf,
        dev: (i32, i32),
        inode: u64,
    },
    /// One of the kernel's vDSO areas ([vvar], [vvar_vclock], [vdso]).
    Vdso(String),
    /// The fixed legacy [vsyscall] page: not part of any address space to carry.
    Vsyscall,
    /// Anything else the kernel names in brackets, which crust cannot carry yet.
    Other(String),
}

/// One line of /proc/PID/smaps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vma {
    pub start: u64,
    pub end: u64,
    /// PROT_* bits.
    pub prot: u32,
    pub shared: bool,
    /// File offset in bytes.
    pub offset: u64,
    pub growsdown: bool,
    /// Mapped with MAP_NORESERVE: no swap space was set aside for it.
    pub noreserve: bool,
    pub kind: VmaKind,
}

impl Vma {
    pub fn len(&self) -> u64 {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

pub fn read_vmas(pid: pid_t) -> Result<Vec<Vma>, SysError> {
    let process =
        procfs::process::Process::new(pid).map_err(|e| proc_err(format!("open /proc/{pid}"), e))?;
    let maps = process
        .smaps()
        .map_err(|e| proc_err(format!("read /proc/{pid}/smaps"), e))?;
    Ok(maps.into_iter().map(vma_from).collect())
}

fn vma_from(map: procfs::process::MemoryMap) -> Vma {
    let mut prot = 0;
    if map.perms.contains(MMPermissions::READ) {
        prot |= libc::PROT_READ as u32;
    }
    if map.perms.contains(MMPermissions::WRITE) {
        prot |= libc::PROT_WRITE as u32;
    }
    if map.perms.contains(MMPermissions::EXECUTE) {
        prot |= libc::PROT_EXEC as u32;
    }
    let kind = match map.pathname {
        MMapPath::Path(path) => VmaKind::File {
            path,
            dev: map.dev,
            inode: map.inode,
        },
        MMapPath::Heap => VmaKind::Anon {
            heap: true,
            stack: false,
        },
        MMapPath::Stack => VmaKind::Anon {
            heap: false,
            stack: true,
        },
        MMapPath::Anonymous | MMapPath::TStack(_) => VmaKind::Anon {
            heap: false,
            stack: false,
        },
        MMapPath::Vdso => VmaKind::Vdso("vdso".into()),
        MMapPath::Vvar => VmaKind::Vdso("vvar".into()),
        MMapPath::Vsyscall => VmaKind::Vsyscall,
        MMapPath::Other(name) if name.starts_with("vvar") || name.starts_with("vdso") => {
            VmaKind::Vdso(name)
        }
        MMapPath::Other(name) => VmaKind::Other(name),
        other => VmaKind::Other(format!("{other:?}")),
    };
    Vma {
        start: map.address.0,
        end: map.address.1,
        prot,
        shared: map.perms.contains(MMPermissions::SHARED),
        offset: map.offset,
        growsdown: map.extension.vm_flags.contains(VmFlags::GD),
        noreserve: map.extension.vm_flags.contains(VmFlags::NR),
        kind,
    }
}
