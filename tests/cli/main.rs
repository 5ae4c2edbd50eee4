//! The CLI as a script or a user runs it: the real `kvtui` binary against real local vaults —
//! output, exit codes and refusals, the config files it reads and the profiles it adds to them,
//! the files it is pointed at, long input, the process's hardening, and no secret leaking from
//! any flow (the TUI's among them).

#[path = "../support/mod.rs"]
mod support;

mod cli;
mod cli_operator;
mod config_fixtures;
mod input_files;
mod leaks;
mod long_input;
mod policy;
mod process_hardening;
mod profile_add;
mod references;
mod run;
mod stale_writes;
mod transfer;
mod vault_list;
