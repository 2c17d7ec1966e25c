//! `dunscan eval`: precision, recall and F1 per category on a labelled corpus.
//!
//! Two kinds of file are understood, by their header:
//! - multi-label: `text`, `labels` (categories separated by `;`, empty = clean), optional
//!   `speaker` and `id`: scored per category, as `dunscan scan` would report it by default;
//! - binary: `text` and `label` (1 offensive / 0 safe, as in COLD): the share of safe texts that
//!   any rule flags (false alarms) and of offensive texts flagged, overall and as insults.

use crate::cli::EvalArgs;
use crate::input::parse::find_field;
use crate::input::{ID_NAMES, Role, SPEAKER_NAMES, TEXT_NAMES};
use crate::matcher::Matcher;
use crate::rules::CATEGORIES;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

#[derive(Debug, Clone)]
pub struct Example {
    pub id: String,
    pub role: Role,
    pub text: String,
    pub gold: BTreeSet<String>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Counts {
    pub tp: u64,
    pub fp: u64,
    pub fn_: u64,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// Predicted categories for one example.
pub fn predict(m: &Matcher, e: &Example) -> (BTreeSet<String>, Vec<String>) {
    let found = m.scan(&e.text, e.role, false);
    let cats = found
        .iter()
        .map(|f| m.rule(f).category.id.to_string())
        .collect();
    let rules = found.iter().map(|f| m.rule(f).id.clone()).collect();
    (cats, rules)
}

/// Messages a rule flagged, and how many of them are labelled with the rule's category.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct RuleCounts {
    pub flagged: u64,
    pub correct: u64,
}

/// Per-category counts plus an `any` row (message flagged or not); per-rule counts go to
/// `per_rule`.
pub fn score(
    m: &Matcher,
    examples: &[Example],
    errors: &mut Vec<String>,
    per_rule: &mut BTreeMap<String, RuleCounts>,
) -> BTreeMap<String, Counts> {
    let mut counts: BTreeMap<String, Counts> = BTreeMap::new();
    for e in examples {
        let (pred, rules) = predict(m, e);
        let fired: BTreeSet<&String> = rules.iter().collect();
        for id in fired {
            let rule = m.lexicon().rule(id).expect("a finding's rule exists");
            let r = per_rule.entry(id.clone()).or_default();
            r.flagged += 1;
            r.correct += u64::from(e.gold.contains(rule.category.id));
        }
        let cats: BTreeSet<&str> = CATEGORIES
            .iter()
            .map(|c| c.id)
            .chain(e.gold.iter().map(|s| s.as_str()))
            .collect();
        for cat in cats {
            let c = counts.entry(cat.to_string()).or_default();
            match (e.gold.contains(cat), pred.contains(cat)) {
                (true, true) => c.tp += 1,
                (false, true) => c.fp += 1,
                (true, false) => c.fn_ += 1,
                _ => {}
            }
        }
        let any = counts.entry("(any)".to_string()).or_default();
        match (!e.gold.is_empty(), !pred.is_empty()) {
            (true, true) => any.tp += 1,
            (false, true) => any.fp += 1,
            (true, false) => any.fn_ += 1,
            _ => {}
        }
        if pred != e.gold {
            let join = |s: &BTreeSet<String>| {
                if s.is_empty() {
                    "-".to_string()
                } else {
                    s.iter().cloned().collect::<Vec<_>>().join(";")
                }
            };
            errors.push(format!(
                "{}\tgold {}\tgot {}\t{}\t{}",
                e.id,
                join(&e.gold),
                join(&pred),
                rules.join(","),
                e.text.replace('\n', " ")
            ));
        }
    }
    counts
}

pub fn render(counts: &BTreeMap<String, Counts>) -> String {
    let mut s = String::from(
        "| category | support | TP | FP | FN | precision | recall | F1 |\n|---|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    let order: Vec<&str> = CATEGORIES.iter().map(|c| c.id).chain(["(any)"]).collect();
    for cat in order {
        if let Some(c) = counts.get(cat) {
            let _ = writeln!(
                s,
                "| {cat} | {} | {} | {} | {} | {:.3} | {:.3} | {:.3} |",
                c.tp + c.fn_,
                c.tp,
                c.fp,
                c.fn_,
                c.precision(),
                c.recall(),
                c.f1()
            );
        }
    }
    s
}

/// One row per rule that fired: its messages, the share labelled with its category.
pub fn render_rules(m: &Matcher, per_rule: &BTreeMap<String, RuleCounts>) -> String {
    let mut s = String::from(
        "| rule | category | flagged | labelled so | precision |\n|---|---|---:|---:|---:|\n",
    );
    for (id, c) in per_rule {
        let cat = m.lexicon().rule(id).map_or("", |r| r.category.id);
        let _ = writeln!(
            s,
            "| {id} | {cat} | {} | {} | {:.3} |",
            c.flagged,
            c.correct,
            ratio(c.correct, c.flagged)
        );
    }
    s
}

pub enum Corpus {
    Labelled(Vec<Example>),
    /// (text, offensive)
    Binary(Vec<(String, bool)>),
}

pub fn read_corpus(path: &Path) -> Result<Corpus, String> {
    let name = path.display();
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| format!("{name}: {e}"))?;
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| format!("{name}: {e}"))?
        .iter()
        .map(|h| h.trim_start_matches('\u{FEFF}').trim().to_string())
        .collect();
    let find = |common: &[&str]| find_field(headers.iter().map(|s| s.as_str()), None, common);
    let text = find(TEXT_NAMES).ok_or_else(|| {
        format!(
            "{name}: no text column; the columns are: {}",
            headers.join(", ")
        )
    })?;
    let labels = find(&["labels"]);
    let label = find(&["label"]);
    let speaker = find(SPEAKER_NAMES);
    let id = find(ID_NAMES);
    let mut labelled = Vec::new();
    let mut binary = Vec::new();
    for (i, row) in rdr.records().enumerate() {
        let row = row.map_err(|e| format!("{name}: row {}: {e}", i + 1))?;
        let get = |c: Option<usize>| c.and_then(|c| row.get(c)).unwrap_or("").trim().to_string();
        let t = row.get(text).unwrap_or("").to_string();
        if labels.is_some() {
            let speaker = get(speaker);
            labelled.push(Example {
                id: Some(get(id))
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| format!("row {}", i + 1)),
                role: if speaker.is_empty() {
                    Role::Unknown
                } else {
                    Role::of_label(&speaker)
                },
                text: t,
                gold: get(labels)
                    .split(';')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
            });
        } else if label.is_some() {
            binary.push((t, get(label) == "1"));
        } else {
            return Err(format!(
                "{name}: needs a `labels` or a `label` column; the columns are: {}",
                headers.join(", ")
            ));
        }
    }
    Ok(if labels.is_some() {
        Corpus::Labelled(labelled)
    } else {
        Corpus::Binary(binary)
    })
}

pub fn run(args: &EvalArgs) -> Result<u8, String> {
    let lex = super::load_lexicon(&args.lexicons)?;
    let m = Matcher::new(lex);
    for path in &args.files {
        println!("## {}\n", path.display());
        match read_corpus(path)? {
            Corpus::Labelled(examples) => {
                let mut errors = Vec::new();
                let mut per_rule = BTreeMap::new();
                let counts = score(&m, &examples, &mut errors, &mut per_rule);
                let clean = examples.iter().filter(|e| e.gold.is_empty()).count();
                println!("{} messages, {} clean\n", examples.len(), clean);
                print!("{}", render(&counts));
                if args.rules {
                    println!();
                    print!("{}", render_rules(&m, &per_rule));
                }
                if args.errors && !errors.is_empty() {
                    println!("\ndisagreements ({}):", errors.len());
                    for e in &errors {
                        println!("{e}");
                    }
                }
            }
            Corpus::Binary(rows) => {
                let (mut safe, mut safe_flagged, mut off, mut off_flagged, mut off_insult) =
                    (0u64, 0u64, 0u64, 0u64, 0u64);
                let mut shown = Vec::new();
                // Per rule: safe texts flagged (false alarms), offensive texts flagged.
                let mut per_rule: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
                for (text, offensive) in &rows {
                    let found = m.scan(text, Role::Unknown, false);
                    let cats: BTreeSet<&str> =
                        found.iter().map(|f| m.rule(f).category.id).collect();
                    let fired: BTreeSet<&str> =
                        found.iter().map(|f| m.rule(f).id.as_str()).collect();
                    for id in fired {
                        let r = per_rule.entry(id).or_default();
                        if *offensive {
                            r.1 += 1;
                        } else {
                            r.0 += 1;
                        }
                    }
                    if *offensive {
                        off += 1;
                        off_flagged += u64::from(!cats.is_empty());
                        off_insult += u64::from(cats.contains("insult"));
                    } else {
                        safe += 1;
                        if !cats.is_empty() {
                            safe_flagged += 1;
                            let rules: Vec<&str> =
                                found.iter().map(|f| m.rule(f).id.as_str()).collect();
                            shown.push(format!(
                                "safe flagged\t{}\t{}",
                                rules.join(","),
                                text.replace('\n', " ")
                            ));
                        }
                    }
                }
                let pct = |a: u64, b: u64| 100.0 * ratio(a, b);
                println!("| texts | flagged by any rule | flagged as insult |\n|---|---:|---:|");
                println!(
                    "| safe (label 0): {safe} | {safe_flagged} ({:.2} %) | |",
                    pct(safe_flagged, safe)
                );
                println!(
                    "| offensive (label 1): {off} | {off_flagged} ({:.2} %) | {off_insult} ({:.2} %) |",
                    pct(off_flagged, off),
                    pct(off_insult, off)
                );
                if args.rules {
                    println!(
                        "\n| rule | safe texts flagged | offensive texts flagged |\n|---|---:|---:|"
                    );
                    for (id, (safe, off)) in &per_rule {
                        println!("| {id} | {safe} | {off} |");
                    }
                }
                if args.errors {
                    for s in shown {
                        println!("{s}");
                    }
                }
            }
        }
        println!();
    }
    Ok(0)
}
