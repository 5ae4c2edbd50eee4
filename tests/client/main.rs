//! kvtui as a client of the service: the Key Vault client (in this process and through the
//! binary) against what the real service does — its recorded answers, its quirks and faults,
//! certificates that cannot be trusted, and every kind of sign-in against stand-in endpoints.

#[path = "../support/mod.rs"]
mod support;

mod certificates;
mod client;
mod credentials;
mod device_code;
mod faults;
mod replay;
mod service_quirks;
