use clap::Parser;
use kvtui::cli::{self, Cli, Command};

#[tokio::main]
async fn main() {
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
            eprintln!(
                "kvtui: the terminal UI is not available in this build yet; see `kvtui --help`"
            );
            2
        }
    };
    std::process::exit(code);
}
