//! The TUI rows: the release binary in a PTY of [`TUI_SIZE`], timed from launch to the first
//! page painted, a key answered while pages stream in, every page listed, and its memory.

use crate::table::{Table, Target, kib_field, median, ms, show_samples};
use crate::vault::Bench;
use crate::{KVTUI, TUI_SIZE};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

struct TuiRun {
    first_page: Duration,
    key_latency: Duration,
    /// The title still said "page N" when the key was answered: pages were streaming.
    key_while_streaming: bool,
    pages_when_answered: String,
    all_loaded: Duration,
    rss_mib: f64,
    peak_mib: f64,
}

#[derive(Default)]
struct Marks {
    first_page: Option<Instant>,
    key_answered: Option<(Instant, bool, String)>,
    loaded: Option<Instant>,
    screen: String,
}

fn proc_status_mib(pid: u32, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| kib_field(&status, field))
        .map(|kib| kib / 1024.0)
        .unwrap_or(f64::NAN)
}

fn tui_run(bench: &Bench, first_page_names: &[String], total: usize) -> TuiRun {
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    use std::io::{Read, Write};
    let (cols, rows) = TUI_SIZE;
    let pair = native_pty_system()
        .openpty(PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut command = CommandBuilder::new(KVTUI);
    command.env("TERM", "xterm-256color");
    command.env("KVTUI_CONFIG_DIR", &bench.config_dir);
    command.env("KVTUI_DATA_DIR", bench.root.join("tui-data"));
    command.env_remove("KVTUI_LOG");
    let marks = Arc::new((Mutex::new(Marks::default()), Condvar::new()));
    let started = Instant::now();
    let mut child = pair.slave.spawn_command(command).unwrap();
    drop(pair.slave);
    let pid = child.process_id().unwrap();
    let mut reader = pair.master.try_clone_reader().unwrap();
    let mut writer = pair.master.take_writer().unwrap();
    let first_page_names: Vec<String> = first_page_names.to_vec();
    // The title says where the cursor is, of how many: "Secrets 1/10001" once every page is in.
    let loaded_title = format!("/{total} ");
    let sink = Arc::clone(&marks);
    std::thread::spawn(move || {
        let mut parser = vt100::Parser::new(
            std::num::NonZeroU16::new(rows).unwrap(),
            std::num::NonZeroU16::new(cols).unwrap(),
            0,
        );
        let mut buffer = vec![0u8; 64 * 1024];
        while let Ok(read @ 1..) = reader.read(&mut buffer) {
            parser.process(&buffer[..read]);
            let now = Instant::now();
            let screen = parser.screen().contents();
            let (lock, wake) = &*sink;
            let mut marks = lock.lock().unwrap();
            if marks.first_page.is_none()
                && first_page_names
                    .iter()
                    .all(|name| screen.contains(name.as_str()))
            {
                marks.first_page = Some(now);
            }
            if marks.key_answered.is_none() && screen.contains("/▏") {
                let title = screen.lines().next().unwrap_or_default();
                let page = title
                    .split_whitespace()
                    .skip_while(|word| *word != "page")
                    .nth(1)
                    .unwrap_or("-")
                    .to_owned();
                marks.key_answered = Some((now, title.contains(" page "), page));
            }
            if marks.loaded.is_none()
                && screen.contains(&loaded_title)
                && !screen.lines().next().unwrap_or_default().contains(" page ")
            {
                marks.loaded = Some(now);
            }
            marks.screen = screen;
            wake.notify_all();
        }
    });
    let wait = |done: &dyn Fn(&Marks) -> bool, what: &str| {
        let (lock, wake) = &*marks;
        let guard = lock.lock().unwrap();
        let (guard, timeout) = wake
            .wait_timeout_while(guard, Duration::from_secs(60), |m| !done(m))
            .unwrap();
        assert!(
            !timeout.timed_out(),
            "TUI: timed out waiting for {what}; the screen:\n{}",
            guard.screen
        );
    };
    wait(&|m| m.first_page.is_some(), "the first page");
    let key_sent = Instant::now();
    writer.write_all(b"/").unwrap();
    writer.flush().unwrap();
    wait(&|m| m.key_answered.is_some(), "the filter prompt");
    writer.write_all(b"\x1b").unwrap();
    writer.flush().unwrap();
    wait(&|m| m.loaded.is_some(), "every page");
    // Let the selection's details and versions load too, as a user would see them.
    std::thread::sleep(Duration::from_millis(500));
    let rss_mib = proc_status_mib(pid, "VmRSS:");
    let peak_mib = proc_status_mib(pid, "VmHWM:");
    let _ = writer.write_all(b"q");
    let _ = writer.flush();
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let (lock, _) = &*marks;
    let marks = lock.lock().unwrap();
    let (answered, streaming, page) = marks.key_answered.clone().unwrap();
    TuiRun {
        first_page: marks.first_page.unwrap() - started,
        key_latency: answered - key_sent,
        key_while_streaming: streaming,
        pages_when_answered: page,
        all_loaded: marks.loaded.unwrap() - started,
        rss_mib,
        peak_mib,
    }
}

pub fn tui_rows(bench: &Bench, table: &mut Table, runs: usize) {
    let sorted = bench.sorted_names();
    let total = sorted.len();
    let first_page: Vec<String> = sorted.iter().take(25).cloned().collect();
    let _ = tui_run(bench, &first_page, total); // warm-up
    let results: Vec<TuiRun> = (0..runs)
        .map(|_| tui_run(bench, &first_page, total))
        .collect();
    let collect = |get: &dyn Fn(&TuiRun) -> f64| results.iter().map(get).collect::<Vec<f64>>();
    let first = collect(&|r| ms(r.first_page));
    let key = collect(&|r| ms(r.key_latency));
    let loaded = collect(&|r| ms(r.all_loaded));
    let rss = collect(&|r| r.rss_mib);
    let peak = collect(&|r| r.peak_mib);
    println!("TUI first page painted (ms): {}", show_samples(&first));
    println!("TUI key answered (ms): {}", show_samples(&key));
    let fetching: Vec<String> = results
        .iter()
        .map(|r| r.pages_when_answered.clone())
        .collect();
    println!(
        "TUI page being fetched when the key was answered: {}",
        fetching.join(" ")
    );
    println!("TUI every page loaded (ms): {}", show_samples(&loaded));
    println!("TUI VmRSS (MiB): {}", show_samples(&rss));
    println!("TUI VmHWM (MiB): {}", show_samples(&peak));
    table.value(
        &format!(
            "TUI launch → first page painted ({}×{} PTY)",
            TUI_SIZE.0, TUI_SIZE.1
        ),
        median(&first),
        "ms",
        Target::AtMost(150.0),
    );
    let streaming = results.iter().filter(|r| r.key_while_streaming).count();
    table.check(
        "TUI answers a key while pages stream in",
        format!(
            "{streaming}/{} runs, key → screen {:.1} ms",
            results.len(),
            median(&key)
        ),
        streaming == results.len(),
    );
    table.value(
        &format!("TUI launch → all {total} secrets listed"),
        median(&loaded),
        "ms",
        Target::Info,
    );
    table.value(
        &format!("TUI resident memory, {total} secrets loaded (VmRSS)"),
        median(&rss),
        "MiB",
        Target::AtMost(40.0),
    );
    table.value(
        "TUI peak resident memory (VmHWM)",
        median(&peak),
        "MiB",
        Target::Info,
    );
}
