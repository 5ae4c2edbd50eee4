use clap::Parser;
use kvtui::cli::{self, Cli, Command};

#[tokio::main]
async fn main() {
    kvtui::hardening::no_core_dumps();
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
