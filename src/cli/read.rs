//! `kvtui read REF`: one secret's value, exactly its bytes, for a pipe or a file.

use super::references::{ResolveArgs, parse_reference, resolve_all, write_secret_file};
use super::{GlobalArgs, Outcome, fail_service, warn};
use clap::Args;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ReadArgs {
    /// kv://PROFILE/NAME[/VERSION], kv:///NAME, a secret id URL, @Microsoft.KeyVault(…) or
    /// akvs://SUBSCRIPTION/VAULT/NAME.
    #[arg(value_name = "REF")]
    pub reference: String,
    /// Write the value to FILE, a new file readable by you alone, instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// With --out: replace FILE if it exists (atomically).
    #[arg(long, requires = "out")]
    pub force: bool,
    #[command(flatten)]
    pub resolve: ResolveArgs,
}

pub async fn run(global: &GlobalArgs, args: ReadArgs) -> Outcome {
    let reference = parse_reference(&args.reference)?;
    let values = resolve_all(global, std::slice::from_ref(&reference), &args.resolve).await?;
    let value = values[0].expose().as_bytes();
    if let Some(path) = &args.out {
        return write_secret_file(path, value, args.force);
    }
    let mut stdout = std::io::stdout().lock();
    if stdout.is_terminal() {
        warn(
            &format!(
                "the value of {reference} is printed on this terminal and stays in its scrollback; \
                 pipe it, or use --out FILE"
            ),
            global.json,
        );
    }
    // No newline is added: what is printed is the value, byte for byte.
    stdout
        .write_all(value)
        .and_then(|()| stdout.flush())
        .map_err(|error| fail_service(format!("standard output: {error}")))
}
