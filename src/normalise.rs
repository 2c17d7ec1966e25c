//! Normalisation before matching, with a map back to the original text.
//!
//! Each original character becomes zero or more normalised characters (NFKC width folding,
//! lower case; invisible characters vanish). Every normalised character remembers the range of
//! original characters it came from, so a hit in the normalised copy is reported as a
//! character span of the original message.

use std::borrow::Cow;
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

/// Characters that carry no text and are used to split words past filters.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\0' | '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}'
        | '\u{E0000}'..='\u{E007F}')
}

/// True when `c` is certainly unchanged by normalisation (the common case for Chinese text).
#[inline]
fn is_stable(c: char) -> bool {
    match c {
        '\u{1}'..='@' | '['..='\u{7F}' => true,
        '\u{4E00}'..='\u{9FFF}' => true,
        // Full-width clause punctuation is kept as it is: it only ends clauses.
        '，' | '！' | '？' | '：' | '；' => true,
        '、' | '。' | '《' | '》' | '「' | '」' | '『' | '』' | '【' | '】' | '“' | '”' | '‘'
        | '’' | '…' | '—' | '〈' | '〉' => true,
        _ => false,
    }
}

/// Where the characters of a normalised text came from.
#[derive(Debug, Clone)]
enum OffsetMap {
    /// Normalised text equals the original.
    Identity,
    /// For every byte of the normalised text: the original character range `[start, end)`
    /// of the character that byte belongs to.
    Spans(Vec<(u32, u32)>),
}

#[derive(Debug, Clone)]
pub struct Normalised<'a> {
    pub text: Cow<'a, str>,
    map: OffsetMap,
}

impl Normalised<'_> {
    /// Original character span `[start, end)` for the normalised byte range `[start, end)`.
    /// `start < end` and both lie on character boundaries of the normalised text.
    pub fn original_span(&self, start: usize, end: usize) -> (usize, usize) {
        match &self.map {
            OffsetMap::Identity => {
                let s = self.text[..start].chars().count();
                let e = s + self.text[start..end].chars().count();
                (s, e)
            }
            OffsetMap::Spans(spans) => {
                if start >= end || end > spans.len() {
                    return (0, 0);
                }
                (spans[start].0 as usize, spans[end - 1].1 as usize)
            }
        }
    }

    pub fn is_identity(&self) -> bool {
        matches!(self.map, OffsetMap::Identity)
    }
}

/// Characters inserted between Chinese characters to dodge filters (`法.院`, `傻*逼`, `通 讯 录`).
fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t'
            | '.'
            | '*'
            | '·'
            | '-'
            | '_'
            | '/'
            | '\\'
            | '|'
            | '~'
            | '#'
            | '+'
            | '^'
            | '`'
            | '\''
            | '"'
            | '='
            | '&'
            | '@'
            | '$'
            | '%'
            | '・'
            | '•'
            | '〃'
            | '‧'
            | '×'
            | '☆'
            | '★'
            | '♥'
            | '❤'
            | '○'
            | '●'
            | '◆'
            | '□'
            | '■'
    )
}

/// Longest run of separators removed between two Chinese characters.
const MAX_SEPARATORS: usize = 3;

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

const TONED: &str = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ";

/// Is `s` a pinyin reading with tone marks or a tone number (`wǎng`, `wang3`) or Bopomofo?
fn is_reading(s: &str) -> bool {
    let n = s.chars().count();
    if n == 0 || n > 8 {
        return false;
    }
    if s.chars().all(
        |c| matches!(c, '\u{3105}'..='\u{312F}' | '\u{31A0}'..='\u{31BF}' | 'ˇ' | 'ˊ' | 'ˋ' | '˙'),
    ) {
        return true;
    }
    let letters = s.trim_end_matches(|c: char| matches!(c, '1'..='5'));
    let toned_digit = letters.len() + 1 == s.len();
    !letters.is_empty()
        && letters
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == 'ü' || TONED.contains(c))
        && (toned_digit || letters.chars().any(|c| TONED.contains(c)))
}

/// Traditional characters (those t2s changes on their own) in U+4E00..=U+9FFF, as a bitset.
struct Traditional {
    bits: Vec<u64>,
    opencc: ferrous_opencc::OpenCC,
}

impl Traditional {
    fn get() -> &'static Traditional {
        static T: OnceLock<Traditional> = OnceLock::new();
        T.get_or_init(|| {
            let opencc =
                ferrous_opencc::OpenCC::from_config(ferrous_opencc::config::BuiltinConfig::T2s)
                    .expect("built-in t2s tables load");
            let mut bits = vec![0u64; (0x9FFF - 0x4E00) / 64 + 1];
            let mut buf = [0u8; 4];
            for c in '\u{4E00}'..='\u{9FFF}' {
                let s: &str = c.encode_utf8(&mut buf);
                if opencc.convert(s) != s {
                    let i = c as usize - 0x4E00;
                    bits[i / 64] |= 1 << (i % 64);
                }
            }
            Traditional { bits, opencc }
        })
    }

    #[inline]
    fn contains(&self, c: char) -> bool {
        let i = (c as usize).wrapping_sub(0x4E00);
        i <= 0x9FFF - 0x4E00 && self.bits[i / 64] & (1 << (i % 64)) != 0
    }
}

const CHANGES: u8 = 1;
const HAN: u8 = 2;
const SPLITS_HAN: u8 = 4;

/// Per character of the Basic Multilingual Plane: would normalisation change it on its own
/// (`CHANGES`), is it Chinese (`HAN`), is it a separator or `(` after which a Chinese
/// character may lose something (`SPLITS_HAN`).
fn classes() -> &'static [u8] {
    static TABLE: OnceLock<Vec<u8>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let trad = Traditional::get();
        (0..=0xFFFFu32)
            .map(|u| match char::from_u32(u) {
                None => CHANGES,
                Some(c) => {
                    let mut f = 0;
                    if !is_stable(c) || trad.contains(c) {
                        f |= CHANGES;
                    }
                    if is_han(c) {
                        f |= HAN;
                    }
                    if is_separator(c) || c == '(' {
                        f |= SPLITS_HAN;
                    }
                    f
                }
            })
            .collect()
    })
}

/// Can `text` skip normalisation altogether?
fn is_plain(text: &str) -> bool {
    let table = classes();
    let mut prev_han = false;
    for c in text.chars() {
        let Some(&f) = table.get(c as usize) else {
            return false;
        };
        if f & CHANGES != 0 || (prev_han && f & SPLITS_HAN != 0) {
            return false;
        }
        prev_han = f & HAN != 0;
    }
    true
}

/// A normalised character and the original character range it stands for.
type Piece = (char, u32, u32);

/// Width, case and invisible characters, one original character at a time.
fn fold(original: &str) -> Vec<Piece> {
    let mut out = Vec::with_capacity(original.len() / 2 + 4);
    for (i, c) in original.chars().enumerate() {
        let i = i as u32;
        if is_stable(c) {
            out.push((c, i, i + 1));
        } else if !is_invisible(c) {
            for d in std::iter::once(c).nfkc().filter(|&d| !is_invisible(d)) {
                out.extend(d.to_lowercase().map(|l| (l, i, i + 1)));
            }
        }
    }
    out
}

/// Drop ruby readings after a Chinese character: `網(wǎng)` → `網`.
fn strip_readings(p: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::with_capacity(p.len());
    let mut i = 0;
    while i < p.len() {
        let close = (p[i].0 == '(' && out.last().is_some_and(|l| is_han(l.0)))
            .then(|| p[i + 1..].iter().take(10).position(|q| q.0 == ')'))
            .flatten();
        if let Some(close) = close {
            let inner: String = p[i + 1..i + 1 + close].iter().map(|q| q.0).collect();
            if is_reading(&inner) {
                // The reading belongs to the character before it.
                if let Some(last) = out.last_mut() {
                    last.2 = p[i + 1 + close].2;
                }
                i += close + 2;
                continue;
            }
        }
        out.push(p[i]);
        i += 1;
    }
    out
}

/// Drop short runs of separators between two Chinese characters: `公*安*局` → `公安局`.
fn strip_separators(p: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::with_capacity(p.len());
    let mut i = 0;
    while i < p.len() {
        if is_separator(p[i].0) && out.last().is_some_and(|l| is_han(l.0)) {
            let run = p[i..].iter().take_while(|q| is_separator(q.0)).count();
            if run <= MAX_SEPARATORS && p.get(i + run).is_some_and(|q| is_han(q.0)) {
                i += run;
                continue;
            }
        }
        out.push(p[i]);
        i += 1;
    }
    out
}

/// Traditional → simplified at phrase level (OpenCC tables), keeping each character's origin.
fn to_simplified(mut p: Vec<Piece>) -> Vec<Piece> {
    let trad = Traditional::get();
    if !p.iter().any(|q| trad.contains(q.0)) {
        return p;
    }
    let text: String = p.iter().map(|q| q.0).collect();
    let converted = trad.opencc.convert(&text);
    if converted.chars().count() == p.len() {
        for (q, c) in p.iter_mut().zip(converted.chars()) {
            q.0 = c;
        }
        return p;
    }
    // A phrase changed length: convert character by character to keep the map exact.
    let mut buf = [0u8; 4];
    let mut out = Vec::with_capacity(p.len());
    for q in p {
        if trad.contains(q.0) {
            let s: &str = q.0.encode_utf8(&mut buf);
            out.extend(trad.opencc.convert(s).chars().map(|c| (c, q.1, q.2)));
        } else {
            out.push(q);
        }
    }
    out
}

/// Normalise one message.
pub fn normalise(original: &str) -> Normalised<'_> {
    if is_plain(original) {
        return Normalised {
            text: Cow::Borrowed(original),
            map: OffsetMap::Identity,
        };
    }
    normalise_slow(original)
}

/// The full pipeline, without the fast path for text that needs no change.
fn normalise_slow(original: &str) -> Normalised<'_> {
    let pieces = to_simplified(strip_separators(strip_readings(fold(original))));
    let mut text = String::with_capacity(original.len() + 8);
    let mut spans: Vec<(u32, u32)> = Vec::with_capacity(original.len() + 8);
    for (c, s, e) in pieces {
        text.push(c);
        spans.extend(std::iter::repeat_n((s, e), c.len_utf8()));
    }
    Normalised {
        text: Cow::Owned(text),
        map: OffsetMap::Spans(spans),
    }
}

/// Normalise a lexicon term the same way as messages, trimmed; `None` when nothing is left.
pub fn normalise_term(term: &str) -> Option<String> {
    let n = normalise(term.trim()).text.trim().to_string();
    (!n.is_empty()).then_some(n)
}

/// Byte offset of character index `ci` in `s` (or `s.len()` past the end).
pub fn byte_of_char(s: &str, ci: usize) -> usize {
    s.char_indices().nth(ci).map(|(b, _)| b).unwrap_or(s.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn orig_of<'a>(orig: &'a str, n: &Normalised, needle: &str) -> &'a str {
        let b = n.text.find(needle).expect("needle in normalised text");
        let (s, e) = n.original_span(b, b + needle.len());
        &orig[byte_of_char(orig, s)..byte_of_char(orig, e)]
    }

    #[test]
    fn plain_chinese_takes_the_fast_path() {
        let n = normalise("你这个老赖，明天上门。");
        assert!(n.is_identity());
        assert_eq!(orig_of("你这个老赖，明天上门。", &n, "上门"), "上门");
        assert_eq!(
            n.original_span(
                n.text.find("上门").unwrap(),
                n.text.find("上门").unwrap() + 6
            ),
            (8, 10)
        );
    }

    #[test]
    fn width_case_and_invisible_characters_fold() {
        let orig = "你个ＳＢ，老\u{200B}赖 ABC";
        let n = normalise(orig);
        assert_eq!(n.text, "你个sb，老赖 abc");
        assert_eq!(normalise("a b").text, "a b");
        assert_eq!(orig_of(orig, &n, "sb"), "ＳＢ");
        assert_eq!(orig_of(orig, &n, "老赖"), "老\u{200B}赖");
        assert_eq!(orig_of(orig, &n, "abc"), "ABC");
    }

    #[test]
    fn one_character_expanding_maps_back_to_itself() {
        let orig = "见㈱公司";
        let n = normalise(orig);
        assert_eq!(n.text, "见(株)公司");
        assert_eq!(orig_of(orig, &n, "(株)"), "㈱");
        assert_eq!(orig_of(orig, &n, "株"), "㈱");
    }

    #[test]
    fn traditional_characters_become_simplified() {
        let orig = "我們會派人上門找你";
        let n = normalise(orig);
        assert_eq!(n.text, "我们会派人上门找你");
        assert_eq!(orig_of(orig, &n, "上门"), "上門");
        assert_eq!(normalise("你這個不要臉的東西").text, "你这个不要脸的东西");
    }

    #[test]
    fn ruby_readings_are_dropped_but_not_other_brackets() {
        let orig = "網(wǎng)貸(dai4)逾期";
        let n = normalise(orig);
        assert_eq!(n.text, "网贷逾期");
        assert_eq!(orig_of(orig, &n, "网贷"), "網(wǎng)貸(dai4)");
        assert_eq!(
            normalise("加微信(wechat)在(3天)内").text,
            "加微信(wechat)在(3天)内"
        );
        assert_eq!(normalise("老(ㄌㄠˇ)赖").text, "老赖");
    }

    #[test]
    fn separators_between_chinese_characters_are_dropped() {
        for (orig, want) in [
            ("法.院", "法院"),
            ("公＊安＊局", "公安局"),
            ("通 讯 录", "通讯录"),
            ("傻*逼", "傻逼"),
            ("老 赖", "老赖"),
            ("公  安   局", "公安局"),
        ] {
            assert_eq!(normalise(orig).text, want, "{orig}");
        }
        let orig = "找傻*逼";
        let n = normalise(orig);
        assert_eq!(orig_of(orig, &n, "傻逼"), "傻*逼");
        // Not between Chinese characters, or too long a run: kept.
        assert_eq!(normalise("ab 老赖").text, "ab 老赖");
        assert_eq!(normalise("好的。    明天").text, "好的。    明天");
        assert_eq!(normalise("好 ----- 的").text, "好 ----- 的");
    }

    #[test]
    fn fast_and_slow_paths_agree() {
        for text in [
            "你这个老赖，明天上门。",
            "abc 123 你好",
            "【星河金融】您的账单已逾期3天。回复td退订",
            "“好的”……——《通知》",
        ] {
            let fast = normalise(text);
            assert!(fast.is_identity(), "{text}");
            let slow = normalise_slow(text);
            assert_eq!(slow.text, fast.text);
            for (b, _) in text.char_indices() {
                let e = b + text[b..].chars().next().unwrap().len_utf8();
                assert_eq!(
                    slow.original_span(b, e),
                    fast.original_span(b, e),
                    "{text} at {b}"
                );
            }
        }
    }

    #[test]
    fn terms_normalise_like_text() {
        assert_eq!(normalise_term("  ＮＭＳＬ "), Some("nmsl".to_string()));
        assert_eq!(normalise_term(" \u{200B} "), None);
    }
}
