//! Logs go to a file, never to the terminal: the TUI owns the screen, and a log line is no place
//! for a secret anyway. `KVTUI_LOG` sets the filter (`info` by default), e.g. `KVTUI_LOG=debug`.

use std::path::Path;
use std::sync::Mutex;
use tracing_subscriber::EnvFilter;

pub const FILTER_ENV: &str = "KVTUI_LOG";

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The log's dir or the log itself is another user's, open to others, or a link.
    #[error(transparent)]
    Untrusted(#[from] crate::file_trust::FileTrustError),
    #[error("cannot start logging: {0}")]
    Subscriber(String),
}

/// Sends every log line to `path` (created 0600, appended to, never through a link) in a data
/// dir that passes the checks of [`crate::file_trust`]. Call once per process.
pub fn init(path: &Path) -> Result<(), LogError> {
    let dir = crate::local_vault::data_dir::prepare(path.parent().unwrap_or(Path::new(".")))?;
    let file = crate::fsutil::open_log(&dir.join(path.file_name().unwrap_or_default()))?;
    let filter = EnvFilter::try_from_env(FILTER_ENV).unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .try_init()
        .map_err(|error| LogError::Subscriber(error.to_string()))
}

pub const LOG_FILE: &str = "kvtui.log";

/// Logs to `kvtui.log` in the data dir; a log that cannot be opened is not worth failing for.
pub fn init_default() {
    if let Some(dir) = crate::local_vault::default_data_dir() {
        let _ = init(&dir.join(LOG_FILE));
    }
}
