//! Conformance: the official Azure SDKs (Python and Rust) run the whole secret lifecycle against
//! the real local vault binary over HTTPS.

#[path = "../support/mod.rs"]
mod support;

mod sdk_python;
mod sdk_rust;
