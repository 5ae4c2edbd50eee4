//! The statistics of the samples and the table of rows, each with its target and verdict, and
//! the machine the table was measured on.

use std::time::Duration;

pub fn median(samples: &[f64]) -> f64 {
    percentile(samples, 0.5)
}

pub fn percentile(samples: &[f64], p: f64) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (sorted.len() - 1) as f64 * p;
    let (low, high) = (rank.floor() as usize, rank.ceil() as usize);
    sorted[low] + (sorted[high] - sorted[low]) * (rank - low as f64)
}

pub fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

pub fn show_samples(samples: &[f64]) -> String {
    samples
        .iter()
        .map(|s| format!("{s:.1}"))
        .collect::<Vec<_>>()
        .join(" ")
}

pub enum Target {
    AtMost(f64),
    AtLeast(f64),
    /// Shown for context; no target.
    Info,
}

struct Row {
    what: String,
    kvtui: String,
    peer: String,
    ratio: String,
    target: String,
    verdict: &'static str,
}

#[derive(Default)]
pub struct Table {
    rows: Vec<Row>,
}

impl Table {
    /// A row comparing kvtui's median with a peer's median (both in `unit`).
    pub fn ratio(
        &mut self,
        what: &str,
        kvtui: f64,
        peer_name: &str,
        peer: f64,
        unit: &str,
        max: f64,
    ) {
        let ratio = kvtui / peer;
        let (target, verdict_text) = if max.is_finite() {
            (format!("≤ {max}× {peer_name}"), verdict(ratio <= max))
        } else {
            ("—".to_owned(), "info")
        };
        self.rows.push(Row {
            what: what.to_owned(),
            kvtui: format!("{kvtui:.1} {unit}"),
            peer: format!("{peer_name} {peer:.1} {unit}"),
            ratio: format!("{ratio:.3}×"),
            target,
            verdict: verdict_text,
        });
    }

    pub fn value(&mut self, what: &str, value: f64, unit: &str, target: Target) {
        let (target_text, verdict_text) = match target {
            Target::AtMost(max) => (format!("≤ {max} {unit}"), verdict(value <= max)),
            Target::AtLeast(min) => (format!("≥ {min} {unit}"), verdict(value >= min)),
            Target::Info => ("—".to_owned(), "info"),
        };
        self.rows.push(Row {
            what: what.to_owned(),
            kvtui: format!("{value:.2} {unit}"),
            peer: "—".into(),
            ratio: "—".into(),
            target: target_text,
            verdict: verdict_text,
        });
    }

    /// A yes/no property that must hold.
    pub fn check(&mut self, what: &str, observed: String, holds: bool) {
        self.rows.push(Row {
            what: what.to_owned(),
            kvtui: observed,
            peer: "—".into(),
            ratio: "—".into(),
            target: "holds".into(),
            verdict: verdict(holds),
        });
    }

    pub fn skipped(&mut self, what: &str, why: &str) {
        self.rows.push(Row {
            what: what.to_owned(),
            kvtui: "—".into(),
            peer: why.to_owned(),
            ratio: "—".into(),
            target: "—".into(),
            verdict: "skipped",
        });
    }

    pub fn markdown(&self) -> String {
        let mut text = String::from(
            "| measurement | kvtui | peer | ratio | target | verdict |\n|---|---|---|---|---|---|\n",
        );
        for row in &self.rows {
            text.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                row.what, row.kvtui, row.peer, row.ratio, row.target, row.verdict
            ));
        }
        text
    }
}

fn verdict(pass: bool) -> &'static str {
    if pass { "PASS" } else { "FAIL" }
}

pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split(':').nth(1))
                .map(|model| model.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| kib_field(&info, "MemTotal"))
        .map(|kib| format!("{:.0} GiB", kib / 1024.0 / 1024.0))
        .unwrap_or_default();
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|k| k.trim().to_owned())
        .unwrap_or_default();
    let load = std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    format!("{cpu}, {cores} cores, {memory}, Linux {kernel}; load average at start {load}")
}

/// The number of a `Field: N kB` line of a /proc file (`meminfo`, a process's `status`).
pub fn kib_field(text: &str, field: &str) -> Option<f64> {
    text.lines()
        .find(|line| line.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}
