//! The kernel's record of the address space layout: brk, code, data, stack, arg
//! and env bounds, auxv and the exe link.

use super::driver::{words_bytes, Driver};
use super::error::RestoreError;
use super::plan::{Plan, TaskPlan};

const PR_SET_MM: u64 = 35;
const PR_SET_MM_MAP: u64 = 14;

/// brk, code/data/stack bounds, arg and env areas, auxv and the exe link, all at
/// once with PR_SET_MM_MAP, so /proc/PID/{stat,cmdline,environ,exe} read as before.
pub fn set_mm_fields(d: &Driver, plan: &Plan, task: &TaskPlan) -> Result<(), RestoreError> {
    let pid = d.pid as u32;
    let mem_err = |source| RestoreError::Memory { pid, source };
    let mm = &task.mm;
    let exe = plan.reg_file(mm.exe_file_id)?;
    let exe_fd = d
        .open(&exe.name, libc::O_RDONLY as u64, "as the executable")
        .map_err(mem_err)?;

    // struct prctl_mm_map, then the auxv words it points to, in the data area.
    let header_len = 13 * 8;
    let auxv_addr = d.data_addr() + header_len as u64;
    let auxv_bytes = words_bytes(&mm.mm_saved_auxv);
    let mut bytes = words_bytes(&[
        mm.mm_start_code,
        mm.mm_end_code,
        mm.mm_start_data,
        mm.mm_end_data,
        mm.mm_start_brk,
        mm.mm_brk,
        mm.mm_start_stack,
        mm.mm_arg_start,
        mm.mm_arg_end,
        mm.mm_env_start,
        mm.mm_env_end,
        auxv_addr,
    ]);
    bytes.extend_from_slice(&(auxv_bytes.len() as u32).to_ne_bytes());
    bytes.extend_from_slice(&(exe_fd as u32).to_ne_bytes());
    bytes.extend_from_slice(&auxv_bytes);
    let addr = d.put(&bytes).map_err(mem_err)?;

    let result = d.call(
        libc::SYS_prctl,
        [PR_SET_MM, PR_SET_MM_MAP, addr, header_len as u64, 0, 0],
        "prctl(PR_SET_MM_MAP)",
    );
    d.close(exe_fd).map_err(mem_err)?;
    result.map_err(mem_err)?;
    Ok(())
}
