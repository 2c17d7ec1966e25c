//! Input: finding files, decoding them, and turning them into messages.
//!
//! `walk` lists the inputs, `decode` picks each file's encoding, `units` cuts a file into
//! units of work (raw newline-aligned line chunks, or parsed CSV records), and `parse` turns a
//! line chunk into messages. Anything that cannot become a message becomes a [`Reject`] with
//! its file, record number and reason, so that read = scanned + rejected always holds.

pub mod archive;
pub mod decode;
pub mod parse;
pub mod units;
pub mod walk;

use serde::Serialize;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// Who said a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Agent,
    Customer,
    Unknown,
}

const AGENT_LABELS: &[&str] = &[
    "坐席",
    "催收员",
    "催收",
    "客服",
    "业务员",
    "调解员",
    "专员",
    "agent",
    "collector",
];
const CUSTOMER_LABELS: &[&str] = &[
    "客户",
    "借款人",
    "债务人",
    "用户",
    "customer",
    "debtor",
    "borrower",
];

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Customer => "customer",
            Role::Unknown => "unknown",
        }
    }

    /// Parse a role id as written in lexicons (`agent`, `customer`, `unknown`).
    pub fn parse_id(s: &str) -> Option<Role> {
        match s.trim() {
            "agent" => Some(Role::Agent),
            "customer" => Some(Role::Customer),
            "unknown" => Some(Role::Unknown),
            _ => None,
        }
    }

    /// The role of a speaker label such as `坐席`, `客服小王`, `Customer` or `借款人A`.
    pub fn of_label(label: &str) -> Role {
        let l = label.trim().as_bytes();
        // The labels are Chinese or ASCII: ASCII case folding is all they need.
        let starts =
            |p: &&str| l.len() >= p.len() && l[..p.len()].eq_ignore_ascii_case(p.as_bytes());
        if AGENT_LABELS.iter().any(starts) {
            Role::Agent
        } else if CUSTOMER_LABELS.iter().any(starts) {
            Role::Customer
        } else {
            Role::Unknown
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a file is cut into records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Lines,
    /// Plain lines among which some are turns of a known speaker (`坐席：…`): those are read
    /// as turns, the rest as plain messages.
    Mixed,
    Transcript,
    Csv,
    Tsv,
    Jsonl,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Lines => "lines",
            Format::Mixed => "mixed",
            Format::Transcript => "transcript",
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Jsonl => "jsonl",
        }
    }
}

/// Names of the fields that hold each part of a message (CSV, TSV, JSON lines).
#[derive(Debug, Clone, Default)]
pub struct Columns {
    pub text: Option<String>,
    pub id: Option<String>,
    pub speaker: Option<String>,
    pub time: Option<String>,
    pub call: Option<String>,
}

pub const TEXT_NAMES: &[&str] = &[
    "text",
    "content",
    "message",
    "msg",
    "body",
    "内容",
    "短信内容",
    "通话内容",
    "文本",
    "消息内容",
    "信息内容",
    "对话内容",
];
pub const ID_NAMES: &[&str] = &["id", "序号", "编号", "短信id", "消息id", "记录id"];
pub const SPEAKER_NAMES: &[&str] = &["speaker", "role", "角色", "说话人", "发言人", "发送方"];
pub const TIME_NAMES: &[&str] = &[
    "time",
    "timestamp",
    "时间",
    "发送时间",
    "通话时间",
    "开始时间",
    "日期",
];
pub const CALL_NAMES: &[&str] = &["call", "call_id", "通话id", "通话编号", "会话id"];

/// A file (or archive member, or stdin) being read.
#[derive(Debug)]
pub struct SourceInfo {
    /// Shown in reports: the path as given, `archive.zip!member`, or `-` for stdin.
    pub name: Arc<str>,
    pub format: Format,
    pub encoding: decode::TextEncoding,
    pub columns: Columns,
}

/// One message ready to scan. Lines of a UTF-8 chunk are borrowed from the chunk; decoded
/// lines and CSV or JSON fields are owned.
#[derive(Debug, Clone, Default)]
pub struct Message<'a> {
    /// 1-based line number (text, transcripts, JSON lines) or data-row number (CSV, TSV).
    pub record: u64,
    pub id: Option<String>,
    pub call: Option<String>,
    pub speaker: Option<Cow<'a, str>>,
    pub role: Option<Role>,
    pub time: Option<Cow<'a, str>>,
    pub text: Cow<'a, str>,
}

impl Message<'_> {
    pub fn role(&self) -> Role {
        self.role.unwrap_or(Role::Unknown)
    }
}

/// Why a record was not scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RejectReason {
    InvalidEncoding,
    FieldCount,
    MissingText,
    InvalidJson,
    LineTooLong,
    UnbalancedQuote,
}

impl RejectReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::InvalidEncoding => "invalid-encoding",
            RejectReason::FieldCount => "wrong-field-count",
            RejectReason::MissingText => "missing-text",
            RejectReason::InvalidJson => "invalid-json",
            RejectReason::LineTooLong => "line-too-long",
            RejectReason::UnbalancedQuote => "unbalanced-quote",
        }
    }
}

/// A record that could not be scanned: where, and why.
#[derive(Debug, Clone)]
pub struct Reject {
    pub record: u64,
    pub reason: RejectReason,
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_from_labels() {
        assert_eq!(Role::of_label("坐席"), Role::Agent);
        assert_eq!(Role::of_label("客服小王"), Role::Agent);
        assert_eq!(Role::of_label("Agent"), Role::Agent);
        assert_eq!(Role::of_label("借款人"), Role::Customer);
        assert_eq!(Role::of_label("customer"), Role::Customer);
        assert_eq!(Role::of_label("张三"), Role::Unknown);
    }
}
