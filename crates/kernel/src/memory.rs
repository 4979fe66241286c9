//! Reading and writing another task's memory, and asking which of its pages exist.

use crate::error::SysError;
use crate::PAGE_SIZE;
use libc::pid_t;
use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;
use std::os::unix::fs::FileExt;

/// /proc/PID/pagemap bit: the page is in RAM.
pub const PM_PRESENT: u64 = 1 << 63;
/// /proc/PID/pagemap bit: the page is in swap.
pub const PM_SWAPPED: u64 = 1 << 62;
/// /proc/PID/pagemap bit: the page is a file page or shared anonymous page, i.e. the
/// backing object holds its contents rather than the task's private copy.
pub const PM_FILE: u64 = 1 << 61;
/// /proc/PID/pagemap bit: the page is a guard region (MADV_GUARD_INSTALL): any
/// access faults, and it has no contents.
pub const PM_GUARD_REGION: u64 = 1 << 58;
/// /proc/PID/pagemap bits 0-54: the page frame number (zero when not privileged).
pub const PM_PFN: u64 = (1 << 55) - 1;

/// PAGEMAP_SCAN category: the page is present.
pub const PAGE_IS_PRESENT: u64 = 1 << 3;
/// PAGEMAP_SCAN category: the page is in swap.
pub const PAGE_IS_SWAPPED: u64 = 1 << 4;
/// PAGEMAP_SCAN category: the page is a guard region.
pub const PAGE_IS_GUARD: u64 = 1 << 8;
/// `_IOWR('f', 16, struct pm_scan_arg)`.
const PAGEMAP_SCAN: u64 = 0xc060_6610;

/// `struct pm_scan_arg`.
#[repr(C)]
#[allow(dead_code)] // kernel ABI: the kernel reads or fills in every field
#[derive(Default)]
struct PmScanArg {
    size: u64,
    flags: u64,
    start: u64,
    end: u64,
    walk_end: u64,
    vec: u64,
    vec_len: u64,
    max_pages: u64,
    category_inverted: u64,
    category_mask: u64,
    category_anyof_mask: u64,
    return_mask: u64,
}

/// A run of pages `[start, end)` sharing `categories`, as PAGEMAP_SCAN reports
/// it (`struct page_region`).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PageRegion {
    pub start: u64,
    pub end: u64,
    pub categories: u64,
}

/// /proc/PID/pagemap of one task, one 64-bit entry a page.
pub struct Pagemap {
    file: File,
    pid: pid_t,
}

impl Pagemap {
    pub fn open(pid: pid_t) -> Result<Pagemap, SysError> {
        let path = format!("/proc/{pid}/pagemap");
        let file = File::open(&path).map_err(|e| SysError::from_io(format!("open {path}"), e))?;
        Ok(Pagemap { file, pid })
    }

    /// The entries of the pages in `[start, end)`.
    pub fn read(&self, start: u64, end: u64) -> Result<Vec<u64>, SysError> {
        let pages = ((end - start) / PAGE_SIZE) as usize;
        let mut raw = vec![0u8; pages * 8];
        self.file
            .read_exact_at(&mut raw, start / PAGE_SIZE * 8)
            .map_err(|e| {
                SysError::from_io(
                    format!("read pagemap of pid {} at {start:#x}-{end:#x}", self.pid),
                    e,
                )
            })?;
        Ok(crate::words(&raw))
    }

    /// The PAGEMAP_SCAN ioctl (Linux 6.7) over `[start, end)`: every page, in
    /// at most `max` runs of pages that agree on the categories in `return_mask`.
    pub fn scan(
        &self,
        start: u64,
        end: u64,
        return_mask: u64,
        max: usize,
    ) -> Result<Vec<PageRegion>, SysError> {
        self.scan_with(start, end, 0, return_mask, max)
    }

    /// Like `scan`, but reports only the pages in at least one of the categories
    /// in `any_of` (and those categories of them). Empty stretches of a sparse
    /// mapping cost next to nothing, unlike reading their pagemap entries.
    pub fn scan_any_of(
        &self,
        start: u64,
        end: u64,
        any_of: u64,
        max: usize,
    ) -> Result<Vec<PageRegion>, SysError> {
        self.scan_with(start, end, any_of, any_of, max)
    }

    fn scan_with(
        &self,
        start: u64,
        end: u64,
        any_of: u64,
        return_mask: u64,
        max: usize,
    ) -> Result<Vec<PageRegion>, SysError> {
        let mut regions = vec![PageRegion::default(); max];
        let mut arg = PmScanArg {
            size: std::mem::size_of::<PmScanArg>() as u64,
            start,
            end,
            vec: regions.as_mut_ptr() as u64,
            vec_len: regions.len() as u64,
            category_anyof_mask: any_of,
            return_mask,
            ..PmScanArg::default()
        };
        // SAFETY: `arg` and the `regions` it points to live across the call; the
        // kernel writes at most `vec_len` regions and updates `arg.walk_end`.
        let ret = unsafe {
            libc::ioctl(
                self.file.as_raw_fd(),
                PAGEMAP_SCAN as _,
                &mut arg as *mut PmScanArg,
            )
        };
        if ret < 0 {
            return Err(SysError::last(format!(
                "PAGEMAP_SCAN of pid {} at {start:#x}-{end:#x}",
                self.pid
            )));
        }
        regions.truncate(ret as usize);
        Ok(regions)
    }
}

/// /proc/PID/mem: reaches pages the task itself could not read or write (PROT_NONE,
/// read-only private mappings), at the cost of a copy per page inside the kernel.
pub struct ProcMem {
    file: File,
    pid: pid_t,
}

impl ProcMem {
    pub fn open(pid: pid_t, write: bool) -> Result<ProcMem, SysError> {
        let path = format!("/proc/{pid}/mem");
        let file = OpenOptions::new()
            .read(true)
            .write(write)
            .open(&path)
            .map_err(|e| SysError::from_io(format!("open {path}"), e))?;
        Ok(ProcMem { file, pid })
    }

    pub fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), SysError> {
        self.file.read_exact_at(buf, addr).map_err(|e| {
            SysError::from_io(
                format!("read {} bytes of pid {} at {addr:#x}", buf.len(), self.pid),
                e,
            )
        })
    }

    pub fn write(&self, addr: u64, buf: &[u8]) -> Result<(), SysError> {
        self.file.write_all_at(buf, addr).map_err(|e| {
            SysError::from_io(
                format!("write {} bytes of pid {} at {addr:#x}", buf.len(), self.pid),
                e,
            )
        })
    }
}

/// Copies `buf.len()` bytes from `addr` in `pid` with one process_vm_readv call
/// (repeated for short reads). Fails on pages the task cannot read itself.
pub fn vm_read(pid: pid_t, addr: u64, buf: &mut [u8]) -> Result<(), SysError> {
    let local = buf.as_mut_ptr();
    transfer(
        pid,
        addr,
        local,
        buf.len(),
        "process_vm_readv",
        |local_iov, remote_iov| {
            // SAFETY: `local_iov` covers the unfilled tail of `buf`, which we own
            // mutably; the remote iovec is only interpreted in the other task.
            unsafe { libc::process_vm_readv(pid, local_iov, 1, remote_iov, 1, 0) }
        },
    )
}

/// Copies `buf` to `addr` in `pid` with process_vm_writev; the pages must be writable
/// by the task itself.
pub fn vm_write(pid: pid_t, addr: u64, buf: &[u8]) -> Result<(), SysError> {
    let local = buf.as_ptr() as *mut u8;
    transfer(
        pid,
        addr,
        local,
        buf.len(),
        "process_vm_writev",
        |local_iov, remote_iov| {
            // SAFETY: `local_iov` covers the unwritten tail of `buf`, which the kernel
            // only reads.
            unsafe { libc::process_vm_writev(pid, local_iov, 1, remote_iov, 1, 0) }
        },
    )
}

/// Moves `len` bytes between `local` and `addr` in `pid` with `call` (one
/// process_vm_readv or _writev), again for what a short transfer left.
fn transfer(
    pid: pid_t,
    addr: u64,
    local: *mut u8,
    len: usize,
    name: &str,
    call: impl Fn(&libc::iovec, &libc::iovec) -> isize,
) -> Result<(), SysError> {
    let mut done = 0usize;
    while done < len {
        let local_iov = libc::iovec {
            iov_base: local.wrapping_add(done).cast(),
            iov_len: len - done,
        };
        let remote_iov = libc::iovec {
            iov_base: (addr + done as u64) as *mut libc::c_void,
            iov_len: len - done,
        };
        let ret = call(&local_iov, &remote_iov);
        if ret <= 0 {
            let what = format!("{name} of pid {pid} at {:#x}", addr + done as u64);
            return Err(if ret == 0 {
                SysError::from_errno(what, libc::EFAULT)
            } else {
                SysError::last(what)
            });
        }
        done += ret as usize;
    }
    Ok(())
}
