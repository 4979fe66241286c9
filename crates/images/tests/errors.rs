//! Damaged, foreign and missing files give the right error, never a panic.

mod common;

use std::path::Path;

use crust_images::{magic, pb, ImageDir, ImageError, ImageKind, MAX_ENTRY_SIZE};
use proptest::prelude::*;

fn tempdir() -> (tempfile::TempDir, ImageDir) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = ImageDir::create(tmp.path()).expect("image dir");
    (tmp, dir)
}

/// The magics of the `Core` image followed by `body`.
fn core_file(body: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for m in ImageKind::Core(1).magics() {
        bytes.extend_from_slice(&m.to_le_bytes());
    }
    bytes.extend_from_slice(body);
    bytes
}

fn put(dir: &ImageDir, kind: ImageKind, bytes: &[u8]) {
    std::fs::write(dir.path().join(kind.file_name()), bytes).unwrap();
}

fn read_core(dir: &ImageDir) -> Result<Vec<pb::CoreEntry>, ImageError> {
    dir.reader(ImageKind::Core(1))?.read_all()
}

#[test]
fn wrong_magic_names_file_expected_and_found() {
    let (_tmp, dir) = tempdir();
    let mut bytes = core_file(&[]);
    bytes[4..8].copy_from_slice(&magic::MM.to_le_bytes());
    put(&dir, ImageKind::Core(1), &bytes);
    let err = dir.reader(ImageKind::Core(1)).unwrap_err();
    match &err {
        ImageError::BadMagic {
            path,
            expected,
            found,
        } => {
            assert!(path.ends_with("core-1.img"));
            assert_eq!((*expected, *found), (magic::CORE, magic::MM));
        }
        other => panic!("unexpected {other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("core-1.img") && text.contains("CORE") && text.contains("MM"));
}

#[test]
fn inventory_rejects_common_magic_first() {
    let (_tmp, dir) = tempdir();
    put(&dir, ImageKind::Inventory, &magic::IMG_COMMON.to_le_bytes());
    let err = dir.reader(ImageKind::Inventory).unwrap_err();
    assert!(matches!(err, ImageError::BadMagic { expected, .. } if expected == magic::INVENTORY));
}

#[test]
fn short_magic_is_truncated() {
    let (_tmp, dir) = tempdir();
    put(&dir, ImageKind::Core(1), &core_file(&[])[..6]);
    let err = dir.reader(ImageKind::Core(1)).unwrap_err();
    assert!(
        matches!(err, ImageError::Truncated { offset: 4, .. }),
        "{err:?}"
    );
    put(&dir, ImageKind::Core(1), &[]);
    let err = dir.reader(ImageKind::Core(1)).unwrap_err();
    assert!(
        matches!(err, ImageError::Truncated { offset: 0, .. }),
        "{err:?}"
    );
}

#[test]
fn cut_length_prefix_and_cut_body_are_truncated() {
    let (_tmp, dir) = tempdir();
    put(&dir, ImageKind::Core(1), &core_file(&[5, 0]));
    let err = read_core(&dir).unwrap_err();
    assert!(
        matches!(err, ImageError::Truncated { offset: 8, .. }),
        "{err:?}"
    );
    put(
        &dir,
        ImageKind::Core(1),
        &core_file(&[5, 0, 0, 0, 0x08, 0x01]),
    );
    let err = read_core(&dir).unwrap_err();
    assert!(
        matches!(err, ImageError::Truncated { offset: 8, .. }),
        "{err:?}"
    );
}

#[test]
fn absurd_length_is_refused_without_allocating() {
    let (_tmp, dir) = tempdir();
    put(
        &dir,
        ImageKind::Core(1),
        &core_file(&u32::MAX.to_le_bytes()),
    );
    match read_core(&dir).unwrap_err() {
        ImageError::TooLarge { offset, len, .. } => {
            assert_eq!((offset, len), (8, u64::from(u32::MAX)));
        }
        other => panic!("unexpected {other:?}"),
    }
    let just_over = (MAX_ENTRY_SIZE + 1).to_le_bytes();
    put(&dir, ImageKind::Core(1), &core_file(&just_over));
    assert!(matches!(read_core(&dir), Err(ImageError::TooLarge { .. })));
}

#[test]
fn garbage_body_is_a_decode_error_with_index() {
    let (_tmp, dir) = tempdir();
    // Entry 0: a valid empty message; entry 1: a varint that never ends.
    let body = [0, 0, 0, 0, 3, 0, 0, 0, 0x08, 0xff, 0xff];
    put(&dir, ImageKind::Core(1), &core_file(&body));
    match read_core(&dir).unwrap_err() {
        ImageError::Decode { index, path, .. } => {
            assert_eq!(index, 1);
            assert!(path.ends_with("core-1.img"));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn read_one_on_empty_image_is_missing() {
    let (_tmp, dir) = tempdir();
    dir.writer(ImageKind::Fs(1)).unwrap().finish().unwrap();
    let err = dir
        .reader(ImageKind::Fs(1))
        .unwrap()
        .read_one::<pb::FsEntry>();
    assert!(matches!(err, Err(ImageError::Missing { .. })), "{err:?}");
}

#[test]
fn missing_files_and_dirs_are_open_errors() {
    let (tmp, dir) = tempdir();
    assert!(!dir.exists(ImageKind::Pstree));
    let err = dir.reader(ImageKind::Pstree).unwrap_err();
    assert!(matches!(&err, ImageError::Open { path, .. } if path.ends_with("pstree.img")));
    assert!(matches!(dir.open_pages(1), Err(ImageError::Open { .. })));
    let nowhere = tmp.path().join("nope");
    assert!(matches!(
        ImageDir::open(&nowhere),
        Err(ImageError::Open { .. })
    ));
    assert!(matches!(
        ImageDir::create(&nowhere.join("deeper")),
        Err(ImageError::Create { .. })
    ));
}

#[test]
fn a_file_is_not_an_image_dir() {
    let (tmp, _dir) = tempdir();
    let file = tmp.path().join("plain");
    std::fs::write(&file, b"x").unwrap();
    assert!(matches!(
        ImageDir::open(&file),
        Err(ImageError::Open { .. })
    ));
    assert!(matches!(
        ImageDir::create(&file),
        Err(ImageError::Create { .. })
    ));
    assert!(ImageDir::open(Path::new(tmp.path())).is_ok());
}

#[test]
fn every_cut_of_a_valid_image_is_clean_eof_or_truncated() {
    let (_tmp, dir) = tempdir();
    let mut w = dir.writer(ImageKind::Core(1)).unwrap();
    w.write(&common::core()).unwrap();
    w.write(&common::core()).unwrap();
    w.finish().unwrap();
    let full = std::fs::read(dir.path().join("core-1.img")).unwrap();
    let entry_len = (full.len() - 8) / 2;
    for cut in (8..full.len())
        .step_by(97)
        .chain([8, 12, 8 + entry_len, full.len() - 1])
    {
        put(&dir, ImageKind::Core(1), &full[..cut]);
        match read_core(&dir) {
            Ok(entries) => assert!(
                cut == 8 || cut == 8 + entry_len,
                "cut {cut}: {}",
                entries.len()
            ),
            Err(ImageError::Truncated { offset, .. }) => {
                assert!(
                    offset == 8 || offset == 8 + entry_len as u64,
                    "cut {cut}: offset {offset}"
                )
            }
            Err(other) => panic!("cut {cut}: unexpected {other:?}"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Random bytes after valid magics: any outcome but a panic, and only
    /// the error kinds that describe damaged input.
    #[test]
    fn random_body_never_panics(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let (_tmp, dir) = tempdir();
        put(&dir, ImageKind::Core(1), &core_file(&body));
        match read_core(&dir) {
            Ok(_)
            | Err(ImageError::Truncated { .. })
            | Err(ImageError::TooLarge { .. })
            | Err(ImageError::Decode { .. }) => {}
            Err(other) => prop_assert!(false, "unexpected {other:?}"),
        }
    }

    /// Random whole files, magic included.
    #[test]
    fn random_file_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let (_tmp, dir) = tempdir();
        put(&dir, ImageKind::Pstree, &bytes);
        let result: Result<Vec<pb::PstreeEntry>, _> =
            dir.reader(ImageKind::Pstree).and_then(|mut r| r.read_all());
        match result {
            Ok(_) => prop_assert!(bytes.len() >= 8),
            Err(ImageError::BadMagic { .. })
            | Err(ImageError::Truncated { .. })
            | Err(ImageError::TooLarge { .. })
            | Err(ImageError::Decode { .. }) => {}
            Err(other) => prop_assert!(false, "unexpected {other:?}"),
        }
    }
}
