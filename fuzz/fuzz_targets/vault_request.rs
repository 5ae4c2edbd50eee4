//! The local vault's request handling: sequences of requests built from the input (method,
//! route, name, version, query, credentials, body) against one vault on a data dir in /dev/shm.
#![no_main]

#[path = "../../tests/props/mod.rs"]
mod props;

use arbitrary::Arbitrary;
use std::sync::OnceLock;

#[derive(Arbitrary, Debug)]
struct Input {
    method: u8,
    route: u8,
    name: String,
    version: String,
    query: u8,
    query_text: String,
    auth: u8,
    body_kind: u8,
    body: Vec<u8>,
    number: i64,
}

/// One vault for the whole run, so requests meet what earlier inputs stored.
static VAULT: OnceLock<props::VaultUnderTest> = OnceLock::new();

libfuzzer_sys::fuzz_target!(|inputs: Vec<Input>| {
    let vault = VAULT.get_or_init(props::VaultUnderTest::new);
    for input in inputs.into_iter().take(8) {
        props::vault_request(
            vault,
            &props::RequestInput {
                method: input.method,
                route: input.route,
                name: input.name,
                version: input.version,
                query: input.query,
                query_text: input.query_text,
                auth: input.auth,
                body_kind: input.body_kind,
                body: input.body,
                number: input.number,
            },
        );
    }
});
