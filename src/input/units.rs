//! Cutting inputs into units of work, in input order.
//!
//! Text, transcript and JSON-lines files become chunks of whole lines (about 1 MiB) that the
//! workers decode and parse in parallel; CSV and TSV files are parsed here, in order, into
//! batches of records. A line longer than [`MAX_LINE`] is rejected and skipped without being
//! held in memory.

use super::archive;
use super::decode::{self, Decoded, Detected, Forced, decode_record};
use super::parse::{Parsed, find_field, sniff_text};
use super::walk::{Input, describe};
use super::{
    CALL_NAMES, Columns, Format, ID_NAMES, Message, Reject, RejectReason, Role, SPEAKER_NAMES,
    SourceInfo, TEXT_NAMES, TIME_NAMES,
};
use std::borrow::Cow;
use std::collections::VecDeque;
use std::io::{self, Read};
use std::sync::Arc;

/// Target size of a chunk of lines handed to a worker.
pub const CHUNK: usize = 1 << 20;
/// Longest line (record) accepted, in bytes.
pub const MAX_LINE: usize = 8 << 20;
/// A quoted CSV field running over more lines than this is taken for an unbalanced quote.
const MAX_FIELD_LINES: usize = 100;
/// Rows per CSV batch.
const CSV_BATCH: usize = 4096;
/// Bytes read to decide a file's encoding and format.
const SNIFF: usize = 64 << 10;

#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// `None`: decide per file (extension, then content).
    pub format: Option<Format>,
    pub encoding: Forced,
    pub columns: Columns,
}

/// One step of reading, in input order.
#[derive(Debug)]
pub enum Unit {
    /// A file was opened and will be read with this encoding and format.
    FileStart {
        info: Arc<SourceInfo>,
        encoding: &'static str,
    },
    /// A file could not be read at all (or stopped part way).
    FileError { name: String, message: String },
    /// A file was skipped on purpose (empty, binary).
    FileSkipped { name: String, reason: &'static str },
    /// A zip archive was listed; its members follow as inputs of their own.
    ArchiveOpened { name: String },
    /// Whole lines starting at 1-based line `first_line`, to parse in a worker.
    Lines {
        info: Arc<SourceInfo>,
        first_line: u64,
        data: Vec<u8>,
    },
    /// Records already parsed (CSV/TSV), or rejects found while reading.
    Records {
        info: Arc<SourceInfo>,
        parsed: Parsed<'static>,
    },
}

type DynRead = Box<dyn Read + Send>;

enum Current {
    Lines(LineReader),
    Csv(CsvReader),
}

pub struct Units {
    inputs: VecDeque<Input>,
    opts: ReadOptions,
    current: Option<Current>,
    /// Units to hand out before reading on (notes about archive members).
    queued: VecDeque<Unit>,
}

impl Units {
    pub fn new(inputs: Vec<Input>, opts: ReadOptions) -> Units {
        Units {
            inputs: inputs.into(),
            opts,
            current: None,
            queued: VecDeque::new(),
        }
    }

    fn open(&mut self, input: Input) -> Unit {
        let (name, reader): (String, DynRead) = match input {
            Input::Stdin => ("-".into(), Box::new(io::stdin())),
            Input::ZipMember(m) => {
                let name = format!("{}!{}", m.archive.display(), m.name);
                (name, archive::open_member(&m))
            }
            Input::File(path) => {
                let name = path.display().to_string();
                if name.to_lowercase().ends_with(".zip") {
                    return self.open_zip(path, name);
                }
                match std::fs::File::open(&path) {
                    Ok(f) => (name, Box::new(f)),
                    Err(e) => {
                        return Unit::FileError {
                            name,
                            message: describe(&e),
                        };
                    }
                }
            }
        };
        let reader = if name.to_lowercase().ends_with(".gz") {
            archive::gunzip(reader)
        } else {
            reader
        };
        let ext = archive::inner_extension(&name);
        self.open_reader(name, reader, &ext)
    }

    /// Queue a zip archive's members as inputs of their own, in archive order.
    fn open_zip(&mut self, path: std::path::PathBuf, name: String) -> Unit {
        match archive::list_zip(&path) {
            Err(message) => Unit::FileError { name, message },
            Ok((members, skipped)) => {
                for s in skipped {
                    self.queued.push_back(Unit::FileSkipped {
                        name: format!("{name}!{}", s.name),
                        reason: if s.reason.starts_with("encrypted") {
                            "encrypted archive member"
                        } else {
                            "unreadable archive member"
                        },
                    });
                }
                for m in members.into_iter().rev() {
                    self.inputs.push_front(Input::ZipMember(m));
                }
                Unit::ArchiveOpened { name }
            }
        }
    }

    /// Start reading `reader`, shown as `name`; `ext` is the lower-case file extension.
    fn open_reader(&mut self, name: String, mut reader: DynRead, ext: &str) -> Unit {
        let mut prefix = Vec::with_capacity(SNIFF);
        if let Err(e) = (&mut reader).take(SNIFF as u64).read_to_end(&mut prefix) {
            return Unit::FileError {
                name,
                message: describe(&e),
            };
        }
        if prefix.is_empty() {
            return Unit::FileSkipped {
                name,
                reason: "empty file",
            };
        }
        let Ok(detected) = decode::detect(&prefix, self.opts.encoding) else {
            return Unit::FileSkipped {
                name,
                reason: "binary file",
            };
        };
        let format = self
            .opts
            .format
            .unwrap_or_else(|| guess_format(ext, &prefix, &detected));
        let rest: DynRead = Box::new(
            io::Cursor::new(prefix.split_off(detected.bom_len.min(prefix.len()))).chain(reader),
        );
        let stream: DynRead = match detected.utf16 {
            Some(enc) => Box::new(
                encoding_rs_io::DecodeReaderBytesBuilder::new()
                    .encoding(Some(enc))
                    .bom_sniffing(false)
                    .build(rest),
            ),
            None => rest,
        };
        let info = Arc::new(SourceInfo {
            name: Arc::from(name.as_str()),
            format,
            encoding: detected.text,
            columns: self.opts.columns.clone(),
        });
        match format {
            Format::Csv | Format::Tsv => match CsvReader::new(info.clone(), stream) {
                Ok(r) => self.current = Some(Current::Csv(r)),
                Err(message) => return Unit::FileError { name, message },
            },
            _ => {
                self.current = Some(Current::Lines(LineReader {
                    info: info.clone(),
                    reader: stream,
                    buf: Vec::new(),
                    next_line: 1,
                    eof: false,
                }))
            }
        }
        Unit::FileStart {
            info,
            encoding: detected.label,
        }
    }
}

fn guess_format(ext: &str, prefix: &[u8], detected: &Detected) -> Format {
    match ext {
        "csv" => return Format::Csv,
        "tsv" | "tab" => return Format::Tsv,
        "jsonl" | "ndjson" | "json" => return Format::Jsonl,
        _ => {}
    }
    let text: String = match detected.utf16 {
        Some(enc) => enc
            .decode_without_bom_handling(&prefix[detected.bom_len..])
            .0
            .into_owned(),
        None => match detected.text {
            decode::TextEncoding::Utf8 | decode::TextEncoding::Utf16 => {
                String::from_utf8_lossy(&prefix[detected.bom_len..]).into_owned()
            }
            decode::TextEncoding::Legacy(enc) => {
                enc.decode_without_bom_handling(prefix).0.into_owned()
            }
        },
    };
    if text.trim_start().starts_with('{') {
        Format::Jsonl
    } else {
        sniff_text(text.lines())
    }
}

impl Iterator for Units {
    type Item = Unit;

    fn next(&mut self) -> Option<Unit> {
        if let Some(u) = self.queued.pop_front() {
            return Some(u);
        }
        loop {
            let step = match self.current.as_mut() {
                None => {
                    let input = self.inputs.pop_front()?;
                    return Some(self.open(input));
                }
                Some(Current::Lines(r)) => r.next_unit().map_err(|e| {
                    (
                        r.info.name.to_string(),
                        format!(
                            "read error after line {}: {}",
                            r.next_line - 1,
                            describe(&e)
                        ),
                    )
                }),
                Some(Current::Csv(r)) => r.next_unit().map_err(|m| (r.info.name.to_string(), m)),
            };
            match step {
                Ok(Some(u)) => return Some(u),
                Ok(None) => self.current = None,
                Err((name, message)) => {
                    self.current = None;
                    return Some(Unit::FileError { name, message });
                }
            }
        }
    }
}

struct LineReader {
    info: Arc<SourceInfo>,
    reader: DynRead,
    buf: Vec<u8>,
    next_line: u64,
    eof: bool,
}

impl LineReader {
    fn take_chunk(&mut self, upto: usize) -> Unit {
        let rest = self.buf.split_off(upto);
        let data = std::mem::replace(&mut self.buf, rest);
        let first_line = self.next_line;
        self.next_line += memchr::memchr_iter(b'\n', &data).count() as u64;
        Unit::Lines {
            info: self.info.clone(),
            first_line,
            data,
        }
    }

    /// One read into `tmp` (retrying interruptions); 0 marks the end of the input.
    fn read_once(&mut self, tmp: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.reader.read(tmp) {
                Ok(n) => {
                    self.eof |= n == 0;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Append one read's worth of bytes to `buf`.
    fn read_more(&mut self) -> io::Result<()> {
        let mut tmp = [0u8; 64 << 10];
        let n = self.read_once(&mut tmp)?;
        self.buf.extend_from_slice(&tmp[..n]);
        Ok(())
    }

    /// Read into `buf` until it holds `CHUNK` bytes or the input ends.
    fn fill(&mut self) -> io::Result<()> {
        while !self.eof && self.buf.len() < CHUNK {
            self.read_more()?;
        }
        Ok(())
    }

    /// Drop the rest of an over-long line, up to and including its newline.
    fn skip_line(&mut self) -> io::Result<u64> {
        let mut skipped = self.buf.len() as u64;
        self.buf.clear();
        let mut tmp = [0u8; 64 << 10];
        while !self.eof {
            let n = self.read_once(&mut tmp)?;
            if let Some(i) = memchr::memchr(b'\n', &tmp[..n]) {
                self.buf.extend_from_slice(&tmp[i + 1..n]);
                return Ok(skipped + i as u64);
            }
            skipped += n as u64;
        }
        Ok(skipped)
    }

    fn reject_long_line(&mut self, skipped: u64) -> Unit {
        let record = self.next_line;
        self.next_line += 1;
        let mut parsed = Parsed::default();
        parsed.rejects.push(Reject {
            record,
            reason: RejectReason::LineTooLong,
            detail: format!(
                "line of {skipped} bytes or more exceeds the {MAX_LINE}-byte limit; skipped"
            ),
        });
        Unit::Records {
            info: self.info.clone(),
            parsed,
        }
    }

    fn next_unit(&mut self) -> io::Result<Option<Unit>> {
        self.fill()?;
        if self.buf.is_empty() {
            return Ok(None);
        }
        // Find the last newline, reading on (up to MAX_LINE) while the buffer holds none.
        let mut searched = 0;
        let last_newline = loop {
            if let Some(i) = memchr::memrchr(b'\n', &self.buf[searched..]) {
                break Some(searched + i);
            }
            searched = self.buf.len();
            if self.eof || self.buf.len() > MAX_LINE {
                break None;
            }
            self.read_more()?;
        };
        match last_newline {
            Some(last) => {
                let first = memchr::memchr(b'\n', &self.buf).unwrap_or(last);
                if first > MAX_LINE {
                    self.buf.drain(..=first);
                    return Ok(Some(self.reject_long_line(first as u64)));
                }
                Ok(Some(self.take_chunk(last + 1)))
            }
            None if self.buf.len() <= MAX_LINE => {
                let all = self.buf.len();
                Ok(Some(self.take_chunk(all)))
            }
            None => {
                let skipped = self.skip_line()?;
                Ok(Some(self.reject_long_line(skipped)))
            }
        }
    }
}

struct CsvReader {
    info: Arc<SourceInfo>,
    reader: csv::Reader<CrlfToLf<DynRead>>,
    width: usize,
    text: usize,
    id: Option<usize>,
    speaker: Option<usize>,
    time: Option<usize>,
    call: Option<usize>,
    row: u64,
    done: bool,
}

fn lossy(bytes: &[u8], enc: decode::TextEncoding) -> String {
    match decode_record(bytes, enc) {
        Decoded::Ok(s) | Decoded::Fallback(s, _) => s.into_owned(),
        Decoded::Invalid(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Turns `\r\n` into `\n` on the way into the CSV parser, whose line numbers lag by one after
/// every `\r\n` (it counts a line only when it consumes a `\n`, and stops a record at the `\r`):
/// CSV saved by Excel on Windows would otherwise report every line one too low.
struct CrlfToLf<R> {
    inner: R,
    /// A `\r` read at the end of the previous call, not yet known to precede a `\n`.
    held_cr: bool,
    /// A byte read past a lone `\r` by a one-byte read, returned next.
    pending: Option<u8>,
}

impl<R: Read> CrlfToLf<R> {
    fn new(inner: R) -> Self {
        CrlfToLf {
            inner,
            held_cr: false,
            pending: None,
        }
    }

    /// One byte at a time, for callers with a one-byte buffer.
    fn read_one(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if let Some(b) = self.pending.take() {
            buf[0] = b;
            return Ok(1);
        }
        loop {
            let mut x = [0u8; 1];
            let got = self.inner.read(&mut x)? == 1;
            if self.held_cr {
                buf[0] = if got && x[0] == b'\n' { b'\n' } else { b'\r' };
                // The byte after a lone `\r` waits its turn; another `\r` is held in its place.
                self.held_cr = got && x[0] == b'\r';
                if got && x[0] != b'\n' && x[0] != b'\r' {
                    self.pending = Some(x[0]);
                }
                return Ok(1);
            }
            if !got {
                return Ok(0);
            }
            if x[0] == b'\r' {
                self.held_cr = true;
                continue;
            }
            buf[0] = x[0];
            return Ok(1);
        }
    }
}

impl<R: Read> Read for CrlfToLf<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.len() < 2 || self.pending.is_some() {
            return self.read_one(buf);
        }
        loop {
            let start = usize::from(self.held_cr);
            if self.held_cr {
                buf[0] = b'\r';
            }
            let n = self.inner.read(&mut buf[start..])?;
            if n == 0 {
                // End of input: a held `\r` is returned as it is.
                self.held_cr = false;
                return Ok(start);
            }
            let end = start + n;
            // Drop every `\r` directly followed by `\n`, compacting in place.
            let mut w = 0;
            for r in 0..end {
                if buf[r] == b'\r' && r + 1 < end && buf[r + 1] == b'\n' {
                    continue;
                }
                buf[w] = buf[r];
                w += 1;
            }
            // A `\r` at the very end may precede a `\n` in the next read: hold it back.
            self.held_cr = w > 0 && buf[w - 1] == b'\r';
            if self.held_cr {
                w -= 1;
            }
            if w > 0 {
                return Ok(w);
            }
        }
    }
}

impl CsvReader {
    fn new(info: Arc<SourceInfo>, stream: DynRead) -> Result<CsvReader, String> {
        let tsv = info.format == Format::Tsv;
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(if tsv { b'\t' } else { b',' })
            .quoting(!tsv)
            .has_headers(false)
            .flexible(true)
            .from_reader(CrlfToLf::new(stream));
        let mut header = csv::ByteRecord::new();
        match reader.read_byte_record(&mut header) {
            Ok(true) => {}
            Ok(false) => return Err("no header row".into()),
            Err(e) => return Err(format!("cannot read the header row: {e}")),
        }
        let names: Vec<String> = header
            .iter()
            .map(|f| lossy(f, info.encoding).trim().to_string())
            .collect();
        let c = &info.columns;
        let find = |wanted: &Option<String>, common: &[&str]| {
            find_field(names.iter().map(|s| s.as_str()), wanted.as_deref(), common)
        };
        let Some(text) = find(&c.text, TEXT_NAMES) else {
            let wanted = match &c.text {
                Some(t) => format!("no column `{t}`"),
                None => "no text column (looked for text, content, message, 内容, 短信内容, 通话内容, 文本 …; name it with --text-col)".into(),
            };
            return Err(format!("{wanted}; the columns are: {}", names.join(", ")));
        };
        for (opt, what) in [
            (&c.id, "--id-col"),
            (&c.speaker, "--speaker-col"),
            (&c.time, "--time-col"),
            (&c.call, "--call-col"),
        ] {
            if let Some(n) = opt
                && find(opt, &[]).is_none()
            {
                return Err(format!(
                    "{what}: no column `{n}`; the columns are: {}",
                    names.join(", ")
                ));
            }
        }
        Ok(CsvReader {
            width: names.len(),
            text,
            id: find(&c.id, ID_NAMES),
            speaker: find(&c.speaker, SPEAKER_NAMES),
            time: find(&c.time, TIME_NAMES),
            call: find(&c.call, CALL_NAMES),
            info,
            reader,
            row: 0,
            done: false,
        })
    }

    fn next_unit(&mut self) -> Result<Option<Unit>, String> {
        if self.done {
            return Ok(None);
        }
        let mut parsed = Parsed::default();
        let mut rec = csv::ByteRecord::new();
        while parsed.messages.len() + parsed.rejects.len() < CSV_BATCH {
            match self.reader.read_byte_record(&mut rec) {
                Ok(false) => {
                    self.done = true;
                    break;
                }
                Ok(true) => {}
                Err(e) => {
                    self.done = true;
                    return Err(format!("CSV error after data row {}: {e}", self.row));
                }
            }
            self.row += 1;
            let line = rec.position().map(|p| p.line()).unwrap_or(0);
            if rec.len() == 1
                && rec
                    .get(0)
                    .is_some_and(|f| f.iter().all(|b| b.is_ascii_whitespace()))
            {
                self.row -= 1;
                continue;
            }
            let newlines = rec
                .iter()
                .map(|f| memchr::memchr_iter(b'\n', f).count())
                .sum::<usize>();
            if newlines > MAX_FIELD_LINES {
                parsed.rejects.push(Reject {
                    record: self.row,
                    reason: RejectReason::UnbalancedQuote,
                    detail: format!(
                        "line {line}: a quoted field runs over {newlines} lines (unbalanced quote?); the lines inside it are not scanned"
                    ),
                });
                continue;
            }
            if rec.len() != self.width {
                parsed.rejects.push(Reject {
                    record: self.row,
                    reason: RejectReason::FieldCount,
                    detail: format!(
                        "line {line}: {} fields, the header has {}",
                        rec.len(),
                        self.width
                    ),
                });
                continue;
            }
            let text = match decode_record(&rec[self.text], self.info.encoding) {
                Decoded::Ok(s) => s.into_owned(),
                Decoded::Fallback(s, enc) => {
                    parsed.warnings.push((
                        self.row,
                        format!("line {line}: decoded as {enc}, not as the file's encoding"),
                    ));
                    s.into_owned()
                }
                Decoded::Invalid(d) => {
                    parsed.rejects.push(Reject {
                        record: self.row,
                        reason: RejectReason::InvalidEncoding,
                        detail: format!("line {line}: {d}"),
                    });
                    continue;
                }
            };
            let field = |i: Option<usize>| {
                i.map(|i| lossy(&rec[i], self.info.encoding).trim().to_string())
                    .filter(|s| !s.is_empty())
            };
            let speaker = field(self.speaker);
            parsed.messages.push(Message {
                record: self.row,
                id: field(self.id),
                call: field(self.call),
                role: speaker.as_deref().map(Role::of_label),
                speaker: speaker.map(Cow::Owned),
                time: field(self.time).map(Cow::Owned),
                text: Cow::Owned(text),
            });
        }
        if parsed.messages.is_empty() && parsed.rejects.is_empty() && parsed.warnings.is_empty() {
            return Ok(None);
        }
        Ok(Some(Unit::Records {
            info: self.info.clone(),
            parsed,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out its bytes `step` at a time, so that `\r` and `\n` fall into different reads.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn crlf_becomes_lf_across_read_boundaries() {
        let data = b"a,b\r\n1,\"x\r\ny\"\r\n\r\rz\r";
        let want = b"a,b\n1,\"x\ny\"\n\r\rz\r".to_vec();
        for step in 1..=data.len() {
            for buf_len in [1, 2, 3, 64, 0] {
                let mut r = CrlfToLf::new(Trickle { data, step });
                let mut out = Vec::new();
                let mut buf = [0u8; 64];
                for call in 0.. {
                    // Buffer length 0 in this list means: alternate one-byte and larger reads.
                    let len = if buf_len == 0 {
                        1 + (call % 2) * 5
                    } else {
                        buf_len
                    };
                    let n = r.read(&mut buf[..len]).unwrap();
                    if n == 0 {
                        break;
                    }
                    out.extend_from_slice(&buf[..n]);
                }
                assert_eq!(out, want, "step {step}, buffer {buf_len}");
            }
        }
    }

    fn opts() -> ReadOptions {
        ReadOptions {
            format: None,
            encoding: Forced::Auto,
            columns: Columns::default(),
        }
    }

    fn units_of(name: &str, data: &[u8]) -> Vec<Unit> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(name);
        std::fs::write(&p, data).unwrap();
        Units::new(vec![Input::File(p)], opts()).collect()
    }

    #[test]
    fn csv_rows_with_chinese_headers() {
        let units = units_of("s.csv", "序号,发送号码,发送时间,短信内容\n1,138,2024-01-01,你好\n2,139,2024-01-02\n3,137,2024-01-03,\"多行\n内容\"\n".as_bytes());
        assert!(matches!(
            &units[0],
            Unit::FileStart {
                encoding: "UTF-8",
                ..
            }
        ));
        let Unit::Records { parsed, .. } = &units[1] else {
            panic!("{units:?}")
        };
        assert_eq!(parsed.messages.len(), 2);
        assert_eq!(parsed.messages[0].id.as_deref(), Some("1"));
        assert_eq!(parsed.messages[0].time.as_deref(), Some("2024-01-01"));
        assert_eq!(parsed.messages[1].record, 3);
        assert_eq!(parsed.messages[1].text, "多行\n内容");
        assert_eq!(parsed.rejects.len(), 1);
        assert_eq!(parsed.rejects[0].record, 2);
        assert_eq!(
            parsed.rejects[0].detail,
            "line 3: 3 fields, the header has 4"
        );
    }

    #[test]
    fn csv_unbalanced_quote_is_reported() {
        let mut data = String::from("内容,时间\n正常,1\n\"没有闭合的引号,2\n");
        for i in 0..150 {
            data.push_str(&format!("第{i}行,3\n"));
        }
        let units = units_of("q.csv", data.as_bytes());
        let Unit::Records { parsed, .. } = &units[1] else {
            panic!("{units:?}")
        };
        assert_eq!(parsed.messages.len(), 1);
        assert_eq!(parsed.rejects.len(), 1);
        assert_eq!(parsed.rejects[0].reason, RejectReason::UnbalancedQuote);
        assert!(
            parsed.rejects[0]
                .detail
                .starts_with("line 3: a quoted field runs over 151 lines"),
            "{}",
            parsed.rejects[0].detail
        );
    }

    #[test]
    fn csv_without_text_column_lists_columns() {
        let units = units_of("s.csv", b"a,b\n1,2\n");
        match &units[0] {
            Unit::FileError { message, .. } => {
                assert!(message.ends_with("the columns are: a, b"), "{message}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn empty_and_binary_files_are_skipped() {
        assert!(matches!(
            units_of("e.txt", b"")[0],
            Unit::FileSkipped {
                reason: "empty file",
                ..
            }
        ));
        assert!(matches!(
            units_of("b.bin", b"\x00\x01\x02\x03abc\x00")[0],
            Unit::FileSkipped {
                reason: "binary file",
                ..
            }
        ));
    }

    #[test]
    fn long_lines_are_rejected_and_chunks_keep_line_numbers() {
        let mut data = Vec::new();
        data.extend_from_slice("第一行\n".as_bytes());
        data.extend(std::iter::repeat_n(b'x', MAX_LINE + 10));
        data.extend_from_slice("\n第三行\n".as_bytes());
        let units = units_of("big.txt", &data);
        let mut seen = Vec::new();
        for u in &units {
            match u {
                Unit::Lines {
                    first_line, data, ..
                } => {
                    let p = super::super::parse::parse_lines(&units_info(u), *first_line, data);
                    seen.extend(p.messages.iter().map(|m| (m.record, m.text.to_string())));
                }
                Unit::Records { parsed, .. } => seen.extend(
                    parsed
                        .rejects
                        .iter()
                        .map(|r| (r.record, r.reason.as_str().to_string())),
                ),
                _ => {}
            }
        }
        let short: Vec<(u64, String)> = seen
            .iter()
            .map(|(n, s)| (*n, s.chars().take(20).collect()))
            .collect();
        assert_eq!(
            short,
            vec![
                (1, "第一行".to_string()),
                (2, "line-too-long".to_string()),
                (3, "第三行".to_string()),
            ]
        );
    }

    fn units_info(u: &Unit) -> SourceInfo {
        match u {
            Unit::Lines { info, .. } => SourceInfo {
                name: info.name.clone(),
                format: info.format,
                encoding: info.encoding,
                columns: Columns::default(),
            },
            _ => unreachable!(),
        }
    }
}
