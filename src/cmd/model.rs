//! `dunscan model`: train the classifier behind the model rules, or cross-validate it.

use super::eval::{Corpus, Example, read_corpus};
use crate::cli::{ModelCommand, TrainArgs};
use crate::input::Role;
use crate::matcher::Matcher;
use crate::model::{Model, NCAT, TrainOptions, train};
use crate::normalise::normalise;
use crate::rules::{CATEGORIES, RuleKind, category};
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// Thresholds `model cv` reports.
const THRESHOLDS: [f64; 6] = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95];

pub fn run(cmd: ModelCommand) -> Result<u8, String> {
    match cmd {
        ModelCommand::Train { train, output } => {
            let examples = read_examples(&train)?;
            let model = fit(&examples, &train);
            let table = model.to_tsv();
            match output {
                Some(path) => std::fs::write(&path, table)
                    .map_err(|e| format!("{}: cannot write: {e}", path.display()))?,
                None => print!("{table}"),
            }
            eprintln!(
                "dunscan: model trained on {} messages: {} n-grams",
                training_rows(&examples).count(),
                model.len()
            );
            Ok(0)
        }
        ModelCommand::Score { texts, lexicons } => {
            let lex = super::load_lexicon(&lexicons)?;
            // `load_lexicon` has reported a table that does not parse.
            let model = lex.model_table().ok_or("no model table loaded")?;
            let texts = if texts.is_empty() {
                std::io::read_to_string(std::io::stdin())
                    .map_err(|e| format!("stdin: {e}"))?
                    .lines()
                    .map(str::to_string)
                    .collect()
            } else {
                texts
            };
            let mut out = String::from("text");
            for c in CATEGORIES {
                let _ = write!(out, "\t{}", c.id);
            }
            out.push('\n');
            for t in &texts {
                let _ = write!(out, "{t}");
                for p in model.scores(&normalise(t).text) {
                    let _ = write!(out, "\t{p:.3}");
                }
                out.push('\n');
            }
            print!("{out}");
            Ok(0)
        }
        ModelCommand::Cv {
            train,
            folds,
            lexicons,
        } => {
            if folds < 2 {
                return Err("--folds must be at least 2".into());
            }
            let examples = read_examples(&train)?;
            let mut lex = super::load_lexicon(&lexicons)?;
            lex.rules
                .retain(|r| !matches!(r.kind, RuleKind::Model { .. }));
            let matcher = Matcher::new(lex);
            print!("{}", cross_validate(&matcher, &examples, &train, folds));
            Ok(0)
        }
    }
}

fn read_examples(args: &TrainArgs) -> Result<Vec<Example>, String> {
    let mut out = Vec::new();
    for path in &args.files {
        match read_corpus(path)? {
            Corpus::Labelled(mut e) => out.append(&mut e),
            Corpus::Binary(_) => {
                return Err(format!(
                    "{}: training needs a `labels` column with category ids",
                    path.display()
                ));
            }
        }
    }
    for e in &out {
        if let Some(bad) = e.gold.iter().find(|l| category(l).is_none()) {
            return Err(format!("{}: unknown category `{bad}`", e.id));
        }
    }
    if out.is_empty() {
        return Err("no labelled messages to train on".into());
    }
    Ok(out)
}

/// The messages the model learns from: what collectors said and SMS (the role rule keeps
/// customers' lines out of every category, so they teach nothing about abuse).
fn training_rows(examples: &[Example]) -> impl Iterator<Item = &Example> {
    examples.iter().filter(|e| e.role != Role::Customer)
}

fn labels(e: &Example) -> [bool; NCAT] {
    std::array::from_fn(|c| e.gold.contains(CATEGORIES[c].id))
}

fn options(args: &TrainArgs) -> TrainOptions {
    TrainOptions {
        min_df: args.min_df,
        c: args.c,
        iterations: args.iterations,
        max_n: args.max_n as usize,
    }
}

fn fit(examples: &[Example], args: &TrainArgs) -> Model {
    let docs: Vec<(String, [bool; NCAT])> = training_rows(examples)
        .map(|e| (normalise(&e.text).text.into_owned(), labels(e)))
        .collect();
    let mut model = train(&docs, options(args));
    let files: Vec<String> = args.files.iter().map(|p| p.display().to_string()).collect();
    let mut positives = String::new();
    for (c, cat) in CATEGORIES.iter().enumerate() {
        let n = docs.iter().filter(|d| d.1[c]).count();
        let _ = write!(positives, " {} {n},", cat.id);
    }
    model.comment = format!(
        "dunscan model table: logistic regression over character n-grams (TF-IDF), one weight column per category.\n\
         Written by `dunscan model train {}` (n-grams of 1 to {} characters, min_df {}, C {}, {} iterations).\n\
         {} messages (customers' lines left out); positives:{}\n\
         Retrain after changing the corpus; `dunscan model cv` shows what the thresholds in model.toml give.",
        files.join(" "),
        args.max_n,
        args.min_df,
        args.c,
        args.iterations,
        docs.len(),
        positives.trim_end_matches(',')
    );
    model
}

/// Precision/recall per category: rules alone, then rules plus the model at each threshold.
fn cross_validate(m: &Matcher, examples: &[Example], args: &TrainArgs, folds: usize) -> String {
    let rule_cats: Vec<BTreeSet<&str>> = examples
        .par_iter()
        .map(|e| {
            m.scan(&e.text, e.role, false)
                .iter()
                .map(|f| m.rule(f).category.id)
                .collect()
        })
        .collect();
    // Probabilities per example, from the model of the fold that left it out (customers: 0).
    let mut probs = vec![[0f64; NCAT]; examples.len()];
    let per_fold: Vec<Vec<(usize, [f64; NCAT])>> = (0..folds)
        .into_par_iter()
        .map(|fold| {
            let held = |i: usize| i % folds == fold;
            let rest: Vec<Example> = examples
                .iter()
                .enumerate()
                .filter(|&(i, _)| !held(i))
                .map(|(_, e)| e.clone())
                .collect();
            let model = fit(&rest, args);
            examples
                .iter()
                .enumerate()
                .filter(|&(i, e)| held(i) && e.role != Role::Customer)
                .map(|(i, e)| (i, model.scores(&normalise(&e.text).text)))
                .collect()
        })
        .collect();
    for (i, p) in per_fold.into_iter().flatten() {
        probs[i] = p;
    }
    let mut out = format!(
        "{} messages, {folds}-fold cross-validation; precision / recall of the rules alone and of rules + model at each threshold\n\n| category | rules |",
        examples.len()
    );
    for t in THRESHOLDS {
        let _ = write!(out, " ≥ {t} |");
    }
    out.push_str("\n|---|---|");
    out.push_str(&"---|".repeat(THRESHOLDS.len()));
    out.push('\n');
    for (c, cat) in CATEGORIES.iter().enumerate() {
        let pr = |flag: &dyn Fn(usize) -> bool| {
            let (mut tp, mut fp, mut fn_) = (0u32, 0u32, 0u32);
            for (i, e) in examples.iter().enumerate() {
                match (flag(i), e.gold.contains(cat.id)) {
                    (true, true) => tp += 1,
                    (true, false) => fp += 1,
                    (false, true) => fn_ += 1,
                    _ => {}
                }
            }
            let ratio = |a: u32, b: u32| if b == 0 { 1.0 } else { a as f64 / b as f64 };
            format!("{:.3} / {:.3}", ratio(tp, tp + fp), ratio(tp, tp + fn_))
        };
        let _ = write!(
            out,
            "| {} | {} |",
            cat.id,
            pr(&|i| rule_cats[i].contains(cat.id))
        );
        for t in THRESHOLDS {
            let added = (0..examples.len())
                .filter(|&i| !rule_cats[i].contains(cat.id) && probs[i][c] >= t)
                .count();
            let cell = pr(&|i| rule_cats[i].contains(cat.id) || probs[i][c] >= t);
            let _ = write!(out, " {cell} (+{added}) |");
        }
        out.push('\n');
    }
    out.push_str("\n(+N): messages the model adds to the rules' findings at that threshold.\n");
    out
}
