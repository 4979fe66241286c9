//! The image directory: where a dump's files live.
//!
//! Images hold register contents, memory pages and credentials of the dumped
//! processes, so everything created here is private to the owner: directories
//! 0700, files 0600. The mode is requested at creation *and* set explicitly
//! afterwards, because the process umask may strip bits from the requested
//! mode (a umask of 0o200 would leave a directory unwritable) and a file that
//! already exists keeps its old mode when merely truncated.

use std::fs::{self, DirBuilder, File, OpenOptions, Permissions};
use std::io::{self, ErrorKind};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::ImageError;
use crate::io::{ImageReader, ImageWriter};
use crate::kind::ImageKind;

const DIR_MODE: u32 = 0o700;
const FILE_MODE: u32 = 0o600;

/// A directory of image files.
#[derive(Debug, Clone)]
pub struct ImageDir {
    path: PathBuf,
}

impl ImageDir {
    /// Uses `path` as the image directory, creating it (mode 0700) if it is
    /// missing. An existing directory is used as it is, mode untouched; its
    /// parent must already exist.
    pub fn create(path: &Path) -> Result<ImageDir, ImageError> {
        let fail = |source| ImageError::Create {
            path: path.to_path_buf(),
            source,
        };
        match DirBuilder::new().mode(DIR_MODE).create(path) {
            Ok(()) => fs::set_permissions(path, Permissions::from_mode(DIR_MODE)).map_err(fail)?,
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                if !fs::metadata(path).map_err(fail)?.is_dir() {
                    return Err(fail(not_a_directory()));
                }
            }
            Err(e) => return Err(fail(e)),
        }
        Ok(ImageDir {
            path: path.to_path_buf(),
        })
    }

    /// Opens an existing image directory.
    pub fn open(path: &Path) -> Result<ImageDir, ImageError> {
        let meta = fs::metadata(path).map_err(|source| ImageError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        if !meta.is_dir() {
            return Err(ImageError::Open {
                path: path.to_path_buf(),
                source: not_a_directory(),
            });
        }
        Ok(ImageDir {
            path: path.to_path_buf(),
        })
    }

    /// The directory's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Creates (or truncates) the image file of `kind` and writes its magics.
    pub fn writer(&self, kind: ImageKind) -> Result<ImageWriter, ImageError> {
        let path = self.path.join(kind.file_name());
        let file = create_private(&path)?;
        ImageWriter::start(file, path, kind.magics())
    }

    /// Opens the image file of `kind` and checks its magics.
    pub fn reader(&self, kind: ImageKind) -> Result<ImageReader, ImageError> {
        let path = self.path.join(kind.file_name());
        let file = open_existing(&path)?;
        ImageReader::start(file, path, kind.magics())
    }

    /// Whether the image file of `kind` exists.
    pub fn exists(&self, kind: ImageKind) -> bool {
        self.path.join(kind.file_name()).is_file()
    }

    /// Path of the raw page-data file `pages-N.img`.
    pub fn pages_path(&self, pages_id: u32) -> PathBuf {
        self.path.join(format!("pages-{pages_id}.img"))
    }

    /// Creates (or truncates) `pages-N.img`, mode 0600. The file has no
    /// magic: it is the concatenation of the pages the pagemap lists.
    pub fn create_pages(&self, pages_id: u32) -> Result<File, ImageError> {
        create_private(&self.pages_path(pages_id))
    }

    /// Opens `pages-N.img` for reading.
    pub fn open_pages(&self, pages_id: u32) -> Result<File, ImageError> {
        open_existing(&self.pages_path(pages_id))
    }
}

/// Creates or truncates `path` for writing with mode 0600 whatever the
/// umask or the file's previous mode.
fn create_private(path: &Path) -> Result<File, ImageError> {
    let fail = |source| ImageError::Create {
        path: path.to_path_buf(),
        source,
    };
    // A symlink planted where an image goes would send process memory to its
    // target: the link itself is replaced, never followed.
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        fs::remove_file(path).map_err(fail)?;
    }
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(FILE_MODE)
        .open(path)
        .map_err(fail)?;
    // fchmod on the open file: no window where another path could be hit.
    file.set_permissions(Permissions::from_mode(FILE_MODE))
        .map_err(fail)?;
    Ok(file)
}

fn open_existing(path: &Path) -> Result<File, ImageError> {
    File::open(path).map_err(|source| ImageError::Open {
        path: path.to_path_buf(),
        source,
    })
}

fn not_a_directory() -> io::Error {
    io::Error::other("exists but is not a directory")
}
