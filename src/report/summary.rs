//! Counting what was read, scanned, rejected and found, and printing it on stderr.
//! The invariant: records read = scanned + rejected.

use crate::input::RejectReason;
use std::collections::BTreeMap;
use std::fmt::Write as _;

#[derive(Debug, Default, Clone)]
pub struct Stats {
    /// Files opened for reading, by the encoding they were read as.
    pub encodings: BTreeMap<&'static str, u64>,
    pub files_read: u64,
    /// Zip archives listed (their members count as files).
    pub archives: u64,
    /// Files skipped on purpose, by reason (empty, binary).
    pub files_skipped: BTreeMap<&'static str, u64>,
    /// Paths that could not be read at all, or stopped part way.
    pub file_errors: u64,
    pub records_read: u64,
    pub scanned: u64,
    pub rejected: BTreeMap<RejectReason, u64>,
    /// Records scanned after decoding in an encoding other than the file's.
    pub fallback_decoded: u64,
    pub messages_flagged: u64,
    /// Findings by category id (with the Chinese name).
    pub findings: BTreeMap<(&'static str, &'static str), u64>,
}

impl Stats {
    pub fn merge(&mut self, other: Stats) {
        for (k, v) in other.encodings {
            *self.encodings.entry(k).or_default() += v;
        }
        self.files_read += other.files_read;
        self.archives += other.archives;
        for (k, v) in other.files_skipped {
            *self.files_skipped.entry(k).or_default() += v;
        }
        self.file_errors += other.file_errors;
        self.records_read += other.records_read;
        self.scanned += other.scanned;
        for (k, v) in other.rejected {
            *self.rejected.entry(k).or_default() += v;
        }
        self.fallback_decoded += other.fallback_decoded;
        self.messages_flagged += other.messages_flagged;
        for (k, v) in other.findings {
            *self.findings.entry(k).or_default() += v;
        }
    }

    pub fn rejected_total(&self) -> u64 {
        self.rejected.values().sum()
    }

    pub fn findings_total(&self) -> u64 {
        self.findings.values().sum()
    }

    /// The summary printed at the end of a scan.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let encs: Vec<String> = self
            .encodings
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        let _ = write!(s, "dunscan: files: {} read", self.files_read);
        if !encs.is_empty() {
            let _ = write!(s, " ({})", encs.join(", "));
        }
        if self.archives > 0 {
            let _ = write!(s, ", {} zip archives", self.archives);
        }
        for (k, v) in &self.files_skipped {
            let _ = write!(s, ", {v} skipped ({k})");
        }
        if self.file_errors > 0 {
            let _ = write!(s, ", {} with errors", self.file_errors);
        }
        let _ = writeln!(s);
        let _ = write!(
            s,
            "dunscan: records: {} read = {} scanned + {} rejected",
            self.records_read,
            self.scanned,
            self.rejected_total()
        );
        if !self.rejected.is_empty() {
            let r: Vec<String> = self
                .rejected
                .iter()
                .map(|(k, v)| format!("{} {v}", k.as_str()))
                .collect();
            let _ = write!(s, " ({})", r.join(", "));
        }
        if self.fallback_decoded > 0 {
            let _ = write!(
                s,
                "; {} decoded in a second encoding",
                self.fallback_decoded
            );
        }
        let _ = writeln!(s);
        let _ = write!(
            s,
            "dunscan: findings: {} in {} messages",
            self.findings_total(),
            self.messages_flagged
        );
        if !self.findings.is_empty() {
            let f: Vec<String> = self
                .findings
                .iter()
                .map(|((id, zh), v)| format!("{id} {zh} {v}"))
                .collect();
            let _ = write!(s, " ({})", f.join(", "));
        }
        let _ = writeln!(s);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_and_renders_totals_that_add_up() {
        let mut a = Stats {
            records_read: 3,
            scanned: 2,
            files_read: 1,
            ..Stats::default()
        };
        a.rejected.insert(RejectReason::FieldCount, 1);
        a.encodings.insert("UTF-8", 1);
        let mut b = Stats {
            records_read: 1,
            scanned: 1,
            messages_flagged: 1,
            ..Stats::default()
        };
        b.findings.insert(("threat", "威胁恐吓"), 2);
        a.merge(b);
        assert_eq!(a.records_read, a.scanned + a.rejected_total());
        let text = a.render();
        assert!(text.contains("files: 1 read (UTF-8 1)"), "{text}");
        assert!(
            text.contains("records: 4 read = 3 scanned + 1 rejected (wrong-field-count 1)"),
            "{text}"
        );
        assert!(
            text.contains("findings: 2 in 1 messages (threat 威胁恐吓 2)"),
            "{text}"
        );
    }
}
