//! `dunscan eval` on a small labelled file whose outcome is known row by row.

mod common;

use common::run;

/// The cells of the markdown row that starts with `| {first} |`.
fn row(out: &str, first: &str) -> Vec<String> {
    let line = out
        .lines()
        .find(|l| l.starts_with(&format!("| {first} |")))
        .unwrap_or_else(|| panic!("no row {first} in:\n{out}"));
    line.trim_matches('|')
        .split('|')
        .map(|c| c.trim().to_string())
        .collect()
}

#[test]
fn counts_per_category_per_rule_and_disagreements() {
    let r = run(&["eval", "--rules", "--errors", "fixtures/eval/mini.csv"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("7 messages, 4 clean"), "{}", r.stdout);
    // threat: e-1 found, e-6 (weather talk labelled threat on purpose) missed.
    assert_eq!(
        row(&r.stdout, "threat"),
        ["threat", "2", "1", "0", "1", "1.000", "0.500", "0.667"]
    );
    // insult: e-2 found; e-7 is labelled clean on purpose, so its hit is a false positive.
    // The customer's `骗子` in e-3 is not counted: customers' words are not reported.
    assert_eq!(
        row(&r.stdout, "insult"),
        ["insult", "1", "1", "1", "0", "0.500", "1.000", "0.667"]
    );
    assert_eq!(row(&r.stdout, "(any)")[1..5], ["3", "2", "1", "1"]);
    // Per rule: INS-001 flagged two messages, one of them labelled insult.
    assert_eq!(
        row(&r.stdout, "INS-001"),
        ["INS-001", "insult", "2", "1", "0.500"]
    );
    assert!(r.stdout.contains("disagreements (2):"), "{}", r.stdout);
    assert!(r.stdout.contains("e-6\tgold threat\tgot -"), "{}", r.stdout);
    assert!(
        r.stdout.contains("e-7\tgold -\tgot insult\tINS-001"),
        "{}",
        r.stdout
    );
}

#[test]
fn binary_corpus_reports_false_alarms_per_rule() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("binary.csv");
    std::fs::write(
        &path,
        "label,text\n0,今天天气真好\n0,他就是个老赖\n1,你这个废物\n1,普通的一句话\n",
    )
    .unwrap();
    let r = run(&["eval", "--rules", path.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("| safe (label 0): 2 | 1 (50.00 %) | |"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("| offensive (label 1): 2 | 1 (50.00 %) | 1 (50.00 %) |"),
        "{}",
        r.stdout
    );
    assert_eq!(row(&r.stdout, "INS-001"), ["INS-001", "1", "0"]);
}
