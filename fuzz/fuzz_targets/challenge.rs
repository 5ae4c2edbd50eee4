//! The `WWW-Authenticate` challenge parser and the check on which vaults may get a token, on any
//! header; the vault host is the first line of the input, the header the rest.
#![no_main]

#[path = "../../tests/props/mod.rs"]
mod props;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let (host, header) = text
            .split_once('\n')
            .unwrap_or(("myvault.vault.azure.net", text));
        props::challenge(header, host);
    }
});
