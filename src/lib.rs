//! dunscan: find abusive debt-collection practices in Chinese call transcripts and SMS.
//!
//! Pipeline stages, one module each: [`input`] (files, encodings, records) →
//! [`normalise`] (folding with an offset map) → [`matcher`] (lexicon hits, word boundaries,
//! negation, co-occurrence) with rules from [`rules`], backed up by a classifier ([`model`])
//! → [`report`] (CSV, JSON lines, table, summary). [`cmd`] holds one module per subcommand.

pub mod cli;
pub mod cmd;
pub mod input;
pub mod matcher;
pub mod model;
pub mod normalise;
pub mod report;
pub mod rules;
