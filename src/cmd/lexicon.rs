//! `dunscan lexicon list` and `dunscan lexicon check`.

use crate::cli::LexiconCommand;
use crate::matcher::Matcher;
use crate::rules::{self, Lexicon, LexiconError, Rule};
use std::collections::BTreeSet;
use std::io::Write;

pub fn run(cmd: LexiconCommand) -> Result<u8, String> {
    match cmd {
        LexiconCommand::List {
            terms_only,
            lexicons,
        } => {
            let lex = super::load_lexicon(&lexicons)?;
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let text = if terms_only {
                terms_only_list(&lex)
            } else {
                list(&lex)
            };
            out.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
            out.flush().map_err(|e| e.to_string())?;
            Ok(0)
        }
        LexiconCommand::Check { paths } => check(&paths),
    }
}

/// Tab-separated: term, category, category_zh, rule, severity, part (term or group N).
pub fn list(lex: &Lexicon) -> String {
    let mut s = String::from("term\tcategory\tcategory_zh\trule\tseverity\tpart\n");
    for r in &lex.rules {
        let groups = r.groups();
        for (gi, g) in groups.iter().enumerate() {
            let part = if groups.len() == 1 {
                "term".to_string()
            } else {
                format!("group {}", gi + 1)
            };
            for t in g.iter() {
                s.push_str(&format!(
                    "{t}\t{}\t{}\t{}\t{}\t{part}\n",
                    r.category.id, r.category.zh, r.id, r.severity
                ));
            }
        }
    }
    s
}

/// Each distinct term once, one per line.
pub fn terms_only_list(lex: &Lexicon) -> String {
    let terms: BTreeSet<&str> = lex
        .rules
        .iter()
        .flat_map(|r| {
            r.groups()
                .into_iter()
                .flatten()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
        })
        .collect();
    terms.into_iter().map(|t| format!("{t}\n")).collect()
}

/// Examples and counter-examples every rule must carry, so that a rule documents both what it
/// catches and what it leaves alone.
pub const MIN_EXAMPLES: usize = 2;

/// Run every rule's examples and counter-examples (and require [`MIN_EXAMPLES`] of each); a
/// problem is reported at the rule's line.
pub fn check_examples(lex: &Lexicon) -> Vec<LexiconError> {
    let matcher = Matcher::new(lex.clone());
    let mut errors = Vec::new();
    for (ri, rule) in lex.rules.iter().enumerate() {
        let err = |message: String| {
            let (file, line) = rule.origin.rsplit_once(':').unwrap_or((&rule.origin, "0"));
            LexiconError {
                file: file.to_string(),
                line: line.parse().unwrap_or(0),
                message,
            }
        };
        if rule.examples.len() < MIN_EXAMPLES {
            errors.push(err(format!(
                "rule {}: needs at least {MIN_EXAMPLES} examples (has {})",
                rule.id,
                rule.examples.len()
            )));
        }
        if rule.counter_examples.len() < MIN_EXAMPLES {
            errors.push(err(format!(
                "rule {}: needs at least {MIN_EXAMPLES} counter_examples (has {})",
                rule.id,
                rule.counter_examples.len()
            )));
        }
        for ex in &rule.examples {
            let found = matcher.scan_every_rule(ex);
            if !found.iter().any(|f| f.rule == ri) {
                let others = fired(&matcher, &found);
                errors.push(err(format!(
                    "rule {}: example does not match: {ex}{others}",
                    rule.id
                )));
            }
        }
        for ex in &rule.counter_examples {
            if matcher.scan_every_rule(ex).iter().any(|f| f.rule == ri) {
                errors.push(err(format!(
                    "rule {}: counter-example matches: {ex}",
                    rule.id
                )));
            }
        }
    }
    errors
}

fn fired(m: &Matcher, found: &[crate::matcher::Finding]) -> String {
    if found.is_empty() {
        return String::new();
    }
    let ids: Vec<&str> = found.iter().map(|f| m.rule(f).id.as_str()).collect();
    format!(" (found {})", ids.join(", "))
}

fn check(paths: &[std::path::PathBuf]) -> Result<u8, String> {
    let (mut lex, mut errors) = rules::load_paths(paths);
    if lex.negation_cues.is_empty() {
        let builtin = Lexicon::builtin();
        lex.negation_cues = builtin.negation_cues;
        lex.scope_breakers = builtin.scope_breakers;
        lex.reported = builtin.reported;
        lex.refuted = builtin.refuted;
    }
    if errors.is_empty() {
        errors = check_examples(&lex);
    }
    for e in &errors {
        println!("{e}");
    }
    let terms: usize = lex.term_counts().values().sum();
    let examples: usize = lex
        .rules
        .iter()
        .map(|r: &Rule| r.examples.len() + r.counter_examples.len())
        .sum();
    if errors.is_empty() {
        println!(
            "ok: {} rules, {terms} terms, {examples} examples",
            lex.rules.len()
        );
        Ok(0)
    } else {
        println!("{} problems", errors.len());
        Ok(super::EXIT_ERROR)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every built-in rule's examples match it and its counter-examples do not (as ruff tests
    /// each rule against its fixture).
    #[test]
    fn builtin_rule_examples() {
        let lex = Lexicon::builtin();
        assert!(lex.rules.len() >= 20, "only {} rules", lex.rules.len());
        let errors: Vec<String> = check_examples(&lex).iter().map(|e| e.to_string()).collect();
        assert!(
            errors.is_empty(),
            "{} failing examples:\n{}",
            errors.len(),
            errors.join("\n")
        );
    }

    #[test]
    fn builtin_lexicons_parse_without_errors() {
        let (_, errors) =
            Lexicon::from_texts(rules::BUILTIN.iter().map(|(n, t)| (n.to_string(), *t)));
        let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert!(shown.is_empty(), "{}", shown.join("\n"));
    }

    #[test]
    fn builtin_lexicons_have_over_a_hundred_terms_per_contract_category() {
        let counts = Lexicon::builtin().term_counts();
        for cat in ["threat", "insult", "impersonation", "disclosure"] {
            assert!(
                counts.get(cat).copied().unwrap_or(0) > 100,
                "{cat}: {counts:?}"
            );
        }
    }
}
