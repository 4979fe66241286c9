//! Framed protobuf entries: the body of every image after its magics.
//!
//! Each entry is a little-endian `u32` byte count followed by that many
//! bytes of one encoded protobuf message. There is no entry count and no
//! trailer: a clean end of file after a complete entry ends the image. The
//! reader treats every input as untrusted (a half-written dump, a file from
//! another tool) and reports problems as [`ImageError`]s, never panics.

use std::fs::File;
use std::io::{BufReader, BufWriter, ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{ImageError, MAX_ENTRY_SIZE};

/// Writes entries into one image file. Obtain it from `ImageDir::writer`.
#[derive(Debug)]
pub struct ImageWriter {
    out: BufWriter<File>,
    path: PathBuf,
    offset: u64,
}

impl ImageWriter {
    /// Wraps a freshly created file and writes its magics.
    pub(crate) fn start(file: File, path: PathBuf, magics: &[u32]) -> Result<Self, ImageError> {
        let mut writer = ImageWriter {
            out: BufWriter::new(file),
            path,
            offset: 0,
        };
        for magic in magics {
            writer.put(&magic.to_le_bytes())?;
        }
        Ok(writer)
    }

    /// The file being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one entry (length prefix plus encoded message).
    pub fn write<M: prost::Message>(&mut self, msg: &M) -> Result<(), ImageError> {
        let len = msg.encoded_len();
        if len > MAX_ENTRY_SIZE as usize {
            return Err(ImageError::TooLarge {
                path: self.path.clone(),
                offset: self.offset,
                len: len as u64,
            });
        }
        let mut buf = Vec::with_capacity(4 + len);
        buf.extend_from_slice(&(len as u32).to_le_bytes());
        // A Vec grows as needed, so this cannot run out of room; map the
        // error anyway rather than keep a panic path.
        msg.encode(&mut buf).map_err(|e| ImageError::Write {
            path: self.path.clone(),
            source: std::io::Error::other(e),
        })?;
        self.put(&buf)
    }

    /// Flushes buffered data to the file. Dropping the writer without
    /// calling this also flushes, but silently discards any error.
    pub fn finish(mut self) -> Result<(), ImageError> {
        let path = &self.path;
        self.out.flush().map_err(|source| ImageError::Write {
            path: path.clone(),
            source,
        })
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), ImageError> {
        self.out
            .write_all(bytes)
            .map_err(|source| ImageError::Write {
                path: self.path.clone(),
                source,
            })?;
        self.offset += bytes.len() as u64;
        Ok(())
    }
}

/// Reads entries from one image file. Obtain it from `ImageDir::reader`.
#[derive(Debug)]
pub struct ImageReader {
    input: BufReader<File>,
    path: PathBuf,
    offset: u64,
    index: usize,
}

impl ImageReader {
    /// Wraps an opened file and checks its magics.
    pub(crate) fn start(file: File, path: PathBuf, magics: &[u32]) -> Result<Self, ImageError> {
        let mut reader = ImageReader {
            input: BufReader::new(file),
            path,
            offset: 0,
            index: 0,
        };
        for &expected in magics {
            let start = reader.offset;
            let mut word = [0u8; 4];
            if reader.fill(&mut word)? < word.len() {
                return Err(ImageError::Truncated {
                    path: reader.path,
                    offset: start,
                });
            }
            let found = u32::from_le_bytes(word);
            if found != expected {
                return Err(ImageError::BadMagic {
                    path: reader.path,
                    expected,
                    found,
                });
            }
        }
        Ok(reader)
    }

    /// The file being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the next entry, or `None` at a clean end of file.
    pub fn read<M: prost::Message + Default>(&mut self) -> Result<Option<M>, ImageError> {
        let start = self.offset;
        let mut prefix = [0u8; 4];
        match self.fill(&mut prefix)? {
            0 => return Ok(None),
            4 => {}
            _ => return Err(self.truncated(start)),
        }
        let len = u32::from_le_bytes(prefix);
        if len > MAX_ENTRY_SIZE {
            return Err(ImageError::TooLarge {
                path: self.path.clone(),
                offset: start,
                len: u64::from(len),
            });
        }
        // Grow the buffer as bytes arrive rather than trusting `len` up
        // front: a short file then costs only what it actually holds.
        let mut body = Vec::new();
        let got = (&mut self.input)
            .take(u64::from(len))
            .read_to_end(&mut body)
            .map_err(|source| ImageError::Read {
                path: self.path.clone(),
                source,
            })?;
        self.offset += got as u64;
        if got < len as usize {
            return Err(self.truncated(start));
        }
        let index = self.index;
        self.index += 1;
        M::decode(body.as_slice())
            .map(Some)
            .map_err(|source| ImageError::Decode {
                path: self.path.clone(),
                index,
                source,
            })
    }

    /// Reads exactly one entry; end of file is an [`ImageError::Missing`].
    pub fn read_one<M: prost::Message + Default>(&mut self) -> Result<M, ImageError> {
        self.read()?.ok_or_else(|| ImageError::Missing {
            path: self.path.clone(),
        })
    }

    /// Reads every remaining entry.
    pub fn read_all<M: prost::Message + Default>(&mut self) -> Result<Vec<M>, ImageError> {
        let mut all = Vec::new();
        while let Some(msg) = self.read()? {
            all.push(msg);
        }
        Ok(all)
    }

    /// Reads into `buf` until it is full or the file ends; returns the count.
    fn fill(&mut self, buf: &mut [u8]) -> Result<usize, ImageError> {
        let mut done = 0;
        while done < buf.len() {
            match self.input.read(&mut buf[done..]) {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(source) => {
                    return Err(ImageError::Read {
                        path: self.path.clone(),
                        source,
                    })
                }
            }
        }
        self.offset += done as u64;
        Ok(done)
    }

    fn truncated(&self, offset: u64) -> ImageError {
        ImageError::Truncated {
            path: self.path.clone(),
            offset,
        }
    }
}
