//! `kvtui secret export`, `import` and `promote`: many secrets at once, through one plan.
//!
//! Exit codes beside the usual: 2 when the plan refused a secret (the others are still
//! applied), 1 when a write failed; a refused or failed secret is named with why.

use super::{Failure, STALE, fail_service, fail_usage, sign_in_prompts, terminal_safe};
use crate::config::{Config, Profile};
use crate::file_trust::{self, Limit};
use crate::session::Session;
use crate::state::list::SecretList;
use crate::transfer::file::{self, Format};
use crate::transfer::{
    Applied, Entry, Planned, Step, apply, plan_one, read_current, read_sources, service_rules,
};
use crate::vault::{SecretItem, VaultClient};
use crate::when::now_unix;
use clap::Args;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The file to write, or - for standard output. With --values it must not exist yet, and
    /// is created with mode 0600.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The file's format.
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
    /// Include the values (dotenv always needs them).
    #[arg(long)]
    pub values: bool,
    #[command(flatten)]
    pub filter: FilterArgs,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A file as export writes it: JSON, dotenv or CSV.
    pub file: PathBuf,
    /// The file's format [default: from its extension: .json, .env, .csv].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    #[command(flatten)]
    pub apply: ApplyArgs,
}

#[derive(Debug, Args)]
pub struct PromoteArgs {
    /// The profile to read from.
    #[arg(long, value_name = "PROFILE")]
    pub from: String,
    /// The profile to write to.
    #[arg(long, value_name = "PROFILE")]
    pub to: String,
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub apply: ApplyArgs,
}

/// Which secrets: the TUI's filter line, as one argument.
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Name words (fuzzy) and terms, as the TUI's filter takes them: tag:KEY[=VALUE],
    /// type:TEXT, expires:<30d, expires:>2w, disabled, enabled [default: every secret].
    #[arg(long, value_name = "QUERY")]
    pub filter: Option<String>,
}

/// How a plan is applied.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// Show the plan and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Apply the plan without asking (for scripts; without a terminal to ask on, it is needed).
    #[arg(long, conflicts_with = "dry_run")]
    pub yes: bool,
}

pub async fn export(profile: &Profile, args: &ExportArgs, json: bool) -> Result<i32, Failure> {
    if args.format == Format::Dotenv && !args.values {
        return Err(fail_usage(
            "--format dotenv: a dotenv file holds values: add --values",
        ));
    }
    let to_stdout = args.out == Path::new("-");
    if !to_stdout && args.out.symlink_metadata().is_ok() && args.values {
        return Err(fail_usage(format!(
            "--out {}: it exists; a file of values is only ever created new",
            args.out.display()
        )));
    }
    let session = open(profile, json).await?;
    let entries = selected_entries(&session.client, &args.filter, args.values, &profile.name).await;
    session.close().await;
    let entries = entries?;
    let text = file::write(&entries, args.format).map_err(fail_usage)?;
    if to_stdout {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|error| fail_service(format!("standard output: {error}")))?;
    } else {
        let written = if args.values {
            crate::fsutil::write_new_private_file(&args.out, text.as_bytes())
        } else {
            crate::fsutil::Staged::write_with_mode(&args.out, text.as_bytes(), 0o644)
                .and_then(crate::fsutil::Staged::commit)
        };
        written.map_err(|error| fail_service(format!("--out {}: {error}", args.out.display())))?;
    }
    let what = if args.values {
        "with values"
    } else {
        "metadata, no values"
    };
    let line = format!(
        "exported {} secrets of {} to {} ({what})",
        entries.len(),
        profile.name,
        if to_stdout {
            "standard output".into()
        } else {
            args.out.display().to_string()
        }
    );
    eprintln!("{}", terminal_safe(&line));
    Ok(0)
}

pub async fn import(profile: &Profile, args: &ImportArgs, json: bool) -> Result<i32, Failure> {
    let format = args
        .format
        .or_else(|| Format::of_path(&args.file))
        .ok_or_else(|| {
            fail_usage(format!(
                "{}: say --format json, dotenv or csv (the name does not end in .json, .env or .csv)",
                args.file.display()
            ))
        })?;
    let bytes = file_trust::read_input(&args.file, Limit::TRANSFER).map_err(fail_usage)?;
    let in_file = |error: file::FileError| {
        fail_usage(format!(
            "{}: {error} (nothing was sent)",
            args.file.display()
        ))
    };
    let text = file::text(bytes).map_err(in_file)?;
    let entries = file::read(&text, format).map_err(in_file)?;
    let session = open(profile, json).await?;
    let outcome = plan_and_apply(&session.client, profile, entries, &args.apply, json).await;
    session.close().await;
    outcome
}

pub async fn promote(config: &Config, args: &PromoteArgs, json: bool) -> Result<i32, Failure> {
    let from = config.select(Some(&args.from)).map_err(fail_usage)?;
    let to = config.select(Some(&args.to)).map_err(fail_usage)?;
    if from.name == to.name {
        return Err(fail_usage("--to: that is the profile promoted from"));
    }
    if to.read_only && !args.apply.dry_run {
        return Err(fail_usage(format!(
            "--to {}: profile {} is read-only: refusing to promote into it (nothing was sent)",
            to.name, to.name
        )));
    }
    let source = open(from, json).await?;
    let entries = selected_entries(&source.client, &args.filter, true, &from.name).await;
    source.close().await;
    let entries = entries?;
    let target = open(to, json).await?;
    let outcome = plan_and_apply(&target.client, to, entries, &args.apply, json).await;
    target.close().await;
    outcome
}

async fn open(profile: &Profile, json: bool) -> Result<Session, Failure> {
    Session::open(profile, sign_in_prompts(json))
        .await
        .map_err(fail_service)
}

/// The secrets `filter` keeps, as the TUI's filter line would keep them, with their values
/// when asked.
async fn selected_entries(
    client: &VaultClient,
    filter: &FilterArgs,
    values: bool,
    place: &str,
) -> Result<Vec<Entry>, Failure> {
    let items: Vec<SecretItem> = client.list_secrets().collect_all().await?;
    let mut list = SecretList::default();
    list.append_page(items);
    if let Some(query) = &filter.filter {
        list.set_query(query.clone(), now_unix());
        if let Some(problem) = &list.parsed.problem {
            return Err(fail_usage(format!("--filter: {problem}")));
        }
    }
    let rows: Vec<&SecretItem> = list.visible.iter().map(|&i| &list.rows[i].item).collect();
    if values {
        let names: Vec<String> = rows
            .iter()
            .filter_map(|item| item.secret_id().map(|id| id.name))
            .collect();
        return Ok(read_sources(client, &names, place).await?);
    }
    Ok(rows
        .into_iter()
        .filter_map(|item| Entry::of_item(item, place))
        .collect())
}

/// Plans `entries` against the vault behind `client`, prints the plan, and applies it when
/// asked; the exit code says whether anything was refused or failed.
async fn plan_and_apply(
    client: &VaultClient,
    target: &Profile,
    entries: Vec<Entry>,
    how: &ApplyArgs,
    json: bool,
) -> Result<i32, Failure> {
    let names: Vec<String> = entries.iter().map(|entry| entry.name.clone()).collect();
    let current = read_current(client, &names).await?;
    let plan: Vec<Planned> = entries
        .into_iter()
        .zip(current)
        .map(|(entry, current)| {
            plan_one(entry, current, |name, params| {
                service_rules(name, params)?;
                target.check(name, params, now_unix())
            })
        })
        .collect();
    print_plan(&plan, target, json);
    let refused = plan.iter().any(|p| matches!(p.step, Step::Refused(_)));
    let writes = plan.iter().filter(|p| p.step.writes()).count();
    let exit = if refused { 2 } else { 0 };
    if how.dry_run || writes == 0 {
        return Ok(exit);
    }
    if !how.yes {
        confirm(writes, target)?;
    }
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let results = apply(client, &plan, stop, |planned, applied| {
        report(planned, applied, json);
    })
    .await;
    let count = |wanted: fn(&Applied) -> bool| {
        plan.iter()
            .zip(&results)
            .filter(|(p, r)| p.step.writes() && wanted(r))
            .count()
    };
    let done = count(|r| matches!(r, Applied::Done(_)));
    let failed = count(|r| matches!(r, Applied::Failed(_)));
    let overtaken = count(|r| matches!(r, Applied::Overtaken(_)));
    let untouched: Vec<&str> = plan
        .iter()
        .zip(&results)
        .filter(|(p, r)| p.step.writes() && matches!(r, Applied::NotStarted))
        .map(|(p, _)| p.entry.name.as_str())
        .collect();
    let summary = if json {
        serde_json::json!({"done": done, "failed": failed, "overtaken": overtaken, "notStarted": untouched})
            .to_string()
    } else if untouched.is_empty() {
        format!("done {done}, failed {failed}, overtaken {overtaken}")
    } else {
        format!(
            "interrupted: done {done}, failed {failed}, overtaken {overtaken}, not started {} (untouched: {})",
            untouched.len(),
            untouched.join(", ")
        )
    };
    println!("{}", terminal_safe(&summary));
    Ok(if failed > 0 || !untouched.is_empty() {
        1
    } else if overtaken > 0 {
        STALE
    } else {
        exit
    })
}

fn print_plan(plan: &[Planned], target: &Profile, json: bool) {
    if json {
        let rows: Vec<_> = plan
            .iter()
            .map(|p| {
                let changes: Vec<_> = p
                    .changes
                    .iter()
                    .map(|c| serde_json::json!({"field": c.field, "before": c.before, "after": c.after}))
                    .collect();
                serde_json::json!({
                    "name": p.entry.name,
                    "step": p.step.label(),
                    "summary": p.summary(),
                    "changes": changes,
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::json!({"profile": target.name, "plan": rows})
        );
        return;
    }
    let count = |label: &str| plan.iter().filter(|p| p.step.label() == label).count();
    println!(
        "{}",
        terminal_safe(&format!(
            "plan for {}: {} new, {} new versions, {} unchanged, {} refused",
            target.name,
            count("new"),
            count("new version"),
            count("unchanged"),
            count("refused")
        ))
    );
    for planned in plan {
        println!(
            "{}",
            terminal_safe(&format!(
                "  {:<12} {}  {}",
                planned.step.label(),
                planned.entry.name,
                planned.summary()
            ))
        );
    }
}

/// Asks on the terminal; without one, `--yes` is needed.
fn confirm(writes: usize, target: &Profile) -> Result<(), Failure> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(fail_usage(format!(
            "the plan has {writes} writes: add --yes to apply it without asking, or --dry-run (nothing was sent)"
        )));
    }
    eprint!(
        "apply {writes} writes to {}? [y/N] ",
        terminal_safe(&target.name)
    );
    let mut answer = String::new();
    stdin
        .lock()
        .read_line(&mut answer)
        .map_err(|error| fail_usage(format!("standard input: {error}")))?;
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err(fail_usage("not applied (nothing was sent)"))
    }
}

fn report(planned: &Planned, applied: &Applied, json: bool) {
    let name = &planned.entry.name;
    let line = match (applied, json) {
        (Applied::Done(version), false) => format!("set {name}: version {version}"),
        (Applied::Failed(reason), false) => format!("failed {name}: {reason}"),
        (Applied::Overtaken(said), false) => {
            format!("not written {name}: {said}; run again to plan against it")
        }
        (Applied::NotStarted, false) => return,
        (Applied::Done(version), true) => {
            serde_json::json!({"name": name, "done": true, "version": version}).to_string()
        }
        (Applied::Failed(reason), true) => {
            serde_json::json!({"name": name, "done": false, "error": reason}).to_string()
        }
        (Applied::Overtaken(said), true) => {
            serde_json::json!({"name": name, "done": false, "overtaken": said}).to_string()
        }
        (Applied::NotStarted, true) => return,
    };
    println!("{}", terminal_safe(&line));
}
