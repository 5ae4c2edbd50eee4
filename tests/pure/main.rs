//! Pure tests: kvtui's code called in this process, with no terminal, no vault and no other
//! process — the rules of `update`, snapshots of every screen, the README's key map, the wire
//! models against the spec, the fuzz targets' properties under proptest, and that no two source
//! files use each other.

#[path = "../factory/mod.rs"]
mod factory;
#[path = "../props/mod.rs"]
mod props;

mod fuzz_props;
mod import_cycles;
mod list_races;
mod readme_keys;
mod screens;
mod spec_examples;
mod update;
