//! The controller: owns the state, the terminal and the session; turns terminal events and task
//! answers into `Msg`s, runs `update`, starts the effects it returns as tasks, and redraws when
//! the queue is empty. No vault call ever runs on the render path.

pub mod effect;
pub mod msg;
pub mod ops;
pub mod update;

use crate::config::Config;
use crate::file_trust;
use crate::session::Session;
use crate::state::{Connection, State};
use crate::ui::{self, Theme};
use crate::vault::{SecretItem, VaultClient};
use effect::Effect;
use futures_util::StreamExt;
use msg::Msg;
use std::time::Duration;
use tokio::sync::mpsc;

/// How the loop ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Quit,
    /// A signal (SIGTERM, SIGHUP) asked us to stop: exit with 128 + its number.
    Signal(i32),
}

/// What background tasks send back.
enum Event {
    Msg(Msg),
    /// A profile's session is open: the controller keeps it, `update` hears `Connected`.
    Session {
        generation: u64,
        result: Result<Session, String>,
    },
}

pub struct App {
    state: State,
    theme: Theme,
    sender: mpsc::UnboundedSender<Event>,
    receiver: mpsc::UnboundedReceiver<Event>,
    session: Option<(u64, Session)>,
    /// A value to edit in `$EDITOR`: done in the loop, which owns the terminal.
    pending_edit: Option<crate::vault::SecretValue>,
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
        let state = State::new(
            config.profiles.clone(),
            active,
            config.select(None).ok().map(|p| p.name.clone()),
            crate::when::now_unix(),
        );
        let mut state = state;
        state.clipboard_clear = config.clipboard_clear_seconds;
        let (sender, receiver) = mpsc::unbounded_channel();
        Ok(Self {
            state,
            theme,
            sender,
            receiver,
            session: None,
            pending_edit: None,
        })
    }

    pub async fn run(mut self, terminal: &mut crate::terminal::Tui) -> std::io::Result<Exit> {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate())?;
        let mut hangup = signal(SignalKind::hangup())?;
        let mut events = crossterm::event::EventStream::new();
        let mut ticker = tokio::time::interval(Duration::from_millis(250));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let size = terminal.size()?;
        self.handle(Msg::Resize(size.width, size.height));
        let effects = update::start(&mut self.state);
        self.spawn_all(effects);
        let mut dirty = true;
        let exit = loop {
            if self.state.quit {
                break Exit::Quit;
            }
            if dirty {
                terminal.draw(|frame| ui::render(frame, &self.state, &self.theme))?;
                dirty = false;
            }
            tokio::select! {
                event = events.next() => match event {
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
            if let Some(value) = self.pending_edit.take() {
                let result = edit_outside_the_screen(terminal, &value)?;
                self.handle(Msg::ValueReady {
                    source: "edited",
                    result,
                });
            }
            dirty = true;
        };
        if let Some((_, session)) = self.session.take() {
            session.close().await;
        }
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
                        self.replace_session(Some((generation, session)));
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

    fn replace_session(&mut self, session: Option<(u64, Session)>) {
        if let Some((_, old)) = std::mem::replace(&mut self.session, session) {
            tokio::spawn(old.close());
        }
    }

    fn handle(&mut self, msg: Msg) {
        let effects = update::update(&mut self.state, msg);
        self.spawn_all(effects);
    }

    fn spawn_all(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            self.spawn(effect);
        }
    }

    /// The client of the session for `generation`, reporting retries of `request`.
    fn client(&self, generation: u64, request: u64) -> Option<VaultClient> {
        let (current, session) = self.session.as_ref()?;
        if *current != generation {
            return None;
        }
        let sender = self.sender.clone();
        Some(
            session
                .client
                .with_retry_observer(std::sync::Arc::new(move |notice| {
                    let _ = sender.send(Event::Msg(Msg::Retrying {
                        generation,
                        request,
                        notice: notice.clone(),
                    }));
                })),
        )
    }

    /// Runs `call` on the session's client in a task and sends the answer it makes. Nothing
    /// runs when the session the effect was asked of is gone.
    fn call<F, Fut>(&self, generation: u64, request: u64, call: F)
    where
        F: FnOnce(VaultClient) -> Fut,
        Fut: std::future::Future<Output = Msg> + Send + 'static,
    {
        let Some(client) = self.client(generation, request) else {
            return;
        };
        let sender = self.sender.clone();
        let answer = call(client);
        tokio::spawn(async move {
            let _ = sender.send(Event::Msg(answer.await));
        });
    }

    fn spawn(&mut self, effect: Effect) {
        let sender = self.sender.clone();
        let send = move |msg: Msg| {
            let _ = sender.send(Event::Msg(msg));
        };
        match effect {
            Effect::OpenProfile {
                generation,
                profile,
            } => {
                self.replace_session(None);
                let sender = self.sender.clone();
                tokio::spawn(async move {
                    let result = Session::open(&profile)
                        .await
                        .map_err(|error| error.to_string());
                    let _ = sender.send(Event::Session { generation, result });
                });
            }
            Effect::Settle {
                generation,
                name,
                delay,
            } => {
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    send(Msg::SelectionSettled { generation, name });
                });
            }
            Effect::ListSecrets {
                generation,
                request,
            } => {
                let Some(client) = self.client(generation, request) else {
                    return;
                };
                tokio::spawn(async move {
                    let mut pager = client.list_secrets();
                    loop {
                        match pager.next_page().await {
                            Some(Ok(items)) => send(Msg::SecretsPage {
                                generation,
                                request,
                                result: Ok(items),
                                done: false,
                            }),
                            Some(Err(error)) => {
                                send(Msg::SecretsPage {
                                    generation,
                                    request,
                                    result: Err(error.to_string()),
                                    done: true,
                                });
                                return;
                            }
                            None => {
                                send(Msg::SecretsPage {
                                    generation,
                                    request,
                                    result: Ok(Vec::<SecretItem>::new()),
                                    done: true,
                                });
                                return;
                            }
                        }
                    }
                });
            }
            Effect::LoadSecret {
                generation,
                request,
                name,
                version,
            } => self.call(generation, request, |client| async move {
                let result = client.get_secret(&name, version.as_deref()).await;
                Msg::SecretLoaded {
                    generation,
                    request,
                    name,
                    version,
                    result,
                }
            }),
            Effect::LoadVersions {
                generation,
                request,
                name,
            } => self.call(generation, request, |client| async move {
                let result = client.list_versions(&name).collect_all().await;
                Msg::VersionsLoaded {
                    generation,
                    request,
                    name,
                    result,
                }
            }),
            Effect::SetSecret {
                generation,
                request,
                name,
                params,
            } => self.call(generation, request, |client| async move {
                let result = client.set_secret(&name, &params).await;
                Msg::SecretSet {
                    generation,
                    request,
                    result,
                }
            }),
            Effect::UpdateSecret {
                generation,
                request,
                name,
                version,
                params,
            } => self.call(generation, request, |client| async move {
                let result = client
                    .update_secret(&name, version.as_deref(), &params)
                    .await;
                Msg::SecretUpdated {
                    generation,
                    request,
                    result,
                }
            }),
            Effect::DeleteSecret {
                generation,
                request,
                name,
            } => self.call(generation, request, |client| async move {
                let result = client.delete_secret(&name).await;
                Msg::SecretDeleted {
                    generation,
                    request,
                    name,
                    result,
                }
            }),
            Effect::ListDeleted {
                generation,
                request,
            } => self.call(generation, request, |client| async move {
                let result = client.list_deleted_secrets().collect_all().await;
                Msg::DeletedListed {
                    generation,
                    request,
                    result,
                }
            }),
            Effect::RecoverDeleted {
                generation,
                request,
                name,
            } => self.call(generation, request, |client| async move {
                let result = client.recover_deleted_secret(&name).await.map(|_| ());
                Msg::DeletedHandled {
                    generation,
                    request,
                    name,
                    purged: false,
                    result,
                }
            }),
            Effect::PurgeDeleted {
                generation,
                request,
                name,
            } => self.call(generation, request, |client| async move {
                let result = client.purge_deleted_secret(&name).await;
                Msg::DeletedHandled {
                    generation,
                    request,
                    name,
                    purged: true,
                    result,
                }
            }),
            Effect::LoadPair {
                generation,
                request,
                name,
                older,
                newer,
            } => self.call(generation, request, |client| async move {
                let (older, newer) = tokio::join!(
                    client.get_secret(&name, Some(&older)),
                    client.get_secret(&name, Some(&newer))
                );
                Msg::PairLoaded {
                    generation,
                    request,
                    older,
                    newer,
                }
            }),
            Effect::Clipboard {
                text,
                copy,
                clear_after,
            } => {
                if let Err(error) = crate::clipboard::copy(text.expose()) {
                    tracing::warn!("clipboard: {error}");
                }
                if let Some(delay) = clear_after {
                    tokio::spawn(async move {
                        tokio::time::sleep(delay).await;
                        send(Msg::ClipboardExpired { copy, text });
                    });
                }
            }
            Effect::ClearClipboard {
                copy,
                text,
                terminal,
            } => {
                // The screen is ours to write: the clearing sequence goes out from this thread,
                // the tmux commands (processes) in the background.
                if terminal && let Err(error) = crate::clipboard::copy("") {
                    tracing::warn!("clipboard: {error}");
                }
                tokio::task::spawn_blocking(move || {
                    let cleared = crate::clipboard::clear_tmux(text.expose());
                    send(Msg::ClipboardCleared { copy, cleared });
                });
            }
            Effect::ReadValueFile { path } => {
                tokio::spawn(async move {
                    let path = crate::fsutil::expand_home(&path);
                    send(Msg::ValueReady {
                        source: "loaded from the file",
                        result: read_value_file(path).await,
                    });
                });
            }
            Effect::EditValue { value } => self.pending_edit = Some(value),
            Effect::GenerateValue { length, alphabet } => send(Msg::ValueReady {
                source: "generated",
                result: Ok(crate::random::generate(length, alphabet)),
            }),
            Effect::Backup {
                generation,
                request,
                name,
                path,
            } => {
                let Some(client) = self.client(generation, request) else {
                    return;
                };
                tokio::spawn(async move {
                    let path = crate::fsutil::expand_home(&path);
                    let result = match client.backup_secret(&name).await {
                        Ok(blob) => {
                            crate::fsutil::write_new_private_file(&path, blob.value.as_bytes())
                                .map(|()| path.display().to_string())
                                .map_err(|error| format!("{}: {error}", path.display()))
                        }
                        Err(error) => Err(error.to_string()),
                    };
                    send(Msg::BackedUp {
                        generation,
                        request,
                        name,
                        result,
                    });
                });
            }
            Effect::Restore {
                generation,
                request,
                path,
            } => {
                let Some(client) = self.client(generation, request) else {
                    return;
                };
                tokio::spawn(async move {
                    let path = crate::fsutil::expand_home(&path);
                    let read = tokio::task::spawn_blocking(move || {
                        file_trust::read_input_text(&path, file_trust::Limit::BACKUP_BLOB)
                    })
                    .await;
                    let result = match read {
                        Ok(Ok(text)) => client
                            .restore_secret(&crate::vault::BackupBlob {
                                value: text.trim().to_owned(),
                            })
                            .await
                            .map_err(|error| error.to_string()),
                        Ok(Err(error)) => Err(error.to_string()),
                        Err(error) => Err(error.to_string()),
                    };
                    send(Msg::Restored {
                        generation,
                        request,
                        result,
                    });
                });
            }
            Effect::ScanExpiry {
                generation,
                request,
                profiles,
            } => {
                for (index, profile) in profiles {
                    let active = (index == self.state.active_profile)
                        .then(|| self.client(generation, request))
                        .flatten();
                    let send = send.clone();
                    tokio::spawn(async move {
                        let result = match active {
                            Some(client) => client.list_secrets().collect_all().await,
                            None => match Session::open(&profile).await {
                                Ok(session) => {
                                    let items = session.client.list_secrets().collect_all().await;
                                    session.close().await;
                                    items
                                }
                                Err(error) => {
                                    return send(Msg::ExpiryScanned {
                                        generation,
                                        request,
                                        profile: index,
                                        result: Err(error.to_string()),
                                    });
                                }
                            },
                        };
                        send(Msg::ExpiryScanned {
                            generation,
                            request,
                            profile: index,
                            result: result.map_err(|error| error.to_string()),
                        });
                    });
                }
            }
            Effect::PrepareCopy {
                generation,
                request,
                name,
                target,
                profile,
            } => {
                let Some(client) = self.client(generation, request) else {
                    return;
                };
                tokio::spawn(async move {
                    let source = client.get_secret(&name, None).await;
                    let current = match Session::open(&profile).await {
                        Ok(session) => {
                            let current = match session.client.get_secret(&name, None).await {
                                Ok(bundle) => Ok(Some(bundle)),
                                Err(error) if error.is_not_found() => Ok(None),
                                Err(error) => Err(error.to_string()),
                            };
                            session.close().await;
                            current
                        }
                        Err(error) => Err(error.to_string()),
                    };
                    send(Msg::CopyPrepared {
                        generation,
                        request,
                        target,
                        source,
                        current,
                    });
                });
            }
            Effect::CopyToProfile {
                generation,
                request,
                profile,
                name,
                params,
            } => {
                let target = self
                    .state
                    .profiles
                    .iter()
                    .position(|p| p.name == profile.name)
                    .unwrap_or_default();
                tokio::spawn(async move {
                    let result = match Session::open(&profile).await {
                        Ok(session) => {
                            let result = session
                                .client
                                .set_secret(&name, &params)
                                .await
                                .map_err(|error| error.to_string());
                            session.close().await;
                            result
                        }
                        Err(error) => Err(error.to_string()),
                    };
                    send(Msg::Copied {
                        generation,
                        request,
                        target,
                        result,
                    });
                });
            }
            Effect::ResolveDeleted {
                generation,
                request,
                name,
                purge,
            } => self.call(generation, request, |client| async move {
                let result = if purge {
                    client.purge_deleted_secret(&name).await.map(|()| None)
                } else {
                    client.recover_deleted_secret(&name).await.map(Some)
                };
                Msg::DeletedResolved {
                    generation,
                    request,
                    purged: purge,
                    result,
                }
            }),
        }
    }
}

/// A value file: UTF-8 text of at most the service's 25 KiB, bytes kept exactly.
async fn read_value_file(path: std::path::PathBuf) -> Result<crate::vault::SecretValue, String> {
    tokio::task::spawn_blocking(move || {
        file_trust::read_input_text(&path, file_trust::Limit::VALUE)
            .map(|text| crate::vault::SecretValue::new(text.as_str()))
            .map_err(|error| error.to_string())
    })
    .await
    .map_err(|error| error.to_string())?
}

/// Hands the terminal to `$EDITOR` for `value`, then takes it back and redraws everything.
fn edit_outside_the_screen(
    terminal: &mut crate::terminal::Tui,
    value: &crate::vault::SecretValue,
) -> std::io::Result<Result<crate::vault::SecretValue, String>> {
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
    let result = app.run(&mut terminal).await;
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
