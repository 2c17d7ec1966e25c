//! Output: one sink per format behind one interface. Rows are formatted by the workers into
//! byte buffers, which the main thread writes in input order.

mod summary;
pub use summary::Stats;

use crate::input::Message;
use crate::matcher::{Finding, Matcher};
use crate::rules::Severity;
use serde::Serialize;
use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutFormat {
    Table,
    Csv,
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    Findings,
    Messages,
}

pub const FINDING_COLUMNS: &[&str] = &[
    "source",
    "record",
    "id",
    "call",
    "speaker",
    "role",
    "time",
    "category",
    "category_zh",
    "rule",
    "severity",
    "start",
    "end",
    "matched",
    "excerpt",
    "description",
    "basis",
];
pub const MESSAGE_COLUMNS: &[&str] = &[
    "source",
    "record",
    "id",
    "call",
    "speaker",
    "role",
    "time",
    "categories",
    "severity",
    "rules",
    "findings",
    "text",
];

/// Characters of context on each side of the evidence in `excerpt`.
const CONTEXT: usize = 12;

pub struct Reporter {
    pub format: OutFormat,
    pub kind: ReportKind,
    /// ANSI highlighting in the table format.
    pub color: bool,
    /// Start CSV output with a UTF-8 BOM so that Excel/WPS read it as UTF-8.
    pub bom: bool,
}

/// The original text of a character span, and an excerpt around it.
pub struct Evidence<'a> {
    pub before: &'a str,
    pub matched: &'a str,
    pub after: &'a str,
    pub cut_before: bool,
    pub cut_after: bool,
}

impl Evidence<'_> {
    pub fn of(text: &str, start: usize, end: usize) -> Evidence<'_> {
        let idx: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        let at = |c: usize| idx[c.min(idx.len() - 1)];
        let n = idx.len() - 1;
        let from = start.saturating_sub(CONTEXT);
        let to = (end + CONTEXT).min(n);
        Evidence {
            before: &text[at(from)..at(start)],
            matched: &text[at(start)..at(end)],
            after: &text[at(end)..at(to)],
            cut_before: from > 0,
            cut_after: to < n,
        }
    }

    pub fn excerpt(&self, mark: (&str, &str)) -> String {
        let mut s = String::new();
        if self.cut_before {
            s.push('…');
        }
        s.push_str(self.before);
        s.push_str(mark.0);
        s.push_str(self.matched);
        s.push_str(mark.1);
        s.push_str(self.after);
        if self.cut_after {
            s.push('…');
        }
        s
    }
}

#[derive(Serialize)]
struct FindingRow<'a> {
    source: &'a str,
    record: u64,
    id: Option<&'a str>,
    call: Option<&'a str>,
    speaker: Option<&'a str>,
    role: &'a str,
    time: Option<&'a str>,
    category: &'a str,
    category_zh: &'a str,
    rule: &'a str,
    severity: Severity,
    start: usize,
    end: usize,
    matched: &'a str,
    excerpt: String,
    description: &'a str,
    basis: &'a str,
}

#[derive(Serialize)]
struct FindingBrief<'a> {
    category: &'a str,
    rule: &'a str,
    severity: Severity,
    start: usize,
    end: usize,
    matched: &'a str,
}

#[derive(Serialize)]
struct MessageRow<'a> {
    source: &'a str,
    record: u64,
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    call: Option<&'a str>,
    speaker: Option<&'a str>,
    role: &'a str,
    time: Option<&'a str>,
    text: &'a str,
    categories: Vec<&'a str>,
    severity: Option<Severity>,
    findings: Vec<FindingBrief<'a>>,
}

fn csv_writer(out: &mut Vec<u8>) -> csv::Writer<&mut Vec<u8>> {
    csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(out)
}

impl Reporter {
    /// What goes before the first row.
    pub fn header(&self) -> Vec<u8> {
        let mut out = Vec::new();
        if self.format == OutFormat::Csv {
            if self.bom {
                out.extend_from_slice(b"\xEF\xBB\xBF");
            }
            let cols = match self.kind {
                ReportKind::Findings => FINDING_COLUMNS,
                ReportKind::Messages => MESSAGE_COLUMNS,
            };
            let mut w = csv_writer(&mut out);
            w.write_record(cols).expect("write to memory");
            w.flush().expect("write to memory");
        }
        out
    }

    /// Append the rows for one scanned message.
    pub fn write(
        &self,
        out: &mut Vec<u8>,
        source: &str,
        msg: &Message,
        findings: &[Finding],
        m: &Matcher,
    ) {
        match self.kind {
            ReportKind::Findings => {
                for f in findings {
                    self.write_finding(out, source, msg, f, m);
                }
            }
            ReportKind::Messages => self.write_message(out, source, msg, findings, m),
        }
    }

    fn write_finding(
        &self,
        out: &mut Vec<u8>,
        source: &str,
        msg: &Message,
        f: &Finding,
        m: &Matcher,
    ) {
        let rule = m.rule(f);
        let ev = Evidence::of(&msg.text, f.start, f.end);
        if self.format == OutFormat::Table {
            let (on, off) = if self.color {
                ("\x1b[1;31m", "\x1b[0m")
            } else {
                ("«", "»")
            };
            let mut line = String::new();
            let _ = write!(line, "{source}:{}", msg.record);
            if let Some(s) = &msg.speaker {
                let _ = write!(line, " {s}");
            }
            if let Some(t) = &msg.time {
                let _ = write!(line, " [{t}]");
            }
            let _ = writeln!(
                line,
                "  {} {} {} {}-{}  {}",
                rule.category.zh,
                rule.id,
                rule.severity,
                f.start,
                f.end,
                one_line(&ev.excerpt((on, off)))
            );
            out.extend_from_slice(line.as_bytes());
            return;
        }
        let row = FindingRow {
            source,
            record: msg.record,
            id: msg.id.as_deref(),
            call: msg.call.as_deref(),
            speaker: msg.speaker.as_deref(),
            role: msg.role().as_str(),
            time: msg.time.as_deref(),
            category: rule.category.id,
            category_zh: rule.category.zh,
            rule: &rule.id,
            severity: rule.severity,
            start: f.start,
            end: f.end,
            matched: ev.matched,
            excerpt: ev.excerpt(("", "")),
            description: &rule.description,
            basis: &rule.basis,
        };
        match self.format {
            OutFormat::Csv => {
                let mut w = csv_writer(out);
                w.serialize(&row).expect("write to memory");
                w.flush().expect("write to memory");
            }
            _ => {
                serde_json::to_writer(&mut *out, &row).expect("write to memory");
                out.push(b'\n');
            }
        }
    }

    fn write_message(
        &self,
        out: &mut Vec<u8>,
        source: &str,
        msg: &Message,
        findings: &[Finding],
        m: &Matcher,
    ) {
        let mut categories: Vec<&str> = findings.iter().map(|f| m.rule(f).category.id).collect();
        categories.sort_unstable();
        categories.dedup();
        let severity = findings.iter().map(|f| m.rule(f).severity).max();
        match self.format {
            OutFormat::Table => {
                let mut line = format!("{source}:{}", msg.record);
                if let Some(s) = &msg.speaker {
                    let _ = write!(line, " {s}");
                }
                let label = if categories.is_empty() {
                    "-".to_string()
                } else {
                    categories.join(",")
                };
                let _ = writeln!(line, "  [{label}]  {}", one_line(&msg.text));
                out.extend_from_slice(line.as_bytes());
            }
            OutFormat::Csv => {
                let mut rules: Vec<&str> = findings.iter().map(|f| m.rule(f).id.as_str()).collect();
                rules.dedup();
                let record = msg.record.to_string();
                let n = findings.len().to_string();
                let cats = categories.join(";");
                let rules = rules.join(";");
                let row: [&str; 12] = [
                    source,
                    &record,
                    msg.id.as_deref().unwrap_or(""),
                    msg.call.as_deref().unwrap_or(""),
                    msg.speaker.as_deref().unwrap_or(""),
                    msg.role().as_str(),
                    msg.time.as_deref().unwrap_or(""),
                    &cats,
                    severity.map_or("", |s| s.as_str()),
                    &rules,
                    &n,
                    &msg.text,
                ];
                let mut w = csv_writer(out);
                w.write_record(row).expect("write to memory");
                w.flush().expect("write to memory");
            }
            OutFormat::Jsonl => {
                let row = MessageRow {
                    source,
                    record: msg.record,
                    id: msg.id.as_deref(),
                    call: msg.call.as_deref(),
                    speaker: msg.speaker.as_deref(),
                    role: msg.role().as_str(),
                    time: msg.time.as_deref(),
                    text: &msg.text,
                    categories,
                    severity,
                    findings: findings
                        .iter()
                        .map(|f| {
                            let rule = m.rule(f);
                            FindingBrief {
                                category: rule.category.id,
                                rule: &rule.id,
                                severity: rule.severity,
                                start: f.start,
                                end: f.end,
                                matched: Evidence::of(&msg.text, f.start, f.end).matched,
                            }
                        })
                        .collect(),
                };
                serde_json::to_writer(&mut *out, &row).expect("write to memory");
                out.push(b'\n');
            }
        }
    }
}

fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_is_cut_from_the_original() {
        let text = "一二三四五六七八九十甲乙丙丁戊己庚辛壬癸老赖子丑寅卯辰巳午未申酉戌亥";
        let start = text.chars().position(|c| c == '老').unwrap();
        let ev = Evidence::of(text, start, start + 2);
        assert_eq!(ev.matched, "老赖");
        assert_eq!(
            ev.excerpt(("[", "]")),
            "…九十甲乙丙丁戊己庚辛壬癸[老赖]子丑寅卯辰巳午未申酉戌亥"
        );
        let ev = Evidence::of("老赖", 0, 2);
        assert_eq!(ev.excerpt(("", "")), "老赖");
    }
}
