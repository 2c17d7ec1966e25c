//! Choosing a file's encoding and decoding its records.
//!
//! Per file: a BOM wins (UTF-8, UTF-16LE/BE); then strict UTF-8; then chardetng over the first
//! 64 KiB, accepting only GB18030 (GBK) and Big5, with GB18030 as the fallback. UTF-16 files
//! are transcoded to UTF-8 as a stream; ASCII-compatible encodings are decoded record by record
//! so that an undecodable record is rejected with its line number instead of being replaced.

use encoding_rs::{BIG5, Encoding, GB18030, UTF_16BE, UTF_16LE};
use std::borrow::Cow;

/// How the records of a file are decoded once any UTF-16 has been transcoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    /// UTF-8 transcoded from UTF-16: the transcoder put U+FFFD where the UTF-16 was invalid
    /// (an unpaired surrogate, an odd last byte), so a record holding U+FFFD is rejected.
    Utf16,
    Legacy(&'static Encoding),
}

/// What `--encoding` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forced {
    Auto,
    Utf8,
    Gb18030,
    Big5,
    Utf16Le,
    Utf16Be,
}

impl Forced {
    pub fn parse(s: &str) -> Option<Forced> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "auto" => Some(Forced::Auto),
            "utf-8" | "utf8" => Some(Forced::Utf8),
            "gb18030" | "gbk" | "gb2312" | "cp936" => Some(Forced::Gb18030),
            "big5" => Some(Forced::Big5),
            "utf-16le" | "utf16le" | "utf-16" => Some(Forced::Utf16Le),
            "utf-16be" | "utf16be" => Some(Forced::Utf16Be),
            _ => None,
        }
    }
}

/// The decision for one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detected {
    /// Shown in the summary: `UTF-8`, `UTF-8 (BOM)`, `UTF-16LE`, `GB18030`, `Big5`.
    pub label: &'static str,
    /// Bytes of BOM to skip.
    pub bom_len: usize,
    /// Set when the byte stream must be transcoded from UTF-16 first.
    pub utf16: Option<&'static Encoding>,
    /// How records are decoded (after any transcoding).
    pub text: TextEncoding,
}

const UTF8: Detected = Detected {
    label: "UTF-8",
    bom_len: 0,
    utf16: None,
    text: TextEncoding::Utf8,
};

fn legacy(enc: &'static Encoding) -> Detected {
    Detected {
        label: if enc == BIG5 { "Big5" } else { "GB18030" },
        bom_len: 0,
        utf16: None,
        text: TextEncoding::Legacy(enc),
    }
}

fn utf16(enc: &'static Encoding, bom_len: usize) -> Detected {
    Detected {
        label: if enc == UTF_16LE {
            "UTF-16LE"
        } else {
            "UTF-16BE"
        },
        bom_len,
        utf16: Some(enc),
        text: TextEncoding::Utf16,
    }
}

/// Is `prefix` valid UTF-8, allowing a character cut off at the end?
fn is_utf8_prefix(prefix: &[u8]) -> bool {
    match std::str::from_utf8(prefix) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

/// Most lines with non-ASCII bytes are valid UTF-8: a UTF-8 file with some lines in another
/// encoding (real GBK or Big5 Chinese text is almost never valid UTF-8).
fn mostly_utf8_lines(prefix: &[u8]) -> bool {
    let (mut utf8, mut other) = (0usize, 0usize);
    let mut lines: Vec<&[u8]> = prefix.split(|&b| b == b'\n').collect();
    if lines.len() > 1 {
        lines.pop(); // possibly cut off
    }
    for line in lines.into_iter().filter(|l| !l.is_ascii()) {
        if std::str::from_utf8(line).is_ok() {
            utf8 += 1
        } else {
            other += 1
        }
    }
    utf8 > other
}

/// UTF-16 without a BOM: zero bytes only at odd (LE) or only at even (BE) positions.
fn sniff_utf16(prefix: &[u8]) -> Option<&'static Encoding> {
    if prefix.len() < 4 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for (i, &b) in prefix.iter().enumerate() {
        if b == 0 {
            if i % 2 == 0 { even += 1 } else { odd += 1 }
        }
    }
    let pairs = prefix.len() / 2;
    let enough = |n: usize| n * 10 >= pairs.max(1);
    if odd > 0 && even == 0 && enough(odd) {
        Some(UTF_16LE)
    } else if even > 0 && odd == 0 && enough(even) {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// A file that is not text: NUL bytes that are not UTF-16, or mostly control bytes.
/// A text file with a few stray NUL bytes stays text (they are ignored when matching).
pub fn looks_binary(prefix: &[u8]) -> bool {
    let controls = prefix
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c | 0x1b))
        .count();
    controls * 20 > prefix.len().max(1)
}

/// Decide a file's encoding from its first bytes. `Err(())` means the file is binary.
#[allow(clippy::result_unit_err)]
pub fn detect(prefix: &[u8], forced: Forced) -> Result<Detected, ()> {
    let bom = Encoding::for_bom(prefix);
    match forced {
        Forced::Utf8 => {
            let bom_len = if prefix.starts_with(b"\xEF\xBB\xBF") {
                3
            } else {
                0
            };
            return Ok(Detected { bom_len, ..UTF8 });
        }
        Forced::Gb18030 => return Ok(legacy(GB18030)),
        Forced::Big5 => return Ok(legacy(BIG5)),
        Forced::Utf16Le | Forced::Utf16Be => {
            let enc = if forced == Forced::Utf16Le {
                UTF_16LE
            } else {
                UTF_16BE
            };
            let bom_len = match bom {
                Some((e, n)) if e == enc => n,
                _ => 0,
            };
            return Ok(utf16(enc, bom_len));
        }
        Forced::Auto => {}
    }
    if let Some((enc, n)) = bom {
        return Ok(if enc == UTF_16LE || enc == UTF_16BE {
            utf16(enc, n)
        } else {
            Detected {
                label: "UTF-8 (BOM)",
                bom_len: n,
                ..UTF8
            }
        });
    }
    if let Some(enc) = sniff_utf16(prefix) {
        return Ok(utf16(enc, 0));
    }
    if looks_binary(prefix) {
        return Err(());
    }
    if is_utf8_prefix(prefix) || mostly_utf8_lines(prefix) {
        return Ok(UTF8);
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(prefix, false);
    let guess = det.guess(None, chardetng::Utf8Detection::Deny);
    Ok(if guess == BIG5 {
        legacy(BIG5)
    } else {
        legacy(GB18030)
    })
}

/// The outcome of decoding one record.
pub enum Decoded<'a> {
    /// Decoded in the file's encoding.
    Ok(Cow<'a, str>),
    /// Not valid in the file's encoding but valid in another one (a file mixing encodings).
    Fallback(Cow<'a, str>, &'static str),
    /// Undecodable: a description of the first bad byte.
    Invalid(String),
}

/// Decode one record strictly, never replacing bytes.
pub fn decode_record(bytes: &[u8], enc: TextEncoding) -> Decoded<'_> {
    match enc {
        TextEncoding::Utf8 => match std::str::from_utf8(bytes) {
            Ok(s) => Decoded::Ok(Cow::Borrowed(s)),
            Err(e) => {
                if let Some(s) = GB18030.decode_without_bom_handling_and_without_replacement(bytes)
                {
                    return Decoded::Fallback(s, "GB18030");
                }
                let at = e.valid_up_to();
                Decoded::Invalid(format!(
                    "invalid UTF-8 byte 0x{:02X} at byte {} of the record",
                    bytes[at],
                    at + 1
                ))
            }
        },
        TextEncoding::Utf16 => {
            let s = String::from_utf8_lossy(bytes);
            match s.chars().position(|c| c == '\u{FFFD}') {
                None => Decoded::Ok(s),
                Some(at) => Decoded::Invalid(format!(
                    "invalid UTF-16 (unpaired surrogate or odd byte) at character {} of the record",
                    at + 1
                )),
            }
        }
        TextEncoding::Legacy(enc) => {
            // Chinese text in GBK/Big5 is almost never valid UTF-8; a non-ASCII record that is
            // valid UTF-8 is a UTF-8 record in a legacy file.
            if !bytes.is_ascii()
                && let Ok(s) = std::str::from_utf8(bytes)
            {
                return Decoded::Fallback(Cow::Borrowed(s), "UTF-8");
            }
            if let Some(s) = enc.decode_without_bom_handling_and_without_replacement(bytes) {
                return Decoded::Ok(s);
            }
            Decoded::Invalid(format!("bytes not valid in {}", enc.name()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_boms_utf8_and_gbk() {
        assert_eq!(
            detect("坐席：你好".as_bytes(), Forced::Auto).unwrap().label,
            "UTF-8"
        );
        let bom = [b"\xEF\xBB\xBF".as_slice(), "你好".as_bytes()].concat();
        let d = detect(&bom, Forced::Auto).unwrap();
        assert_eq!((d.label, d.bom_len), ("UTF-8 (BOM)", 3));
        let (gbk, _, _) =
            GB18030.encode("你这个老赖，明天我们就上门找你，通知你的家人和单位领导。");
        assert_eq!(detect(&gbk, Forced::Auto).unwrap().label, "GB18030");
        let mut le = vec![0xFF, 0xFE];
        for u in "你好\n".encode_utf16() {
            le.extend(u.to_le_bytes());
        }
        assert_eq!(detect(&le, Forced::Auto).unwrap().label, "UTF-16LE");
        assert!(detect(b"\x7fELF\x02\x01\x01\x00\x00\x00", Forced::Auto).is_err());
        let mixed = [
            "坐席：您好\n".as_bytes(),
            &GB18030.encode("坐席：老赖\n").0,
            "坐席：再见\n".as_bytes(),
        ]
        .concat();
        assert_eq!(detect(&mixed, Forced::Auto).unwrap().label, "UTF-8");
    }

    #[test]
    fn records_decode_strictly_with_fallback() {
        assert!(
            matches!(decode_record("老赖".as_bytes(), TextEncoding::Utf8), Decoded::Ok(s) if s == "老赖")
        );
        let (gbk, _, _) = GB18030.encode("老赖");
        assert!(
            matches!(decode_record(&gbk, TextEncoding::Utf8), Decoded::Fallback(s, "GB18030") if s == "老赖")
        );
        match decode_record(b"ab\xFF\xFF", TextEncoding::Utf8) {
            Decoded::Invalid(d) => assert_eq!(d, "invalid UTF-8 byte 0xFF at byte 3 of the record"),
            _ => panic!("expected invalid"),
        }
    }
}
