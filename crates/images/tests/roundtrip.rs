//! Every message kind survives a write/read cycle through real files, and
//! the bytes on disk have the layout CRIU expects.

mod common;

use std::fmt::Debug;

use crust_images::{magic, pb, ImageDir, ImageKind};
use prost::Message;

fn tempdir() -> (tempfile::TempDir, ImageDir) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = ImageDir::create(tmp.path()).expect("image dir");
    (tmp, dir)
}

/// Writes `entries` as image `kind`, reads them back, compares.
fn roundtrip<M>(dir: &ImageDir, kind: ImageKind, entries: &[M])
where
    M: Message + Default + PartialEq + Debug,
{
    let mut w = dir.writer(kind).expect("writer");
    for e in entries {
        w.write(e).expect("write");
    }
    w.finish().expect("finish");
    assert!(dir.exists(kind));
    let back: Vec<M> = dir
        .reader(kind)
        .expect("reader")
        .read_all()
        .expect("read_all");
    assert_eq!(back, entries, "{kind:?}");
}

#[test]
fn every_image_kind_roundtrips() {
    let (_tmp, dir) = tempdir();
    let pid = common::PID;
    roundtrip(&dir, ImageKind::Inventory, &[common::inventory()]);
    roundtrip(&dir, ImageKind::Pstree, &common::pstree());
    roundtrip(&dir, ImageKind::Core(pid), &[common::core()]);
    roundtrip(&dir, ImageKind::Mm(pid), &[common::mm()]);
    roundtrip(&dir, ImageKind::Files, &common::files());
    roundtrip(&dir, ImageKind::Fdinfo(common::FILES_ID), &common::fdinfo());
    roundtrip(&dir, ImageKind::Fs(pid), &[common::fs()]);
    roundtrip(&dir, ImageKind::Ids(pid), &[common::ids()]);
    roundtrip(&dir, ImageKind::Creds(pid), &[common::creds()]);
    roundtrip(&dir, ImageKind::Seccomp, &[common::seccomp()]);
    roundtrip(&dir, ImageKind::TtyInfo, &[common::tty_info()]);
    roundtrip(&dir, ImageKind::TtyData, &[common::tty_data()]);
    roundtrip(&dir, ImageKind::Cpuinfo, &[common::cpuinfo()]);
    roundtrip(&dir, ImageKind::StatsDump, &[common::stats_dump()]);
    roundtrip(&dir, ImageKind::StatsRestore, &[common::stats_restore()]);
}

#[test]
fn pagemap_is_head_then_entries() {
    let (_tmp, dir) = tempdir();
    let kind = ImageKind::Pagemap(common::PID);
    let mut w = dir.writer(kind).unwrap();
    w.write(&common::pagemap_head()).unwrap();
    for e in common::pagemap_entries() {
        w.write(&e).unwrap();
    }
    w.finish().unwrap();

    let mut r = dir.reader(kind).unwrap();
    let head: pb::PagemapHead = r.read_one().unwrap();
    let entries: Vec<pb::PagemapEntry> = r.read_all().unwrap();
    assert_eq!(head, common::pagemap_head());
    assert_eq!(entries, common::pagemap_entries());
    assert!(r.read::<pb::PagemapEntry>().unwrap().is_none());
}

#[test]
fn empty_message_and_empty_image_roundtrip() {
    let (_tmp, dir) = tempdir();
    roundtrip(&dir, ImageKind::Seccomp, &[pb::SeccompEntry::default()]);
    roundtrip::<pb::FileEntry>(&dir, ImageKind::Files, &[]);
}

#[test]
fn on_disk_layout_is_magics_then_length_prefixed_entries() {
    let (_tmp, dir) = tempdir();
    let entry = pb::FsEntry {
        cwd_id: 1,
        root_id: 2,
        umask: None,
    };
    let mut w = dir.writer(ImageKind::Fs(9)).unwrap();
    w.write(&entry).unwrap();
    w.finish().unwrap();

    let bytes = std::fs::read(dir.path().join("fs-9.img")).unwrap();
    let mut want = Vec::new();
    want.extend_from_slice(&magic::IMG_COMMON.to_le_bytes());
    want.extend_from_slice(&magic::FS.to_le_bytes());
    want.extend_from_slice(&4u32.to_le_bytes());
    want.extend_from_slice(&[0x08, 0x01, 0x10, 0x02]);
    assert_eq!(bytes, want);

    let mut w = dir.writer(ImageKind::Inventory).unwrap();
    w.write(&pb::InventoryEntry::default()).unwrap();
    w.finish().unwrap();
    let bytes = std::fs::read(dir.path().join("inventory.img")).unwrap();
    assert_eq!(&bytes[..4], &magic::INVENTORY.to_le_bytes());
    assert_eq!(&bytes[4..], &[2, 0, 0, 0, 0x08, 0x00]);
}

#[test]
fn required_fields_are_encoded_even_when_zero() {
    let bytes = pb::PstreeEntry::default().encode_to_vec();
    assert_eq!(bytes, [0x08, 0, 0x10, 0, 0x18, 0, 0x20, 0]);
    let bytes = pb::FsEntry::default().encode_to_vec();
    assert_eq!(bytes, [0x08, 0, 0x10, 0]);
}

#[test]
fn repeated_scalars_are_unpacked() {
    let tree = pb::PstreeEntry {
        threads: vec![5, 6],
        ..Default::default()
    };
    // Field 5, wire type 0 (varint), once per element: 0x28 5, 0x28 6.
    assert!(tree.encode_to_vec().ends_with(&[0x28, 5, 0x28, 6]));
}

/// What a decoder without crust's extension sees: CRIU's fields only.
#[derive(Clone, PartialEq, prost::Message)]
struct CriuThreadInfoX86 {
    #[prost(uint64, required, tag = "1")]
    clear_tid_addr: u64,
    #[prost(message, required, tag = "2")]
    gpregs: pb::UserX86RegsEntry,
    #[prost(message, required, tag = "3")]
    fpregs: pb::UserX86FpregsEntry,
    #[prost(message, repeated, tag = "4")]
    tls: Vec<pb::UserDescT>,
}

#[test]
fn xsave_extension_is_skipped_by_a_decoder_that_lacks_it() {
    let ti = common::thread_info();
    let bytes = ti.encode_to_vec();
    // Tag 100, wire type 2: key varint 0xa2 0x06, then length 11008 = 0x80 0x56.
    let key = [0xa2, 0x06, 0x80, 0x56];
    assert!(
        bytes.windows(4).any(|w| w == key),
        "extension not at tag 100"
    );
    let plain = CriuThreadInfoX86::decode(bytes.as_slice()).unwrap();
    assert_eq!(plain.gpregs, ti.gpregs);
    assert_eq!(plain.fpregs, ti.fpregs);
    let back = pb::ThreadInfoX86::decode(bytes.as_slice()).unwrap();
    assert_eq!(back.xsave_area.unwrap().len(), common::XSAVE_LEN);
}

#[test]
fn pages_files_are_plain_data() {
    use std::io::{Read, Write};
    let (_tmp, dir) = tempdir();
    let page = vec![0xabu8; 4096];
    dir.create_pages(3).unwrap().write_all(&page).unwrap();
    assert_eq!(dir.pages_path(3), dir.path().join("pages-3.img"));
    let mut back = Vec::new();
    dir.open_pages(3).unwrap().read_to_end(&mut back).unwrap();
    assert_eq!(back, page);
}

#[test]
fn rewriting_an_image_truncates_it() {
    let (_tmp, dir) = tempdir();
    roundtrip(&dir, ImageKind::Pstree, &common::pstree());
    roundtrip(&dir, ImageKind::Pstree, &common::pstree()[..1]);
}
