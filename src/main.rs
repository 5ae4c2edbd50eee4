use clap::Parser;
use kvtui::cli::{Cli, Command};

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        Some(Command::LocalVault(args)) => kvtui::cli::local_vault::run(args).await,
        None => {
            eprintln!(
                "kvtui: the terminal UI is not available in this build yet; try `kvtui local-vault --help`"
            );
            2
        }
    };
    std::process::exit(code);
}
