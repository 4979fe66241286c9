//! Probes for reading which pages a task has, and for serving its pages
//! lazily on restore.

use super::{own_pid, ProbeResult};
use crate::memory::{Pagemap, PAGE_IS_PRESENT, PM_PFN, PM_PRESENT};
use crate::PAGE_SIZE;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

const UFFD_USER_MODE_ONLY: i32 = 1;
const UFFD_API: u64 = 0xaa;
/// `_IOWR(0xaa, 0x3f, struct uffdio_api)`.
const UFFDIO_API: u64 = 0xc018_aa3f;

/// `struct uffdio_api`.
#[repr(C)]
#[allow(dead_code)] // kernel ABI: the kernel reads or fills in every field
#[derive(Default)]
struct UffdioApi {
    api: u64,
    features: u64,
    ioctls: u64,
}

/// Runs `f` with the start address of a page of ours that was just written to,
/// so that it is present while `f` runs.
fn with_touched_page<T>(f: impl FnOnce(u64) -> T) -> T {
    let mut probe = [0u8; 64];
    // SAFETY: `probe` is a live local array; the volatile write makes sure its page is present.
    unsafe { std::ptr::write_volatile(probe.as_mut_ptr(), 1) };
    let page = probe.as_ptr() as u64 / PAGE_SIZE * PAGE_SIZE;
    let result = f(page);
    std::hint::black_box(&probe);
    result
}

/// Reading the entry of a page we just touched from /proc/self/pagemap.
pub fn pagemap() -> ProbeResult {
    let file = Pagemap::open(own_pid()).map_err(|e| {
        format!(
            "cannot open /proc/self/pagemap ({}): is /proc mounted? the kernel needs \
             CONFIG_PROC_PAGE_MONITOR",
            e.source
        )
    })?;
    let entries = with_touched_page(|page| file.read(page, page + PAGE_SIZE))
        .map_err(|e| format!("cannot read /proc/self/pagemap: {}", e.source))?;
    let entry = entries[0];
    if entry & PM_PRESENT == 0 {
        return Err(format!(
            "/proc/self/pagemap says a page just written is not present (entry {entry:#x})"
        ));
    }
    Ok(if entry & PM_PFN == 0 {
        "readable; page frame numbers are hidden (not privileged)".into()
    } else {
        "readable".into()
    })
}

/// The `PAGEMAP_SCAN` ioctl on /proc/self/pagemap, over one page we touched.
pub fn pagemap_scan() -> ProbeResult {
    let file = Pagemap::open(own_pid())
        .map_err(|e| format!("cannot open /proc/self/pagemap: {}", e.source))?;
    let scan = with_touched_page(|page| file.scan(page, page + PAGE_SIZE, PAGE_IS_PRESENT, 1));
    let regions = scan.map_err(|e| match e.errno() {
        Some(libc::ENOTTY | libc::EINVAL) => format!(
            "not available ({}; Linux 6.7 or newer has it): crust reads /proc/PID/pagemap \
             instead",
            e.source
        ),
        _ => format!("PAGEMAP_SCAN failed: {}", e.source),
    })?;
    if regions.len() != 1 || regions[0].categories & PAGE_IS_PRESENT == 0 {
        return Err(format!(
            "PAGEMAP_SCAN did not report a page just written as present ({} regions)",
            regions.len()
        ));
    }
    Ok("available".into())
}

/// A new userfaultfd, opened with `flags`.
fn userfaultfd(flags: i32) -> io::Result<OwnedFd> {
    // SAFETY: userfaultfd takes flags and returns a new descriptor.
    let fd = unsafe { libc::syscall(libc::SYS_userfaultfd, flags) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` was just returned by userfaultfd and is owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// userfaultfd and its `UFFDIO_API` handshake.
pub fn uffd() -> ProbeResult {
    let base = libc::O_CLOEXEC | libc::O_NONBLOCK;
    // Without privilege, only user-mode faults may be handled (when
    // vm.unprivileged_userfaultfd is 0); older kernels do not know that flag.
    let mut user_mode_only = false;
    let fd = userfaultfd(base).or_else(|e| {
        if e.raw_os_error() == Some(libc::EPERM) {
            user_mode_only = true;
            userfaultfd(base | UFFD_USER_MODE_ONLY)
        } else {
            Err(e)
        }
    });
    let fd = fd.map_err(|e| match e.raw_os_error() {
        Some(libc::ENOSYS) => {
            "not available: the kernel was built without CONFIG_USERFAULTFD (or a seccomp filter \
             hides it); lazy restore is unavailable"
                .to_string()
        }
        Some(libc::EPERM) => {
            format!("not permitted ({e}): run crust as root, or set vm.unprivileged_userfaultfd=1")
        }
        _ => format!("userfaultfd failed: {e}"),
    })?;
    let mut api = UffdioApi {
        api: UFFD_API,
        ..Default::default()
    };
    // SAFETY: `api` lives across the call and the kernel writes only inside it.
    let r = unsafe { libc::ioctl(fd.as_raw_fd(), UFFDIO_API as _, &mut api as *mut UffdioApi) };
    if r < 0 {
        return Err(format!(
            "the UFFDIO_API handshake failed: {}",
            io::Error::last_os_error()
        ));
    }
    let scope = if user_mode_only {
        "; user-mode faults only (not privileged)"
    } else {
        ""
    };
    Ok(format!("available; features {:#x}{scope}", api.features))
}
