//! The WHEN parser (expiry and not-before dates, in the CLI and the form) on any text.
#![no_main]

#[path = "../../tests/props/mod.rs"]
mod props;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        props::when(text);
    }
});
