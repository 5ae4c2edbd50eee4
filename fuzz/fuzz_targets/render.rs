//! The TUI drawing whatever a vault sends: up to 6 secrets built from the input (name, version,
//! content type, tags, any integer as a date, value) and an error message, every screen drawn
//! through `ui::render` at every size from 1×1 to 200×60.
#![no_main]

#[path = "../../tests/props/mod.rs"]
mod props;

use arbitrary::Arbitrary;

#[derive(Arbitrary, Debug)]
struct Version {
    name: String,
    version: String,
    content_type: Option<String>,
    tags: Vec<(String, String)>,
    dates: [Option<i64>; 4],
    enabled: Option<bool>,
    recoverable_days: Option<i64>,
    value: String,
}

libfuzzer_sys::fuzz_target!(|input: (Vec<Version>, String)| {
    let (versions, message) = input;
    let versions: Vec<props::render::HostileVersion> = versions
        .into_iter()
        .take(6)
        .map(|version| props::render::HostileVersion {
            name: version.name,
            version: version.version,
            content_type: version.content_type,
            tags: version.tags,
            dates: version.dates,
            enabled: version.enabled,
            recoverable_days: version.recoverable_days,
            value: version.value,
        })
        .collect();
    props::render::render_hostile(&versions, &message);
});
