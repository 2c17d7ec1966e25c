//! `dunscan explain RULE`: what a rule catches, its basis and its examples.

use crate::cli::LexiconArgs;
use crate::model::Model;
use crate::rules::{Rule, RuleKind};
use std::fmt::Write as _;

pub fn run(id: &str, lexicons: &LexiconArgs) -> Result<u8, String> {
    let lex = super::load_lexicon(lexicons)?;
    let rule = lex.rule(id).ok_or_else(|| {
        let ids: Vec<&str> = lex.rules.iter().map(|r| r.id.as_str()).collect();
        format!("no rule `{id}`; rules: {}", ids.join(", "))
    })?;
    let model = lex.model_table();
    print!("{}", explain(rule, model));
    Ok(0)
}

/// Grams `explain` lists for a model rule.
const TOP_GRAMS: usize = 30;

pub fn explain(r: &Rule, model: Option<&Model>) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}  {} / {}  severity {}",
        r.id, r.category.zh, r.category.id, r.severity
    );
    let _ = writeln!(s, "说明 What it catches: {}", r.description);
    let _ = writeln!(s, "依据 Basis: {}", r.basis);
    match &r.kind {
        RuleKind::Terms(t) => {
            let _ = writeln!(s, "词条 Terms ({}): {}", t.len(), t.join("、"));
        }
        RuleKind::Cooccur {
            groups,
            max_gap,
            scope,
        } => {
            let gap = max_gap.map_or("anywhere in it".to_string(), |g| {
                format!("at most {g} characters apart")
            });
            let within = match scope {
                crate::rules::Scope::Clause => "clause",
                crate::rules::Scope::Sentence => "sentence",
                crate::rules::Scope::Message => "message",
            };
            let _ = writeln!(
                s,
                "共现 One term from each group, in order, in one {within}, {gap}:"
            );
            for (i, g) in groups.iter().enumerate() {
                let _ = writeln!(s, "  {}. {}", i + 1, g.join("、"));
            }
        }
        RuleKind::Model { threshold } => {
            let _ = writeln!(
                s,
                "模型 The classifier's probability for {} reaches {threshold}, and no other rule of the category hit; evidence: the clause scoring highest",
                r.category.id
            );
            if let Some(m) = model {
                let grams: Vec<String> = m
                    .top_grams(r.category.index(), TOP_GRAMS)
                    .into_iter()
                    .map(|(g, w)| format!("{g} {w:+.2}"))
                    .collect();
                let _ = writeln!(
                    s,
                    "权重最高的字串 Heaviest n-grams ({} in the table; _ = punctuation or space): {}",
                    m.len(),
                    grams.join("、")
                );
            }
        }
    }
    if !r.exceptions.is_empty() {
        let _ = writeln!(s, "例外 Exceptions: {}", r.exceptions.join("、"));
    }
    if !r.exception_prefixes.is_empty() {
        let _ = writeln!(
            s,
            "紧接其后不算 Not right after: {}",
            r.exception_prefixes.join("、")
        );
    }
    if !r.exception_suffixes.is_empty() {
        let _ = writeln!(
            s,
            "紧接其前不算 Not right before: {}",
            r.exception_suffixes.join("、")
        );
    }
    if !r.cues.is_empty() {
        let _ = writeln!(s, "本规则的否定词 Own negation cues: {}", r.cues.join("、"));
    }
    if !r.yields_to.is_empty() {
        let names: Vec<String> = r
            .yields_to
            .iter()
            .map(|c| format!("{}（{}）", c.id, c.zh))
            .collect();
        let _ = writeln!(
            s,
            "同一消息里另有这些类别的发现时不报 Gives way to: {}",
            names.join("、")
        );
    }
    let roles: Vec<&str> = r.roles.iter().map(|x| x.as_str()).collect();
    if matches!(r.kind, RuleKind::Model { .. }) {
        let _ = writeln!(s, "角色 Roles: {}", roles.join(", "));
    } else {
        let _ = writeln!(
            s,
            "否定 Negation drops it: {}; roles: {}",
            if r.negatable { "yes" } else { "no" },
            roles.join(", ")
        );
    }
    for e in &r.examples {
        let _ = writeln!(s, "  ✔ {e}");
    }
    for e in &r.counter_examples {
        let _ = writeln!(s, "  ✘ {e}");
    }
    let _ = writeln!(s, "定义 Defined at: {}", r.origin);
    s
}
