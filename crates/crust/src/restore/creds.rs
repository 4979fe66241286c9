//! Credentials of a restored task: ids, groups, capability sets, securebits.

use super::driver::Driver;
use crust_images::pb::CredsEntry;
use crust_kernel::SysError;
use log::debug;

const LINUX_CAPABILITY_VERSION_3: u32 = 0x2008_0522;
const SECBIT_KEEP_CAPS: u32 = 1 << 4;
const PR_CAP_AMBIENT_RAISE: u64 = 2;
const CAP_LAST: u32 = 63;

/// Ids, groups and capabilities. Everything that needs privilege (the bounding
/// set, groups, gids) happens while the task is still root; capabilities survive
/// the switch of uids through keep-caps and are then cut to the dumped sets.
pub fn restore_creds(d: &Driver, c: &CredsEntry) -> Result<(), SysError> {
    let caps = |words: &[u32]| {
        words.first().copied().unwrap_or(0) as u64
            | (words.get(1).copied().unwrap_or(0) as u64) << 32
    };
    let bnd = caps(&c.cap_bnd);
    for cap in 0..=CAP_LAST {
        if bnd & (1 << cap) == 0 {
            let ret = d.raw_call(
                libc::SYS_prctl,
                [libc::PR_CAPBSET_DROP as u64, cap as u64, 0, 0, 0, 0],
            )?;
            if ret == -(libc::EINVAL as i64) {
                break; // past the last capability this kernel knows
            }
        }
    }
    d.call(
        libc::SYS_prctl,
        [
            libc::PR_SET_SECUREBITS as u64,
            (c.secbits | SECBIT_KEEP_CAPS) as u64,
            0,
            0,
            0,
            0,
        ],
        "prctl(PR_SET_SECUREBITS)",
    )?;
    let groups: Vec<u8> = c.groups.iter().flat_map(|g| g.to_ne_bytes()).collect();
    let addr = d.put(&groups)?;
    d.call(
        libc::SYS_setgroups,
        [c.groups.len() as u64, addr, 0, 0, 0, 0],
        "setgroups",
    )?;
    d.call(
        libc::SYS_setresgid,
        [c.gid as u64, c.egid as u64, c.sgid as u64, 0, 0, 0],
        "setresgid",
    )?;
    d.call(
        libc::SYS_setfsgid,
        [c.fsgid as u64, 0, 0, 0, 0, 0],
        "setfsgid",
    )?;
    d.call(
        libc::SYS_setresuid,
        [c.uid as u64, c.euid as u64, c.suid as u64, 0, 0, 0],
        "setresuid",
    )?;
    d.call(
        libc::SYS_setfsuid,
        [c.fsuid as u64, 0, 0, 0, 0, 0],
        "setfsuid",
    )?;

    let (eff, prm, inh) = (caps(&c.cap_eff), caps(&c.cap_prm), caps(&c.cap_inh));
    let mut capset = Vec::new();
    for word in [LINUX_CAPABILITY_VERSION_3, 0] {
        capset.extend_from_slice(&word.to_ne_bytes());
    }
    for half in [0, 32] {
        for set in [eff, prm, inh] {
            capset.extend_from_slice(&((set >> half) as u32).to_ne_bytes());
        }
    }
    let header = d.put(&capset)?;
    d.call(libc::SYS_capset, [header, header + 8, 0, 0, 0, 0], "capset")?;
    let amb = caps(&c.cap_amb);
    for cap in (0..=CAP_LAST).filter(|cap| amb & (1 << cap) != 0) {
        d.call(
            libc::SYS_prctl,
            [
                libc::PR_CAP_AMBIENT as u64,
                PR_CAP_AMBIENT_RAISE,
                cap as u64,
                0,
                0,
                0,
            ],
            "prctl(PR_CAP_AMBIENT_RAISE)",
        )?;
    }
    let keep_caps = (c.secbits & SECBIT_KEEP_CAPS != 0) as u64;
    d.call(
        libc::SYS_prctl,
        [libc::PR_SET_KEEPCAPS as u64, keep_caps, 0, 0, 0, 0],
        "prctl(PR_SET_KEEPCAPS)",
    )?;
    if c.no_new_privs == Some(1) {
        d.call(
            libc::SYS_prctl,
            [libc::PR_SET_NO_NEW_PRIVS as u64, 1, 0, 0, 0, 0],
            "prctl(PR_SET_NO_NEW_PRIVS)",
        )?;
    }
    debug!(
        "pid {}: credentials uid {} gid {} restored",
        d.pid, c.uid, c.gid
    );
    Ok(())
}
