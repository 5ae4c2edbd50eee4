//! The terminal's clipboard through OSC 52: the sequence travels with the screen output, so a
//! copy works over ssh and on a jump box with no display. Inside tmux the sequence is sent both
//! plain (taken when `set-clipboard on`) and wrapped for passthrough (taken when
//! `allow-passthrough on`), so either setting works.

use base64::Engine;
use std::io::Write;
use zeroize::Zeroize;

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

/// Writes the sequence for `text` to the terminal, wiping the encoded copy afterwards.
pub fn copy(text: &str) -> std::io::Result<()> {
    let mut bytes = sequence(text, std::env::var_os("TMUX").is_some());
    let mut out = std::io::stdout().lock();
    let result = out.write_all(&bytes).and_then(|()| out.flush());
    bytes.zeroize();
    result
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
}
