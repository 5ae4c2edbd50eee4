//! The controller: owns the state and the background tasks; turns terminal events and task
//! answers into `Msg`s, runs `update`, hands the effects it returns to `tasks`, and redraws when
//! the queue is empty. No vault call ever runs on the render path.

pub mod effect;
pub mod msg;
pub mod tasks;
pub mod update;

use crate::config::{Config, ConfigSource};
use crate::state::{Connection, Level, State};
use crate::ui::{self, Theme};
use crate::vault::SecretValue;
use effect::Effect;
use futures_util::{Stream, StreamExt};
use msg::{Msg, TaskError, ValueSource};
use ratatui::Terminal;
use ratatui::backend::Backend;
use std::io;
use std::time::Duration;
use tasks::{Event, Tasks};
use tokio::sync::mpsc;

/// How the loop ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Quit,
    /// A signal (SIGTERM, SIGHUP) asked us to stop: exit with 128 + its number.
    Signal(i32),
}

/// Hands the terminal to an editor for a value and takes it back: what `$EDITOR` needs of the
/// loop's terminal.
pub type Editor<'a, B> = dyn FnMut(&mut Terminal<B>, &SecretValue) -> io::Result<Result<SecretValue, String>>
    + Send
    + 'a;

pub struct App {
    state: State,
    theme: Theme,
    tasks: Tasks,
    receiver: mpsc::UnboundedReceiver<Event>,
}

impl App {
    /// The app on `profile` (or the default) of `config`.
    pub fn new(
        config: &Config,
        profile: Option<&str>,
        theme: Theme,
    ) -> Result<Self, crate::config::ConfigError> {
        let selected = config.select(profile)?.name.clone();
        let active = config
            .profiles
            .iter()
            .position(|p| p.name == selected)
            .unwrap_or_default();
        let mut state = State::new(
            config.profiles.clone(),
            active,
            config.select(None).ok().map(|p| p.name.clone()),
            crate::when::now_unix(),
        );
        state.clipboard_clear = config.clipboard_clear_seconds;
        (state.config_file, state.first_run) = match &config.source {
            ConfigSource::File(path) => (Some(path.clone()), false),
            ConfigSource::Implied { looked_for } => (looked_for.clone(), true),
        };
        let (sender, receiver) = mpsc::unbounded_channel();
        Ok(Self {
            state,
            theme,
            tasks: Tasks::new(sender),
            receiver,
        })
    }

    /// Runs the loop on `terminal`, reading `input`, until the user quits, the input ends or a
    /// signal arrives. Any backend and any event stream: tests drive it over a `TestBackend`.
    pub async fn run<B, I>(
        mut self,
        terminal: &mut Terminal<B>,
        mut input: I,
        edit: &mut Editor<'_, B>,
    ) -> io::Result<Exit>
    where
        B: Backend,
        I: Stream<Item = io::Result<crossterm::event::Event>> + Unpin,
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate())?;
        let mut hangup = signal(SignalKind::hangup())?;
        let mut ticker = tokio::time::interval(Duration::from_millis(250));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let size = terminal.size().map_err(backend_error)?;
        self.handle(Msg::Resize(size.width, size.height));
        let effects = update::start(&mut self.state);
        self.spawn_all(effects);
        let mut dirty = true;
        let exit = loop {
            if self.state.quit {
                break Exit::Quit;
            }
            if dirty {
                terminal
                    .draw(|frame| ui::render(frame, &self.state, &self.theme))
                    .map_err(backend_error)?;
                dirty = false;
            }
            tokio::select! {
                event = input.next() => match event {
                    Some(Ok(event)) => {
                        #[cfg(debug_assertions)]
                        crate::terminal::debug_panic_on(&event);
                        let msgs = translate(event);
                        if msgs.is_empty() {
                            continue;
                        }
                        for msg in msgs {
                            self.handle(msg);
                        }
                    }
                    Some(Err(error)) => return Err(error),
                    None => break Exit::Quit,
                },
                Some(event) = self.receiver.recv() => self.receive(event),
                _ = ticker.tick() => {
                    let was = self.state.now;
                    self.handle(Msg::Tick { now: crate::when::now_unix() });
                    // Redraw for spinners, or when a second passed (expiry badges age).
                    if self.state.in_flight.is_empty() && was == self.state.now {
                        continue;
                    }
                }
                _ = terminate.recv() => break Exit::Signal(15),
                _ = hangup.recv() => break Exit::Signal(1),
            }
            // Drain everything queued before drawing again, so a burst of pages is one frame.
            while let Ok(event) = self.receiver.try_recv() {
                self.receive(event);
            }
            if let Some(value) = self.tasks.take_pending_edit() {
                let result = edit(terminal, &value)?;
                self.handle(Msg::ValueReady {
                    source: ValueSource::Editor,
                    result: result.map_err(TaskError::Editor),
                });
            }
            dirty = true;
        };
        self.tasks.close().await;
        Ok(exit)
    }

    fn receive(&mut self, event: Event) {
        match event {
            Event::Msg(msg) => self.handle(msg),
            Event::Session { generation, result } => {
                let connected = match result {
                    Ok(session) if generation == self.state.generation => {
                        let connection = Connection {
                            vault_url: session.client.vault_url().to_owned(),
                            embedded: session.is_embedded(),
                        };
                        self.tasks.replace_session(Some((generation, session)));
                        Ok(connection)
                    }
                    Ok(stale) => {
                        tokio::spawn(stale.close());
                        return;
                    }
                    Err(error) => Err(error),
                };
                self.handle(Msg::Connected {
                    generation,
                    result: connected,
                });
            }
        }
    }

    /// Runs `update`, logs an error it puts on the screen, and starts its effects.
    fn handle(&mut self, msg: Msg) {
        let shown = self.state.last_result.clone();
        let effects = update::update(&mut self.state, msg);
        if let Some((Level::Error, message)) = &self.state.last_result
            && self.state.last_result != shown
        {
            tracing::warn!("{message}");
        }
        self.spawn_all(effects);
    }

    fn spawn_all(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            effect.run(&mut self.tasks);
        }
    }
}

fn backend_error(error: impl std::error::Error) -> io::Error {
    io::Error::other(error.to_string())
}

/// Hands the terminal to `$EDITOR` for `value`, then takes it back and redraws everything.
fn edit_outside_the_screen(
    terminal: &mut crate::terminal::Tui,
    value: &SecretValue,
) -> io::Result<Result<SecretValue, String>> {
    crate::terminal::restore();
    let result = tokio::task::block_in_place(|| crate::editor::edit(value));
    crate::terminal::resume()?;
    // Wipe what the editor left, then draw a blank frame so ratatui's idea of the screen is
    // blank too and the next frame is drawn whole. (`Terminal::clear` would ask the terminal
    // for the cursor position, which not every terminal answers.)
    crossterm::execute!(
        std::io::stdout(),
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    )?;
    terminal.draw(|_| {})?;
    Ok(result)
}

fn translate(event: crossterm::event::Event) -> Vec<Msg> {
    use crossterm::event::{Event as Term, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
    match event {
        // Over ssh or tmux, Esc and the key after it can arrive together and read as Alt+key.
        // No binding uses Alt, so it is taken for what the user typed: Esc, then the key.
        Term::Key(key)
            if key.kind != KeyEventKind::Release
                && key.modifiers == KeyModifiers::ALT
                && matches!(key.code, KeyCode::Char(_)) =>
        {
            vec![
                Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
                Msg::Key(KeyEvent::new(key.code, KeyModifiers::NONE)),
            ]
        }
        Term::Key(key) if key.kind != KeyEventKind::Release => vec![Msg::Key(key)],
        Term::Paste(text) => vec![Msg::Paste(text)],
        Term::Resize(width, height) => vec![Msg::Resize(width, height)],
        _ => Vec::new(),
    }
}

/// Runs the TUI until the user quits or a signal arrives; returns the process exit code.
pub async fn run(config: &Config, profile: Option<&str>) -> i32 {
    let app = match App::new(config, profile, Theme::from_env()) {
        Ok(app) => app,
        Err(error) => {
            eprintln!("error: {error}");
            return 2;
        }
    };
    let mut terminal = match crate::terminal::init() {
        Ok(terminal) => terminal,
        Err(error) => {
            crate::terminal::restore();
            eprintln!("error: cannot set up the terminal: {error}");
            return 1;
        }
    };
    let events = crossterm::event::EventStream::new();
    let result = app
        .run(&mut terminal, events, &mut edit_outside_the_screen)
        .await;
    crate::terminal::restore();
    match result {
        Ok(Exit::Quit) => 0,
        Ok(Exit::Signal(number)) => 128 + number,
        Err(error) => {
            eprintln!("error: {error}");
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{Event as Term, KeyCode, KeyEvent, KeyModifiers};

    fn keys(msgs: Vec<Msg>) -> Vec<(KeyCode, KeyModifiers)> {
        msgs.into_iter()
            .map(|msg| match msg {
                Msg::Key(key) => (key.code, key.modifiers),
                other => panic!("not a key: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn esc_coalesced_with_the_next_key_reads_as_both() {
        let alt_q = Term::Key(KeyEvent::new(KeyCode::Char('q'), KeyModifiers::ALT));
        assert_eq!(
            keys(translate(alt_q)),
            [
                (KeyCode::Esc, KeyModifiers::NONE),
                (KeyCode::Char('q'), KeyModifiers::NONE)
            ]
        );
        let ctrl_s = Term::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        assert_eq!(
            keys(translate(ctrl_s)),
            [(KeyCode::Char('s'), KeyModifiers::CONTROL)]
        );
    }
}
