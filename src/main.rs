use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = dunscan::cli::Cli::parse();
    dunscan::cmd::run(cli)
}
