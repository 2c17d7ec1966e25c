//! Turning decoded lines into messages: plain lines, transcript turns and JSON lines.

use super::decode::{Decoded, TextEncoding, decode_record};
use super::{
    CALL_NAMES, Columns, Format, ID_NAMES, Message, Reject, RejectReason, Role, SPEAKER_NAMES,
    SourceInfo, TEXT_NAMES, TIME_NAMES,
};
use std::borrow::Cow;

/// Messages, rejected records and warnings from one chunk of a file.
#[derive(Debug, Default, Clone)]
pub struct Parsed<'a> {
    pub messages: Vec<Message<'a>>,
    pub rejects: Vec<Reject>,
    /// Records that were scanned but deserve a note (e.g. decoded in another encoding).
    pub warnings: Vec<(u64, String)>,
}

/// Split a transcript turn into (time, speaker, text).
/// Accepts `[00:01:02] 坐席：text`, `00:01:02 坐席: text`, `坐席：text`.
pub fn split_turn(line: &str) -> (Option<&str>, Option<&str>, &str) {
    let mut rest = line.trim_start();
    let mut time = None;
    if let Some(inner) = rest.strip_prefix('[').or_else(|| rest.strip_prefix('【')) {
        if let Some(close) = inner.find([']', '】']) {
            let t = &inner[..close];
            if !t.is_empty() && t.len() <= 40 && t.chars().any(|c| c.is_ascii_digit()) {
                time = Some(t.trim());
                let width = inner[close..].chars().next().map_or(1, char::len_utf8);
                rest = inner[close + width..].trim_start();
            }
        }
    } else {
        let stamp_len = rest
            .char_indices()
            .take_while(|&(_, c)| {
                c.is_ascii_digit() || matches!(c, ':' | '-' | '/' | '.' | ' ' | 'T')
            })
            .last()
            .map_or(0, |(i, c)| i + c.len_utf8());
        let stamp = rest[..stamp_len].trim_end();
        if stamp.len() >= 5
            && stamp.contains(':')
            && stamp.starts_with(|c: char| c.is_ascii_digit())
            && stamp.len() < stamp_len
        {
            time = Some(stamp);
            rest = rest[stamp_len..].trim_start();
        }
    }
    if let Some((idx, colon)) = rest
        .char_indices()
        .take(14)
        .find(|&(_, c)| c == '：' || c == ':')
    {
        let label = rest[..idx].trim();
        let plausible = !label.is_empty()
            && label.chars().count() <= 12
            && !label.chars().all(|c| c.is_ascii_digit())
            && !label.contains(|c: char| "，。,.!?！？；;“”\"'".contains(c));
        if plausible {
            return (time, Some(label), rest[idx + colon.len_utf8()..].trim());
        }
    }
    (time, None, rest.trim())
}

/// Is this line a turn of a speaker whose role is known (`坐席：…`, `[00:01] 客户: …`)?
fn known_turn(line: &str) -> bool {
    matches!(split_turn(line), (_, Some(label), _) if Role::of_label(label) != Role::Unknown)
}

/// How a sample of plain-text lines is best read: a transcript when at least half of them are
/// turns of a known speaker, mixed when some are, plain lines otherwise.
pub fn sniff_text<'a>(lines: impl Iterator<Item = &'a str>) -> Format {
    let (mut total, mut turns) = (0, 0);
    for line in lines.filter(|l| !l.trim().is_empty()).take(50) {
        total += 1;
        turns += usize::from(known_turn(line));
    }
    if total > 0 && turns * 2 >= total {
        Format::Transcript
    } else if turns > 0 {
        Format::Mixed
    } else {
        Format::Lines
    }
}

/// Find a field by explicit name, else by the common names; case-insensitive, trimmed.
pub fn find_field<'a, I: IntoIterator<Item = &'a str> + Clone>(
    names: I,
    wanted: Option<&str>,
    common: &[&str],
) -> Option<usize> {
    let norm = |s: &str| s.trim().trim_start_matches('\u{FEFF}').to_lowercase();
    match wanted {
        Some(w) => {
            let w = norm(w);
            names.into_iter().position(|n| norm(n) == w)
        }
        None => common
            .iter()
            .find_map(|c| names.clone().into_iter().position(|n| norm(n) == *c)),
    }
}

fn json_field(
    obj: &serde_json::Map<String, serde_json::Value>,
    wanted: Option<&str>,
    common: &[&str],
) -> Option<String> {
    let keys: Vec<&str> = obj.keys().map(|k| k.as_str()).collect();
    let i = find_field(keys.iter().copied(), wanted, common)?;
    match &obj[keys[i]] {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn parse_json_line(line: &str, record: u64, columns: &Columns) -> Result<Message<'static>, Reject> {
    let reject = |reason, detail: String| Reject {
        record,
        reason,
        detail,
    };
    let value: serde_json::Value = serde_json::from_str(line)
        .map_err(|e| reject(RejectReason::InvalidJson, format!("invalid JSON: {e}")))?;
    let serde_json::Value::Object(obj) = value else {
        return Err(reject(
            RejectReason::InvalidJson,
            "JSON value is not an object".into(),
        ));
    };
    let Some(text) = json_field(&obj, columns.text.as_deref(), TEXT_NAMES) else {
        let keys: Vec<&str> = obj.keys().map(|k| k.as_str()).collect();
        let wanted = columns.text.as_deref().unwrap_or("text/content/内容…");
        return Err(reject(
            RejectReason::MissingText,
            format!("no text field `{wanted}` (fields: {})", keys.join(", ")),
        ));
    };
    let speaker = json_field(&obj, columns.speaker.as_deref(), SPEAKER_NAMES);
    Ok(Message {
        record,
        id: json_field(&obj, columns.id.as_deref(), ID_NAMES),
        call: json_field(&obj, columns.call.as_deref(), CALL_NAMES),
        role: speaker.as_deref().map(Role::of_label),
        speaker: speaker.map(Cow::Owned),
        time: json_field(&obj, columns.time.as_deref(), TIME_NAMES).map(Cow::Owned),
        text: Cow::Owned(text),
    })
}

/// Parse a chunk of complete lines starting at line `first_line` (1-based).
pub fn parse_lines<'a>(info: &SourceInfo, first_line: u64, data: &'a [u8]) -> Parsed<'a> {
    let mut out = Parsed::default();
    // A UTF-8 chunk is validated once; lines cut from valid UTF-8 at `\n` are valid too.
    let valid = match info.encoding {
        TextEncoding::Utf8 => simdutf8::basic::from_utf8(data).ok(),
        TextEncoding::Utf16 | TextEncoding::Legacy(_) => None,
    };
    if let Some(text) = valid {
        for (i, line) in text.split('\n').enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            push_line(info, first_line + i as u64, Cow::Borrowed(line), &mut out);
        }
        return out;
    }
    for (i, raw) in data.split(|&b| b == b'\n').enumerate() {
        let record = first_line + i as u64;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        match decode_record(raw, info.encoding) {
            Decoded::Ok(line) => push_line(info, record, line, &mut out),
            Decoded::Fallback(line, enc) => {
                out.warnings.push((
                    record,
                    format!("decoded as {enc}, not as the file's encoding"),
                ));
                push_line(info, record, line, &mut out);
            }
            Decoded::Invalid(detail) => out.rejects.push(Reject {
                record,
                reason: RejectReason::InvalidEncoding,
                detail,
            }),
        }
    }
    out
}

/// Turn one decoded line into a message (or a reject); blank lines are not records.
fn push_line<'a>(info: &SourceInfo, record: u64, line: Cow<'a, str>, out: &mut Parsed<'a>) {
    if line.trim().is_empty() {
        return;
    }
    match info.format {
        Format::Jsonl => match parse_json_line(&line, record, &info.columns) {
            Ok(m) => out.messages.push(m),
            Err(r) => out.rejects.push(r),
        },
        Format::Transcript => out.messages.push(turn(record, line)),
        Format::Mixed if known_turn(&line) => out.messages.push(turn(record, line)),
        _ => out.messages.push(Message {
            record,
            text: line,
            ..Message::default()
        }),
    }
}

/// A transcript turn: time, speaker (and its role) and the text after the label.
fn turn(record: u64, line: Cow<'_, str>) -> Message<'_> {
    match line {
        Cow::Borrowed(line) => {
            let (time, speaker, text) = split_turn(line);
            Message {
                record,
                role: speaker.map(Role::of_label),
                speaker: speaker.map(Cow::Borrowed),
                time: time.map(Cow::Borrowed),
                text: Cow::Borrowed(text),
                ..Message::default()
            }
        }
        Cow::Owned(line) => {
            let (time, speaker, text) = split_turn(&line);
            let owned = |s: &str| Cow::Owned(s.to_string());
            Message {
                record,
                role: speaker.map(Role::of_label),
                speaker: speaker.map(owned),
                time: time.map(owned),
                text: owned(text),
                ..Message::default()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::decode::TextEncoding;
    use super::*;
    use std::sync::Arc;

    fn info(format: Format) -> SourceInfo {
        SourceInfo {
            name: Arc::from("t"),
            format,
            encoding: TextEncoding::Utf8,
            columns: Columns::default(),
        }
    }

    #[test]
    fn transcript_turns_in_both_styles() {
        assert_eq!(
            split_turn("[00:01:02] 坐席：你好"),
            (Some("00:01:02"), Some("坐席"), "你好")
        );
        assert_eq!(split_turn("客户: 我没钱"), (None, Some("客户"), "我没钱"));
        assert_eq!(
            split_turn("00:01:02 坐席：在吗"),
            (Some("00:01:02"), Some("坐席"), "在吗")
        );
        assert_eq!(
            split_turn("今天下雨了，我说：好"),
            (None, None, "今天下雨了，我说：好")
        );
        assert_eq!(
            split_turn("no speaker here"),
            (None, None, "no speaker here")
        );
    }

    #[test]
    fn sniffs_transcripts_mixed_text_and_plain_lines() {
        let sniff = |lines: &[&str]| sniff_text(lines.iter().copied());
        assert_eq!(
            sniff(&["坐席：你好", "客户：嗯", "", "坐席：还钱"]),
            Format::Transcript
        );
        assert_eq!(
            sniff(&[
                "今天天气不错",
                "[00:01:02] 坐席：还钱",
                "新闻：股市上涨",
                "周末去公园"
            ]),
            Format::Mixed
        );
        assert_eq!(
            sniff(&[
                "【某某金融】您的账单已逾期",
                "今天天气不错",
                "新闻：股市上涨"
            ]),
            Format::Lines
        );
    }

    #[test]
    fn mixed_text_takes_apart_only_turns_of_known_speakers() {
        let p = parse_lines(
            &info(Format::Mixed),
            1,
            "今天天气不错\n[00:01:02] 客户：你个骗子\n新闻：股市上涨\n坐席: 明天上门\n".as_bytes(),
        );
        type Row<'a> = (u64, Option<Role>, Option<&'a str>, Option<&'a str>, &'a str);
        let got: Vec<Row> = p
            .messages
            .iter()
            .map(|m| {
                (
                    m.record,
                    m.role,
                    m.speaker.as_deref(),
                    m.time.as_deref(),
                    m.text.as_ref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (1, None, None, None, "今天天气不错"),
                (
                    2,
                    Some(Role::Customer),
                    Some("客户"),
                    Some("00:01:02"),
                    "你个骗子"
                ),
                (3, None, None, None, "新闻：股市上涨"),
                (4, Some(Role::Agent), Some("坐席"), None, "明天上门"),
            ]
        );
    }

    #[test]
    fn lines_keep_numbers_and_skip_blanks() {
        let p = parse_lines(
            &info(Format::Transcript),
            10,
            "坐席：一\r\n\n客户：二\n张三：三".as_bytes(),
        );
        let got: Vec<(u64, Option<Role>, &str)> = p
            .messages
            .iter()
            .map(|m| (m.record, m.role, m.text.as_ref()))
            .collect();
        assert_eq!(
            got,
            vec![
                (10, Some(Role::Agent), "一"),
                (12, Some(Role::Customer), "二"),
                (13, Some(Role::Unknown), "三"),
            ]
        );
    }

    #[test]
    fn json_lines_and_their_errors() {
        let data = "{\"id\":7,\"role\":\"坐席\",\"content\":\"你好\"}\n{bad\n{\"x\":1}\n[1]\n";
        let p = parse_lines(&info(Format::Jsonl), 1, data.as_bytes());
        assert_eq!(p.messages.len(), 1);
        assert_eq!(p.messages[0].id.as_deref(), Some("7"));
        assert_eq!(p.messages[0].role, Some(Role::Agent));
        let reasons: Vec<(u64, RejectReason)> =
            p.rejects.iter().map(|r| (r.record, r.reason)).collect();
        assert_eq!(
            reasons,
            vec![
                (2, RejectReason::InvalidJson),
                (3, RejectReason::MissingText),
                (4, RejectReason::InvalidJson),
            ]
        );
        assert!(
            p.rejects[1].detail.contains("fields: x"),
            "{}",
            p.rejects[1].detail
        );
    }

    #[test]
    fn invalid_bytes_are_rejected_not_replaced() {
        let p = parse_lines(&info(Format::Lines), 1, b"ok\n\xFF\xFE\xFDbad\n");
        assert_eq!(p.messages.len(), 1);
        assert_eq!(p.rejects.len(), 1);
        assert_eq!(p.rejects[0].record, 2);
        assert_eq!(p.rejects[0].reason, RejectReason::InvalidEncoding);
    }
}
