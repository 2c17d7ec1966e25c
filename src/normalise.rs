//! Normalisation before matching, with a map back to the original text.
//!
//! Each original character becomes zero or more normalised characters (NFKC width folding,
//! lower case; invisible characters vanish). Every normalised character remembers the range of
//! original characters it came from, so a hit in the normalised copy is reported as a
//! character span of the original message.

use std::borrow::Cow;
use unicode_normalization::UnicodeNormalization;

/// Characters that carry no text and are used to split words past filters.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}'
        | '\u{E0000}'..='\u{E007F}')
}

/// True when `c` is certainly unchanged by normalisation (the common case for Chinese text).
#[inline]
fn is_stable(c: char) -> bool {
    match c {
        '\0'..='@' | '['..='\u{7F}' => true,
        '\u{4E00}'..='\u{9FFF}' => true,
        // Full-width clause punctuation is kept as it is: it only ends clauses.
        '，' | '！' | '？' | '：' | '；' => true,
        '、' | '。' | '《' | '》' | '「' | '」' | '『' | '』' | '【' | '】' | '“' | '”' | '‘' | '’'
        | '…' | '—' | '〈' | '〉' => true,
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

/// Normalise one message.
pub fn normalise(original: &str) -> Normalised<'_> {
    if original.chars().all(is_stable) {
        return Normalised {
            text: Cow::Borrowed(original),
            map: OffsetMap::Identity,
        };
    }
    let mut text = String::with_capacity(original.len() + 8);
    let mut spans: Vec<(u32, u32)> = Vec::with_capacity(original.len() + 8);
    let mut push = |text: &mut String, c: char, i: u32| {
        let before = text.len();
        text.push(c);
        spans.extend(std::iter::repeat_n((i, i + 1), text.len() - before));
    };
    for (i, c) in original.chars().enumerate() {
        let i = i as u32;
        if is_stable(c) {
            push(&mut text, c, i);
            continue;
        }
        if is_invisible(c) {
            continue;
        }
        for d in std::iter::once(c).nfkc() {
            if is_invisible(d) {
                continue;
            }
            for l in d.to_lowercase() {
                push(&mut text, l, i);
            }
        }
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
        assert_eq!(n.original_span(n.text.find("上门").unwrap(), n.text.find("上门").unwrap() + 6), (8, 10));
    }

    #[test]
    fn width_case_and_invisible_characters_fold() {
        let orig = "你个ＳＢ，老\u{200B}赖 ABC";
        let n = normalise(orig);
        assert_eq!(n.text, "你个sb，老赖 abc");
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
    fn terms_normalise_like_text() {
        assert_eq!(normalise_term("  ＮＭＳＬ "), Some("nmsl".to_string()));
        assert_eq!(normalise_term(" \u{200B} "), None);
    }
}
