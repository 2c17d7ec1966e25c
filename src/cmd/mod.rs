//! One module per subcommand; shared plumbing (loading lexicons) lives here.

pub mod eval;
pub mod explain;
pub mod lexicon;
pub mod model;
pub mod scan;

use crate::cli::{Cli, Command, LexiconArgs};
use crate::rules::{self, Lexicon};
use std::process::ExitCode;

/// Exit status for errors (as grep).
pub const EXIT_ERROR: u8 = 2;

pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Scan(args) => scan::run(&args),
        Command::Lexicon(cmd) => lexicon::run(cmd),
        Command::Explain { rule, lexicons } => explain::run(&rule, &lexicons),
        Command::Eval(args) => eval::run(&args),
        Command::Model(cmd) => model::run(cmd),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("dunscan: error: {message}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// The built-in lexicons (unless turned off) plus the user's; any error stops the run.
pub fn load_lexicon(args: &LexiconArgs) -> Result<Lexicon, String> {
    let mut lex = if args.no_default_lexicons {
        Lexicon::default()
    } else {
        Lexicon::builtin()
    };
    if !args.lexicon.is_empty() {
        let (user, mut errors) = rules::load_paths(&args.lexicon);
        lex.merge(user, &mut errors);
        if !errors.is_empty() {
            let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
            return Err(format!("invalid lexicon:\n{}", shown.join("\n")));
        }
    }
    if args.no_model {
        lex.drop_model();
    }
    // The built-in table is parsed on first use (the tests check that it parses); a user's
    // lexicon may bring its own table or model rules without one: check those now.
    if !args.lexicon.is_empty()
        && let Some(e) = lex.model_error()
    {
        return Err(format!("invalid lexicon:\n{e}"));
    }
    if lex.rules.is_empty() {
        return Err("no rules loaded (--no-default-lexicons needs --lexicon PATH)".into());
    }
    Ok(lex)
}
