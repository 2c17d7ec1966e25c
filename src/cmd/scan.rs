//! `dunscan scan`: read inputs in order, scan chunks in parallel, write rows in input order.

use crate::cli::{InputFormat, OutputFormat, Report, ScanArgs, Speakers};
use crate::input::decode::Forced;
use crate::input::parse::{Parsed, parse_lines};
use crate::input::units::{ReadOptions, Unit, Units};
use crate::input::walk::expand;
use crate::input::{Columns, Format, SourceInfo};
use crate::matcher::Matcher;
use crate::report::{OutFormat, ReportKind, Reporter, Stats};
use std::io::{IsTerminal, Write};

/// Rejected records and warnings shown one by one on stderr; the rest are only counted.
const MAX_NOTES: usize = 200;

struct Scanner {
    matcher: Matcher,
    reporter: Reporter,
    all_roles: bool,
}

/// Something about the input that is not a finding: a file that could not be read or was
/// skipped, a rejected record, a record decoded in a second encoding.
#[derive(Debug, serde::Serialize)]
struct Note {
    source: String,
    record: Option<u64>,
    /// error | skipped | rejected | warning
    kind: &'static str,
    reason: String,
    detail: String,
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.source)?;
        if let Some(r) = self.record {
            write!(f, ":{r}")?;
        }
        match self.kind {
            "rejected" => write!(f, ": rejected ({}): {}", self.reason, self.detail),
            "skipped" => write!(f, ": skipped: {}", self.reason),
            _ => write!(f, ": {}", self.detail),
        }
    }
}

/// What one unit produced: report bytes, counts, and notes for stderr.
#[derive(Default)]
struct Output {
    bytes: Vec<u8>,
    stats: Stats,
    notes: Vec<Note>,
    /// An input that could not be read at all.
    failed: bool,
}

impl Scanner {
    fn process(&self, unit: &Unit) -> Output {
        let mut out = Output::default();
        match unit {
            Unit::FileStart { encoding, .. } => {
                out.stats.files_read = 1;
                out.stats.encodings.insert(encoding, 1);
            }
            Unit::FileError { name, message } => {
                out.stats.file_errors = 1;
                out.failed = true;
                out.notes.push(Note {
                    source: name.clone(),
                    record: None,
                    kind: "error",
                    reason: "unreadable".into(),
                    detail: message.clone(),
                });
            }
            Unit::ArchiveOpened { .. } => out.stats.archives = 1,
            Unit::FileSkipped { name, reason } => {
                out.stats.files_skipped.insert(reason, 1);
                out.notes.push(Note {
                    source: name.clone(),
                    record: None,
                    kind: "skipped",
                    reason: reason.to_string(),
                    detail: String::new(),
                });
            }
            Unit::Lines {
                info,
                first_line,
                data,
            } => {
                let parsed = parse_lines(info, *first_line, data);
                self.scan_parsed(info, &parsed, &mut out);
            }
            Unit::Records { info, parsed } => self.scan_parsed(info, parsed, &mut out),
        }
        out
    }

    fn scan_parsed(&self, info: &SourceInfo, parsed: &Parsed, out: &mut Output) {
        let source: &str = &info.name;
        let s = &mut out.stats;
        s.records_read += (parsed.messages.len() + parsed.rejects.len()) as u64;
        s.scanned += parsed.messages.len() as u64;
        s.fallback_decoded += parsed.warnings.len() as u64;
        let start = out.notes.len();
        for r in &parsed.rejects {
            *s.rejected.entry(r.reason).or_default() += 1;
            out.notes.push(Note {
                source: source.to_string(),
                record: Some(r.record),
                kind: "rejected",
                reason: r.reason.as_str().to_string(),
                detail: r.detail.clone(),
            });
        }
        for (record, w) in &parsed.warnings {
            out.notes.push(Note {
                source: source.to_string(),
                record: Some(*record),
                kind: "warning",
                reason: "second-encoding".into(),
                detail: w.clone(),
            });
        }
        out.notes[start..].sort_by_key(|n| n.record);
        for msg in &parsed.messages {
            let findings = self.matcher.scan(&msg.text, msg.role(), self.all_roles);
            if !findings.is_empty() {
                s.messages_flagged += 1;
                for f in &findings {
                    let cat = self.matcher.rule(f).category;
                    *s.findings.entry((cat.id, cat.zh)).or_default() += 1;
                }
            }
            self.reporter
                .write(&mut out.bytes, source, msg, &findings, &self.matcher);
        }
    }
}

fn read_options(args: &ScanArgs) -> Result<ReadOptions, String> {
    let encoding = Forced::parse(&args.encoding).ok_or_else(|| {
        format!(
            "unknown encoding `{}` (expected auto, utf-8, gb18030, gbk, big5, utf-16le, utf-16be)",
            args.encoding
        )
    })?;
    let format = match args.input_format {
        InputFormat::Auto => None,
        InputFormat::Lines => Some(Format::Lines),
        InputFormat::Mixed => Some(Format::Mixed),
        InputFormat::Transcript => Some(Format::Transcript),
        InputFormat::Csv => Some(Format::Csv),
        InputFormat::Tsv => Some(Format::Tsv),
        InputFormat::Jsonl => Some(Format::Jsonl),
    };
    Ok(ReadOptions {
        format,
        encoding,
        columns: Columns {
            text: args.text_col.clone(),
            id: args.id_col.clone(),
            speaker: args.speaker_col.clone(),
            time: args.time_col.clone(),
            call: args.call_col.clone(),
        },
    })
}

/// Size of a unit's text, for progress.
fn unit_bytes(unit: &Unit) -> usize {
    match unit {
        Unit::Lines { data, .. } => data.len(),
        Unit::Records { parsed, .. } => parsed.messages.iter().map(|m| m.text.len()).sum(),
        _ => 0,
    }
}

pub fn run(args: &ScanArgs) -> Result<u8, String> {
    let opts = read_options(args)?;
    let lexicon = super::load_lexicon(&args.lexicons)?;
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| format!("cannot start {threads} threads: {e}"))?;

    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let format = match args.format {
        Some(OutputFormat::Table) => OutFormat::Table,
        Some(OutputFormat::Csv) => OutFormat::Csv,
        Some(OutputFormat::Jsonl) => OutFormat::Jsonl,
        None if to_terminal => OutFormat::Table,
        None => OutFormat::Csv,
    };
    let scanner = Scanner {
        matcher: Matcher::new(lexicon),
        reporter: Reporter {
            format,
            kind: match args.report {
                Report::Findings => ReportKind::Findings,
                Report::Messages => ReportKind::Messages,
            },
            color: to_terminal && std::env::var_os("NO_COLOR").is_none(),
            bom: args.output.is_some(),
        },
        all_roles: args.speakers == Speakers::All,
    };

    let mut sink: Box<dyn Write + Send> = match &args.output {
        Some(p) => Box::new(
            std::fs::File::create(p).map_err(|e| format!("cannot write {}: {e}", p.display()))?,
        ),
        None => Box::new(std::io::stdout()),
    };
    let mut sink = std::io::BufWriter::with_capacity(1 << 16, &mut sink);
    let write_err = |e: std::io::Error| format!("cannot write the report: {e}");
    sink.write_all(&scanner.reporter.header())
        .map_err(write_err)?;

    let (inputs, walk_errors) = expand(&args.paths);
    let mut stats = Stats::default();
    let mut inputs_failed = 0usize;
    let mut notes_shown = 0usize;
    let mut notes_hidden = 0usize;
    let mut rejects_out = match &args.rejects {
        Some(p) => {
            let file = std::fs::File::create(p)
                .map_err(|e| format!("cannot write {}: {e}", p.display()))?;
            Some(csv::Writer::from_writer(std::io::BufWriter::new(file)))
        }
        None => None,
    };
    let mut note = |n: Note| -> Result<(), String> {
        if let Some(w) = rejects_out.as_mut() {
            w.serialize(&n)
                .map_err(|e| format!("cannot write the rejects file: {e}"))?;
        }
        if notes_shown < MAX_NOTES {
            eprintln!("dunscan: {n}");
            notes_shown += 1;
        } else {
            notes_hidden += 1;
        }
        Ok(())
    };
    for e in &walk_errors {
        note(Note {
            source: e.path.clone(),
            record: None,
            kind: "error",
            reason: "unreadable".into(),
            detail: e.message.clone(),
        })?;
        stats.file_errors += 1;
        inputs_failed += 1;
    }
    let total_inputs = inputs.len() + walk_errors.len();
    let mut units = Units::new(inputs, opts);
    let progress = (!args.quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                .expect("valid progress template"),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        bar
    });
    let mut bytes_done = 0usize;

    // The main thread reads units and writes outputs in input order; the pool scans them. At
    // most `in_flight_max` units are read but not yet written, which bounds memory; there is no
    // barrier between groups of units: a slow unit only delays the writing, not the scanning.
    let in_flight_max = threads * 4;
    let result: Result<(), String> = std::thread::scope(|threads_scope| {
        let mut warmed = false;
        pool.in_place_scope(|scope| {
            let (tx, rx) = std::sync::mpsc::channel::<(usize, Output)>();
            let mut ready: std::collections::BTreeMap<usize, Output> = Default::default();
            let (mut read, mut written) = (0usize, 0usize);
            let mut exhausted = false;
            loop {
                while !exhausted && read - written < in_flight_max {
                    let Some(unit) = units.next() else {
                        exhausted = true;
                        break;
                    };
                    if !warmed && matches!(unit, Unit::Lines { .. } | Unit::Records { .. }) {
                        // Build the automaton and the segmenter beside the first units.
                        threads_scope.spawn(|| scanner.matcher.warm_up());
                        warmed = true;
                    }
                    bytes_done += unit_bytes(&unit);
                    let (tx, scanner, seq) = (tx.clone(), &scanner, read);
                    scope.spawn(move |_| {
                        // The receiver lives until every unit is written or an error ends
                        // the loop; after an error the result is not wanted.
                        let _ = tx.send((seq, scanner.process(&unit)));
                    });
                    read += 1;
                }
                if written == read {
                    break;
                }
                let (seq, out) = rx.recv().expect("a scanning task sends its output");
                ready.insert(seq, out);
                while let Some(out) = ready.remove(&written) {
                    sink.write_all(&out.bytes).map_err(write_err)?;
                    for n in out.notes {
                        note(n)?;
                    }
                    if out.failed {
                        inputs_failed += 1;
                    }
                    stats.merge(out.stats);
                    written += 1;
                }
                if let Some(bar) = &progress {
                    bar.set_message(format!(
                        "{:.1} MB, {} records, {} findings",
                        bytes_done as f64 / 1e6,
                        stats.records_read,
                        stats.findings_total()
                    ));
                }
            }
            Ok(())
        })
    });
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    result?;
    sink.flush().map_err(write_err)?;
    drop(sink);

    if let Some(mut w) = rejects_out {
        w.flush()
            .map_err(|e| format!("cannot write the rejects file: {e}"))?;
    }
    if notes_hidden > 0 {
        eprintln!("dunscan: … {notes_hidden} more rejected records or warnings not shown");
    }
    if !args.quiet {
        eprint!("{}", stats.render());
    }
    if total_inputs > 0 && inputs_failed == total_inputs {
        return Err("no input could be read".into());
    }
    Ok(if stats.findings_total() > 0 { 1 } else { 0 })
}
