//! `harness matrix RESULTS...`: many runs on one page, with badges.

use clap::Args;
use harness::exit_code;
use harness::matrix::write_matrix;
use std::path::PathBuf;

pub(crate) const AFTER_HELP: &str = "\
EXAMPLES:
    harness matrix reports/*/results.json
    harness matrix --out site nightly/*/results.json

WRITES (into --out, default matrix/):
    matrix.html         one self-contained page: rows = implementations (name, version,
                        language), columns = profile x case kind (valid, invalid, probe, ...),
                        cells = passed/cases plus failures, errors and skips, coloured, each
                        linking to that run's own index.html (next to its results.json);
                        a \"what differs\" column lists the first failing cases in words
    matrix.md           the same table in Markdown (for $GITHUB_STEP_SUMMARY or a README)
    badges/NAME.json    a shields.io endpoint badge per implementation
                        (https://img.shields.io/endpoint?url=<where you publish it>)

A cell is green only when every case in it passed: a failure is red, an error orange, a skip
yellow (incomplete). A skip or an error is never shown as a pass.

EXIT CODES:
    0  the matrix was written (whatever the runs' verdicts)
    2  no input, a results.json that cannot be read, or an output that cannot be written";

/// Flags of `harness matrix`.
#[derive(Debug, Args)]
pub(crate) struct MatrixArgs {
    /// The results.json files, one per implementation (any format_version the harness reads).
    #[arg(value_name = "RESULTS", required = true)]
    results: Vec<PathBuf>,

    /// Folder for matrix.html, matrix.md and badges/.
    #[arg(long, value_name = "DIR", default_value = "matrix")]
    out: PathBuf,
}

/// Runs `harness matrix`; returns the exit code.
pub(crate) fn run(args: MatrixArgs) -> i32 {
    match write_matrix(&args.out, &args.results) {
        Ok(written) => {
            println!(
                "matrix: {} implementations x {} columns: {} ({} and {} badges in {})",
                written.matrix.rows.len(),
                written.matrix.columns.len(),
                written.html.display(),
                written.markdown.display(),
                written.badges.len(),
                args.out.join(harness::matrix::BADGES_DIR).display()
            );
            exit_code::SUCCESS
        }
        Err(e) => super::fail(&e),
    }
}
