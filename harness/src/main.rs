//! The `harness` command line. All logic lives in the library; this maps errors to exit codes.

mod cli;

fn main() {
    std::process::exit(cli::main());
}
