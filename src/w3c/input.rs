//! Where log bytes come from: files, directories, gzip, standard input.
//!
//! Arguments are expanded into [`Input`]s in a stable order: files as given,
//! directories walked recursively in name order. Opening an input decides how
//! to read it: a plain regular file is memory-mapped (read-only, never
//! modified); gzip (recognised by its magic bytes, not its name), standard
//! input and anything else is streamed.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use flate2::read::MultiGzDecoder;
use memmap2::Mmap;

/// One log to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Stdin,
    File {
        path: PathBuf,
        /// Named on the command line (not found by walking a directory).
        explicit: bool,
    },
}

impl Input {
    /// The name records carry in their `file` field.
    pub fn display_name(&self) -> Arc<str> {
        match self {
            Input::Stdin => Arc::from("-"),
            Input::File { path, .. } => Arc::from(path.to_string_lossy().as_ref()),
        }
    }
}

/// An input that could not be listed or opened.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct InputError {
    pub path: String,
    #[source]
    pub source: io::Error,
}

/// Expands the command line's inputs. Directories are walked recursively, in
/// name order; errors (a missing path, an unreadable directory) are returned
/// beside the inputs that could be listed, so one bad path stops nothing.
pub fn expand(args: &[PathBuf]) -> (Vec<Input>, Vec<InputError>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for arg in args {
        if arg.as_os_str() == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        match std::fs::metadata(arg) {
            Ok(meta) if meta.is_dir() => walk(arg, &mut inputs, &mut errors),
            Ok(_) => inputs.push(Input::File {
                path: arg.clone(),
                explicit: true,
            }),
            Err(source) => errors.push(InputError {
                path: arg.display().to_string(),
                source,
            }),
        }
    }
    (inputs, errors)
}

fn walk(dir: &Path, inputs: &mut Vec<Input>, errors: &mut Vec<InputError>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => rd.collect::<Result<Vec<_>, _>>(),
        Err(e) => Err(e),
    };
    let mut entries = match entries {
        Ok(entries) => entries,
        Err(source) => {
            errors.push(InputError {
                path: dir.display().to_string(),
                source,
            });
            return;
        }
    };
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        // Symbolic links to directories are not followed (no loops); links to
        // files are read.
        let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
        if is_dir {
            walk(&path, inputs, errors);
        } else if std::fs::metadata(&path)
            .map(|m| m.is_file())
            .unwrap_or(false)
        {
            inputs.push(Input::File {
                path,
                explicit: false,
            });
        }
    }
}

/// An opened input.
pub enum Opened {
    /// A regular plain-text file, mapped read-only.
    Mapped(Mmap),
    /// Anything read as a stream (stdin, gzip, pipes, empty files).
    Stream(Box<dyn Read + Send>),
    /// Not a text log (a ZIP, PDF …): the reason, for the warning.
    NotALog(&'static str),
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Opens an input read-only and picks how to read it.
pub fn open(input: &Input) -> io::Result<Opened> {
    let path = match input {
        Input::Stdin => return stream(Box::new(io::stdin())),
        Input::File { path, .. } => path,
    };
    let file = File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_file() && meta.len() > 0 {
        // SAFETY: the map is read-only and private to this process. Evidence
        // files are not expected to change while they are read; if one is
        // truncated underneath us the process may receive SIGBUS, which is the
        // documented trade-off of mapping (as in ripgrep).
        if let Ok(map) = unsafe { Mmap::map(&file) } {
            #[cfg(unix)]
            let _ = map.advise(memmap2::Advice::Sequential);
            if map.starts_with(&GZIP_MAGIC) {
                return stream(Box::new(File::open(path)?));
            }
            if let Some(kind) = binary_kind(&map) {
                return Ok(Opened::NotALog(kind));
            }
            return Ok(Opened::Mapped(map));
        }
    }
    stream(Box::new(file))
}

fn stream(reader: Box<dyn Read + Send>) -> io::Result<Opened> {
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    let head = reader.fill_buf()?;
    if head.starts_with(&GZIP_MAGIC) {
        return Ok(Opened::Stream(Box::new(MultiGzDecoder::new(reader))));
    }
    if let Some(kind) = binary_kind(head) {
        return Ok(Opened::NotALog(kind));
    }
    Ok(Opened::Stream(Box::new(reader)))
}

/// Recognises files that are certainly not logs by their first bytes.
fn binary_kind(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"PK\x03\x04") {
        Some("a ZIP archive")
    } else if head.starts_with(b"%PDF") {
        Some("a PDF document")
    } else if head.starts_with(b"\xff\xfe") || head.starts_with(b"\xfe\xff") {
        Some("UTF-16 text (save the log as UTF-8)")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_path_is_an_error_and_others_continue() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.log");
        std::fs::write(&file, "x\n").unwrap();
        let (inputs, errors) = expand(&[dir.path().join("nope"), file.clone()]);
        assert_eq!(errors.len(), 1);
        assert_eq!(
            inputs,
            [Input::File {
                path: file,
                explicit: true
            }]
        );
    }

    #[test]
    fn directories_walk_in_name_order() {
        let dir = tempfile::tempdir().unwrap();
        for p in ["b.log", "a/2.log", "a/1.log", "c/sub/z.log"] {
            let path = dir.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "x\n").unwrap();
        }
        let (inputs, errors) = expand(&[dir.path().to_path_buf()]);
        assert!(errors.is_empty());
        let names: Vec<String> = inputs
            .iter()
            .map(|i| match i {
                Input::File { path, .. } => {
                    path.strip_prefix(dir.path()).unwrap().display().to_string()
                }
                Input::Stdin => "-".into(),
            })
            .collect();
        assert_eq!(names, ["a/1.log", "a/2.log", "b.log", "c/sub/z.log"]);
    }
}
