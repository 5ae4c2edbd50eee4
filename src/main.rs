use clap::Parser;
use kvtui::cli::{self, Cli, Command};

fn main() {
    kvtui::hardening::no_core_dumps();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => std::process::exit(cli::parse_failure(&error, std::env::args_os())),
    };
    let json = cli.global.json;
    if json && !cli.command.as_ref().is_some_and(Command::prints_json) {
        std::process::exit(cli::exit_code(
            Err(cli::fail_usage(
                "--json: only the secret, vault and profile commands print JSON",
            )),
            json,
        ));
    }
    let code = match cli.command {
        Some(Command::LocalVault(args)) => multi_thread().block_on(cli::local_vault::run(args)),
        Some(Command::Completions(args)) => {
            cli::completions::run(&args);
            0
        }
        Some(Command::Secret { command }) => {
            kvtui::logging::init_default();
            // A one-shot command awaits one call at a time: on one thread, each response wakes
            // the task that waits for it without a hand-off between threads.
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a tokio runtime");
            cli::exit_code(
                runtime.block_on(cli::secret::run(&cli.global, command)),
                json,
            )
        }
        Some(Command::Vault { command }) => {
            kvtui::logging::init_default();
            multi_thread().block_on(async {
                cli::exit_code(cli::vault::run(&cli.global, command).await, json)
            })
        }
        Some(Command::Profile { command }) => {
            cli::exit_code(cli::profile::run(&cli.global, command).map(|()| 0), json)
        }
        None => {
            kvtui::logging::init_default();
            match kvtui::config::Config::load(cli.global.config.as_deref()) {
                Ok(config) => {
                    multi_thread().block_on(kvtui::app::run(&config, cli.global.profile.as_deref()))
                }
                Err(error) => {
                    eprintln!("error: {error}");
                    2
                }
            }
        }
    };
    std::process::exit(code);
}

/// The TUI and the local vault serve while their tasks run: they get every core.
fn multi_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().expect("a tokio runtime")
}
