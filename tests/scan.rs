//! Integration tests: the real binary on the files under `fixtures/`.

mod common;

use common::{dunscan, run};
use serde_json::Value;

/// Parse CSV output into rows of (column name -> value).
fn csv_rows(text: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn jsonl(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// (record, category) pairs of a findings CSV.
fn record_categories(text: &str) -> Vec<(u64, String)> {
    let mut v: Vec<(u64, String)> = csv_rows(text)
        .iter()
        .map(|r| (r["record"].parse().unwrap(), r["category"].clone()))
        .collect();
    v.dedup();
    v
}

#[test]
fn bracket_transcript_reports_the_collectors_abuse_only() {
    let r = run(&[
        "scan",
        "fixtures/transcripts/call_20240315_bracket.txt",
        "--format",
        "csv",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let rows = csv_rows(&r.stdout);
    let cats = record_categories(&r.stdout);
    assert!(cats.contains(&(5, "insult".into())), "{cats:?}");
    assert!(cats.contains(&(6, "threat".into())), "{cats:?}");
    assert!(cats.contains(&(8, "disclosure".into())), "{cats:?}");
    // Customer lines (2, 4, 7, 9) and the lawful opening and closing are not reported.
    for clean in [1, 2, 3, 4, 7, 9, 10] {
        assert!(
            !cats.iter().any(|(n, _)| *n == clean),
            "record {clean} flagged: {cats:?}"
        );
    }
    let insult = rows.iter().find(|r| r["record"] == "5").unwrap();
    assert_eq!(insult["matched"], "老赖");
    assert_eq!(insult["speaker"], "坐席");
    assert_eq!(insult["role"], "agent");
    assert_eq!(insult["time"], "00:00:21");
    assert_eq!(insult["category_zh"], "侮辱谩骂");
    assert_eq!(
        (insult["start"].as_str(), insult["end"].as_str()),
        ("3", "5")
    );
    assert!(
        insult["excerpt"].contains("你这个老赖"),
        "{}",
        insult["excerpt"]
    );
    assert!(insult["rule"].starts_with("INS-"));
    assert!(!insult["basis"].is_empty());
    assert!(
        r.stderr
            .contains("records: 10 read = 10 scanned + 0 rejected"),
        "{}",
        r.stderr
    );
}

#[test]
fn speakers_all_includes_the_customers_words() {
    let agent = run(&[
        "scan",
        "fixtures/transcripts/call_20240316_plain.txt",
        "-f",
        "csv",
    ]);
    let all = run(&[
        "scan",
        "fixtures/transcripts/call_20240316_plain.txt",
        "-f",
        "csv",
        "--speakers",
        "all",
    ]);
    let agent_cats = record_categories(&agent.stdout);
    let all_cats = record_categories(&all.stdout);
    assert!(!agent_cats.iter().any(|(n, _)| *n == 9), "{agent_cats:?}");
    assert!(all_cats.contains(&(9, "insult".into())), "{all_cats:?}");
}

/// An export where transcript turns sit among SMS and notes: the turns of known speakers are
/// taken apart (speaker, role, time, offsets into the turn's text), the rest are plain messages.
#[test]
fn mixed_export_reads_turns_among_plain_lines() {
    let r = run(&["scan", "fixtures/mixed/export_20240402.txt", "-f", "csv"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let rows = csv_rows(&r.stdout);
    let cats = record_categories(&r.stdout);
    // The customer's threat (5) and promise (9) are not the collector's words; the notes, the
    // lawful SMS and the news line are clean.
    assert_eq!(
        cats,
        [
            (6, "insult".to_string()),
            (6, "threat".to_string()),
            (8, "disclosure".to_string())
        ],
        "{}",
        r.stdout
    );
    let insult = rows.iter().find(|r| r["category"] == "insult").unwrap();
    assert_eq!(insult["speaker"], "坐席");
    assert_eq!(insult["role"], "agent");
    assert_eq!(insult["time"], "00:00:15");
    assert_eq!(insult["matched"], "老赖");
    assert_eq!(
        (insult["start"].as_str(), insult["end"].as_str()),
        ("3", "5")
    );
    let sms = rows.iter().find(|r| r["record"] == "8").unwrap();
    assert_eq!(sms["speaker"], "");
    assert_eq!(sms["role"], "unknown");
    assert!(
        r.stderr
            .contains("records: 9 read = 9 scanned + 0 rejected"),
        "{}",
        r.stderr
    );
    // Read as plain lines, the customer's threat is reported and the timestamps stay in the text.
    let lines = run(&[
        "scan",
        "fixtures/mixed/export_20240402.txt",
        "-f",
        "csv",
        "-i",
        "lines",
    ]);
    let line_cats = record_categories(&lines.stdout);
    assert!(line_cats.contains(&(5, "threat".into())), "{line_cats:?}");
}

#[test]
fn plain_transcript_keeps_lawful_talk_clean() {
    let r = run(&[
        "scan",
        "fixtures/transcripts/call_20240316_plain.txt",
        "-f",
        "csv",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let cats = record_categories(&r.stdout);
    assert!(cats.contains(&(7, "impersonation".into())), "{cats:?}");
    // Lawful litigation/credit talk, a negated promise, and 派出/所有人手 are not findings.
    for clean in [1, 3, 5, 8] {
        assert!(
            !cats.iter().any(|(n, _)| *n == clean),
            "record {clean} flagged: {cats:?}"
        );
    }
}

#[test]
fn sms_csv_with_chinese_headers_and_a_bad_row() {
    let r = run(&["scan", "fixtures/sms/sms_export_20240320.csv", "-f", "csv"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let rows = csv_rows(&r.stdout);
    let cats = record_categories(&r.stdout);
    assert!(cats.contains(&(2, "disclosure".into())), "{cats:?}");
    assert!(cats.contains(&(2, "insult".into())), "{cats:?}");
    assert!(cats.contains(&(5, "impersonation".into())), "{cats:?}");
    for clean in [1, 6] {
        assert!(
            !cats.iter().any(|(n, _)| *n == clean),
            "record {clean} flagged: {cats:?}"
        );
    }
    let row2 = rows.iter().find(|r| r["record"] == "2").unwrap();
    assert_eq!(row2["id"], "2");
    assert_eq!(row2["time"], "2024-03-20 09:05:12");
    assert_eq!(row2["role"], "unknown");
    assert!(
        r.stderr.contains("sms_export_20240320.csv:4: rejected (wrong-field-count): line 5: 4 fields, the header has 5"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("records: 6 read = 5 scanned + 1 rejected (wrong-field-count 1)"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("UTF-8 (BOM) 1"), "{}", r.stderr);
}

#[test]
fn jsonl_messages_report_follows_the_contract() {
    let r = run(&[
        "scan",
        "fixtures/jsonl/qa_batch_20240321.jsonl",
        "--report",
        "messages",
        "--format",
        "jsonl",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let msgs = jsonl(&r.stdout);
    // 8 lines: 2 rejected (no text field, broken JSON), 6 scanned, all listed.
    assert_eq!(msgs.len(), 6);
    let keys: Vec<&str> = msgs[0]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    for k in [
        "source",
        "record",
        "id",
        "speaker",
        "role",
        "time",
        "text",
        "categories",
        "severity",
        "findings",
    ] {
        assert!(keys.contains(&k), "missing {k}: {keys:?}");
    }
    let by_id = |id: &str| msgs.iter().find(|m| m["id"] == id).unwrap();
    let m3 = by_id("c1-03");
    assert_eq!(m3["record"], 3);
    assert_eq!(m3["role"], "agent");
    assert_eq!(m3["source"], "fixtures/jsonl/qa_batch_20240321.jsonl");
    assert_eq!(m3["categories"], serde_json::json!(["insult", "threat"]));
    assert_eq!(m3["severity"], "high");
    let f0 = &m3["findings"][0];
    assert_eq!(f0["matched"], "ＳＢ");
    assert_eq!(
        (f0["start"].as_u64(), f0["end"].as_u64()),
        (Some(2), Some(4))
    );
    // The customer's abuse is listed but not flagged; the lawful service offer is clean.
    let m2 = by_id("c1-02");
    assert_eq!(m2["role"], "customer");
    assert_eq!(m2["categories"], serde_json::json!([]));
    assert_eq!(m2["severity"], Value::Null);
    assert_eq!(by_id("c1-04")["categories"], serde_json::json!([]));
    assert_eq!(by_id("c1-05")["text"], "12345");
    assert_eq!(
        by_id("c1-08")["categories"],
        serde_json::json!(["disclosure"])
    );
    assert!(
        r.stderr
            .contains("qa_batch_20240321.jsonl:6: rejected (missing-text)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("qa_batch_20240321.jsonl:7: rejected (invalid-json)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("records: 8 read = 6 scanned + 2 rejected"),
        "{}",
        r.stderr
    );
}

#[test]
fn offsets_and_matched_text_agree_with_the_original() {
    let r = run(&["scan", "fixtures", "-f", "jsonl", "--report", "messages"]);
    for m in jsonl(&r.stdout) {
        let text: Vec<char> = m["text"].as_str().unwrap().chars().collect();
        for f in m["findings"].as_array().unwrap() {
            let (s, e) = (
                f["start"].as_u64().unwrap() as usize,
                f["end"].as_u64().unwrap() as usize,
            );
            assert!(s < e && e <= text.len());
            let span: String = text[s..e].iter().collect();
            assert_eq!(span, f["matched"].as_str().unwrap());
        }
    }
}

#[test]
fn thread_counts_give_identical_output() {
    let one = run(&["scan", "fixtures", "-f", "csv", "-j1"]);
    let two = run(&["scan", "fixtures", "-f", "csv", "-j2"]);
    assert_eq!(one.code, 1);
    assert!(one.stdout.lines().count() > 10);
    assert_eq!(one.stdout, two.stdout);
    let one = run(&[
        "scan", "fixtures", "-f", "jsonl", "--report", "messages", "-j1",
    ]);
    let two = run(&[
        "scan", "fixtures", "-f", "jsonl", "--report", "messages", "-j2",
    ]);
    assert_eq!(one.stdout, two.stdout);
}

/// A file of many chunks, with rejected lines among them: the output and the rejects keep the
/// input order whatever the thread count (units finish out of order and are written in order).
#[test]
fn many_chunks_keep_their_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.txt");
    let mut data: Vec<u8> = Vec::new();
    let mut abusive = 0;
    for i in 0..40_000 {
        if i % 1000 == 3 {
            data.extend_from_slice(b"\xff\xfe bad bytes\n");
            continue;
        }
        let line = if i % 7 == 0 {
            abusive += 1;
            format!("第{i}条：你这个老赖，明天我们就上门找你")
        } else {
            format!("第{i}条：您好，您的账单已逾期，请尽快还款，如已还款请忽略。")
        };
        data.extend_from_slice(line.as_bytes());
        data.push(b'\n');
    }
    assert!(data.len() > 3 << 20, "{} bytes: several chunks", data.len());
    std::fs::write(&path, &data).unwrap();
    let file = path.to_str().unwrap();
    let scan = |j: &str, rejects: &std::path::Path| {
        let r = run(&[
            "scan",
            file,
            "-f",
            "csv",
            j,
            "-q",
            "--rejects",
            rejects.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        (r.stdout, std::fs::read_to_string(rejects).unwrap())
    };
    let (one, rejects_one) = scan("-j1", &dir.path().join("r1.csv"));
    let (two, rejects_two) = scan("-j2", &dir.path().join("r2.csv"));
    let (four, rejects_four) = scan("-j4", &dir.path().join("r4.csv"));
    assert_eq!(one, two);
    assert_eq!(one, four);
    assert_eq!(rejects_one, rejects_two);
    assert_eq!(rejects_one, rejects_four);
    // Two findings (insult, threat) per abusive line, records in increasing order.
    let records: Vec<usize> = one
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    assert_eq!(records.len(), 2 * abusive);
    assert!(records.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(records[0], 1);
    assert_eq!(*records.last().unwrap(), 39_999);
    // One rejected line per thousand, by line number.
    let rejected: Vec<&str> = rejects_one.lines().skip(1).collect();
    assert_eq!(rejected.len(), 40);
    assert!(rejected[0].contains(",4,"), "{}", rejected[0]);
    assert!(rejected[39].contains(",39004,"), "{}", rejected[39]);
}

#[test]
fn exit_codes_follow_grep() {
    let clean = dunscan()
        .args(["scan", "-", "-f", "csv"])
        .write_stdin("您好，您的账单已逾期，请尽快还款。\n")
        .output()
        .unwrap();
    assert_eq!(clean.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(clean.stdout).unwrap().lines().count(),
        1,
        "header only"
    );
    let found = dunscan()
        .args(["scan", "-f", "csv"])
        .write_stdin("你这个老赖\n")
        .output()
        .unwrap();
    assert_eq!(found.status.code(), Some(1));
    let missing = run(&["scan", "fixtures/no_such_file.txt"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stderr
            .contains("fixtures/no_such_file.txt: no such file or directory"),
        "{}",
        missing.stderr
    );
    let no_text = run(&["scan", "fixtures/bad/no_text_column.csv"]);
    assert_eq!(no_text.code, 2);
    assert!(
        no_text
            .stderr
            .contains("the columns are: 发送号码, 发送时间, 备注"),
        "{}",
        no_text.stderr
    );
}

#[test]
fn bad_inputs_are_reported_and_the_rest_scanned() {
    let r = run(&[
        "scan",
        "fixtures/bad",
        "fixtures/no_such_dir",
        "fixtures/transcripts/call_20240315_bracket.txt",
        "-f",
        "csv",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("fixtures/bad/empty.txt: skipped: empty file"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("fixtures/no_such_dir: no such file or directory"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("files: 1 read (UTF-8 1), 1 skipped (empty file), 2 with errors"),
        "{}",
        r.stderr
    );
}

#[test]
fn output_file_gets_a_bom_for_excel() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.csv");
    let r = run(&["scan", "fixtures/sms", "-o", out.to_str().unwrap(), "-q"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.is_empty() || !r.stderr.contains("records:"),
        "{}",
        r.stderr
    );
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBFsource,record,id,"));
}

#[test]
fn table_format_marks_the_evidence() {
    let r = run(&[
        "scan",
        "fixtures/transcripts/call_20240315_bracket.txt",
        "-f",
        "table",
    ]);
    assert!(
        r.stdout
            .contains("call_20240315_bracket.txt:5 坐席 [00:00:21]  侮辱谩骂 INS-"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("你这个«老赖»"), "{}", r.stdout);
}

#[test]
fn lexicon_check_list_and_explain() {
    let ok = run(&["lexicon", "check", "lexicons"]);
    assert_eq!(ok.code, 0, "{}", ok.stdout);
    assert!(ok.stdout.starts_with("ok: "), "{}", ok.stdout);

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "category = \"threat\"\n[[rule]]\nid = \"THR-001\"\nseverity = \"high\"\ndescription = \"d\"\nbasis = \"b\"\nterms = [\"\"]\n\n[[rule]]\nid = \"X-1\"\ncategory = \"rumour\"\nseverity = \"high\"\ndescription = \"d\"\nbasis = \"b\"\nterms = [\"a\"]\n",
    )
    .unwrap();
    let r = run(&["lexicon", "check", bad.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    let name = bad.display().to_string();
    assert!(
        r.stdout
            .contains(&format!("{name}:7: rule THR-001: empty term")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(&format!("{name}:11: unknown category `rumour`")),
        "{}",
        r.stdout
    );

    // A rule that parses but documents itself badly: one example, which does not even match.
    let thin = dir.path().join("thin.toml");
    std::fs::write(
        &thin,
        "category = \"threat\"\n[[rule]]\nid = \"THR-900\"\nseverity = \"high\"\ndescription = \"d\"\nbasis = \"b\"\nterms = [\"打断你的腿\"]\nexamples = [\"小心你的腿\"]\ncounter_examples = [\"腿疼去医院\", \"我们不会上门\"]\n",
    )
    .unwrap();
    let r = run(&["lexicon", "check", thin.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    let name = thin.display().to_string();
    assert!(
        r.stdout.contains(&format!(
            "{name}:2: rule THR-900: needs at least 2 examples (has 1)"
        )),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!(
            "{name}:2: rule THR-900: example does not match: 小心你的腿"
        )),
        "{}",
        r.stdout
    );
    assert!(r.stdout.ends_with("2 problems\n"), "{}", r.stdout);

    let list = run(&["lexicon", "list"]);
    assert_eq!(list.code, 0);
    assert!(
        list.stdout
            .starts_with("term\tcategory\tcategory_zh\trule\tseverity\tpart\n")
    );
    for cat in ["threat", "insult", "impersonation", "disclosure"] {
        let n = list
            .stdout
            .lines()
            .filter(|l| l.split('\t').nth(1) == Some(cat))
            .count();
        assert!(n > 100, "{cat}: only {n} terms");
    }
    let terms = run(&["lexicon", "list", "--terms-only"]);
    assert!(terms.stdout.lines().any(|l| l == "老赖"));

    let ex = run(&["explain", "ins-001"]);
    assert_eq!(ex.code, 0, "{}", ex.stderr);
    assert!(ex.stdout.starts_with("INS-001"), "{}", ex.stdout);
    assert!(ex.stdout.contains("依据 Basis:"));
    assert!(ex.stdout.contains("  ✔ "));
    // A rule's exception affixes are shown with it.
    let thr = run(&["explain", "THR-001"]);
    assert!(
        thr.stdout
            .lines()
            .any(|l| l.starts_with("紧接其后不算 Not right after:") && l.contains("寄")),
        "{}",
        thr.stdout
    );
    let none = run(&["explain", "NOPE-999"]);
    assert_eq!(none.code, 2);
}

#[test]
fn user_lexicons_add_and_replace_rules() {
    let dir = tempfile::tempdir().unwrap();
    let lex = dir.path().join("mine.toml");
    std::fs::write(
        &lex,
        "category = \"insult\"\n[[rule]]\nid = \"USR-001\"\nseverity = \"low\"\ndescription = \"自定义\"\nbasis = \"内部质检规范\"\nterms = [\"磨磨唧唧\"]\n",
    )
    .unwrap();
    let out = dunscan()
        .args([
            "scan",
            "-f",
            "csv",
            "--no-default-lexicons",
            "--lexicon",
            lex.to_str().unwrap(),
        ])
        .write_stdin("你这个老赖磨磨唧唧的\n")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let rules: Vec<String> = csv_rows(&text).iter().map(|r| r["rule"].clone()).collect();
    assert_eq!(rules, vec!["USR-001"]);
}
