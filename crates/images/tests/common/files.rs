//! Samples of the file images: `files.img`, `fdinfo-N.img`, terminals.

use crust_images::pb::{self, FdTypes};

use super::PID;

pub fn fown() -> pb::FownEntry {
    pb::FownEntry {
        uid: 1000,
        euid: 1002,
        signum: 29,
        pid_type: 1,
        pid: PID,
    }
}

pub fn files() -> Vec<pb::FileEntry> {
    vec![
        pb::FileEntry {
            r#type: FdTypes::Reg as i32,
            id: 2,
            reg: Some(pb::RegFileEntry {
                id: 2,
                flags: 0o2_0000,
                pos: 77,
                fown: fown(),
                name: "/usr/bin/crust-sample".into(),
                mnt_id: Some(24),
                size: Some(12_345),
                ext: Some(false),
                mode: Some(0o100_755),
                build_id: vec![0xdead_beef, 0x1234_5678],
                checksum: Some(0xc0ff_ee00),
                checksum_config: Some(1),
                checksum_parameter: Some(4096),
                crust_mtime_ns: Some(1_700_000_000_123_456_789),
                crust_inode: Some(131_077),
                crust_dev: Some(0x801),
            }),
            tty: None,
        },
        pb::FileEntry {
            r#type: FdTypes::Tty as i32,
            id: 4,
            reg: None,
            tty: Some(pb::TtyFileEntry {
                id: 4,
                tty_info_id: 5,
                flags: 2,
                fown: fown(),
                regf_id: Some(2),
            }),
        },
    ]
}

pub fn fdinfo() -> Vec<pb::FdinfoEntry> {
    vec![pb::FdinfoEntry {
        id: 2,
        flags: 1,
        r#type: FdTypes::Reg as i32,
        fd: 3,
        xattr_security_selinux: Some("system_u:object_r:bin_t:s0".into()),
    }]
}

pub fn tty_info() -> pb::TtyInfoEntry {
    let termios = pb::TermiosEntry {
        c_iflag: 0x500,
        c_oflag: 0x5,
        c_cflag: 0xbf,
        c_lflag: 0x8a3b,
        c_line: 0,
        c_ispeed: 38_400,
        c_ospeed: 38_400,
        c_cc: (0..19).collect(),
    };
    pb::TtyInfoEntry {
        id: 5,
        r#type: pb::TtyType::Pty as i32,
        locked: false,
        exclusive: true,
        packet_mode: false,
        sid: PID,
        pgrp: PID,
        rdev: 0x8801,
        termios: Some(termios.clone()),
        termios_locked: Some(termios),
        winsize: Some(pb::WinsizeEntry {
            ws_row: 24,
            ws_col: 80,
            ws_xpixel: 640,
            ws_ypixel: 480,
        }),
        pty: Some(pb::TtyPtyEntry { index: 3 }),
        dev: Some(0x16),
        uid: Some(1000),
        gid: Some(5),
    }
}

pub fn tty_data() -> pb::TtyDataEntry {
    pb::TtyDataEntry {
        tty_id: 5,
        data: b"typed ahead\n".to_vec(),
    }
}
