//! Inputs: files, directories, globs and stdin, plain or compressed (gzip, including
//! multi-member, and zstd), the compression told by content, not by name.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::{Error, Result};

/// Buffer of the readers under an ingest. Small, because the line loop reads
/// [`crate::ingest::READ_BYTES`] at a time and such reads bypass it: it serves the
/// format sniff and the compressed streams' headers, and a large one was a megabyte of
/// peak memory per input for nothing.
pub(crate) const READER_BYTES: usize = 64 << 10;

/// Where log lines come from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Input {
    /// Standard input (`-` on the command line).
    Stdin,
    /// A file.
    File(PathBuf),
}

impl Input {
    /// The name used in messages and the manifest.
    pub fn name(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".to_owned(),
            Input::File(p) => p.display().to_string(),
        }
    }
}

/// Compression of an input, detected from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Plain text.
    None,
    /// gzip (RFC 1952), any number of members.
    Gzip,
    /// Zstandard, any number of frames.
    Zstd,
}

/// Expands command-line arguments: `-` is stdin, a directory is every file below it (in
/// name order, hidden files skipped), a pattern with `*`, `?` or `[` that names no file
/// is a glob; anything else is a file.
pub fn expand(args: &[PathBuf]) -> Result<Vec<Input>> {
    let mut out = Vec::new();
    for arg in args {
        if arg.as_os_str() == "-" {
            out.push(Input::Stdin);
        } else if arg.is_dir() {
            walk(arg, &mut out)?;
        } else if !arg.exists() && arg.to_string_lossy().contains(['*', '?', '[']) {
            let pattern = arg.to_string_lossy();
            let paths = glob::glob(&pattern).map_err(|e| Error::Input {
                path: arg.clone(),
                reason: format!("bad glob pattern: {e}"),
            })?;
            let before = out.len();
            for p in paths.flatten() {
                if p.is_file() {
                    out.push(Input::File(p));
                }
            }
            if out.len() == before {
                return Err(Error::Input {
                    path: arg.clone(),
                    reason: "the pattern matches no file".to_owned(),
                });
            }
        } else {
            out.push(Input::File(arg.clone()));
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<Input>) -> Result<()> {
    let io_err = |source| Error::Io {
        path: dir.to_owned(),
        source,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io_err)?
        .map(|e| e.map(|e| e.path()))
        .collect::<io::Result<_>>()
        .map_err(io_err)?;
    entries.sort();
    for path in entries {
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            continue;
        }
        if path.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(Input::File(path));
        }
    }
    Ok(())
}

/// Opens an input for line reading, decompressing by content.
pub fn open(input: &Input) -> Result<(Box<dyn BufRead + Send>, Compression)> {
    open_with(input, None)
}

/// Size and xxh3-128 (hex) of a file's bytes: its identity in a dataset's manifest.
pub(crate) type Fingerprint = (u64, String);

/// The bytes a [`HashingReader`] has passed on: how many, and their running hash.
/// twox-hash's XXH3 takes AVX2 where the machine has it: hashing every byte of a 4 M-line
/// log was 164 instructions a line in SSE2 (xxhash-rust's choice in a build for any
/// x86-64), 5% of an ingest.
#[derive(Default)]
pub(crate) struct Digest {
    size: u64,
    hasher: twox_hash::XxHash3_128,
}

impl Digest {
    fn update(&mut self, bytes: &[u8]) {
        self.hasher.write(bytes);
        self.size += bytes.len() as u64;
    }

    pub(crate) fn fingerprint(&self) -> Fingerprint {
        (self.size, format!("{:032x}", self.hasher.finish_128()))
    }
}

/// Hashes the raw (still compressed) bytes on their way to the decoder, so an input
/// is read once for both its lines and its identity.
struct HashingReader<R> {
    inner: R,
    digest: SharedDigest,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.digest
            .lock()
            .expect("no reader panics holding the lock")
            .update(&buf[..n]);
        Ok(n)
    }
}

/// What the hashing reader shares with whoever reads the digest once it is done.
pub(crate) type SharedDigest = Arc<Mutex<Digest>>;

/// Like [`open`], and every raw byte read is also added to the returned digest.
pub(crate) fn open_hashing(
    input: &Input,
) -> Result<(Box<dyn BufRead + Send>, Compression, SharedDigest)> {
    let digest = Arc::new(Mutex::new(Digest::default()));
    let (reader, compression) = open_with(input, Some(Arc::clone(&digest)))?;
    Ok((reader, compression, digest))
}

/// Reads a whole file for its [`Fingerprint`]; `None` for stdin, which cannot be read
/// twice.
pub(crate) fn fingerprint(input: &Input) -> Result<Option<Fingerprint>> {
    let Input::File(path) = input else {
        return Ok(None);
    };
    let io_err = |source| Error::Io {
        path: path.clone(),
        source,
    };
    let mut file = File::open(path).map_err(io_err)?;
    let mut digest = Digest::default();
    let mut buf = vec![0; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(io_err)?;
        if n == 0 {
            break;
        }
        digest.update(&buf[..n]);
    }
    Ok(Some(digest.fingerprint()))
}

fn open_with(
    input: &Input,
    digest: Option<SharedDigest>,
) -> Result<(Box<dyn BufRead + Send>, Compression)> {
    let (raw, path): (Box<dyn Read + Send>, PathBuf) = match input {
        Input::Stdin => (Box::new(io::stdin()), PathBuf::from("<stdin>")),
        Input::File(p) => {
            let f = File::open(p).map_err(|source| Error::Io {
                path: p.clone(),
                source,
            })?;
            (Box::new(f), p.clone())
        }
    };
    let raw = match digest {
        Some(digest) => Box::new(HashingReader { inner: raw, digest }),
        None => raw,
    };
    let mut reader = BufReader::with_capacity(READER_BYTES, raw);
    let head = reader
        .fill_buf()
        .map_err(|source| Error::Io { path, source })?;
    let compression = match head {
        [0x1f, 0x8b, ..] => Compression::Gzip,
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
        _ => Compression::None,
    };
    let out: Box<dyn BufRead + Send> = match compression {
        Compression::None => Box::new(reader),
        Compression::Gzip => Box::new(BufReader::with_capacity(
            READER_BYTES,
            flate2::bufread::MultiGzDecoder::new(reader),
        )),
        Compression::Zstd => Box::new(BufReader::with_capacity(
            READER_BYTES,
            zstd::stream::read::Decoder::with_buffer(reader).map_err(|source| Error::Io {
                path: PathBuf::from(input.name()),
                source,
            })?,
        )),
    };
    Ok((out, compression))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The running fingerprint is XXH3-128 of all the bytes, however they were read,
        /// as xxhash-rust computes it: manifests written before the hasher changed still
        /// name the same files.
        #[test]
        fn fingerprints_are_xxh3_128_of_the_bytes(
            bytes in prop::collection::vec(any::<u8>(), 0..5_000),
            cuts in prop::collection::vec(0usize..5_000, 0..4),
        ) {
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(bytes.len())).collect();
            cuts.sort_unstable();
            let mut digest = Digest::default();
            let mut from = 0;
            for at in cuts.into_iter().chain([bytes.len()]) {
                digest.update(&bytes[from..at]);
                from = at;
            }
            let want = format!("{:032x}", xxhash_rust::xxh3::xxh3_128(&bytes));
            prop_assert_eq!(digest.fingerprint(), (bytes.len() as u64, want));
        }
    }

    fn read_all(input: &Input) -> (String, Compression) {
        let (mut r, c) = open(input).unwrap();
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        (s, c)
    }

    #[test]
    fn detects_compression_by_content() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("a.log.gz"); // a misleading name on purpose
        std::fs::write(&plain, "one\ntwo\n").unwrap();
        let gz = dir.path().join("b.log");
        let mut f = File::create(&gz).unwrap();
        for member in ["one\n", "two\n"] {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(member.as_bytes()).unwrap();
            f.write_all(&e.finish().unwrap()).unwrap();
        }
        let zst = dir.path().join("c");
        std::fs::write(&zst, zstd::encode_all(&b"one\ntwo\n"[..], 1).unwrap()).unwrap();
        for (path, want) in [
            (plain, Compression::None),
            (gz, Compression::Gzip),
            (zst, Compression::Zstd),
        ] {
            assert_eq!(
                read_all(&Input::File(path)),
                ("one\ntwo\n".to_owned(), want)
            );
        }
    }

    #[test]
    fn expands_directories_and_globs() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        for name in ["b.log", "a.log", ".hidden", "sub/c.log"] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        let all = expand(&[dir.path().to_owned()]).unwrap();
        let names: Vec<String> = all.iter().map(|i| i.name()).collect();
        assert_eq!(names.len(), 3);
        assert!(names[0].ends_with("a.log") && names[2].ends_with("sub/c.log"));
        let glob = expand(&[dir.path().join("*.log")]).unwrap();
        assert_eq!(glob.len(), 2);
        let none = expand(&[dir.path().join("*.gz")]).unwrap_err();
        assert!(none.to_string().ends_with("the pattern matches no file"));
    }
}
