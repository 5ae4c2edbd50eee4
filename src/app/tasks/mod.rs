//! How each `Effect` runs: in a task that owns its request and sends back the `Msg`s that
//! answer it. The controller only hands effects here.

mod files;
mod many;

use super::effect::Effect;
use super::msg::{Msg, TaskError, ValueSource};
use crate::auth::DeviceCodePrompts;
use crate::discovery;
use crate::session::{Session, SessionError};
use crate::state::Ticket;
use crate::vault::stale::{self, Guarded};
use crate::vault::{SecretValue, VaultClient};
use files::{backup, read_value_file, restore};
use many::{bulk_step, export, in_session, plan_copy};
use std::future::Future;
use tokio::sync::mpsc;

/// What background tasks send back to the controller.
pub enum Event {
    Msg(Msg),
    /// A profile's session is open: the controller keeps it, `update` hears `Connected`.
    Session {
        generation: u64,
        result: Result<Session, SessionError>,
    },
}

/// What effects run with: the way back to the loop, and the open profile's session.
pub struct Tasks {
    sender: mpsc::UnboundedSender<Event>,
    session: Option<(u64, Session)>,
    /// A value to edit in `$EDITOR`: done by the loop, which owns the terminal.
    pending_edit: Option<SecretValue>,
}

impl Tasks {
    pub fn new(sender: mpsc::UnboundedSender<Event>) -> Self {
        Self {
            sender,
            session: None,
            pending_edit: None,
        }
    }

    /// Keeps `session` as the open one; the one it replaces is closed in the background.
    pub fn replace_session(&mut self, session: Option<(u64, Session)>) {
        if let Some((_, old)) = std::mem::replace(&mut self.session, session) {
            tokio::spawn(old.close());
        }
    }

    /// Closes the open session, when the app ends.
    pub async fn close(&mut self) {
        if let Some((_, session)) = self.session.take() {
            session.close().await;
        }
    }

    pub fn take_pending_edit(&mut self) -> Option<SecretValue> {
        self.pending_edit.take()
    }

    fn send(&self, msg: Msg) {
        let _ = self.sender.send(Event::Msg(msg));
    }

    /// Where a device-code sign-in for the profile session of `generation` shows its code: the
    /// status line, through `update`.
    fn sign_in_prompts(&self, generation: u64) -> DeviceCodePrompts {
        let sender = self.sender.clone();
        std::sync::Arc::new(move |prompt| {
            let _ = sender.send(Event::Msg(Msg::SignIn { generation, prompt }));
        })
    }

    /// The client of the session the ticket was issued in, reporting its retries; `None` when
    /// that session is gone (the effect is then dropped, its answer unwanted).
    fn client(&self, ticket: Ticket) -> Option<VaultClient> {
        let (current, session) = self.session.as_ref()?;
        if *current != ticket.generation {
            return None;
        }
        let sender = self.sender.clone();
        Some(
            session
                .client
                .with_retry_observer(std::sync::Arc::new(move |notice| {
                    let _ = sender.send(Event::Msg(Msg::Retrying {
                        ticket,
                        notice: notice.clone(),
                    }));
                })),
        )
    }

    /// Runs `call` with the session's client in a task and sends the answer it makes.
    fn call<F, Fut>(&self, ticket: Ticket, call: F)
    where
        F: FnOnce(VaultClient) -> Fut,
        Fut: Future<Output = Msg> + Send + 'static,
    {
        let Some(client) = self.client(ticket) else {
            return;
        };
        self.spawn(call(client));
    }

    /// As `call`, with the sign-in prompts for the session of another profile the call opens.
    fn call_signing_in<F, Fut>(&self, ticket: Ticket, call: F)
    where
        F: FnOnce(VaultClient, DeviceCodePrompts) -> Fut,
        Fut: Future<Output = Msg> + Send + 'static,
    {
        let prompts = self.sign_in_prompts(ticket.generation);
        self.call(ticket, |client| call(client, prompts));
    }

    /// Discovery as the open session's profile signs in, each find sent as it comes, then
    /// `None` once every account is done.
    fn discover(&self, ticket: Ticket) {
        let Some((generation, session)) = &self.session else {
            return;
        };
        if *generation != ticket.generation {
            return;
        }
        let (found, mut finds) = mpsc::unbounded_channel();
        let accounts = discovery::accounts(session, &found);
        let sender = self.sender.clone();
        tokio::spawn(async move {
            let forward = async {
                while let Some(find) = finds.recv().await {
                    let msg = Msg::Discovered {
                        ticket,
                        found: Some(find),
                    };
                    let _ = sender.send(Event::Msg(msg));
                }
            };
            // `found` goes with the search, so `forward` ends once the search has.
            tokio::join!(discovery::discover(accounts, found), forward);
            let done = Msg::Discovered {
                ticket,
                found: None,
            };
            let _ = sender.send(Event::Msg(done));
        });
    }

    /// Runs `answer` in a task and sends what it makes.
    fn spawn(&self, answer: impl Future<Output = Msg> + Send + 'static) {
        let sender = self.sender.clone();
        tokio::spawn(async move {
            let _ = sender.send(Event::Msg(answer.await));
        });
    }
}

impl Effect {
    /// Starts the work this effect asks for.
    pub fn run(self, tasks: &mut Tasks) {
        match self {
            Self::OpenProfile {
                generation,
                profile,
            } => {
                tasks.replace_session(None);
                let sender = tasks.sender.clone();
                let prompts = tasks.sign_in_prompts(generation);
                tokio::spawn(async move {
                    let result = Session::open(&profile, prompts).await;
                    let _ = sender.send(Event::Session { generation, result });
                });
            }
            Self::Settle {
                generation,
                name,
                delay,
            } => tasks.spawn(async move {
                tokio::time::sleep(delay).await;
                Msg::SelectionSettled { generation, name }
            }),
            Self::ListSecrets { ticket } => {
                let Some(client) = tasks.client(ticket) else {
                    return;
                };
                let sender = tasks.sender.clone();
                let send = move |result, done| {
                    let msg = Msg::SecretsPage {
                        ticket,
                        result,
                        done,
                    };
                    let _ = sender.send(Event::Msg(msg));
                };
                let signed_in = tasks.sender.clone();
                tokio::spawn(async move {
                    let mut pager = client.list_secrets();
                    let result = loop {
                        match pager.next_page().await {
                            Some(Ok(items)) => send(Ok(items), false),
                            Some(Err(error)) => break Err(error),
                            None => break Ok(Vec::new()),
                        }
                    };
                    if let Some(identity) = client.identity().await {
                        let generation = ticket.generation;
                        let msg = Msg::SignedIn {
                            generation,
                            identity,
                        };
                        let _ = signed_in.send(Event::Msg(msg));
                    }
                    send(result, true);
                });
            }
            Self::LoadSecret {
                ticket,
                name,
                version,
            } => tasks.call(ticket, |client| async move {
                let result = client.get_secret(&name, version.as_deref()).await;
                Msg::SecretLoaded {
                    ticket,
                    name,
                    version,
                    result,
                }
            }),
            Self::LoadVersions { ticket, name } => tasks.call(ticket, |client| async move {
                let result = client.list_versions(&name).collect_all().await;
                Msg::VersionsLoaded {
                    ticket,
                    name,
                    result,
                }
            }),
            Self::SetSecret {
                ticket,
                name,
                params,
                expected,
            } => tasks.call(ticket, |client| async move {
                let guarded = stale::set_if(&client, &name, &params, expected.as_ref()).await;
                answer_guarded(ticket, guarded, |result| Msg::SecretSet { ticket, result })
            }),
            Self::CheckOvertaken { ticket, name, made } => {
                tasks.call(ticket, |client| async move {
                    let latest = stale::latest(&client, &name).await;
                    // A failed read says nothing either way: the write itself is done.
                    let warning = latest
                        .ok()
                        .and_then(|latest| stale::overtaken(&made, latest.as_ref()));
                    Msg::Overtaken { ticket, warning }
                })
            }
            Self::UpdateSecret {
                ticket,
                name,
                version,
                params,
                expected,
            } => tasks.call(ticket, |client| async move {
                let version = version.as_deref();
                let guarded =
                    stale::update_if(&client, &name, version, &params, expected.as_ref()).await;
                answer_guarded(ticket, guarded, |result| Msg::SecretUpdated {
                    ticket,
                    result,
                })
            }),
            Self::DeleteSecret { ticket, name } => tasks.call(ticket, |client| async move {
                let result = client.delete_secret(&name).await;
                Msg::SecretDeleted {
                    ticket,
                    name,
                    result,
                }
            }),
            Self::ListDeleted { ticket } => tasks.call(ticket, |client| async move {
                let result = client.list_deleted_secrets().collect_all().await;
                Msg::DeletedListed { ticket, result }
            }),
            Self::Resolve(asked) => tasks.call(asked.ticket, |client| async move {
                let result = if asked.purge {
                    client
                        .purge_deleted_secret(&asked.name)
                        .await
                        .map(|()| None)
                } else {
                    client.recover_deleted_secret(&asked.name).await.map(Some)
                };
                Msg::Resolved { asked, result }
            }),
            Self::LoadPair {
                ticket,
                name,
                older,
                newer,
            } => tasks.call(ticket, |client| async move {
                let (older, newer) = tokio::join!(
                    client.get_secret(&name, Some(&older)),
                    client.get_secret(&name, Some(&newer))
                );
                Msg::PairLoaded {
                    ticket,
                    older,
                    newer,
                }
            }),
            Self::Clipboard {
                text,
                copy,
                clear_after,
            } => {
                if let Err(error) = crate::clipboard::copy(text.expose()) {
                    tracing::warn!("clipboard: {error}");
                }
                if let Some(delay) = clear_after {
                    tasks.spawn(async move {
                        tokio::time::sleep(delay).await;
                        Msg::ClipboardExpired { copy, text }
                    });
                }
            }
            Self::ClearClipboard {
                copy,
                text,
                terminal,
            } => {
                // The screen is ours to write: the clearing sequence goes out from this thread,
                // the tmux commands (processes) in the background.
                if terminal && let Err(error) = crate::clipboard::copy("") {
                    tracing::warn!("clipboard: {error}");
                }
                tasks.spawn(async move {
                    let cleared = tokio::task::spawn_blocking(move || {
                        crate::clipboard::clear_tmux(text.expose())
                    })
                    .await
                    .unwrap_or_else(|error| {
                        crate::clipboard::Cleared::TmuxUnchecked {
                            reason: error.to_string(),
                        }
                    });
                    Msg::ClipboardCleared { copy, cleared }
                });
            }
            Self::ReadValueFile { path } => tasks.spawn(async move {
                let path = crate::fsutil::expand_home(&path);
                Msg::ValueReady {
                    source: ValueSource::File,
                    result: read_value_file(path).await,
                }
            }),
            Self::EditValue { value } => tasks.pending_edit = Some(value),
            Self::GenerateValue { length, alphabet } => tasks.send(Msg::ValueReady {
                source: ValueSource::Generator,
                result: Ok(crate::random::generate(length, alphabet)),
            }),
            Self::Backup { ticket, name, path } => tasks.call(ticket, |client| async move {
                let result = backup(&client, &name, crate::fsutil::expand_home(&path)).await;
                Msg::BackedUp {
                    ticket,
                    name,
                    result,
                }
            }),
            Self::BulkStep { ticket, name, step } => {
                tasks.call_signing_in(ticket, |client, prompts| async move {
                    let result = bulk_step(&client, prompts, &name, step).await;
                    Msg::BulkStepped { ticket, result }
                })
            }
            Self::PlanCopy {
                ticket,
                target,
                profile,
                names,
            } => tasks.call_signing_in(ticket, |client, prompts| async move {
                let result = plan_copy(&client, &profile, prompts, &names).await;
                Msg::CopyPlanned {
                    ticket,
                    target,
                    result,
                }
            }),
            Self::Export {
                ticket,
                names,
                values,
                path,
            } => tasks.call(ticket, |client| async move {
                let path = crate::fsutil::expand_home(&path);
                let result = export(&client, &names, values, &path).await;
                Msg::Exported { ticket, result }
            }),
            Self::Restore { ticket, path } => tasks.call(ticket, |client| async move {
                let result = restore(&client, crate::fsutil::expand_home(&path)).await;
                Msg::Restored { ticket, result }
            }),
            Self::ScanExpiry {
                ticket,
                profiles,
                active,
            } => {
                for (profile, settings) in profiles {
                    let client = (profile == active).then(|| tasks.client(ticket)).flatten();
                    let prompts = tasks.sign_in_prompts(ticket.generation);
                    tasks.spawn(async move {
                        let result = match client {
                            Some(client) => client
                                .list_secrets()
                                .collect_all()
                                .await
                                .map_err(TaskError::from),
                            None => {
                                in_session(&settings, prompts, |client| async move {
                                    client.list_secrets().collect_all().await
                                })
                                .await
                            }
                        };
                        Msg::ExpiryScanned {
                            ticket,
                            profile,
                            result,
                        }
                    });
                }
            }
            Self::PrepareCopy {
                ticket,
                name,
                target,
                profile,
            } => tasks.call_signing_in(ticket, |client, prompts| async move {
                let source = client.get_secret(&name, None).await;
                let current = in_session(&profile, prompts, |client| async move {
                    match client.get_secret(&name, None).await {
                        Ok(bundle) => Ok(Some(bundle)),
                        Err(error) if error.is_not_found() => Ok(None),
                        Err(error) => Err(error),
                    }
                })
                .await;
                Msg::CopyPrepared {
                    ticket,
                    target,
                    source,
                    current,
                }
            }),
            Self::Discover { ticket } => tasks.discover(ticket),
            Self::SaveProfile {
                ticket,
                path,
                new,
                profile,
            } => tasks.spawn(async move {
                let result = tokio::task::spawn_blocking(move || {
                    crate::config::add_profile(&crate::fsutil::expand_home(&path), &new)
                })
                .await
                .map_err(TaskError::from)
                .and_then(|added| added.map_err(TaskError::from));
                Msg::ProfileSaved {
                    ticket,
                    profile,
                    result,
                }
            }),
            Self::CopyToProfile {
                ticket,
                target,
                profile,
                name,
                params,
                expected,
            } => {
                let prompts = tasks.sign_in_prompts(ticket.generation);
                tasks.spawn(async move {
                    let answered = in_session(&profile, prompts, |client| async move {
                        let Some(expected) = expected else {
                            let made = client.set_secret(&name, &params).await?;
                            return Ok((Guarded::Written(made), None));
                        };
                        let guarded =
                            stale::set_if(&client, &name, &params, Some(&expected)).await?;
                        // Read there once more, as after the form's write; a failed read says
                        // nothing either way: the write itself is done.
                        let overtaken = match &guarded {
                            Guarded::Written(made) => stale::latest(&client, &name)
                                .await
                                .ok()
                                .and_then(|latest| stale::overtaken(made, latest.as_ref())),
                            Guarded::Stale(_) => None,
                        };
                        Ok((guarded, overtaken))
                    })
                    .await;
                    let (guarded, overtaken) = match answered {
                        Ok((guarded, overtaken)) => (Ok(guarded), overtaken),
                        Err(error) => (Err(error), None),
                    };
                    answer_guarded(ticket, guarded, |result| Msg::Copied {
                        ticket,
                        target,
                        result,
                        overtaken,
                    })
                })
            }
        }
    }
}

/// The answer to a guarded write: `SetStale` when nothing was written, else `answered` with
/// the write's result.
fn answer_guarded<E>(
    ticket: Ticket,
    guarded: Result<Guarded, E>,
    answered: impl FnOnce(Result<crate::vault::SecretBundle, E>) -> Msg,
) -> Msg {
    match guarded {
        Ok(Guarded::Stale(latest)) => Msg::SetStale {
            ticket,
            latest: latest.map(Box::new),
        },
        Ok(Guarded::Written(bundle)) => answered(Ok(bundle)),
        Err(error) => answered(Err(error)),
    }
}
