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
                "--json: only the secret, vault, profile, read, env, inject and run commands print JSON",
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
        Some(Command::Secret { command }) => one_shot(json, cli::secret::run(&cli.global, command)),
        Some(Command::Read(args)) => one_shot(json, async {
            cli::read::run(&cli.global, args).await.map(|()| 0)
        }),
        Some(Command::Env(args)) => one_shot(json, async {
            cli::env::run(&cli.global, args).await.map(|()| 0)
        }),
        Some(Command::Inject(args)) => one_shot(json, async {
            cli::inject::run(&cli.global, args).await.map(|()| 0)
        }),
        Some(Command::Run(args)) => one_shot(json, cli::run::run(&cli.global, args)),
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

/// Runs a one-shot command, whose work is waiting on the vault, on one thread: each response
/// wakes the task that waits for it without a hand-off between threads.
fn one_shot(json: bool, command: impl Future<Output = Result<i32, cli::Failure>>) -> i32 {
    kvtui::logging::init_default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    cli::exit_code(runtime.block_on(command), json)
}

/// The TUI and the local vault serve while their tasks run: they get every core.
fn multi_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().expect("a tokio runtime")
}
