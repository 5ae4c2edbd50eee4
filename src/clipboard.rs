//! The terminal's clipboard through OSC 52: the sequence travels with the screen output, so a
//! copy works over ssh and on a jump box with no display. Inside tmux the sequence is sent both
//! plain (taken when `set-clipboard on`) and wrapped for passthrough (taken when
//! `allow-passthrough on`), so either setting works.
//!
//! With `set-clipboard on`, tmux also keeps what it was sent in a paste buffer of its own, which an
//! empty OSC 52 does not clear. Clearing therefore also deletes the tmux buffers that hold the
//! copied value, and says so, or says where the value may remain when it cannot.

use base64::Engine;
use std::io::Write;
use std::process::{Command, Stdio};
use zeroize::{Zeroize, Zeroizing};

/// The bytes that put `text` on the clipboard; an empty `text` clears it.
pub fn sequence(text: &str, inside_tmux: bool) -> Vec<u8> {
    let mut encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let plain = format!("\x1b]52;c;{encoded}\x07");
    encoded.zeroize();
    let mut bytes = plain.clone().into_bytes();
    if inside_tmux {
        let doubled = plain.replace('\x1b', "\x1b\x1b");
        bytes.extend_from_slice(format!("\x1bPtmux;{doubled}\x1b\\").as_bytes());
        let mut doubled = doubled;
        doubled.zeroize();
    }
    let mut plain = plain;
    plain.zeroize();
    bytes
}

fn inside_tmux() -> bool {
    std::env::var_os("TMUX").is_some()
}

/// Writes the sequence for `text` to the terminal, wiping the encoded copy afterwards.
pub fn copy(text: &str) -> std::io::Result<()> {
    let mut bytes = sequence(text, inside_tmux());
    let mut out = std::io::stdout().lock();
    let result = out.write_all(&bytes).and_then(|()| out.flush());
    bytes.zeroize();
    result
}

/// What clearing did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cleared {
    /// The clipboard was cleared; outside tmux there is nothing else to clear.
    Terminal,
    /// Inside tmux: the tmux paste buffers that held the value were deleted (maybe none).
    Tmux { deleted: Vec<String> },
    /// Inside tmux, but its buffers could not be checked: the value may be in one.
    TmuxUnchecked { reason: String },
}

impl Cleared {
    /// For the status line: what was cleared, and where the value may still be.
    pub fn describe(&self) -> String {
        match self {
            Self::Terminal => "Cleared the clipboard".to_owned(),
            Self::Tmux { deleted } if deleted.is_empty() => {
                "Cleared the clipboard; no tmux paste buffer held the value".to_owned()
            }
            Self::Tmux { deleted } => format!(
                "Cleared the clipboard and deleted tmux paste buffer {}",
                deleted.join(", ")
            ),
            Self::TmuxUnchecked { reason } => format!(
                "Cleared the clipboard, but tmux's paste buffers could not be checked ({reason}): \
                 the value may still be in one; see tmux list-buffers, then tmux delete-buffer -b NAME"
            ),
        }
    }
}

/// After the clipboard itself was cleared (an empty [`copy`]): inside tmux, deletes every tmux
/// paste buffer holding `value`. Runs tmux, so it blocks.
pub fn clear_tmux(value: &str) -> Cleared {
    if !inside_tmux() {
        return Cleared::Terminal;
    }
    match delete_tmux_buffers_holding(value) {
        Ok(deleted) => Cleared::Tmux { deleted },
        Err(reason) => Cleared::TmuxUnchecked { reason },
    }
}

fn tmux(args: &[&str]) -> Result<Zeroizing<Vec<u8>>, String> {
    let output = Command::new("tmux")
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|error| format!("tmux {}: {error}", args[0]))?;
    let stdout = Zeroizing::new(output.stdout);
    if output.status.success() {
        Ok(stdout)
    } else {
        Err(format!(
            "tmux {}: {}",
            args[0],
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// The names of the tmux buffers whose content is exactly `value`, deleted. Only buffers of
/// the value's size are read, and each is wiped from memory once compared.
fn delete_tmux_buffers_holding(value: &str) -> Result<Vec<String>, String> {
    let listing = tmux(&["list-buffers", "-F", "#{buffer_size} #{buffer_name}"])?;
    let listing = String::from_utf8_lossy(&listing).into_owned();
    let mut deleted = Vec::new();
    for line in listing.lines() {
        let Some((size, name)) = line.split_once(' ') else {
            continue;
        };
        if size.parse::<usize>().ok() != Some(value.len()) {
            continue;
        }
        let content = tmux(&["show-buffer", "-b", name])?;
        if content.as_slice() == value.as_bytes() {
            tmux(&["delete-buffer", "-b", name])?;
            deleted.push(name.to_owned());
        }
    }
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sequence_is_osc_52_and_tmux_gets_a_passthrough_copy() {
        assert_eq!(sequence("hi", false), b"\x1b]52;c;aGk=\x07");
        assert_eq!(sequence("", false), b"\x1b]52;c;\x07");
        let tmux = String::from_utf8(sequence("hi", true)).unwrap_or_default();
        assert!(tmux.starts_with("\x1b]52;c;aGk=\x07"));
        assert!(tmux.ends_with("\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\"));
    }

    #[test]
    fn the_status_says_where_the_value_may_remain() {
        let unchecked = Cleared::TmuxUnchecked {
            reason: "tmux list-buffers: no server".into(),
        }
        .describe();
        assert!(
            unchecked.contains("tmux delete-buffer -b NAME"),
            "{unchecked}"
        );
        let deleted = Cleared::Tmux {
            deleted: vec!["buffer0".into()],
        }
        .describe();
        assert!(deleted.ends_with("buffer buffer0"), "{deleted}");
    }
}
