//! Property tests: the normaliser's offset map, and readers fed random bytes.

use dunscan::input::decode::Forced;
use dunscan::input::parse::parse_lines;
use dunscan::input::units::{ReadOptions, Unit, Units};
use dunscan::input::walk::Input;
use dunscan::input::{Columns, Role};
use dunscan::matcher::Matcher;
use dunscan::normalise::normalise;
use dunscan::rules::Lexicon;
use proptest::prelude::*;
use std::sync::OnceLock;

/// Pieces that exercise every normalisation step.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("老赖".to_string()),
        Just("上門找你".to_string()),
        Just("我們".to_string()),
        Just("ＳＢ".to_string()),
        Just("\u{200B}".to_string()),
        Just("\u{FEFF}".to_string()),
        Just("(wǎng)".to_string()),
        Just("(ㄌㄠˇ)".to_string()),
        Just(".".to_string()),
        Just("＊".to_string()),
        Just(" ".to_string()),
        Just("，".to_string()),
        Just("e\u{301}".to_string()),
        Just("㈱".to_string()),
        Just("😀".to_string()),
        Just("ß".to_string()),
        Just("İ".to_string()),
        "[a-zA-Z0-9]{1,3}",
        "[\u{4E00}-\u{9FA5}]{1,4}",
        any::<char>().prop_map(|c| c.to_string()),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..24).prop_map(|v| v.concat())
}

fn matcher() -> &'static Matcher {
    static M: OnceLock<Matcher> = OnceLock::new();
    M.get_or_init(|| Matcher::new(Lexicon::builtin()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Every character range of the normalised text maps to a non-empty, in-bounds and
    /// monotone range of original characters.
    #[test]
    fn offset_map_stays_inside_the_original(s in text()) {
        let n = normalise(&s);
        let total = s.chars().count();
        let bounds: Vec<usize> = n.text.char_indices().map(|(i, _)| i).chain([n.text.len()]).collect();
        let mut last = (0, 0);
        for w in bounds.windows(2) {
            let (a, b) = n.original_span(w[0], w[1]);
            prop_assert!(a < b && b <= total, "{s:?}: {a}..{b} of {total}");
            prop_assert!(a >= last.0 && b >= last.1, "not monotone in {s:?}");
            last = (a, b);
        }
        if bounds.len() > 1 {
            let (a, b) = n.original_span(0, n.text.len());
            prop_assert!(a <= b && b <= total);
        }
    }

    /// Findings point at original text; invisible characters do not change the result.
    #[test]
    fn findings_are_evidence_and_survive_zero_width(
        parts in prop::collection::vec(prop_oneof![
            Just("你这个老赖".to_string()), Just("明天上门找你".to_string()), Just("我是法院的".to_string()),
            Just("爆你通讯录".to_string()), Just("今天天气不错".to_string()), Just("，".to_string()),
            "[\u{4E00}-\u{9FA5}]{1,3}",
        ], 1..8),
        at in any::<prop::sample::Index>(),
    ) {
        let s = parts.concat();
        let m = matcher();
        let found = m.scan(&s, Role::Agent, false);
        let total = s.chars().count();
        for f in &found {
            prop_assert!(f.start < f.end && f.end <= total);
        }
        let chars: Vec<char> = s.chars().collect();
        let k = at.index(chars.len() + 1);
        let mut with_zw: String = chars[..k].iter().collect();
        with_zw.push('\u{200B}');
        with_zw.extend(&chars[k..]);
        let mut a: Vec<&str> = found.iter().map(|f| m.rule(f).id.as_str()).collect();
        let mut b: Vec<&str> = m.scan(&with_zw, Role::Agent, false).iter().map(|f| m.rule(f).id.as_str()).collect();
        a.sort();
        a.dedup();
        b.sort();
        b.dedup();
        prop_assert_eq!(a, b, "{:?} vs {:?}", s, with_zw);
    }
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    let chunk = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..40),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just(b"\xFF\xFE".to_vec()),
        Just(b"\x00".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\",".to_vec()),
        Just(b"{\"text\":".to_vec()),
        Just("内容,时间\n".as_bytes().to_vec()),
        Just("坐席：你这个老赖\n".as_bytes().to_vec()),
        Just(encoding_rs::GB18030.encode("客户：我没钱").0.into_owned()),
    ];
    prop::collection::vec(chunk, 0..20).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Any bytes, under any extension: no panic, and record numbers within a file increase.
    #[test]
    fn readers_never_panic(data in bytes(), ext in prop::sample::select(vec!["txt", "csv", "tsv", "jsonl", "gz", "zip"])) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("f.{ext}"));
        std::fs::write(&path, &data).unwrap();
        let opts = ReadOptions { format: None, encoding: Forced::Auto, columns: Columns::default() };
        let mut records: Vec<u64> = Vec::new();
        for unit in Units::new(vec![Input::File(path)], opts) {
            let parsed = match &unit {
                Unit::Lines { info, first_line, data } => parse_lines(info, *first_line, data),
                Unit::Records { parsed, .. } => parsed.clone(),
                _ => continue,
            };
            let mut here: Vec<u64> = parsed.messages.iter().map(|m| m.record).chain(parsed.rejects.iter().map(|r| r.record)).collect();
            here.sort_unstable();
            records.extend(here);
            for m in &parsed.messages {
                let _ = matcher().scan(&m.text, m.role(), true);
            }
        }
        prop_assert!(records.windows(2).all(|w| w[0] < w[1]), "{records:?}");
    }
}

/// The binary on random bytes: never a crash, and the summary adds up.
#[test]
fn binary_accounts_for_every_record_of_random_files() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let dir = tempfile::tempdir().unwrap();
    for i in 0..12 {
        let data = bytes().new_tree(&mut runner).unwrap().current();
        let ext = ["txt", "csv", "jsonl"][i % 3];
        let path = dir.path().join(format!("r{i}.{ext}"));
        std::fs::write(&path, &data).unwrap();
        let out = assert_cmd::Command::cargo_bin("dunscan")
            .unwrap()
            .args(["scan", path.to_str().unwrap(), "-f", "csv"])
            .output()
            .unwrap();
        let code = out.status.code();
        assert!(matches!(code, Some(0..=2)), "{code:?} on {data:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        if let Some(line) = stderr.lines().find(|l| l.contains("records: ")) {
            let nums: Vec<u64> = line
                .split(|c: char| !c.is_ascii_digit())
                .filter(|s| !s.is_empty())
                .take(3)
                .map(|s| s.parse().unwrap())
                .collect();
            assert_eq!(nums[0], nums[1] + nums[2], "{line}");
        }
    }
}
