//! Which image files exist, what they are called and which magics open them.
//!
//! File names follow CRIU's exactly (`criu restore` and `crit show` find
//! images by name), including the odd ones: the statistics files have no
//! `.img` suffix.

use crate::magic;

/// One kind of image file in an image directory.
///
/// Per-task kinds carry the id that appears in the file name: a thread id
/// for `Core`, a process id for `Mm`, `Pagemap`, `Fs`, `Ids` and `Creds`, and
/// the fd-table (files) id for `Fdinfo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageKind {
    /// `inventory.img`: image version and root task ids.
    Inventory,
    /// `pstree.img`: the process tree.
    Pstree,
    /// `core-TID.img`: one thread's registers and task state.
    Core(u32),
    /// `mm-PID.img`: address-space layout.
    Mm(u32),
    /// `pagemap-PID.img`: where the dumped pages are.
    Pagemap(u32),
    /// `files.img`: all open file descriptions.
    Files,
    /// `fdinfo-N.img`: the fds of fd table `N`.
    Fdinfo(u32),
    /// `fs-PID.img`: cwd, root and umask.
    Fs(u32),
    /// `ids-PID.img`: ids of the kernel objects a task uses.
    Ids(u32),
    /// `creds-PID.img`: credentials (legacy per-task file).
    Creds(u32),
    /// `seccomp.img`: seccomp filters.
    Seccomp,
    /// `tty-info.img`: terminal state.
    TtyInfo,
    /// `tty-data.img`: unread terminal input.
    TtyData,
    /// `cpuinfo.img`: CPU features of the dumping host.
    Cpuinfo,
    /// `stats-dump`: dump statistics.
    StatsDump,
    /// `stats-restore`: restore statistics.
    StatsRestore,
}

impl ImageKind {
    /// The file name inside the image directory.
    pub fn file_name(&self) -> String {
        match self {
            ImageKind::Inventory => "inventory.img".into(),
            ImageKind::Pstree => "pstree.img".into(),
            ImageKind::Core(tid) => format!("core-{tid}.img"),
            ImageKind::Mm(pid) => format!("mm-{pid}.img"),
            ImageKind::Pagemap(pid) => format!("pagemap-{pid}.img"),
            ImageKind::Files => "files.img".into(),
            ImageKind::Fdinfo(id) => format!("fdinfo-{id}.img"),
            ImageKind::Fs(pid) => format!("fs-{pid}.img"),
            ImageKind::Ids(pid) => format!("ids-{pid}.img"),
            ImageKind::Creds(pid) => format!("creds-{pid}.img"),
            ImageKind::Seccomp => "seccomp.img".into(),
            ImageKind::TtyInfo => "tty-info.img".into(),
            ImageKind::TtyData => "tty-data.img".into(),
            ImageKind::Cpuinfo => "cpuinfo.img".into(),
            ImageKind::StatsDump => "stats-dump".into(),
            ImageKind::StatsRestore => "stats-restore".into(),
        }
    }

    /// The magic values at the start of the file, in order.
    pub fn magics(&self) -> &'static [u32] {
        match self {
            ImageKind::Inventory => &[magic::INVENTORY],
            ImageKind::Pstree => &[magic::IMG_COMMON, magic::PSTREE],
            ImageKind::Core(_) => &[magic::IMG_COMMON, magic::CORE],
            ImageKind::Mm(_) => &[magic::IMG_COMMON, magic::MM],
            ImageKind::Pagemap(_) => &[magic::IMG_COMMON, magic::PAGEMAP],
            ImageKind::Files => &[magic::IMG_COMMON, magic::FILES],
            ImageKind::Fdinfo(_) => &[magic::IMG_COMMON, magic::FDINFO],
            ImageKind::Fs(_) => &[magic::IMG_COMMON, magic::FS],
            ImageKind::Ids(_) => &[magic::IMG_COMMON, magic::IDS],
            ImageKind::Creds(_) => &[magic::IMG_COMMON, magic::CREDS],
            ImageKind::Seccomp => &[magic::IMG_COMMON, magic::SECCOMP],
            ImageKind::TtyInfo => &[magic::IMG_COMMON, magic::TTY_INFO],
            ImageKind::TtyData => &[magic::IMG_COMMON, magic::TTY_DATA],
            ImageKind::Cpuinfo => &[magic::IMG_COMMON, magic::CPUINFO],
            ImageKind::StatsDump | ImageKind::StatsRestore => &[magic::IMG_SERVICE, magic::STATS],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_criu() {
        assert_eq!(ImageKind::Core(42).file_name(), "core-42.img");
        assert_eq!(ImageKind::Fdinfo(2).file_name(), "fdinfo-2.img");
        assert_eq!(ImageKind::StatsDump.file_name(), "stats-dump");
        assert_eq!(ImageKind::TtyInfo.file_name(), "tty-info.img");
    }

    #[test]
    fn inventory_has_single_magic() {
        assert_eq!(ImageKind::Inventory.magics(), &[magic::INVENTORY]);
        assert_eq!(ImageKind::StatsRestore.magics()[0], magic::IMG_SERVICE);
        assert_eq!(ImageKind::Mm(1).magics()[0], magic::IMG_COMMON);
    }
}
