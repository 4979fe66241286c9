//! Magic numbers that open every CRIU image file.
//!
//! An image starts with one or two little-endian `u32` magics. `inventory.img`
//! carries only [`INVENTORY`]; the "service" images (`stats-*`, irmap cache)
//! start with [`IMG_SERVICE`] and every other image with [`IMG_COMMON`], each
//! followed by the image's own magic. `pages-N.img` holds raw page data with
//! no magic at all. The values are facts of CRIU's on-disk format: crust must
//! use exactly these numbers or `crit` and `criu restore` reject the files.

/// `InventoryEntry::img_version` value for the current (v1.1) image layout.
pub const CRTOOLS_IMAGES_V1_1: u32 = 2;

/// First magic of ordinary per-task and per-object images.
pub const IMG_COMMON: u32 = 0x5456_4319;
/// First magic of service images (statistics, irmap cache).
pub const IMG_SERVICE: u32 = 0x5510_5940;

/// Sole magic of `inventory.img` (no `IMG_COMMON` before it).
pub const INVENTORY: u32 = 0x5831_3116;
/// Magic of `pstree.img` (process tree).
pub const PSTREE: u32 = 0x5027_3030;
/// Magic of `fdinfo-N.img` (fd number to file id, per fd table).
pub const FDINFO: u32 = 0x5621_3732;
/// Magic of `pagemap-PID.img` (which pages live in which `pages-N.img`).
pub const PAGEMAP: u32 = 0x5608_4025;
/// Magic of `core-TID.img` (per-thread registers and task state).
pub const CORE: u32 = 0x5505_3847;
/// Magic of `ids-PID.img` (kernel object ids shared between tasks).
pub const IDS: u32 = 0x5443_2030;
/// Second magic of the `VMAS` image.
pub const VMAS: u32 = 0x5412_3737;
/// Second magic of the `PIPES` image.
pub const PIPES: u32 = 0x5651_3555;
/// Second magic of the `PIPES_DATA` image.
pub const PIPES_DATA: u32 = 0x5645_3709;
/// Second magic of the `FIFO` image.
pub const FIFO: u32 = 0x5836_4939;
/// Second magic of the `FIFO_DATA` image.
pub const FIFO_DATA: u32 = 0x5933_3054;
/// Second magic of the `SIGACT` image.
pub const SIGACT: u32 = 0x5534_4201;
/// Second magic of the `UNIXSK` image.
pub const UNIXSK: u32 = 0x5437_3943;
/// Second magic of the `INETSK` image.
pub const INETSK: u32 = 0x5644_3851;
/// Second magic of the `PACKETSK` image.
pub const PACKETSK: u32 = 0x6045_4618;
/// Second magic of the `ITIMERS` image.
pub const ITIMERS: u32 = 0x5746_4056;
/// Second magic of the `POSIX_TIMERS` image.
pub const POSIX_TIMERS: u32 = 0x5260_3957;
/// Second magic of the `SK_QUEUES` image.
pub const SK_QUEUES: u32 = 0x5626_4026;
/// Second magic of the `UTSNS` image.
pub const UTSNS: u32 = 0x5447_3203;
/// Magic of `creds-PID.img` (credentials, legacy per-task layout).
pub const CREDS: u32 = 0x5402_3547;
/// Second magic of the `IPC_VAR` image.
pub const IPC_VAR: u32 = 0x5311_5007;
/// Second magic of the `IPCNS_SHM` image.
pub const IPCNS_SHM: u32 = 0x4628_3044;
/// Second magic of the `IPCNS_MSG` image.
pub const IPCNS_MSG: u32 = 0x5545_3737;
/// Second magic of the `IPCNS_SEM` image.
pub const IPCNS_SEM: u32 = 0x5957_3019;
/// Second magic of the `REG_FILES` image.
pub const REG_FILES: u32 = 0x5036_3636;
/// Second magic of the `EXT_FILES` image.
pub const EXT_FILES: u32 = 0x5925_5641;
/// Magic of `fs-PID.img` (cwd, root, umask).
pub const FS: u32 = 0x5140_3912;
/// Magic of `mm-PID.img` (address-space layout and VMAs).
pub const MM: u32 = 0x5749_2820;
/// Second magic of the `REMAP_FPATH` image.
pub const REMAP_FPATH: u32 = 0x5913_3954;
/// Second magic of the `GHOST_FILE` image.
pub const GHOST_FILE: u32 = 0x5258_3605;
/// Second magic of the `TCP_STREAM` image.
pub const TCP_STREAM: u32 = 0x5146_5506;
/// Second magic of the `EVENTFD_FILE` image.
pub const EVENTFD_FILE: u32 = 0x4452_3722;
/// Second magic of the `EVENTPOLL_FILE` image.
pub const EVENTPOLL_FILE: u32 = 0x4502_3858;
/// Second magic of the `EVENTPOLL_TFD` image.
pub const EVENTPOLL_TFD: u32 = 0x4443_3746;
/// Second magic of the `SIGNALFD` image.
pub const SIGNALFD: u32 = 0x5732_3820;
/// Second magic of the `INOTIFY_FILE` image.
pub const INOTIFY_FILE: u32 = 0x4842_4431;
/// Second magic of the `INOTIFY_WD` image.
pub const INOTIFY_WD: u32 = 0x5456_2009;
/// Second magic of the `MNTS` image.
pub const MNTS: u32 = 0x5556_3928;
/// Second magic of the `NETDEV` image.
pub const NETDEV: u32 = 0x5737_3951;
/// Second magic of the `NETNS` image.
pub const NETNS: u32 = 0x5593_3752;
/// Second magic of the `TTY_FILES` image.
pub const TTY_FILES: u32 = 0x5943_3025;
/// Magic of `tty-info.img` (terminal state).
pub const TTY_INFO: u32 = 0x5945_3036;
/// Magic of `tty-data.img` (unread terminal input).
pub const TTY_DATA: u32 = 0x5941_3026;
/// Second magic of the `FILE_LOCKS` image.
pub const FILE_LOCKS: u32 = 0x5432_3616;
/// Second magic of the `RLIMIT` image.
pub const RLIMIT: u32 = 0x5711_3925;
/// Second magic of the `FANOTIFY_FILE` image.
pub const FANOTIFY_FILE: u32 = 0x5509_6122;
/// Second magic of the `FANOTIFY_MARK` image.
pub const FANOTIFY_MARK: u32 = 0x5650_6035;
/// Second magic of the `SIGNAL` image.
pub const SIGNAL: u32 = 0x5925_5647;
/// Second magic of the `NETLINK_SK` image.
pub const NETLINK_SK: u32 = 0x5800_5614;
/// Second magic of the `NS_FILES` image.
pub const NS_FILES: u32 = 0x6139_4011;
/// Second magic of the `TUNFILE` image.
pub const TUNFILE: u32 = 0x5714_3751;
/// Second magic of the `CGROUP` image.
pub const CGROUP: u32 = 0x5938_3330;
/// Second magic of the `TIMERFD` image.
pub const TIMERFD: u32 = 0x5049_3712;
/// Magic of `cpuinfo.img` (CPU features of the dumping host).
pub const CPUINFO: u32 = 0x6140_4013;
/// Second magic of the `USERNS` image.
pub const USERNS: u32 = 0x5547_4906;
/// Magic of `seccomp.img` (seccomp filter chains).
pub const SECCOMP: u32 = 0x6441_3049;
/// Second magic of the `BINFMT_MISC` image.
pub const BINFMT_MISC: u32 = 0x6734_3323;
/// Second magic of the `AUTOFS` image.
pub const AUTOFS: u32 = 0x4935_3943;
/// Magic of `files.img` (one entry per open file description).
pub const FILES: u32 = 0x5630_3138;
/// Second magic of the `MEMFD_INODE` image.
pub const MEMFD_INODE: u32 = 0x4845_3499;
/// Second magic of the `TIMENS` image.
pub const TIMENS: u32 = 0x4311_4433;
/// Second magic of the `PIDNS` image.
pub const PIDNS: u32 = 0x6115_7326;
/// Second magic of the `BPFMAP_FILE` image.
pub const BPFMAP_FILE: u32 = 0x5750_6142;
/// Second magic of the `BPFMAP_DATA` image.
pub const BPFMAP_DATA: u32 = 0x6432_4033;
/// Second magic of the `APPARMOR` image.
pub const APPARMOR: u32 = 0x5942_3047;
/// Magic of `stats-dump` / `stats-restore` (after `IMG_SERVICE`).
pub const STATS: u32 = 0x5709_3306;
/// Second magic of the `IRMAP_CACHE` image.
pub const IRMAP_CACHE: u32 = 0x5700_4059;
/// Second magic of the `KDAT` image.
pub const KDAT: u32 = 0x5702_3458;

/// Every known magic with CRIU's name for it, for diagnostics.
const NAMES: &[(u32, &str)] = &[
    (IMG_COMMON, "IMG_COMMON"),
    (IMG_SERVICE, "IMG_SERVICE"),
    (INVENTORY, "INVENTORY"),
    (PSTREE, "PSTREE"),
    (FDINFO, "FDINFO"),
    (PAGEMAP, "PAGEMAP"),
    (CORE, "CORE"),
    (IDS, "IDS"),
    (VMAS, "VMAS"),
    (PIPES, "PIPES"),
    (PIPES_DATA, "PIPES_DATA"),
    (FIFO, "FIFO"),
    (FIFO_DATA, "FIFO_DATA"),
    (SIGACT, "SIGACT"),
    (UNIXSK, "UNIXSK"),
    (INETSK, "INETSK"),
    (PACKETSK, "PACKETSK"),
    (ITIMERS, "ITIMERS"),
    (POSIX_TIMERS, "POSIX_TIMERS"),
    (SK_QUEUES, "SK_QUEUES"),
    (UTSNS, "UTSNS"),
    (CREDS, "CREDS"),
    (IPC_VAR, "IPC_VAR"),
    (IPCNS_SHM, "IPCNS_SHM"),
    (IPCNS_MSG, "IPCNS_MSG"),
    (IPCNS_SEM, "IPCNS_SEM"),
    (REG_FILES, "REG_FILES"),
    (EXT_FILES, "EXT_FILES"),
    (FS, "FS"),
    (MM, "MM"),
    (REMAP_FPATH, "REMAP_FPATH"),
    (GHOST_FILE, "GHOST_FILE"),
    (TCP_STREAM, "TCP_STREAM"),
    (EVENTFD_FILE, "EVENTFD_FILE"),
    (EVENTPOLL_FILE, "EVENTPOLL_FILE"),
    (EVENTPOLL_TFD, "EVENTPOLL_TFD"),
    (SIGNALFD, "SIGNALFD"),
    (INOTIFY_FILE, "INOTIFY_FILE"),
    (INOTIFY_WD, "INOTIFY_WD"),
    (MNTS, "MNTS"),
    (NETDEV, "NETDEV"),
    (NETNS, "NETNS"),
    (TTY_FILES, "TTY_FILES"),
    (TTY_INFO, "TTY_INFO"),
    (TTY_DATA, "TTY_DATA"),
    (FILE_LOCKS, "FILE_LOCKS"),
    (RLIMIT, "RLIMIT"),
    (FANOTIFY_FILE, "FANOTIFY_FILE"),
    (FANOTIFY_MARK, "FANOTIFY_MARK"),
    (SIGNAL, "SIGNAL"),
    (NETLINK_SK, "NETLINK_SK"),
    (NS_FILES, "NS_FILES"),
    (TUNFILE, "TUNFILE"),
    (CGROUP, "CGROUP"),
    (TIMERFD, "TIMERFD"),
    (CPUINFO, "CPUINFO"),
    (USERNS, "USERNS"),
    (SECCOMP, "SECCOMP"),
    (BINFMT_MISC, "BINFMT_MISC"),
    (AUTOFS, "AUTOFS"),
    (FILES, "FILES"),
    (MEMFD_INODE, "MEMFD_INODE"),
    (TIMENS, "TIMENS"),
    (PIDNS, "PIDNS"),
    (BPFMAP_FILE, "BPFMAP_FILE"),
    (BPFMAP_DATA, "BPFMAP_DATA"),
    (APPARMOR, "APPARMOR"),
    (STATS, "STATS"),
    (IRMAP_CACHE, "IRMAP_CACHE"),
    (KDAT, "KDAT"),
];

/// CRIU's name for a magic value, if it is one we know.
pub fn name_of(magic: u32) -> Option<&'static str> {
    NAMES.iter().find(|(m, _)| *m == magic).map(|(_, n)| *n)
}
