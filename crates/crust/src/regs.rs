//! General registers between the kernel's layout and the image's.

use crust_images::pb::UserX86RegsEntry;
use crust_kernel::ptrace::Regs;

/// Registers as the core image stores them.
pub fn regs_entry(r: &Regs) -> UserX86RegsEntry {
    UserX86RegsEntry {
        r15: r.r15,
        r14: r.r14,
        r13: r.r13,
        r12: r.r12,
        bp: r.rbp,
        bx: r.rbx,
        r11: r.r11,
        r10: r.r10,
        r9: r.r9,
        r8: r.r8,
        ax: r.rax,
        cx: r.rcx,
        dx: r.rdx,
        si: r.rsi,
        di: r.rdi,
        orig_ax: r.orig_rax,
        ip: r.rip,
        cs: r.cs,
        flags: r.eflags,
        sp: r.rsp,
        ss: r.ss,
        fs_base: r.fs_base,
        gs_base: r.gs_base,
        ds: r.ds,
        es: r.es,
        fs: r.fs,
        gs: r.gs,
        mode: Some(1),
    }
}

/// Registers back from the image.
pub fn regs_from_entry(e: &UserX86RegsEntry) -> Regs {
    let mut r = crust_kernel::ptrace::empty_regs();
    (r.r15, r.r14, r.r13, r.r12, r.rbp, r.rbx, r.r11, r.r10) =
        (e.r15, e.r14, e.r13, e.r12, e.bp, e.bx, e.r11, e.r10);
    (r.r9, r.r8, r.rax, r.rcx, r.rdx, r.rsi, r.rdi, r.orig_rax) =
        (e.r9, e.r8, e.ax, e.cx, e.dx, e.si, e.di, e.orig_ax);
    (r.rip, r.cs, r.eflags, r.rsp, r.ss, r.fs_base, r.gs_base) =
        (e.ip, e.cs, e.flags, e.sp, e.ss, e.fs_base, e.gs_base);
    (r.ds, r.es, r.fs, r.gs) = (e.ds, e.es, e.fs, e.gs);
    r
}
