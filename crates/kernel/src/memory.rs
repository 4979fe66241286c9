//! Reading and writing another task's memory, and asking which of its pages exist.

use crate::error::SysError;
use crate::PAGE_SIZE;
use libc::pid_t;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;

/// /proc/PID/pagemap bit: the page is in RAM.
pub const PM_PRESENT: u64 = 1 << 63;
/// /proc/PID/pagemap bit: the page is in swap.
pub const PM_SWAPPED: u64 = 1 << 62;
/// /proc/PID/pagemap bit: the page is a file page or shared anonymous page, i.e. the
/// backing object holds its contents rather than the task's private copy.
pub const PM_FILE: u64 = 1 << 61;

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
        Ok(raw
            .chunks_exact(8)
            .map(|c| u64::from_ne_bytes(c.try_into().expect("8 bytes")))
            .collect())
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
    let mut done = 0usize;
    while done < buf.len() {
        let local = libc::iovec {
            iov_base: buf[done..].as_mut_ptr().cast(),
            iov_len: buf.len() - done,
        };
        let remote = libc::iovec {
            iov_base: (addr + done as u64) as *mut libc::c_void,
            iov_len: buf.len() - done,
        };
        // SAFETY: `local` covers the unfilled tail of `buf`, which we own mutably; the
        // remote iovec is only interpreted in the other task's address space.
        let ret = unsafe { libc::process_vm_readv(pid, &local, 1, &remote, 1, 0) };
        if ret <= 0 {
            let at = addr + done as u64;
            return Err(if ret == 0 {
                SysError::from_errno(
                    format!("process_vm_readv of pid {pid} at {at:#x}"),
                    libc::EFAULT,
                )
            } else {
                SysError::last(format!("process_vm_readv of pid {pid} at {at:#x}"))
            });
        }
        done += ret as usize;
    }
    Ok(())
}

/// Copies `buf` to `addr` in `pid` with process_vm_writev; the pages must be writable
/// by the task itself.
pub fn vm_write(pid: pid_t, addr: u64, buf: &[u8]) -> Result<(), SysError> {
    let mut done = 0usize;
    while done < buf.len() {
        let local = libc::iovec {
            iov_base: buf[done..].as_ptr() as *mut libc::c_void,
            iov_len: buf.len() - done,
        };
        let remote = libc::iovec {
            iov_base: (addr + done as u64) as *mut libc::c_void,
            iov_len: buf.len() - done,
        };
        // SAFETY: `local` covers the unwritten tail of `buf`, only read by the kernel.
        let ret = unsafe { libc::process_vm_writev(pid, &local, 1, &remote, 1, 0) };
        if ret <= 0 {
            let at = addr + done as u64;
            return Err(if ret == 0 {
                SysError::from_errno(
                    format!("process_vm_writev of pid {pid} at {at:#x}"),
                    libc::EFAULT,
                )
            } else {
                SysError::last(format!("process_vm_writev of pid {pid} at {at:#x}"))
            });
        }
        done += ret as usize;
    }
    Ok(())
}
