//! Credentials of a restored task: ids, groups, capability sets, securebits.

use super::driver::Driver;
use crust_images::pb::CredsEntry;
use crust_kernel::SysError;
use log::debug;

const LINUX_CAPABILITY_VERSION_3: u32 = 0x2008_0522;
const SECBIT_KEEP_CAPS: u32 = 1 << 4;
const PR_CAP_AMBIENT_RAISE: u64 = 2;
const CAP_LAST: u32 = 63;

/// Ids, groups and capabilities. Everything that needs privilege happens while the
/// task still holds crust's full permitted set: keep-caps carries it across the
/// switch of uids, so the task can still raise its ambient set and write its
/// securebits (which may lock things) before it is cut to the dumped sets.
pub fn restore_creds(d: &Driver, c: &CredsEntry, permitted_now: u64) -> Result<(), SysError> {
    drop_bounding(d, caps(&c.cap_bnd))?;
    prctl(
        d,
        libc::PR_SET_SECUREBITS,
        SECBIT_KEEP_CAPS as u64,
        "prctl(PR_SET_SECUREBITS)",
    )?;
    set_ids(d, c)?;

    let (eff, prm, inh) = (caps(&c.cap_eff), caps(&c.cap_prm), caps(&c.cap_inh));
    capset(d, permitted_now, permitted_now, inh)?;
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
    prctl(
        d,
        libc::PR_SET_SECUREBITS,
        c.secbits as u64,
        "prctl(PR_SET_SECUREBITS)",
    )?;
    capset(d, eff, prm, inh)?;
    if c.no_new_privs == Some(1) {
        prctl(
            d,
            libc::PR_SET_NO_NEW_PRIVS,
            1,
            "prctl(PR_SET_NO_NEW_PRIVS)",
        )?;
    }
    debug!(
        "pid {}: credentials uid {} gid {} restored",
        d.pid, c.uid, c.gid
    );
    Ok(())
}

/// A capability set as the image stores it: two 32-bit words, low word first.
fn caps(words: &[u32]) -> u64 {
    words.first().copied().unwrap_or(0) as u64 | (words.get(1).copied().unwrap_or(0) as u64) << 32
}

fn prctl(d: &Driver, option: i32, arg: u64, what: &str) -> Result<u64, SysError> {
    d.call(libc::SYS_prctl, [option as u64, arg, 0, 0, 0, 0], what)
}

fn drop_bounding(d: &Driver, bounding: u64) -> Result<(), SysError> {
    for cap in (0..=CAP_LAST).filter(|cap| bounding & (1 << cap) == 0) {
        let ret = d.raw_call(
            libc::SYS_prctl,
            [libc::PR_CAPBSET_DROP as u64, cap as u64, 0, 0, 0, 0],
        )?;
        if ret == -(libc::EINVAL as i64) {
            break; // past the last capability this kernel knows
        }
        if ret < 0 {
            return Err(SysError::from_errno(
                format!("prctl(PR_CAPBSET_DROP, {cap}) in pid {}", d.pid),
                -ret as i32,
            ));
        }
    }
    Ok(())
}

fn set_ids(d: &Driver, c: &CredsEntry) -> Result<(), SysError> {
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
    Ok(())
}

fn capset(d: &Driver, eff: u64, prm: u64, inh: u64) -> Result<(), SysError> {
    let mut data = Vec::new();
    for word in [LINUX_CAPABILITY_VERSION_3, 0] {
        data.extend_from_slice(&word.to_ne_bytes());
    }
    for half in [0, 32] {
        for set in [eff, prm, inh] {
            data.extend_from_slice(&((set >> half) as u32).to_ne_bytes());
        }
    }
    let header = d.put(&data)?;
    d.call(libc::SYS_capset, [header, header + 8, 0, 0, 0, 0], "capset")
        .map(drop)
}
