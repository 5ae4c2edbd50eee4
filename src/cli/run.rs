//! `kvtui run -- CMD ARGS…`: a command run with secrets in its environment, and those secrets
//! taken out of what it prints (`crate::conceal`).

use super::references::{EnvArgs, ResolveArgs, gather, resolve_settings};
use super::{Failure, GlobalArgs, fail_service, fail_usage};
use crate::conceal::Concealer;
use crate::quoting::quoted_up_to;
use clap::Args;
use rustix::process::{Pid, Signal};
use std::ffi::{OsStr, OsString};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{ExitStatus, Stdio};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::signal::unix::{SignalKind, signal};
use zeroize::Zeroizing;

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub sources: EnvArgs,
    #[command(flatten)]
    pub resolve: ResolveArgs,
    /// Let the values through in CMD's output: kvtui replaces itself with CMD, which then has
    /// the terminal itself (for full-screen programs).
    #[arg(long)]
    pub no_masking: bool,
    /// The command to run and its arguments, after `--`.
    #[arg(required = true, last = true, value_name = "CMD")]
    pub command: Vec<OsString>,
}

/// Runs the command once every reference has its value; ends as it ends: its exit code, or the
/// signal that killed it.
pub async fn run(global: &GlobalArgs, args: RunArgs) -> Result<i32, Failure> {
    let (program, arguments) = args
        .command
        .split_first()
        .ok_or_else(|| fail_usage("give the command to run after --"))?;
    let settings = gather(&args.sources, std::env::vars_os())?;
    let resolved = resolve_settings(global, settings, &args.resolve).await?;
    let mut command = std::process::Command::new(program);
    // std copies each value into the Command, and from there into the child's environment
    // block, as plain strings it frees without zeroing; zeroing them would take unsafe code.
    command.args(arguments).envs(
        resolved
            .iter()
            .map(|variable| (&variable.name, variable.value.expose())),
    );
    if args.no_masking {
        // Only returns when the exec failed.
        return Err(cannot_start(program, &command.exec()));
    }
    let concealer = Concealer::new(
        resolved
            .iter()
            .filter(|variable| variable.from_vault)
            .map(|variable| variable.value.expose().as_bytes()),
    );
    // Before the child exists, so that no signal meant for it can end kvtui first.
    let mut caught = Caught::listen()
        .map_err(|error| fail_service(format!("cannot watch for signals: {error}")))?;
    let mut command = tokio::process::Command::from(command);
    command
        .stdin(Stdio::inherit())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command
        .spawn()
        .map_err(|error| cannot_start(program, &error))?;
    drop(command);
    drop(resolved);
    let pid = child
        .id()
        .and_then(|id| Pid::from_raw(i32::try_from(id).ok()?));
    tracing::info!(program = %program.to_string_lossy(), ?pid, "run: started");
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(fail_service("the child's output pipes were not made"));
    };
    let pumps = async {
        tokio::join!(
            pump(stdout, tokio::io::stdout(), concealer.clone()),
            pump(stderr, tokio::io::stderr(), concealer),
        );
    };
    tokio::pin!(pumps);
    let mut exited = None;
    let mut drained = false;
    let status = loop {
        tokio::select! {
            status = child.wait(), if exited.is_none() => exited = Some(status),
            () = &mut pumps, if !drained => drained = true,
            signal = caught.next() => match (exited.is_some(), pid) {
                // The child is gone and kvtui only passes on what is left of its output: a
                // signal now is for kvtui.
                (true, _) => return Ok(end_by(signal.as_raw())),
                (false, Some(pid)) if !reached_child_already(signal) => {
                    let _ = rustix::process::kill_process(pid, signal);
                }
                (false, _) => {}
            },
        }
        if drained && let Some(status) = exited.take() {
            break status;
        }
    }
    .map_err(|error| fail_service(format!("waiting for the command: {error}")))?;
    tracing::info!(?pid, %status, "run: ended");
    Ok(exit_code_of(status))
}

/// A command that could not be started, as a shell says it: 127 when there is no such
/// command, 126 when there is one that cannot be run.
fn cannot_start(program: &OsStr, error: &std::io::Error) -> Failure {
    let shown = quoted_up_to(&program.to_string_lossy(), 200);
    let (exit_code, message) = match error.kind() {
        std::io::ErrorKind::NotFound => (127, format!("{shown}: command not found")),
        _ => (126, format!("{shown}: cannot run it: {error}")),
    };
    Failure {
        exit_code,
        ..fail_usage(message)
    }
}

/// The child's exit code; when a signal killed it, kvtui dies by the same signal, so whoever
/// started kvtui sees what happened (a shell stops a loop on Ctrl-C that way).
fn exit_code_of(status: ExitStatus) -> i32 {
    status
        .code()
        .or_else(|| status.signal().map(end_by))
        .unwrap_or(1)
}

/// Ends kvtui by `signal`, its handler set back to the default first. Returns only for a signal
/// whose default is not to end the process: then the shell's code for it, 128 + its number.
fn end_by(signal: i32) -> i32 {
    let _ = signal_hook::low_level::emulate_default_handler(signal);
    128 + signal
}

/// Copies the child's output to kvtui's, concealed. When kvtui's side is closed, the child's
/// pipe is closed too, so the child learns it as it would have writing there itself.
async fn pump(
    mut from: impl AsyncRead + Unpin,
    mut to: impl AsyncWrite + Unpin,
    mut concealer: Concealer,
) {
    let mut buffer = Zeroizing::new(vec![0u8; 16 * 1024]);
    loop {
        let read = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(read) => read,
        };
        let shown = concealer.feed(&buffer[..read]);
        if to.write_all(&shown).await.is_err() || to.flush().await.is_err() {
            return;
        }
    }
    let _ = to.write_all(&concealer.finish()).await;
    let _ = to.flush().await;
}

/// Whether the child has `signal` already: the terminal sends Ctrl-C and Ctrl-\ to its whole
/// foreground process group, and the child is in kvtui's. Sent once more, a program that takes
/// the first as "cancel this" could take the second as "quit".
fn reached_child_already(signal: Signal) -> bool {
    (signal == Signal::INT || signal == Signal::QUIT)
        && std::fs::File::open("/dev/tty")
            .ok()
            .and_then(|tty| rustix::termios::tcgetpgrp(&tty).ok())
            .is_some_and(|foreground| foreground == rustix::process::getpgrp())
}

/// The signals kvtui takes while its child runs, instead of dying of them: TERM and HUP (a
/// `kill`, a dropped ssh session) and INT and QUIT (the keyboard), to hand on to the child.
struct Caught {
    term: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
    quit: tokio::signal::unix::Signal,
}

impl Caught {
    fn listen() -> std::io::Result<Self> {
        Ok(Self {
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
            int: signal(SignalKind::interrupt())?,
            quit: signal(SignalKind::quit())?,
        })
    }

    async fn next(&mut self) -> Signal {
        tokio::select! {
            _ = self.term.recv() => Signal::TERM,
            _ = self.hup.recv() => Signal::HUP,
            _ = self.int.recv() => Signal::INT,
            _ = self.quit.recv() => Signal::QUIT,
        }
    }
}
