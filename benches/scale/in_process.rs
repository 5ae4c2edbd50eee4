//! The in-process rows: many names loaded into the TUI's state through `update`, then the
//! filter's keystroke latency and a frame's render time over them.

use crate::TUI_SIZE;
use crate::names::names;
use crate::table::{Table, Target, median, ms, percentile};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kvtui::app::msg::Msg;
use kvtui::app::update::update;
use kvtui::state::{Connection, State};
use kvtui::vault::{SecretAttributes, SecretItem};
use std::path::Path;
use std::time::{Duration, Instant};

pub fn loaded_state(count: usize) -> State {
    let config = kvtui::config::Config::parse(
        "default_profile = \"bench\"\n[profiles.bench]\nvault_url = \"https://bench.vault.azure.net\"\nauth = \"azure-cli\"\n",
        Path::new("/bench/config.toml"),
    )
    .unwrap();
    let now = 1_800_000_000;
    let mut state = State::new(config.profiles.clone(), 0, Some("bench".into()), now);
    update(&mut state, Msg::Resize(TUI_SIZE.0, TUI_SIZE.1));
    kvtui::app::update::start(&mut state);
    let generation = state.generation;
    update(
        &mut state,
        Msg::Connected {
            generation,
            result: Ok(Connection {
                vault_url: "https://bench.vault.azure.net".into(),
                embedded: false,
            }),
        },
    );
    let mut names = names(count);
    names.sort_by_key(|name| name.to_ascii_lowercase());
    let started = Instant::now();
    let pages = names.chunks(25).count();
    for (index, chunk) in names.chunks(25).enumerate() {
        let items = chunk
            .iter()
            .enumerate()
            .map(|(i, name)| SecretItem {
                id: Some(format!("https://bench.vault.azure.net/secrets/{name}")),
                attributes: Some(SecretAttributes {
                    enabled: Some(i % 7 != 0),
                    exp: (i % 3 == 0).then_some(now + (i as i64 % 60) * 86_400),
                    created: Some(now - 86_400 * 40),
                    updated: Some(now - 86_400 * 3),
                    ..SecretAttributes::default()
                }),
                tags: None,
                content_type: Some("text/plain".into()),
                managed: None,
            })
            .collect();
        let ticket = kvtui::state::Ticket {
            generation,
            request: state.list.request,
        };
        update(
            &mut state,
            Msg::SecretsPage {
                ticket,
                result: Ok(items),
                done: index + 1 == pages,
            },
        );
    }
    println!(
        "loaded {count} names into the state ({pages} pages through update) in {:.1} ms",
        ms(started.elapsed())
    );
    state
}

fn key(state: &mut State, code: KeyCode) -> Duration {
    let started = Instant::now();
    update(state, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    started.elapsed()
}

pub fn filter_row(state: &mut State, table: &mut Table, runs: usize) {
    const QUERIES: [&str; 7] = [
        "paydbpass",
        "prod api key",
        "orders-staging-jwt",
        "ledger 004",
        "zqxj",
        "checkout tls 9",
        "authsmtp",
    ];
    let mut latencies = Vec::new();
    let mut first_keys = Vec::new();
    // (ms, query typed so far, matches) of every keystroke, to name the slow ones.
    let mut keystrokes: Vec<(f64, String, usize)> = Vec::new();
    for _ in 0..runs {
        for query in QUERIES {
            key(state, KeyCode::Char('/'));
            for (index, c) in query.chars().enumerate() {
                let elapsed = ms(key(state, KeyCode::Char(c)));
                if index == 0 {
                    first_keys.push(elapsed);
                }
                latencies.push(elapsed);
                keystrokes.push((elapsed, state.list.query.clone(), state.list.visible.len()));
            }
            for _ in 0..query.chars().count() {
                let elapsed = ms(key(state, KeyCode::Backspace));
                latencies.push(elapsed);
                keystrokes.push((
                    elapsed,
                    format!("{}⌫", state.list.query),
                    state.list.visible.len(),
                ));
            }
            key(state, KeyCode::Esc);
        }
    }
    keystrokes.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!(
        "slowest keystrokes (ms, query after the key, matches): {}",
        keystrokes
            .iter()
            .take(12)
            .map(|(ms, query, matches)| format!("{ms:.2} {query:?} {matches}"))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let count = state.list.rows.len();
    println!(
        "filter over {count} names: {} keystrokes, p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms; first key of a query p50 {:.3} ms",
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.9),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0),
        median(&first_keys),
    );
    table.value(
        &format!("filter keystroke over {count} names, p50"),
        percentile(&latencies, 0.5),
        "ms",
        Target::Info,
    );
    table.value(
        &format!("filter keystroke over {count} names, p99"),
        percentile(&latencies, 0.99),
        "ms",
        Target::AtMost(5.0),
    );
}

pub fn render_row(state: &mut State, table: &mut Table, runs: usize) {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let theme = kvtui::ui::Theme::from_env();
    let mut terminal = Terminal::new(TestBackend::new(TUI_SIZE.0, TUI_SIZE.1)).unwrap();
    let frames = 100 * runs;
    let mut times = Vec::with_capacity(frames);
    for frame in 0..frames {
        // Move through the list so every frame draws different rows; jump now and then.
        let code = match frame % 50 {
            0 => KeyCode::PageDown,
            25 => KeyCode::End,
            49 => KeyCode::Home,
            _ => KeyCode::Char('j'),
        };
        key(state, code);
        let started = Instant::now();
        terminal
            .draw(|f| kvtui::ui::render(f, state, &theme))
            .unwrap();
        times.push(ms(started.elapsed()));
    }
    let count = state.list.rows.len();
    println!(
        "render {}×{} with {count} secrets: {frames} frames, p50 {:.3} ms, p99 {:.3} ms",
        TUI_SIZE.0,
        TUI_SIZE.1,
        percentile(&times, 0.5),
        percentile(&times, 0.99)
    );
    table.value(
        &format!(
            "render one frame {}×{}, {count} secrets loaded (median)",
            TUI_SIZE.0, TUI_SIZE.1
        ),
        median(&times),
        "ms",
        Target::AtMost(2.0),
    );
    table.value(
        "render one frame, p99",
        percentile(&times, 0.99),
        "ms",
        Target::Info,
    );
}
