use clap::Parser;
use kvtui::cli::{self, Cli, Command};

#[tokio::main]
async fn main() {
    // The client's TLS uses ring: aws-lc-rs seeds its generator with CPU jitter entropy on first
    // use, ~25 ms of CPU that every one-shot `kvtui secret …` would pay before its first request.
    // The local vault's server side keeps aws-lc-rs (it names its provider explicitly).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cli = Cli::parse();
    let code = match cli.command {
        Some(Command::LocalVault(args)) => cli::local_vault::run(args).await,
        Some(Command::Secret(args)) => {
            kvtui::logging::init_default();
            cli::exit_code(cli::secret::run(&cli.global, args).await)
        }
        Some(Command::Profile { command }) => {
            cli::exit_code(cli::profile::run(&cli.global, command))
        }
        None => {
            kvtui::logging::init_default();
            match kvtui::config::Config::load(cli.global.config.as_deref()) {
                Ok(config) => kvtui::app::run(&config, cli.global.profile.as_deref()).await,
                Err(error) => {
                    eprintln!("error: {error}");
                    2
                }
            }
        }
    };
    std::process::exit(code);
}
