//! State only the task itself can read, fetched by making the frozen task issue
//! single system calls (see crust_kernel::remote).

use super::error::DumpError;
use super::freeze::Frozen;
use crust_kernel::memory::ProcMem;
use crust_kernel::proc::{Vma, VmaKind};
use crust_kernel::ptrace;
use crust_kernel::remote::{find_syscall_insn, RemoteSyscalls};
use crust_kernel::SysError;

/// One signal's disposition, as the kernel's `struct sigaction` holds it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SigAction {
    pub handler: u64,
    pub flags: u64,
    pub restorer: u64,
    pub mask: u64,
}

/// An interval timer: interval and current value, seconds and microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ITimer {
    pub interval: (u64, u64),
    pub value: (u64, u64),
}

#[derive(Debug, Clone, Default)]
pub struct InsideState {
    /// One entry per signal of `signals::with_disposition`, in that order.
    pub sigactions: Vec<SigAction>,
    /// ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF.
    pub itimers: [ITimer; 3],
    /// sigaltstack: sp, flags, size.
    pub altstack: (u64, u32, u64),
    pub clear_child_tid: u64,
    pub securebits: u32,
    pub dumpable: u32,
    pub pdeathsig: u32,
    pub child_subreaper: bool,
    pub thp_disabled: bool,
    pub brk: u64,
}

const SCRATCH: u64 = 4096;

/// Reads the state above from `task`, leaving its registers and mask as they were.
pub fn read_inside(task: &Frozen, vmas: &[Vma]) -> Result<InsideState, DumpError> {
    let pid = task.pid;
    let collect = |source| DumpError::Collect { pid, source };
    let mem = ProcMem::open(pid, false).map_err(collect)?;
    let ip = find_syscall(pid, &mem, vmas).map_err(collect)?;
    // No handler may run between our calls: everything blocked until the end.
    ptrace::set_sigmask(pid, !0).map_err(collect)?;
    let remote = RemoteSyscalls::new(pid, ip, task.regs);
    let result = read_with(&remote, &mem);
    let restored = ptrace::set_regs(pid, &task.regs)
        .and(ptrace::set_sigmask(pid, task.sigmask))
        .and_then(|()| remote.settle());
    let state = result.map_err(collect)?;
    restored.map_err(collect)?;
    Ok(state)
}

fn read_with(remote: &RemoteSyscalls, mem: &ProcMem) -> Result<InsideState, SysError> {
    let prot = (libc::PROT_READ | libc::PROT_WRITE) as u64;
    let flags = (libc::MAP_PRIVATE | libc::MAP_ANONYMOUS) as u64;
    let scratch = remote.call(
        libc::SYS_mmap,
        [0, SCRATCH, prot, flags, u64::MAX, 0],
        "mmap of a scratch page",
    )?;
    let state = read_through(remote, mem, scratch);
    let unmapped = remote.call(
        libc::SYS_munmap,
        [scratch, SCRATCH, 0, 0, 0, 0],
        "munmap of the scratch page",
    );
    let state = state?;
    unmapped?;
    Ok(state)
}

fn read_through(
    remote: &RemoteSyscalls,
    mem: &ProcMem,
    scratch: u64,
) -> Result<InsideState, SysError> {
    let words = |n: usize| -> Result<Vec<u64>, SysError> {
        let mut buf = vec![0u8; n * 8];
        mem.read(scratch, &mut buf)?;
        Ok(crust_kernel::words(&buf))
    };
    let mut state = InsideState::default();

    for sig in crate::signals::with_disposition() {
        let what = format!("rt_sigaction({sig})");
        remote.call(
            libc::SYS_rt_sigaction,
            [sig as u64, 0, scratch, 8, 0, 0],
            &what,
        )?;
        let w = words(4)?;
        state.sigactions.push(SigAction {
            handler: w[0],
            flags: w[1],
            restorer: w[2],
            mask: w[3],
        });
    }

    for (which, timer) in state.itimers.iter_mut().enumerate() {
        remote.call(
            libc::SYS_getitimer,
            [which as u64, scratch, 0, 0, 0, 0],
            "getitimer",
        )?;
        let w = words(4)?;
        *timer = ITimer {
            interval: (w[0], w[1]),
            value: (w[2], w[3]),
        };
    }

    remote.call(
        libc::SYS_sigaltstack,
        [0, scratch, 0, 0, 0, 0],
        "sigaltstack",
    )?;
    let w = words(3)?;
    state.altstack = (w[0], w[1] as u32, w[2]);

    remote.call(
        libc::SYS_prctl,
        [libc::PR_GET_TID_ADDRESS as u64, scratch, 0, 0, 0, 0],
        "prctl(PR_GET_TID_ADDRESS)",
    )?;
    state.clear_child_tid = words(1)?[0];
    remote.call(
        libc::SYS_prctl,
        [libc::PR_GET_PDEATHSIG as u64, scratch, 0, 0, 0, 0],
        "prctl(PR_GET_PDEATHSIG)",
    )?;
    state.pdeathsig = words(1)?[0] as u32;
    let prctl = |option: i32, what: &str| {
        remote.call(libc::SYS_prctl, [option as u64, 0, 0, 0, 0, 0], what)
    };
    state.securebits = prctl(libc::PR_GET_SECUREBITS, "prctl(PR_GET_SECUREBITS)")? as u32;
    state.dumpable = prctl(libc::PR_GET_DUMPABLE, "prctl(PR_GET_DUMPABLE)")? as u32;
    state.thp_disabled = prctl(libc::PR_GET_THP_DISABLE, "prctl(PR_GET_THP_DISABLE)")? != 0;
    remote.call(
        libc::SYS_prctl,
        [libc::PR_GET_CHILD_SUBREAPER as u64, scratch, 0, 0, 0, 0],
        "prctl(PR_GET_CHILD_SUBREAPER)",
    )?;
    state.child_subreaper = words(1)?[0] as u32 != 0;
    state.brk = remote.call(libc::SYS_brk, [0; 6], "brk(0)")?;
    Ok(state)
}

/// A `syscall` instruction in the task's own code: the vDSO has some, and so does
/// the C library when a program runs without a vDSO.
fn find_syscall(pid: i32, mem: &ProcMem, vmas: &[Vma]) -> Result<u64, SysError> {
    let executable = |v: &&Vma| v.prot & libc::PROT_EXEC as u32 != 0;
    let vdso_first = vmas
        .iter()
        .filter(executable)
        .filter(|v| matches!(&v.kind, VmaKind::Vdso(name) if name == "vdso"))
        .chain(
            vmas.iter()
                .filter(executable)
                .filter(|v| matches!(v.kind, VmaKind::File { .. })),
        );
    for vma in vdso_first {
        let mut code = vec![0u8; vma.len().min(4 << 20) as usize];
        if mem.read(vma.start, &mut code).is_ok() {
            if let Some(ip) = find_syscall_insn(&code, vma.start) {
                return Ok(ip);
            }
        }
    }
    Err(SysError::from_errno(
        format!("pid {pid}: no syscall instruction in its executable mappings"),
        libc::ENOEXEC,
    ))
}
