//! Logs go to a file, never to the terminal: the TUI owns the screen, and a log line is no place
//! for a secret anyway. `KVTUI_LOG` sets the filter (`info` by default), e.g. `KVTUI_LOG=debug`.

use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::Mutex;
use tracing_subscriber::EnvFilter;

pub const FILTER_ENV: &str = "KVTUI_LOG";

/// Sends every log line to `path` (created 0600, appended to). Call once per process.
pub fn init(path: &Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        crate::fsutil::create_private_dir(dir)?;
    }
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)?;
    let filter = EnvFilter::try_from_env(FILTER_ENV).unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .try_init()
        .map_err(|error| std::io::Error::other(error.to_string()))
}

pub const LOG_FILE: &str = "kvtui.log";

/// Logs to `kvtui.log` in the data dir; a log that cannot be opened is not worth failing for.
pub fn init_default() {
    if let Some(dir) = crate::local_vault::default_data_dir() {
        let _ = init(&dir.join(LOG_FILE));
    }
}
