//! `config.toml` parsing and checking on any text; a first byte `!` also picks a run of the
//! pasted-secret property with the rest of the input as the secret (quoted or not, by its length).
#![no_main]

#[path = "../../tests/props/mod.rs"]
mod props;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        props::config(text);
        if let Some(secret) = text.strip_prefix('!')
            && secret.chars().count() >= 12
            && secret.chars().all(|c| (' '..='~').contains(&c))
        {
            props::config_never_quotes_a_pasted_secret(
                secret,
                secret.len() % 2 == 0,
                secret.len() % 3 != 0,
            );
        }
    }
});
