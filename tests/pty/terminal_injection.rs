//! Whoever can write to a vault cannot write to its readers' terminals. A secret whose content
//! type, tag and value carry escape sequences (set the clipboard with OSC 52, clear the screen,
//! an 8-bit CSI) and format characters (a bidi override that makes `env=<U+202E>DORP` read
//! `env=PROD`, zero-width and tag characters) is shown by the CLI — text and `--json`, masked and
//! revealed — and by the TUI without a single control or format character reaching the terminal,
//! while `--json --reveal` still gives the exact value and the TUI draws them visibly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use crate::support;

use serde_json::{Value, json};
use support::{Kvtui, VaultProcess};

const CLIPBOARD: &str = "\u{1b}]52;c;cm0gLXJmIH4K\u{7}";
const CLEAR: &str = "\u{1b}[2J\u{1b}[H";
const CSI_8BIT: &str = "\u{9b}31m";
/// Reads `env=PROD` where the override is obeyed.
const REVERSED: &str = "\u{202e}DORP\u{202c}";
/// A zero-width space, and "hi" in tag characters, which no terminal shows.
const INVISIBLE: &str = "\u{200b}\u{e0068}\u{e0069}";

/// Characters no output may carry: ESC, BEL, CSI (8-bit, as UTF-8), DEL, and every format
/// character (the list is Unicode's, written out here so kvtui's own table is checked).
fn hidden_characters(output: &[u8]) -> Vec<String> {
    let format = |c: char| {
        matches!(c, '\u{ad}' | '\u{61c}' | '\u{180e}' | '\u{feff}')
            || ('\u{200b}'..='\u{200f}').contains(&c)
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2060}'..='\u{206f}').contains(&c)
            || ('\u{e0000}'..='\u{e007f}').contains(&c)
    };
    let text = String::from_utf8_lossy(output);
    text.chars()
        .filter(|&c| (c.is_control() && c != '\n' && c != '\t') || format(c))
        .map(|c| format!("{:?}", c))
        .collect()
}

#[tokio::test]
async fn escape_sequences_from_the_vault_never_reach_the_terminal() {
    let vault = VaultProcess::start();
    let value = format!("value{CLEAR}with{CSI_8BIT}escapes\u{7f}{REVERSED}{INVISIBLE}");
    vault
        .set_body(
            "hostile",
            json!({
                "value": value,
                "contentType": format!("{INVISIBLE}text/plain{CLIPBOARD}"),
                "tags": {"owner": format!("ops{CLEAR}"), "x": CSI_8BIT, "env": REVERSED, format!("zw{INVISIBLE}"): "v"},
            }),
        )
        .await;

    let kvtui = Kvtui::with_config(&vault.profile_toml("t", false));
    let run = |args: &[&str]| {
        let output = kvtui.run(args);
        assert!(output.status.success(), "{args:?}: {output:?}");
        for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
            let found = hidden_characters(bytes);
            assert!(
                found.is_empty(),
                "{args:?} wrote {found:?} to {stream}: {:?}",
                String::from_utf8_lossy(bytes)
            );
        }
        output.stdout
    };
    for args in [
        &["secret", "show", "hostile"][..],
        &["secret", "show", "hostile", "--reveal"],
        &["secret", "list"],
        &["secret", "versions", "hostile"],
        &["secret", "--json", "show", "hostile"],
        &["secret", "--json", "list"],
    ] {
        run(args);
    }
    // Shown as escapes, and JSON still means exactly the value.
    let shown = String::from_utf8(run(&["secret", "show", "hostile", "--reveal"])).unwrap();
    assert!(shown.contains("value\\u001b[2J"), "{shown}");
    assert!(shown.contains("env=\\u202eDORP\\u202c"), "{shown}");
    assert!(
        shown.contains("\\u200b\\udb40\\udc68\\udb40\\udc69"),
        "{shown}"
    );
    let json: Value =
        serde_json::from_slice(&run(&["secret", "--json", "show", "hostile", "--reveal"])).unwrap();
    assert_eq!(json["value"], value.as_str());
    assert_eq!(json["tags"]["env"], REVERSED);
    assert_eq!(json["tags"][format!("zw{INVISIBLE}")], "v");
    assert_eq!(
        json["contentType"],
        format!("{INVISIBLE}text/plain{CLIPBOARD}")
    );

    // The TUI draws them as pictures, revealed or not.
    let mut tui = kvtui.tui(
        &[],
        &[],
        // Wide enough for the list's TYPE column: a table cell passes a zero-width character on.
        (140, 30),
    );
    tui.wait_for("hostile");
    tui.wait_for("bytes)");
    tui.wait_for("env=⟨U+202E⟩DORP⟨U+202C⟩");
    tui.send("v");
    tui.wait_for("escapes");
    tui.quit();
    run(&["secret", "update", "hostile", "--tag", "owner=ops"]);
    let raw = tui.raw();
    for (what, sequence) in [
        ("OSC 52", "\u{1b}]52"),
        ("clear screen", "\u{1b}[2J"),
        ("8-bit CSI", "\u{9b}"),
        ("DEL", "\u{7f}"),
        ("a bidi override", "\u{202e}"),
        ("a zero-width space", "\u{200b}"),
        ("a tag character", "\u{e0068}"),
    ] {
        assert!(
            !raw.windows(sequence.len())
                .any(|w| w == sequence.as_bytes()),
            "the TUI passed the vault's {what} to the terminal"
        );
    }
}
