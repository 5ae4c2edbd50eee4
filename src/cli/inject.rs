//! `kvtui inject -i TEMPLATE -o OUT`: a config file made from a template, its references
//! replaced with values (`crate::reference::template`).

use super::references::{ResolveArgs, resolve_all, write_secret_file};
use super::{GlobalArgs, Outcome, fail_service, fail_usage};
use crate::file_trust::{self, Limit};
use crate::reference::template::Template;
use clap::Args;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// What `-i` and `-o` take for standard input and output.
const STANDARD: &str = "-";

#[derive(Debug, Args)]
pub struct InjectArgs {
    /// The template: text with {{ REF }} placeholders and dotenv lines NAME=REF ('-' reads
    /// standard input).
    #[arg(short = 'i', long = "in", value_name = "TEMPLATE")]
    pub template: PathBuf,
    /// Where the result goes: a new file readable by you alone, or '-' for standard output.
    #[arg(short = 'o', long = "out", value_name = "OUT")]
    pub out: PathBuf,
    /// Replace OUT if it exists (atomically: a reader sees the old file or the new one).
    #[arg(long)]
    pub force: bool,
    /// With -o -: print to a terminal too.
    #[arg(long)]
    pub reveal: bool,
    #[command(flatten)]
    pub resolve: ResolveArgs,
}

pub async fn run(global: &GlobalArgs, args: InjectArgs) -> Outcome {
    let to_stdout = args.out == Path::new(STANDARD);
    if to_stdout && std::io::stdout().is_terminal() && !args.reveal {
        return Err(fail_usage(
            "-o -: refusing to print secret values to a terminal: give -o FILE, pipe it, or \
             give --reveal",
        ));
    }
    let text = read_template(&args.template)?;
    let template = Template::parse(&text).map_err(|errors| {
        fail_usage(format!(
            "{}: {}",
            args.template.display(),
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        ))
    })?;
    let values = resolve_all(global, &template.references, &args.resolve).await?;
    let filled = template.render(&values);
    if to_stdout {
        let mut stdout = std::io::stdout().lock();
        return stdout
            .write_all(filled.as_bytes())
            .and_then(|()| stdout.flush())
            .map_err(|error| fail_service(format!("standard output: {error}")));
    }
    write_secret_file(&args.out, filled.as_bytes(), args.force)
}

fn read_template(path: &Path) -> Result<zeroize::Zeroizing<String>, super::Failure> {
    if path == Path::new(STANDARD) {
        file_trust::read_limited_text(
            std::io::stdin(),
            Path::new("standard input"),
            Limit::TEMPLATE,
        )
    } else {
        file_trust::read_input_text(path, Limit::TEMPLATE)
    }
    .map_err(fail_usage)
}
