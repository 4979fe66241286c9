//! Driving a stopped task from crust: system calls it executes from the stub page,
//! and a small data area on that page for their arguments.

use crust_kernel::memory::ProcMem;
use crust_kernel::remote::RemoteSyscalls;
use crust_kernel::{ptrace, SysError, PAGE_SIZE};

/// Arguments are written after the stub's code, inside the same page.
const DATA_OFFSET: u64 = 64;

pub struct Driver {
    pub pid: i32,
    pub stub: u64,
    remote: RemoteSyscalls,
    mem: ProcMem,
}

impl Driver {
    pub fn new(pid: i32, stub: u64) -> Result<Driver, SysError> {
        let base = ptrace::get_regs(pid)?;
        Ok(Driver {
            pid,
            stub,
            remote: RemoteSyscalls::new(pid, stub, base),
            mem: ProcMem::open(pid, true)?,
        })
    }

    /// One system call; a failure names `what`.
    pub fn call(&self, nr: i64, args: [u64; 6], what: &str) -> Result<u64, SysError> {
        self.remote.call(nr, args, what)
    }

    /// One system call; returns the raw result, a negative errno on failure.
    pub fn raw_call(&self, nr: i64, args: [u64; 6]) -> Result<i64, SysError> {
        self.remote.raw(nr, args)
    }

    /// Puts `bytes` in the data area and returns their address in the task.
    pub fn put(&self, bytes: &[u8]) -> Result<u64, SysError> {
        if bytes.len() as u64 > PAGE_SIZE - DATA_OFFSET {
            return Err(SysError::from_errno(
                format!(
                    "{} bytes of arguments do not fit in the stub page of pid {}",
                    bytes.len(),
                    self.pid
                ),
                libc::E2BIG,
            ));
        }
        let addr = self.data_addr();
        self.mem.write(addr, bytes)?;
        Ok(addr)
    }

    /// Opens `path` inside the task (close-on-exec, with `flags` added) and
    /// returns the task's fd; `why` says what the file is for.
    pub fn open(&self, path: &str, flags: u64, why: &str) -> Result<u64, SysError> {
        let at = self.put_path(path)?;
        let flags = flags | libc::O_CLOEXEC as u64;
        self.call(
            libc::SYS_openat,
            [libc::AT_FDCWD as u64, at, flags, 0, 0, 0],
            &format!("open {path} {why}"),
        )
    }

    pub fn close(&self, fd: u64) -> Result<(), SysError> {
        self.call(
            libc::SYS_close,
            [fd, 0, 0, 0, 0, 0],
            &format!("close fd {fd}"),
        )
        .map(drop)
    }

    /// Where `put` places its bytes.
    pub fn data_addr(&self) -> u64 {
        self.stub + DATA_OFFSET
    }

    /// Puts a NUL-terminated path in the data area.
    pub fn put_path(&self, path: &str) -> Result<u64, SysError> {
        let mut bytes = path.as_bytes().to_vec();
        bytes.push(0);
        self.put(&bytes)
    }
}

/// Words as the bytes of a C struct of u64 fields.
pub fn words_bytes(words: &[u64]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_ne_bytes()).collect()
}
