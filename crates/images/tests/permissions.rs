//! Image files are 0600 and created directories 0700 whatever the umask.
//!
//! The umask is process-wide, so this file holds a single test: integration
//! test files run as separate processes and nothing else here races with it.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crust_images::{ImageDir, ImageKind};
use nix::sys::stat::{umask, Mode};

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn modes_ignore_umask_and_previous_modes() {
    let tmp = tempfile::tempdir().unwrap();
    let old = umask(Mode::empty());

    // Permissive umask: requested modes must not widen.
    let path = tmp.path().join("dump");
    let dir = ImageDir::create(&path).unwrap();
    assert_eq!(mode(&path), 0o700);
    dir.writer(ImageKind::Pstree).unwrap().finish().unwrap();
    assert_eq!(mode(&path.join("pstree.img")), 0o600);
    drop(dir.create_pages(1).unwrap());
    assert_eq!(mode(&dir.pages_path(1)), 0o600);

    // An existing world-readable file is narrowed when rewritten.
    let stale = path.join("core-1.img");
    fs::write(&stale, b"old").unwrap();
    fs::set_permissions(&stale, fs::Permissions::from_mode(0o666)).unwrap();
    dir.writer(ImageKind::Core(1)).unwrap().finish().unwrap();
    assert_eq!(mode(&stale), 0o600);
    assert_eq!(fs::metadata(&stale).unwrap().len(), 8, "not truncated");
    fs::set_permissions(dir.pages_path(1), fs::Permissions::from_mode(0o644)).unwrap();
    drop(dir.create_pages(1).unwrap());
    assert_eq!(mode(&dir.pages_path(1)), 0o600);

    // An existing directory is used as it is.
    let existing = tmp.path().join("existing");
    fs::create_dir(&existing).unwrap();
    fs::set_permissions(&existing, fs::Permissions::from_mode(0o755)).unwrap();
    ImageDir::create(&existing).unwrap();
    assert_eq!(mode(&existing), 0o755);

    // A umask that strips owner bits must not leave an unusable directory.
    umask(Mode::from_bits_truncate(0o277));
    let strict = tmp.path().join("strict");
    let dir = ImageDir::create(&strict).unwrap();
    assert_eq!(mode(&strict), 0o700);
    dir.writer(ImageKind::Fs(1)).unwrap().finish().unwrap();
    assert_eq!(mode(&strict.join("fs-1.img")), 0o600);

    umask(old);
}
