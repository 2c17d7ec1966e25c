//! Integration tests on messy real-world input: encodings, archives, evasions, bad data.

mod common;

use common::run;
use serde_json::Value;

/// Scan with `--report messages -f jsonl` and return the messages.
fn messages(args: &[&str]) -> (Vec<Value>, String) {
    let mut all = vec!["scan", "--report", "messages", "-f", "jsonl"];
    all.extend_from_slice(args);
    let r = run(&all);
    assert!(r.code == 0 || r.code == 1, "exit {}: {}", r.code, r.stderr);
    (
        r.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
        r.stderr,
    )
}

fn cats(m: &Value) -> Vec<String> {
    m["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect()
}

fn record<'a>(msgs: &'a [Value], source_suffix: &str, record: u64) -> &'a Value {
    msgs.iter()
        .find(|m| m["source"].as_str().unwrap().ends_with(source_suffix) && m["record"] == record)
        .unwrap_or_else(|| panic!("no record {record} of {source_suffix}"))
}

#[test]
fn legacy_encodings_are_detected_and_named_in_the_summary() {
    let (msgs, stderr) = messages(&[
        "fixtures/messy/call_gbk.txt",
        "fixtures/messy/call_big5.txt",
        "fixtures/messy/sms_excel_unicode.tsv",
    ]);
    let gbk = record(&msgs, "call_gbk.txt", 3);
    assert_eq!(gbk["time"], "00:00:09");
    assert_eq!(gbk["speaker"], "坐席");
    assert!(gbk["text"].as_str().unwrap().starts_with("你这个老赖"));
    assert!(cats(gbk).contains(&"insult".to_string()), "{gbk}");
    let big5 = record(&msgs, "call_big5.txt", 2);
    assert_eq!(big5["text"], "你這個老賴，我們會派人上門找你。");
    assert_eq!(cats(big5), vec!["insult", "threat"]);
    // Evidence is the original traditional text.
    let matched: Vec<&str> = big5["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["matched"].as_str().unwrap())
        .collect();
    assert!(matched.contains(&"老賴"), "{matched:?}");
    let utf16 = record(&msgs, "sms_excel_unicode.tsv", 2);
    assert_eq!(utf16["time"], "2024-03-01 11:00");
    assert!(cats(utf16).contains(&"disclosure".to_string()), "{utf16}");
    assert!(
        stderr.contains("files: 3 read (Big5 1, GB18030 1, UTF-16LE 1)"),
        "{stderr}"
    );
}

#[test]
fn forced_encoding_overrides_detection() {
    let r = run(&[
        "scan",
        "fixtures/messy/call_gbk.txt",
        "--encoding",
        "utf-8",
        "-f",
        "csv",
    ]);
    // Every line is invalid UTF-8 but valid GB18030: decoded with a note, never replaced.
    assert!(
        r.stderr
            .contains("call_gbk.txt:1: decoded as GB18030, not as the file's encoding"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("files: 1 read (UTF-8 1)"), "{}", r.stderr);
    let bad = run(&[
        "scan",
        "fixtures/messy/call_gbk.txt",
        "--encoding",
        "latin-9",
    ]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("unknown encoding `latin-9`"));
}

#[test]
fn mixed_encodings_and_invalid_bytes_are_reported_by_line() {
    let (msgs, stderr) = messages(&["fixtures/messy/mixed_encoding.txt"]);
    assert_eq!(msgs.len(), 5);
    let gbk_line = record(&msgs, "mixed_encoding.txt", 3);
    assert_eq!(gbk_line["text"], "你这个老赖，赶紧还钱。");
    assert!(
        stderr.contains("mixed_encoding.txt:3: decoded as GB18030, not as the file's encoding"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "mixed_encoding.txt:4: rejected (invalid-encoding): invalid UTF-8 byte 0xFF at byte 1"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("records: 6 read = 5 scanned + 1 rejected (invalid-encoding 1); 1 decoded in a second encoding"), "{stderr}");
}

#[test]
fn evasions_are_seen_through_and_evidence_stays_original() {
    let (msgs, _) = messages(&["fixtures/messy/evasions.txt"]);
    let expect: &[(u64, &str, &str)] = &[
        (1, "threat", "上門"),
        (1, "insult", "不要臉"),
        (2, "insult", "老(lǎo)賴(lài)"),
        (3, "insult", "ＳＢ"),
        (4, "insult", "老\u{200b}赖"),
        (4, "disclosure", "朋\u{200d}友圈"),
        (5, "impersonation", "法.院"),
        (6, "impersonation", "公＊安＊局"),
        (7, "disclosure", "通 讯 录"),
        (7, "insult", "老 赖"),
        (8, "insult", "傻*逼"),
        (10, "insult", "sb"),
    ];
    for (rec, cat, fragment) in expect {
        let m = record(&msgs, "evasions.txt", *rec);
        let hit =
            m["findings"].as_array().unwrap().iter().any(|f| {
                f["category"] == *cat && f["matched"].as_str().unwrap().contains(fragment)
            });
        assert!(
            hit,
            "record {rec}: no {cat} finding containing {fragment}: {m}"
        );
    }
    // `sb` inside `usb` is not an insult.
    assert_eq!(cats(record(&msgs, "evasions.txt", 9)), Vec::<String>::new());
}

#[test]
fn archives_are_opened_member_by_member() {
    let (msgs, stderr) = messages(&[
        "fixtures/messy/seized_export.zip",
        "fixtures/messy/calls_20240301.txt.gz",
    ]);
    let csv_member = record(&msgs, "seized_export.zip!短信/导出.csv", 1);
    assert_eq!(cats(csv_member), vec!["insult", "threat"]);
    // The GBK-encoded member name is decoded.
    let call = record(&msgs, "seized_export.zip!通话/张三.txt", 1);
    assert_eq!(cats(call), vec!["impersonation"]);
    // Both gzip members are read.
    let gz = record(&msgs, "calls_20240301.txt.gz", 2);
    assert!(cats(gz).contains(&"threat".to_string()));
    assert!(
        stderr.contains("seized_export.zip!logo.png: skipped: binary file"),
        "{stderr}"
    );
    assert!(stderr.contains("1 zip archives"), "{stderr}");
}

#[test]
fn bad_rows_binary_files_and_long_lines_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let long = dir.path().join("long_line.txt");
    let mut data = "坐席：你这个老赖。\n".as_bytes().to_vec();
    data.extend(std::iter::repeat_n(b'a', 50 << 20));
    data.extend_from_slice("\n坐席：明天上门找你。\n".as_bytes());
    std::fs::write(&long, data).unwrap();
    let r = run(&[
        "scan",
        "fixtures/messy/sms_bad_rows.csv",
        "fixtures/messy/recording.amr",
        long.to_str().unwrap(),
        "-f",
        "csv",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "sms_bad_rows.csv:2: rejected (wrong-field-count): line 3: 3 fields, the header has 2"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("sms_bad_rows.csv:3: rejected (unbalanced-quote): line 4"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("recording.amr: skipped: binary file"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("long_line.txt:2: rejected (line-too-long)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("records: 6 read = 3 scanned + 3 rejected (wrong-field-count 1, line-too-long 1, unbalanced-quote 1)"),
        "{}",
        r.stderr
    );
    // Line 3 after the enormous line is still scanned, with its own line number.
    let rows: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.contains("long_line.txt,3,"))
        .collect();
    assert!(!rows.is_empty(), "{}", r.stdout);
}

#[cfg(unix)]
#[test]
fn unreadable_folders_are_reported() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::write(locked.join("a.txt"), "你这个老赖\n").unwrap();
    std::fs::write(dir.path().join("b.txt"), "你这个老赖\n").unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let can_read_anyway = std::fs::read_dir(&locked).is_ok(); // root ignores permissions
    let r = run(&["scan", dir.path().to_str().unwrap(), "-f", "csv"]);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(r.code, 1, "{}", r.stderr);
    if !can_read_anyway {
        assert!(
            r.stderr.contains("locked: permission denied"),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains("with errors"), "{}", r.stderr);
    }
    assert!(r.stdout.contains("b.txt"));
}

#[test]
fn rejects_file_lists_every_record_not_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let rej = dir.path().join("rejects.csv");
    let r = run(&[
        "scan",
        "fixtures/messy",
        "-q",
        "-f",
        "csv",
        "--rejects",
        rej.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let text = std::fs::read_to_string(&rej).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("source,record,kind,reason,detail"));
    let rows: Vec<&str> = lines.collect();
    assert!(rows.contains(&"fixtures/messy/mixed_encoding.txt,4,rejected,invalid-encoding,invalid UTF-8 byte 0xFF at byte 1 of the record"), "{text}");
    assert!(
        rows.contains(&"fixtures/messy/recording.amr,,skipped,binary file,"),
        "{text}"
    );
    assert!(
        rows.iter()
            .any(|l| l.starts_with("fixtures/messy/sms_bad_rows.csv,3,rejected,unbalanced-quote,")),
        "{text}"
    );
    assert!(
        rows.iter().any(|l| l.starts_with(
            "fixtures/messy/utf16_broken_surrogate.tsv,2,rejected,invalid-encoding,line 3: invalid UTF-16"
        )),
        "{text}"
    );
    // mixed_encoding 1, sms_bad_rows 2, the two UTF-16 files 1 each, sms_excel_crlf 1.
    assert_eq!(
        rows.iter().filter(|l| l.contains(",rejected,")).count(),
        6,
        "{text}"
    );
}

#[test]
fn stray_nul_bytes_do_not_hide_text_or_evidence() {
    let (msgs, stderr) = messages(&["fixtures/messy/nul_bytes.txt"]);
    assert_eq!(msgs.len(), 3, "{stderr}");
    let m = record(&msgs, "nul_bytes.txt", 2);
    assert_eq!(cats(m), vec!["insult"]);
    assert_eq!(m["findings"][0]["matched"], "老\u{0}赖");
    assert!(
        stderr.contains("records: 3 read = 3 scanned + 0 rejected"),
        "{stderr}"
    );
}

#[test]
fn invalid_utf16_is_rejected_by_line_not_replaced() {
    let (msgs, stderr) = messages(&[
        "fixtures/messy/utf16_broken_surrogate.txt",
        "fixtures/messy/utf16_broken_surrogate.tsv",
    ]);
    // Line 2 of the text file holds an unpaired high surrogate, data row 2 of the TSV an
    // unpaired low surrogate: both rejected with where, the rest scanned.
    assert!(
        stderr.contains("utf16_broken_surrogate.txt:2: rejected (invalid-encoding): invalid UTF-16 (unpaired surrogate or odd byte) at character 6"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "utf16_broken_surrogate.tsv:2: rejected (invalid-encoding): line 3: invalid UTF-16"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("records: 6 read = 4 scanned + 2 rejected (invalid-encoding 2)"),
        "{stderr}"
    );
    assert!(
        msgs.iter()
            .all(|m| !m["text"].as_str().unwrap().contains('\u{FFFD}'))
    );
    let last = record(&msgs, "utf16_broken_surrogate.txt", 3);
    assert_eq!(last["text"], "明天我们就派人上门找你");
    assert!(cats(last).contains(&"threat".to_string()), "{last}");
    let tsv = record(&msgs, "utf16_broken_surrogate.tsv", 3);
    assert!(cats(tsv).contains(&"disclosure".to_string()), "{tsv}");
}

#[test]
fn windows_line_endings_keep_line_numbers_right() {
    let (msgs, stderr) = messages(&["fixtures/messy/sms_excel_crlf.csv"]);
    // Data row 3 starts on line 5: the header is line 1 and row 2 spans lines 3-4.
    assert!(
        stderr.contains(
            "sms_excel_crlf.csv:3: rejected (wrong-field-count): line 5: 4 fields, the header has 3"
        ),
        "{stderr}"
    );
    let two = record(&msgs, "sms_excel_crlf.csv", 2);
    // The line break inside the quoted field is kept as `\n` and the evidence still lines up.
    assert_eq!(two["text"], "你这个老赖\n再不还钱我们就上门找你");
    let cats_two = cats(two);
    assert!(
        cats_two.contains(&"insult".to_string()) && cats_two.contains(&"threat".to_string()),
        "{two}"
    );
    assert_eq!(
        record(&msgs, "sms_excel_crlf.csv", 4)["time"],
        "2024-03-01 09:15"
    );
}
