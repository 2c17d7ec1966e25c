//! The classifier behind the model rules: the shipped table in a real scan, and training,
//! scoring and cross-validation through the binary.

mod common;

use common::run;

/// Findings CSV → (record, rule, severity, start, end, matched).
fn findings(csv_text: &str) -> Vec<(String, String, String, String, String, String)> {
    let mut rdr = csv::Reader::from_reader(csv_text.as_bytes());
    let h = rdr.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|x| x == name).unwrap();
    let (rec, rule, sev, s, e, m) = (
        col("record"),
        col("rule"),
        col("severity"),
        col("start"),
        col("end"),
        col("matched"),
    );
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[rec].to_string(),
                r[rule].to_string(),
                r[sev].to_string(),
                r[s].to_string(),
                r[e].to_string(),
                r[m].to_string(),
            )
        })
        .collect()
}

/// The threat row of an `eval` or `model cv` table (empty when there is none).
fn threat_row(table: &str) -> &str {
    table
        .lines()
        .find(|l| l.starts_with("| threat |"))
        .unwrap_or_default()
}

#[test]
fn the_shipped_model_reports_veiled_threats_with_the_original_clause() {
    let out = run(&["scan", "fixtures/model/veiled.csv", "-f", "csv", "-q"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let f = findings(&out.stdout);
    // Record 2: a collector describes the son's school and route: no fixed wording, the model
    // reports it at low severity with the clause that weighs most (which of the two telling
    // clauses that is depends on the trained table), at its character offsets in the original.
    let two: Vec<_> = f.iter().filter(|x| x.0 == "2").collect();
    assert_eq!(two.len(), 1, "{f:?}");
    let (_, rule, severity, start, end, matched) = two[0];
    assert_eq!(
        (rule.as_str(), severity.as_str()),
        ("THR-900", "low"),
        "{f:?}"
    );
    let clauses = [
        ("0", "11", "你儿子是在三中读初二吧"),
        ("18", "27", "放学一般走哪条路啊"),
    ];
    assert!(
        clauses.contains(&(start.as_str(), end.as_str(), matched.as_str())),
        "{f:?}"
    );
    // Record 5 is in traditional characters: the evidence is the original text, at character
    // offsets of the original.
    assert!(
        f.contains(&(
            "5".into(),
            "THR-900".into(),
            "low".into(),
            "3".into(),
            "16".into(),
            "你老家那兩位老人身體還好吧".into()
        )),
        "{f:?}"
    );
    // The lawful reminder (1), the customer's words (3) and the negated promise (4) are clean.
    let records: Vec<&str> = f.iter().map(|x| x.0.as_str()).collect();
    assert_eq!(records, ["2", "5"], "{f:?}");
}

#[test]
fn no_model_leaves_the_classifier_out_of_scan_and_eval() {
    let out = run(&[
        "scan",
        "fixtures/model/veiled.csv",
        "-f",
        "csv",
        "-q",
        "--no-model",
    ]);
    // The veiled threats have no fixed wording: rules alone find nothing.
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(findings(&out.stdout).is_empty(), "{}", out.stdout);
    // The same messages with labels, for eval.
    let dir = tempfile::tempdir().unwrap();
    let labelled = dir.path().join("veiled_labelled.csv");
    let mut text = String::from("id,speaker,text,labels\n");
    let original = std::fs::read_to_string("fixtures/model/veiled.csv").unwrap();
    for (i, line) in original.lines().skip(1).enumerate() {
        let label = if i == 1 || i == 4 { "threat" } else { "" };
        text.push_str(&format!("{line},{label}\n"));
    }
    std::fs::write(&labelled, text).unwrap();
    let labelled = labelled.to_str().unwrap();
    let with = run(&["eval", labelled]);
    let without = run(&["eval", labelled, "--no-model"]);
    assert!(
        threat_row(&with.stdout).contains("| 2 | 2 | 0 | 0 |"),
        "{}",
        with.stdout
    );
    assert!(
        threat_row(&without.stdout).contains("| 2 | 0 | 0 | 2 |"),
        "{}",
        without.stdout
    );
    let explain = run(&["explain", "THR-900", "--no-model"]);
    assert_eq!(explain.code, 2);
    assert!(explain.stderr.contains("THR-900"), "{}", explain.stderr);
}

#[test]
fn explain_shows_the_threshold_and_the_heaviest_ngrams() {
    let out = run(&["explain", "THR-900"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("severity low"), "{}", out.stdout);
    assert!(out.stdout.contains("reaches 0.8"), "{}", out.stdout);
    assert!(out.stdout.contains("Heaviest n-grams"), "{}", out.stdout);
    assert!(out.stdout.contains("✔ "), "{}", out.stdout);
}

#[test]
fn train_score_check_and_cross_validate_a_small_corpus() {
    let dir = std::env::temp_dir().join(format!("dunscan-model-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let table = dir.join("tiny.tsv");
    let table_arg = table.to_str().unwrap();
    let out = run(&[
        "model",
        "train",
        "fixtures/model/tiny.csv",
        "--iterations",
        "300",
        "-o",
        table_arg,
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // 18 rows, the customer's line left out.
    assert!(
        out.stderr.contains("trained on 17 messages"),
        "{}",
        out.stderr
    );
    let text = std::fs::read_to_string(&table).unwrap();
    assert!(
        text.contains(
            "\ngram\tidf\tthreat\tinsult\timpersonation\tdisclosure\tfalse_legal\n<bias>\t"
        )
    );
    assert!(
        text.contains("positives: threat 6, insult 3, impersonation 0"),
        "{text}"
    );
    assert!(text.lines().any(|l| l.starts_with("小心\t")), "{text}");

    let lex = [
        "--no-default-lexicons",
        "--lexicon",
        "fixtures/model/rules",
        "--lexicon",
        table_arg,
    ];
    let mut args = vec!["model", "score", "下班路上小心点", "请按时还款，谢谢"];
    args.extend(lex);
    let out = run(&args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(
        lines[0].starts_with("text\tthreat\tinsult"),
        "{}",
        out.stdout
    );
    let threat = |line: &str| line.split('\t').nth(1).unwrap().parse::<f64>().unwrap();
    assert!(threat(lines[1]) > 0.6, "{}", out.stdout);
    assert!(threat(lines[2]) < 0.5, "{}", out.stdout);

    // The rule's examples hold with this table.
    let rules = dir.join("rules");
    std::fs::create_dir_all(&rules).unwrap();
    std::fs::copy("fixtures/model/rules/model.toml", rules.join("model.toml")).unwrap();
    std::fs::copy(&table, rules.join("model.tsv")).unwrap();
    let out = run(&["lexicon", "check", rules.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("1 rules, 0 terms, 4 examples"),
        "{}",
        out.stdout
    );

    let mut args = vec![
        "model",
        "cv",
        "fixtures/model/tiny.csv",
        "--folds",
        "3",
        "--iterations",
        "100",
    ];
    args.extend(lex);
    let out = run(&args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("18 messages, 3-fold"), "{}", out.stdout);
    let threat_row = threat_row(&out.stdout);
    // No term rules: the rules alone find nothing; the model adds the six threats.
    assert!(threat_row.contains("| 1.000 / 0.000 |"), "{threat_row}");
    assert!(threat_row.contains("(+6)"), "{threat_row}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn model_rules_without_a_table_or_with_a_broken_one_are_errors() {
    let scan_with = |extra: &[&str]| {
        let mut args = vec![
            "scan",
            "fixtures/model/veiled.csv",
            "--no-default-lexicons",
            "--lexicon",
            "fixtures/model/rules",
        ];
        args.extend(extra);
        let out = run(&args);
        assert_eq!(out.code, 2, "{}", out.stdout);
        out.stderr
    };
    let err = scan_with(&[]);
    assert!(
        err.contains("rule THR-990 is a model rule, but no model table (*.tsv) is loaded"),
        "{err}"
    );
    let err = scan_with(&["--lexicon", "fixtures/model/bad_table.tsv"]);
    assert!(
        err.contains("fixtures/model/bad_table.tsv:4: `heavy` is not a number"),
        "{err}"
    );
}
