//! Editing a value in the user's `$VISUAL` / `$EDITOR`. The editor needs a file, so the value
//! goes to a RAM-backed directory (`$XDG_RUNTIME_DIR`, else `/dev/shm`), owner-only, and is
//! overwritten with zeros and removed as soon as the editor exits. With no RAM-backed
//! directory the edit is refused rather than put on disk.

use crate::vault::SecretValue;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

fn ram_dir() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from),
        Some(PathBuf::from("/dev/shm")),
    ];
    candidates.into_iter().flatten().find(|dir| dir.is_dir())
}

fn wipe(path: &Path) {
    // Not through a link: what is overwritten is the file the editor saved, nothing else.
    let opened = std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(path);
    if let Ok(mut file) = opened
        && let Ok(length) = file.metadata().map(|m| m.len())
    {
        let _ = file.write_all(&vec![0u8; length as usize]);
        let _ = file.sync_all();
    }
    let _ = std::fs::remove_file(path);
}

/// Runs the editor on `value` and returns what was saved. Blocks until the editor exits; the
/// caller hands the terminal over first.
pub fn edit(value: &SecretValue) -> Result<SecretValue, String> {
    let dir = ram_dir().ok_or(
        "no RAM-backed directory ($XDG_RUNTIME_DIR or /dev/shm) to edit in without writing the value to disk",
    )?;
    let path = dir.join(format!("kvtui-edit-{}.txt", crate::random::hex(8)));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .and_then(|mut file| file.write_all(value.expose().as_bytes()));
    if let Err(error) = written {
        wipe(&path);
        return Err(format!("cannot write {}: {error}", path.display()));
    }
    let set = |name: &str| {
        std::env::var(name)
            .ok()
            .filter(|value| !value.trim().is_empty())
    };
    let editor = set("VISUAL")
        .or_else(|| set("EDITOR"))
        .unwrap_or_else(|| "vi".to_owned());
    // Through the shell, so an editor with arguments (`code --wait`) works.
    let status = std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("kvtui-editor")
        .arg(&path)
        .status();
    let result = match status {
        Ok(status) if status.success() => {
            crate::file_trust::read_input_text(&path, crate::file_trust::Limit::VALUE)
                .map(|text| SecretValue::new(text.as_str()))
                .map_err(|error| format!("cannot read the edited value back: {error}"))
        }
        Ok(status) => Err(format!(
            "{editor} exited with {status}: the value is unchanged"
        )),
        Err(error) => Err(format!("cannot run {editor}: {error}")),
    };
    wipe(&path);
    result
}
