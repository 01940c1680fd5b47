//! `harness cases …`: list, check, diff and generate.

use std::io::Write;
use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use harness::case::{
    Case, GENERATE_COMMAND, LoadProfileError, Profile, Scenario, ScenarioError, builtin_profiles,
    builtin_scenarios, diff, generated_file_name, generated_json, resolve_profiles, state_label,
};
use harness::exit_code::{ERROR, SUCCESS};

/// `harness cases` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum CasesCommand {
    /// List every case of one or more profiles.
    List {
        /// Profile: ecs, ecs-openstack, nova, all, or a path to a profile .json file.
        #[arg(long, short = 'p', default_value = harness::case::DEFAULT_PROFILE)]
        profile: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Check profile files (default: the built-in ones). Exit 2 on any error.
    Check {
        /// Profile files to check.
        files: Vec<PathBuf>,
    },
    /// Show every pair on which two profiles expect different statuses.
    Diff {
        /// First profile (name or path).
        a: String,
        /// Second profile (name or path).
        b: String,
    },
    /// Write cases/generated/<profile>.json for the built-in profiles.
    Generate {
        /// Write nothing; exit 2 if any generated file is missing or stale.
        #[arg(long)]
        check: bool,
        /// Directory of the generated files.
        #[arg(long, default_value = "cases/generated")]
        dir: PathBuf,
    },
}

/// Output format of `cases list`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    /// Aligned columns: id, group, expected.
    Table,
    /// A JSON array of {"id","profile","group","vm_state","task_state","expected"}.
    Json,
}

/// Runs a `harness cases` subcommand and returns the exit code.
pub(crate) fn run(cmd: CasesCommand) -> i32 {
    match cmd {
        CasesCommand::List { profile, format } => list(&profile, format),
        CasesCommand::Check { files } => check(&files),
        CasesCommand::Diff { a, b } => diff_command(&a, &b),
        CasesCommand::Generate { check, dir } => generate(check, &dir),
    }
}

fn list(names: &[String], format: Format) -> i32 {
    let profiles = match resolve_profiles(names) {
        Ok(profiles) => profiles,
        Err(error) => return super::fail(&error),
    };
    let cases: Vec<Case> = profiles.iter().flat_map(Profile::cases).collect();
    let text = match format {
        Format::Json => {
            let mut json = serde_json::to_string_pretty(&cases).expect("cases always serialize");
            json.push('\n');
            json
        }
        Format::Table => {
            let rows: Vec<[String; 3]> = cases
                .iter()
                .map(|c| [c.id.to_string(), c.group.to_string(), c.expected.clone()])
                .collect();
            table(["ID", "GROUP", "EXPECTED"], &rows)
        }
    };
    emit(&text)
}

fn check(files: &[PathBuf]) -> i32 {
    let (profile_files, scenario_files): (Vec<&PathBuf>, Vec<&PathBuf>) =
        files.iter().partition(|f| !is_scenario_file(f));
    let results: Vec<(String, Result<Profile, LoadProfileError>)> = if files.is_empty() {
        harness::case::BUILTIN_NAMES
            .iter()
            .map(|name| {
                let result = harness::case::builtin_profile(name);
                (format!("cases/profiles/{name}.json"), result)
            })
            .collect()
    } else {
        profile_files
            .iter()
            .map(|f| (f.display().to_string(), Profile::from_path(f)))
            .collect()
    };
    let mut failed = false;
    let mut out = String::new();
    for (file, result) in results {
        match result {
            Ok(profile) => {
                let c = profile.counts();
                out.push_str(&format!(
                    "ok: {file}: profile {} ({} valid, {} invalid, {} probe)\n",
                    profile.name(),
                    c.valid,
                    c.invalid,
                    c.probe
                ));
            }
            Err(LoadProfileError::Check { errors, .. }) => {
                failed = true;
                for error in errors {
                    eprintln!("error: {error}");
                }
            }
            Err(error) => {
                failed = true;
                super::fail(&error);
            }
        }
    }
    failed |= check_scenarios(files.is_empty(), &scenario_files, &mut out);
    let code = emit(&out);
    if failed { ERROR } else { code }
}

/// A file under a `scenarios/` folder is a scenario, anything else a profile.
fn is_scenario_file(path: &std::path::Path) -> bool {
    path.parent()
        .and_then(|p| p.file_name())
        .is_some_and(|n| n == "scenarios")
}

/// Checks the built-in scenarios (`builtin`) or the given files; returns true on any error.
fn check_scenarios(builtin: bool, files: &[&PathBuf], out: &mut String) -> bool {
    let loaded: Vec<Result<Scenario, ScenarioError>> = if builtin {
        match builtin_scenarios() {
            Ok(all) => all.into_iter().map(Ok).collect(),
            Err(e) => vec![Err(e)],
        }
    } else {
        files
            .iter()
            .map(|f| match std::fs::read(f) {
                Ok(bytes) => Scenario::from_slice(&f.display().to_string(), &bytes),
                Err(e) => Err(ScenarioError {
                    file: f.display().to_string(),
                    errors: vec![format!("{}: failed to read: {e}", f.display())],
                }),
            })
            .collect()
    };
    let mut failed = false;
    for result in loaded {
        match result {
            Ok(s) => out.push_str(&format!(
                "ok: cases/scenarios/{}.json: {} scenario, {} public report{}\n",
                s.name,
                s.kind.as_str(),
                s.reproduces.len(),
                if s.reproduces.len() == 1 { "" } else { "s" }
            )),
            Err(e) => {
                failed = true;
                for line in e.errors {
                    eprintln!("error: {line}");
                }
            }
        }
    }
    failed
}

fn diff_command(a: &str, b: &str) -> i32 {
    let load = |name: &str| resolve_profiles(&[name.to_owned()]);
    let (left, right) = match (load(a), load(b)) {
        (Ok(mut l), Ok(mut r)) if l.len() == 1 && r.len() == 1 => (l.remove(0), r.remove(0)),
        (Err(error), _) | (_, Err(error)) => return super::fail(&error),
        _ => {
            eprintln!("error: `cases diff` compares exactly two profiles, not `all`");
            return ERROR;
        }
    };
    let differences = diff(&left, &right);
    let rows: Vec<[String; 3]> = differences
        .iter()
        .map(|d| {
            let pair = format!("{} / {}", d.vm_state, state_label(d.task_state.as_deref()));
            [pair, d.left.clone(), d.right.clone()]
        })
        .collect();
    let mut text = table(["PAIR", left.name(), right.name()], &rows);
    let pairs = union_len(&left.vm_states(), &right.vm_states())
        * (1 + union_len(&left.task_states(), &right.task_states()));
    text.push_str(&format!(
        "{} of {} pairs differ between {} and {}\n",
        differences.len(),
        pairs,
        left.name(),
        right.name()
    ));
    emit(&text)
}

fn union_len(a: &[&str], b: &[&str]) -> usize {
    a.len() + b.iter().filter(|x| !a.contains(x)).count()
}

fn generate(check_only: bool, dir: &std::path::Path) -> i32 {
    let mut stale = Vec::new();
    for profile in builtin_profiles() {
        let path = dir.join(generated_file_name(&profile));
        let wanted = generated_json(&profile);
        let current = std::fs::read_to_string(&path).ok();
        if current.as_deref() == Some(wanted.as_str()) {
            continue;
        }
        if check_only {
            stale.push(path);
            continue;
        }
        if let Err(error) =
            std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&path, &wanted))
        {
            eprintln!("error: failed to write {}: {error}", path.display());
            return ERROR;
        }
        println!("wrote {}", path.display());
    }
    for path in &stale {
        eprintln!(
            "error: {} is missing or stale; regenerate with `{GENERATE_COMMAND}`",
            path.display()
        );
    }
    if stale.is_empty() { SUCCESS } else { ERROR }
}

/// Left-aligned columns separated by two spaces, with a header row.
fn table<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> String {
    let mut widths = header.map(str::len);
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.len());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn emit(text: &str) -> i32 {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => SUCCESS,
        Err(e) => {
            eprintln!("error: failed to write to stdout: {e}");
            ERROR
        }
    }
}
