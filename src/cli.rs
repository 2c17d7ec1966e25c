//! Command-line interface (see README for examples).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "dunscan",
    version,
    about = "扫描催收通话与短信中的暴力催收行为 / Find abusive debt-collection practices in Chinese call transcripts and SMS",
    after_help = "Exit status: 0 nothing found, 1 findings reported, 2 error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Scan files, folders or stdin and report findings.
    Scan(Box<ScanArgs>),
    /// List or check lexicons.
    #[command(subcommand)]
    Lexicon(LexiconCommand),
    /// Explain a rule: what it catches, examples, legal basis.
    Explain {
        /// Rule id, e.g. THR-001.
        rule: String,
        #[command(flatten)]
        lexicons: LexiconArgs,
    },
    /// Measure precision and recall on a labelled corpus (CSV with `text` and `labels`).
    Eval(EvalArgs),
    /// Train the classifier behind the model rules, or cross-validate it.
    #[command(subcommand)]
    Model(ModelCommand),
}

#[derive(Args, Debug, Clone)]
pub struct TrainArgs {
    /// Labelled corpus files (CSV: id, speaker, text, labels); customers' lines are left out.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Keep character n-grams seen in at least this many messages.
    #[arg(long, default_value_t = 2)]
    pub min_df: u32,
    /// Inverse regularisation strength: larger fits the corpus closer.
    #[arg(long, default_value_t = 4.0)]
    pub c: f64,
    /// Gradient steps per category.
    #[arg(long, default_value_t = 3000)]
    pub iterations: usize,
    /// Longest character n-gram (1 to 3).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=3))]
    pub max_n: u8,
}

#[derive(Subcommand, Debug)]
pub enum ModelCommand {
    /// Train on a labelled corpus and write the table (lexicons/model.tsv).
    Train {
        #[command(flatten)]
        train: TrainArgs,
        /// Where to write the table (default: stdout).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// The classifier's probability per category for each text (arguments, or lines of stdin).
    Score {
        texts: Vec<String>,
        #[command(flatten)]
        lexicons: LexiconArgs,
    },
    /// K-fold cross-validation: precision and recall per category of the rules alone and of
    /// rules plus the model at several thresholds, each fold scored by a model trained
    /// without it.
    Cv {
        #[command(flatten)]
        train: TrainArgs,
        /// Number of folds (messages are dealt to folds in turn).
        #[arg(long, default_value_t = 5)]
        folds: usize,
        #[command(flatten)]
        lexicons: LexiconArgs,
    },
}

#[derive(Args, Debug, Clone, Default)]
pub struct LexiconArgs {
    /// Add a lexicon file or folder of *.toml files (repeatable).
    #[arg(long = "lexicon", value_name = "PATH")]
    pub lexicon: Vec<PathBuf>,
    /// Do not load the lexicons built into dunscan.
    #[arg(long)]
    pub no_default_lexicons: bool,
    /// Leave out the classifier's rules (`kind = "model"`): rules alone, faster.
    #[arg(long)]
    pub no_model: bool,
}

#[derive(Subcommand, Debug)]
pub enum LexiconCommand {
    /// Every term with its category, rule and severity.
    List {
        /// Print each distinct term once, nothing else (for `rg -F -f`).
        #[arg(long)]
        terms_only: bool,
        #[command(flatten)]
        lexicons: LexiconArgs,
    },
    /// Validate lexicon files and run every rule's examples; errors as file:line: message.
    Check {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    Auto,
    Lines,
    Mixed,
    Transcript,
    Csv,
    Tsv,
    Jsonl,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Table,
    Csv,
    Jsonl,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    Findings,
    Messages,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speakers {
    /// What the collector said (role agent or unknown, e.g. SMS).
    Agent,
    /// Customers' lines too.
    All,
}

#[derive(Args, Debug, Clone)]
pub struct ScanArgs {
    /// Files or folders (recursed); `-` or nothing reads stdin.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[arg(short = 'i', long, value_enum, default_value = "auto")]
    pub input_format: InputFormat,
    /// Column/field with the message text (CSV, TSV, JSON lines).
    #[arg(long, value_name = "NAME")]
    pub text_col: Option<String>,
    #[arg(long, value_name = "NAME")]
    pub id_col: Option<String>,
    #[arg(long, value_name = "NAME")]
    pub speaker_col: Option<String>,
    #[arg(long, value_name = "NAME")]
    pub time_col: Option<String>,
    #[arg(long, value_name = "NAME")]
    pub call_col: Option<String>,
    /// auto, utf-8, gb18030 (gbk), big5, utf-16le, utf-16be.
    #[arg(long, default_value = "auto")]
    pub encoding: String,
    /// Output format; table when stdout is a terminal, csv otherwise.
    #[arg(short = 'f', long, value_enum)]
    pub format: Option<OutputFormat>,
    #[arg(long, value_enum, default_value = "findings")]
    pub report: Report,
    #[arg(long, value_enum, default_value = "agent")]
    pub speakers: Speakers,
    #[command(flatten)]
    pub lexicons: LexiconArgs,
    /// Worker threads (default: all cores).
    #[arg(short = 'j', long)]
    pub threads: Option<usize>,
    /// Write the report to FILE (CSV files start with a BOM for Excel/WPS).
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write every unreadable file, skipped file, rejected record and warning to FILE (CSV).
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// No summary and no progress on stderr.
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

#[derive(Args, Debug, Clone)]
pub struct EvalArgs {
    /// Labelled corpus files (CSV: id, speaker, text, labels).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print every disagreement.
    #[arg(long)]
    pub errors: bool,
    /// Print a row per rule: messages it flagged and how many of them carry its category.
    #[arg(long)]
    pub rules: bool,
    #[command(flatten)]
    pub lexicons: LexiconArgs,
}
