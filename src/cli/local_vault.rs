//! `kvtui local-vault`: runs the local vault as a process until SIGINT or SIGTERM.

use crate::local_vault::faults::Faults;
use crate::local_vault::store::LostWrites;
use crate::local_vault::{self, LocalVaultConfig, LocalVaultError};
use crate::vault::RecoveryLevel;
use clap::Args;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct LocalVaultArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8443")]
    pub listen: SocketAddr,
    /// Where the store, certificate and token live [default: $KVTUI_DATA_DIR, else the platform
    /// data dir].
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// The vault's deletion recovery level.
    #[arg(long, default_value = "Recoverable+Purgeable", value_parser = parse_level)]
    pub recovery_level: RecoveryLevel,
    /// Days a deleted secret stays recoverable (7..=90; ignored for Purgeable).
    #[arg(long, default_value_t = 90)]
    pub recoverable_days: i64,
    /// Allow a non-loopback listen address (the vault is then reachable from other machines).
    #[arg(long)]
    pub allow_remote: bool,
    /// Verify the whole store and exit without serving: every value and its attributes against
    /// their integrity checks, SQLite's check of the file, and the store against the record of
    /// the writes it acknowledged. Exits 0 if the store is sound, 1 if anything is damaged.
    #[arg(long)]
    pub check: bool,
    /// Start even though the store holds fewer writes than the vault acknowledged (it was
    /// emptied, replaced by an older copy, or its -wal file was deleted after a crash), serving
    /// it as it is now: the missing writes are given up for good.
    #[arg(long)]
    pub accept_lost_writes: bool,
    /// Fault injection: milliseconds added to every request.
    #[arg(long, default_value_t = 0, help_heading = "Fault injection")]
    pub fault_latency_ms: u64,
    /// Fault injection: fraction (0..1) of requests answered with --fault-status.
    #[arg(long, default_value_t = 0.0, help_heading = "Fault injection")]
    pub fault_error_rate: f64,
    /// Fault injection: the status of injected failures (429, 500, 502, 503, 504).
    #[arg(long, default_value_t = 503, help_heading = "Fault injection")]
    pub fault_status: u16,
    /// Fault injection: seconds in the Retry-After of injected 429 and 503 answers.
    #[arg(long, default_value_t = 1, help_heading = "Fault injection")]
    pub fault_retry_after: u64,
    /// Fault injection: fraction (0..1) of connections closed without an answer.
    #[arg(long, default_value_t = 0.0, help_heading = "Fault injection")]
    pub fault_drop_rate: f64,
    /// Throttle as the service does: past N requests in any 10 s (the service allows 4,000 for
    /// secrets), answer 429 with Retry-After; 0 is off.
    #[arg(
        long,
        default_value_t = 0,
        value_name = "N",
        help_heading = "Fault injection"
    )]
    pub throttle_per_10s: u32,
}

fn parse_level(raw: &str) -> Result<RecoveryLevel, String> {
    match raw.parse::<RecoveryLevel>() {
        Ok(RecoveryLevel::Other(_)) | Err(_) => Err(format!(
            "unknown recovery level {raw:?}; expected one of Purgeable, Recoverable+Purgeable, \
             Recoverable, Recoverable+ProtectedSubscription, CustomizedRecoverable+Purgeable, \
             CustomizedRecoverable, CustomizedRecoverable+ProtectedSubscription"
        )),
        Ok(level) => Ok(level),
    }
}

impl LocalVaultArgs {
    fn config(&self) -> Result<LocalVaultConfig, String> {
        let data_dir = self
            .data_dir
            .clone()
            .or_else(local_vault::default_data_dir)
            .ok_or("no data dir: pass --data-dir or set KVTUI_DATA_DIR")?;
        Ok(LocalVaultConfig {
            listen: self.listen,
            data_dir,
            recovery_level: self.recovery_level.clone(),
            recoverable_days: self.recoverable_days,
            allow_remote: self.allow_remote,
            lost_writes: if self.accept_lost_writes {
                LostWrites::Accept
            } else {
                LostWrites::Refuse
            },
            faults: Faults {
                latency_ms: self.fault_latency_ms,
                error_rate: self.fault_error_rate,
                error_status: self.fault_status,
                retry_after_secs: self.fault_retry_after,
                drop_rate: self.fault_drop_rate,
                throttle_per_10s: self.throttle_per_10s,
                ..Faults::default()
            },
        })
    }
}

/// Runs the vault until SIGINT or SIGTERM; returns the process exit code.
pub async fn run(args: LocalVaultArgs) -> i32 {
    let config = match args.config() {
        Ok(config) => config,
        Err(message) => {
            eprintln!("error: {message}");
            return 2;
        }
    };
    // Checked before the log is opened in it: a data dir that is refused gets nothing written.
    if let Err(error) = local_vault::data_dir::prepare(&config.data_dir) {
        eprintln!("error: {error}");
        return 1;
    }
    if args.check {
        return check(&config.data_dir);
    }
    if let Err(error) = crate::logging::init(&config.data_dir.join("local-vault.log")) {
        eprintln!("warning: cannot open the log file: {error}");
    }
    let running = match local_vault::start(config).await {
        Ok(running) => running,
        Err(error) => {
            eprintln!("error: {error}");
            return match error {
                LocalVaultError::NotLoopback(_)
                | LocalVaultError::RecoverableDays { .. }
                | LocalVaultError::Faults(_) => 2,
                _ => 1,
            };
        }
    };
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(
        stdout,
        "kvtui local vault\n  url:        {}\n  ca file:    {}\n  token file: {}\n  data dir:   {}\n  recovery:   {}, {} days\nStop with Ctrl-C.",
        running.url,
        running.ca_file.display(),
        running.token_file.display(),
        running.data_dir.display(),
        args.recovery_level,
        if args.recovery_level.is_recoverable() {
            args.recoverable_days
        } else {
            0
        },
    );
    let _ = stdout.flush();
    drop(stdout);

    wait_for_stop_signal().await;
    tracing::info!("stop signal received");
    running.shutdown().await;
    0
}

/// `--check`: prints the report of the store in `data_dir`; 0 if it is sound, 1 if not.
fn check(data_dir: &std::path::Path) -> i32 {
    match local_vault::check::check(&data_dir.join(local_vault::STORE_FILE)) {
        Ok(report) => {
            println!("{report}");
            i32::from(!report.is_sound())
        }
        Err(error) => {
            eprintln!("error: {error}");
            1
        }
    }
}

async fn wait_for_stop_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut terminate) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
