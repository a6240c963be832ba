//! Keeping the state across restarts: the state file (`roomkv emulator --state FILE`,
//! [`EmulatorBuilder::state_file`](crate::EmulatorBuilder::state_file)).
//!
//! **The promise.** A request served over HTTP ([`Emulator::serve`](crate::Emulator::serve),
//! [`Emulator::respond`](crate::Emulator::respond)) is answered only after every change it made
//! is in the state file on disk (fsync'd). So a write the client saw acknowledged survives a
//! crash, a `kill -9` or a power cut, and nothing appears in the file that no request made.
//! Saves are group commits: one background thread writes a full snapshot covering every change
//! made so far, and all requests waiting for any of those changes are answered together, so
//! throughput does not collapse to one fsync per request. [`Emulator::handle`](crate::Emulator::handle)
//! (synchronous, in memory) does not wait; its changes reach the file with the next save (at most
//! [`IDLE_FLUSH`] later).
//!
//! **Atomicity.** A save writes the whole file next to the target (same directory, so the rename
//! cannot cross file systems), fsyncs it, renames it over the target and fsyncs the directory. A
//! crash at any moment leaves either the previous complete file or the new one (at worst plus a
//! stale temporary file, `FILE.tmp`, removed at the next start with a warning).
//!
//! **What is kept.** Chat rooms (entries with value, owner, `autoDelete`, `lastSetTime`, and the
//! room `version`), the message-expansion registry (expansions with their `ts`), Tencent rooms
//! (`RoomInfo`, with `Notice`, `ViewCount` and the fields core does not model, and metadata), the
//! KV service switches and the event numbering. Not kept: the
//! event log (notifications, KV-sync and callbacks are a record of one run), quota buckets,
//! strict-mode nonces and fault rules — a restart begins with fresh ones.
//!
//! **Format.** JSON: `{"format": "roomkv-emulator-state", "version": 1, "state": {...}}`. A file
//! that is not this format, is corrupt, or has another version is refused with a
//! [`PersistError`] naming the file: the emulator does not start rather than silently begin
//! empty and overwrite it. A missing file starts empty state and is created at once (so an
//! unwritable path is reported at start); so does an empty (0-byte) file, with a warning
//! (`touch state.json` leaves one, and it holds nothing to lose).

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::shards::lock;
use crate::state::{Snapshot, State};

/// The `format` field of a state file.
pub const FORMAT: &str = "roomkv-emulator-state";

/// The `version` of the state files this emulator writes and reads.
pub const FORMAT_VERSION: u64 = 1;

/// How long changes nobody waits for (made through [`Emulator::handle`](crate::Emulator::handle))
/// may stay unsaved.
pub const IDLE_FLUSH: Duration = Duration::from_millis(200);

/// How long the saver waits before trying again after a failed save (disk full, file removed).
const RETRY_AFTER: Duration = Duration::from_millis(100);

/// Why a state file cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PersistError {
    /// The file exists but cannot be read.
    #[error("cannot read the state file {}: {source}", path.display())]
    Read {
        /// The state file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The file (or its temporary file) cannot be written.
    #[error("cannot write the state file {}: {source}", path.display())]
    Write {
        /// The state file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The file is not a roomkv emulator state file, or is damaged.
    #[error("{} is not a valid roomkv emulator state file: {reason}", path.display())]
    Corrupt {
        /// The state file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The file was written by an emulator with another format version.
    #[error(
        "{} has state format version {found}; this emulator reads version {FORMAT_VERSION}",
        path.display()
    )]
    Incompatible {
        /// The state file.
        path: PathBuf,
        /// The version in the file.
        found: u64,
    },
}

/// Something [`EmulatorBuilder::state_file`](crate::EmulatorBuilder::state_file) did at start
/// that the operator should hear of (the CLI prints it on stderr; it is also logged at `WARN`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StartNote {
    /// The temporary file of a save interrupted by a crash was removed; the state file itself
    /// was intact and is used.
    RemovedLeftover {
        /// The temporary file.
        temporary: PathBuf,
    },
    /// The state file was empty (0 bytes): the emulator starts with an empty state and writes
    /// a valid file over it.
    EmptyFile {
        /// The state file.
        path: PathBuf,
    },
}

impl std::fmt::Display for StartNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::RemovedLeftover { temporary } => write!(
                f,
                "removed {}, the temporary file of a save that was interrupted",
                temporary.display()
            ),
            Self::EmptyFile { path } => write!(
                f,
                "the state file {} is empty (0 bytes): starting with an empty state",
                path.display()
            ),
        }
    }
}

/// A state file as read at start.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    /// The state, `None` when the file does not exist or is empty.
    pub(crate) snapshot: Option<Snapshot>,
    pub(crate) notes: Vec<StartNote>,
}

/// The file as written.
#[derive(Serialize)]
struct FileOut<'a> {
    format: &'static str,
    version: u64,
    state: &'a Snapshot,
}

/// The header of a file, read before the state so that a version mismatch is named as such.
#[derive(Deserialize)]
struct Header {
    format: String,
    version: u64,
}

#[derive(Deserialize)]
struct FileIn {
    state: Snapshot,
}

/// Reads the state file (no snapshot if it does not exist or is empty). First removes the
/// temporary file a save interrupted by a crash may have left next to it.
pub(crate) fn load(path: &Path) -> Result<Loaded, PersistError> {
    let mut loaded = Loaded::default();
    if let Some(note) = remove_leftover(path)? {
        loaded.notes.push(note);
    }
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(loaded),
        Err(source) => {
            return Err(PersistError::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    if bytes.is_empty() {
        // What `touch state.json` or a file system that lost the data of a fresh file leaves:
        // nothing to lose by starting empty, unlike a damaged file.
        loaded.notes.push(StartNote::EmptyFile {
            path: path.to_owned(),
        });
        return Ok(loaded);
    }
    let corrupt = |reason: String| PersistError::Corrupt {
        path: path.to_owned(),
        reason,
    };
    let header: Header = serde_json::from_slice(&bytes).map_err(|e| corrupt(e.to_string()))?;
    if header.format != FORMAT {
        return Err(corrupt(format!(
            "format is {:?}, expected {FORMAT:?}",
            header.format
        )));
    }
    if header.version != FORMAT_VERSION {
        return Err(PersistError::Incompatible {
            path: path.to_owned(),
            found: header.version,
        });
    }
    let file: FileIn = serde_json::from_slice(&bytes).map_err(|e| corrupt(e.to_string()))?;
    loaded.snapshot = Some(file.state);
    Ok(loaded)
}

/// Writes `snapshot` to `path` atomically (see the [module documentation](self)).
pub(crate) fn save(path: &Path, snapshot: &Snapshot) -> Result<(), PersistError> {
    let file = FileOut {
        format: FORMAT,
        version: FORMAT_VERSION,
        state: snapshot,
    };
    let bytes = serde_json::to_vec(&file).map_err(|e| PersistError::Write {
        path: path.to_owned(),
        source: io::Error::other(e),
    })?;
    write_atomically(path, &bytes).map_err(|source| PersistError::Write {
        path: path.to_owned(),
        source,
    })
}

/// The directory of `path` (`.` for a bare file name).
fn directory(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// The temporary file a save of `path` writes first: `FILE.tmp` in the same directory.
pub fn temporary_path(path: &Path) -> io::Result<PathBuf> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
    let mut temporary = name.to_owned();
    temporary.push(".tmp");
    Ok(directory(path).join(temporary))
}

/// Removes the temporary file of an interrupted save (a kill between its creation and its
/// rename): the state file itself is intact, the temporary file is garbage.
fn remove_leftover(path: &Path) -> Result<Option<StartNote>, PersistError> {
    let write_error = |source| PersistError::Write {
        path: path.to_owned(),
        source,
    };
    let temporary = temporary_path(path).map_err(write_error)?;
    match fs::remove_file(&temporary) {
        Ok(()) => Ok(Some(StartNote::RemovedLeftover { temporary })),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(write_error(source)),
    }
}

/// Temporary file in the target's directory, fsync, rename over the target, fsync the directory.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = directory(path);
    let temporary = temporary_path(path)?;
    let mut file = File::create(&temporary)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(&temporary, path)?;
    sync_directory(dir)
}

#[cfg(unix)]
fn sync_directory(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_directory(_: &Path) -> io::Result<()> {
    // Directories cannot be opened for syncing here; the rename is as durable as the OS makes it.
    Ok(())
}

/// What the saver thread is asked to do.
#[derive(Default)]
struct Wake {
    wanted: bool,
    stop: bool,
}

#[derive(Default)]
struct Signal {
    wake: Mutex<Wake>,
    condvar: Condvar,
}

/// The background saver of one emulator: group commits of the whole state to its file.
pub(crate) struct Persister {
    state: Arc<State>,
    signal: Arc<Signal>,
    durable: watch::Receiver<u64>,
    thread: Option<JoinHandle<()>>,
}

impl Persister {
    /// Starts saving `state` to `path`; everything up to the current change count is taken as
    /// already saved (just loaded, or just written).
    pub(crate) fn start(path: PathBuf, state: Arc<State>) -> Self {
        let saved = state.change_count();
        let (sender, durable) = watch::channel(saved);
        let signal = Arc::new(Signal::default());
        let thread = {
            let state = Arc::clone(&state);
            let signal = Arc::clone(&signal);
            std::thread::Builder::new()
                .name("roomkv-emulator-persist".into())
                .spawn(move || saver(&path, &state, &signal, &sender, saved))
                .expect("spawning the emulator's persistence thread")
        };
        Self {
            state,
            signal,
            durable,
            thread: Some(thread),
        }
    }

    /// Returns once every change made so far is on disk.
    pub(crate) async fn durable(&self) {
        let target = self.state.change_count();
        if *self.durable.borrow() >= target {
            return;
        }
        lock(&self.signal.wake).wanted = true;
        self.signal.condvar.notify_one();
        let mut durable = self.durable.clone();
        // An error means the saver is gone (the emulator is being dropped): nothing to wait for.
        let _ = durable.wait_for(|saved| *saved >= target).await;
    }
}

impl Drop for Persister {
    /// Saves what is left, then stops the saver.
    fn drop(&mut self) {
        lock(&self.signal.wake).stop = true;
        self.signal.condvar.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn saver(path: &Path, state: &State, signal: &Signal, durable: &watch::Sender<u64>, saved: u64) {
    let mut saved = saved;
    loop {
        let stop = {
            let mut wake = lock(&signal.wake);
            while !wake.wanted && !wake.stop && state.change_count() <= saved {
                wake = signal
                    .condvar
                    .wait_timeout(wake, IDLE_FLUSH)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            wake.wanted = false;
            wake.stop
        };
        let target = state.change_count();
        if target > saved {
            match save(path, &state.snapshot()) {
                Ok(()) => {
                    saved = target;
                    durable.send_replace(saved);
                }
                Err(err) => {
                    tracing::error!(error = %err, "saving the emulator state failed; retrying");
                    if stop {
                        return;
                    }
                    std::thread::sleep(RETRY_AFTER);
                    continue;
                }
            }
        }
        if stop {
            return;
        }
    }
}
