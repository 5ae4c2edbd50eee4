//! The local vault's contract, against the real `kvtui local-vault` binary over real HTTPS (and
//! raw TLS): every REST operation and error, its defences, its store on disk, its data dir on a
//! shared machine, its backup limit, a crowd of idle connections, and writes surviving `kill -9`.

#[path = "../support/mod.rs"]
mod support;

mod crash_consistency;
mod data_dir;
mod local_vault_api;
mod local_vault_backup;
mod local_vault_connections;
mod local_vault_security;
mod local_vault_store;
