//! Finding rule hits in a message.
//!
//! 1. normalise the text (keeping the offset map);
//! 2. one Aho-Corasick automaton over every term of every rule finds candidate hits;
//! 3. only when there are candidates: segment with jieba-rs and keep hits that start and end on
//!    word boundaries; assemble co-occurrence rules inside a clause; drop hits covered by an
//!    exception or governed by a negation cue; keep the leftmost-longest hit per category;
//! 4. map each hit back to a character span of the original text;
//! 5. model rules: for categories with no hit and no hit dropped as lawful, the classifier
//!    ([`crate::model`]) scores the message; above a rule's threshold, the clause scoring highest
//!    is the evidence.

use crate::input::Role;
use crate::model::{Model, NCAT};
use crate::normalise::{Normalised, normalise};
use crate::rules::{Category, Lexicon, Rule, RuleKind, Scope};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use jieba_rs::Jieba;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// A confirmed hit: a rule and a character span `[start, end)` of the ORIGINAL text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finding {
    /// Index into [`Lexicon::rules`].
    pub rule: usize,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Copy)]
struct PatternUse {
    rule: u32,
    group: u16,
}

/// A hit in the normalised text: byte range, rule and group.
#[derive(Debug, Clone, Copy)]
struct Part {
    rule: usize,
    group: usize,
    start: usize,
    end: usize,
}

/// A candidate finding in normalised byte offsets, with the parts it is made of.
#[derive(Debug, Clone)]
struct Candidate {
    rule: usize,
    start: usize,
    end: usize,
    parts: Vec<(usize, usize)>,
}

/// A rule answered by the classifier.
#[derive(Debug, Clone, Copy)]
struct ModelRule {
    rule: usize,
    /// Index into [`crate::rules::CATEGORIES`].
    category: usize,
    /// The rule's threshold as a margin (log-odds).
    min_margin: f64,
}

pub struct Matcher {
    lexicon: Lexicon,
    model_rules: Vec<ModelRule>,
    /// Every term of every rule, in one automaton (a contiguous NFA: with ~9,000 terms a DFA
    /// took 0.1 s more to build and 25 MB more memory, and searched no faster), built on first
    /// use, which an empty or unreadable input should not pay.
    ac: OnceLock<Option<AhoCorasick>>,
    patterns: Vec<String>,
    /// The patterns in the automaton (indices into `patterns`): all but the `singles`.
    searched: Vec<u32>,
    /// Single-character terms found by a character lookup instead of the automaton, and only
    /// in messages where they could complete a rule (see [`Matcher::new`]); sorted.
    singles: Vec<(char, u32)>,
    /// For each rule, the groups that contain one of the `singles` (one bit per group).
    single_groups: Vec<u16>,
    uses: Vec<Vec<PatternUse>>,
    /// For each rule, the group mask of a complete hit (one bit per group).
    full: Vec<u16>,
    /// For each rule, the roles it applies to (bit `role as u8`).
    roles: Vec<u8>,
    /// Negation cues (pattern ids first), scope breakers, reported-speech cues and refutations,
    /// in one automaton (see [`ScopeWord`]), then the rules' own cues.
    /// Built on first use, like the exceptions: only messages with candidates need them.
    scope: OnceLock<Option<AhoCorasick>>,
    /// For each rule's own cue (in scope-automaton order after the shared words), its rules.
    rule_cues: Vec<Vec<u32>>,
    /// Every rule's allow phrases in one automaton (built on first use), and for each phrase
    /// the rules it serves.
    exceptions: OnceLock<Option<AhoCorasick>>,
    exception_rules: Vec<Vec<u32>>,
    jieba: OnceLock<Jieba>,
    /// Tells this matcher's entries in the per-thread caches from another matcher's.
    id: u64,
    /// Remember the findings of short messages per thread (see [`Matcher::scan`]).
    remember: bool,
}

/// Per thread: which matcher the cached cuts belong to, bytes of text cached, and the cuts
/// (word boundaries as byte offsets, 0 and the length included) by text.
type CutCache = (u64, usize, foldhash::HashMap<Box<str>, Box<[u32]>>);

thread_local! {
    static CUTS: RefCell<CutCache> = RefCell::new((0, 0, Default::default()));
}

/// Per-thread buffers of the first pass: the hits of one message (pattern, byte range), the
/// groups seen of each rule (a bit per group, all zero between messages) and the rules touched.
#[derive(Default)]
struct Scratch {
    hits: Vec<(u32, u32, u32)>,
    masks: Vec<u16>,
    touched: Vec<u32>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

/// Per thread: the findings of messages seen before, by role (with `all_roles`) and text.
/// Collection logs repeat themselves (scripted greetings and reminders, SMS templates, `嗯`,
/// `好的`): a message scanned once is not scanned again while it is remembered.
struct Remembered {
    owner: u64,
    bytes: usize,
    /// One map per role and `all_roles` (three roles × two).
    maps: [foldhash::HashMap<Box<str>, Box<[Finding]>>; 6],
}

thread_local! {
    static REMEMBERED: RefCell<Remembered> = RefCell::new(Remembered {
        owner: 0,
        bytes: 0,
        maps: Default::default(),
    });
}

/// Bytes (text plus bookkeeping) a thread's memory of findings holds before it starts over.
const REMEMBER_BYTES: usize = 4 << 20;
/// Longer messages are rarely repeated word for word: they are not remembered.
const REMEMBER_MAX_TEXT: usize = 512;

/// Bytes of text a thread's cut cache holds before it starts over.
const CUT_CACHE_BYTES: usize = 4 << 20;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

fn is_clause_end(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '！'
            | '？'
            | '；'
            | '：'
            | ','
            | '.'
            | '!'
            | '?'
            | ';'
            | ':'
            | '\n'
            | '\r'
            | '…'
    )
}

/// One bit per category, by position in [`crate::rules::CATEGORIES`].
fn category_bit(c: Category) -> u8 {
    1 << c.index()
}

/// The clauses of `text` as byte ranges, without surrounding white space; empty ones left out.
fn clause_ranges(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), '\n')))
    {
        if i == text.len() || is_clause_end(c) {
            let piece = &text[start..i];
            let trimmed = piece.trim_start();
            let s = start + piece.len() - trimmed.len();
            let e = s + trimmed.trim_end().len();
            if e > s {
                out.push((s, e));
            }
            start = i + c.len_utf8();
        }
    }
    out
}

fn is_sentence_end(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '!' | '?' | '\n' | '\r' | '；' | ';')
}

/// Word boundaries and clause limits of one normalised message.
///
/// jieba cuts a text into runs of "Chinese" characters (CJK, ASCII letters and digits, a few
/// symbols) and segments each run on its own; every other character is a token by itself. So a
/// boundary outside a run is certain, and only the runs that a question falls inside are
/// segmented, each once, through a per-thread cache of cuts (collection scripts repeat).
struct Segmented<'t> {
    matcher: &'t Matcher,
    text: &'t str,
    /// Per byte of `text` (and its end): `UNKNOWN`, `YES` or `NO`.
    boundary: RefCell<Vec<u8>>,
}

const UNKNOWN: u8 = 0;
const YES: u8 = 1;
const NO: u8 = 2;

/// jieba's own class of characters that are segmented together (its `RE_HAN_DEFAULT`).
fn in_run(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2A6DF}' | '\u{2A700}'..='\u{2EBEF}' | '\u{2F800}'..='\u{2FA1F}'
        | 'a'..='z' | 'A'..='Z' | '0'..='9' | '+' | '#' | '&' | '.' | '_' | '%' | '-')
}

/// Length (in characters) from which a matched phrase needs no word-boundary check.
const TRUSTED_PHRASE: usize = 4;

/// Characters of context re-segmented on each side of a hit to find overlapping-word
/// ambiguity (`派出所有人` reads 派出/所有人, although jieba prefers 派出所).
const EDGE_CONTEXT: usize = 4;

impl<'t> Segmented<'t> {
    fn new(matcher: &'t Matcher, text: &'t str) -> Segmented<'t> {
        Segmented {
            matcher,
            text,
            boundary: RefCell::new(vec![UNKNOWN; text.len() + 1]),
        }
    }

    /// Does jieba put a word boundary at byte `pos` (a character boundary of the text)?
    fn is_boundary(&self, pos: usize) -> bool {
        let text = self.text;
        let (Some(before), Some(after)) =
            (text[..pos].chars().next_back(), text[pos..].chars().next())
        else {
            return true;
        };
        if !(in_run(before) && in_run(after)) {
            return !(before == '\r' && after == '\n');
        }
        let mut known = self.boundary.borrow_mut();
        if known[pos] == UNKNOWN {
            let start = text[..pos]
                .char_indices()
                .rev()
                .take_while(|&(_, c)| in_run(c))
                .last()
                .map_or(pos, |(i, _)| i);
            let end = text[pos..]
                .char_indices()
                .find(|&(_, c)| !in_run(c))
                .map_or(text.len(), |(i, _)| pos + i);
            known[start..=end].fill(NO);
            self.matcher.with_cut(&text[start..end], |cuts| {
                for &b in cuts {
                    known[start + b as usize] = YES;
                }
            });
        }
        known[pos] == YES
    }

    /// Does `[start, end)` stand as whole words: on jieba's boundaries, and its last character
    /// does not read as the start of a word after it (`派出所有人`)? The mirror check on the
    /// first character was dropped: cut off from the rest of the hit, it finds words that are
    /// not there (`会通` in `我们会通知你父母`).
    /// Phrases of [`TRUSTED_PHRASE`] characters or more are taken as they are: a fragment
    /// across words is a risk for short terms (`上门` in `马上门诊`), while a long phrase's first
    /// character often glues to the word before it in jieba's reading (`事发` in `的事发到你朋友圈`).
    fn aligned(&self, start: usize, end: usize) -> bool {
        if self.text[start..end].chars().count() >= TRUSTED_PHRASE {
            return true;
        }
        self.is_boundary(start) && self.is_boundary(end) && !self.crosses_edge(start, end)
    }

    fn crosses_edge(&self, start: usize, end: usize) -> bool {
        let text = self.text;
        let hit = &text[start..end];
        if hit.chars().nth(1).is_none() {
            return false;
        }
        // The last character followed by the next few, up to the clause end.
        let last = end - hit.chars().next_back().map_or(0, char::len_utf8);
        let tail_end = text[end..]
            .char_indices()
            .take_while(|&(_, c)| !is_clause_end(c))
            .take(EDGE_CONTEXT)
            .last()
            .map_or(end, |(i, c)| end + i + c.len_utf8());
        if tail_end == end {
            return false;
        }
        // The first word of the window ends past the hit.
        let first_word_end = self.matcher.with_cut(&text[last..tail_end], |cuts| {
            cuts.get(1).map_or(0, |&b| b as usize)
        });
        last + first_word_end > end
    }

    /// Byte range of the clause that contains byte `pos`.
    fn clause(&self, pos: usize) -> (usize, usize) {
        self.around(pos, is_clause_end)
    }

    /// Byte range of the sentence that contains byte `pos`.
    fn sentence(&self, pos: usize) -> (usize, usize) {
        self.around(pos, is_sentence_end)
    }

    /// Byte range around `pos` up to the nearest character on each side for which `ends` holds.
    fn around(&self, pos: usize, ends: fn(char) -> bool) -> (usize, usize) {
        let start = self.text[..pos]
            .char_indices()
            .rev()
            .find(|&(_, c)| ends(c))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let end = self.text[pos..]
            .char_indices()
            .find(|&(_, c)| ends(c))
            .map_or(self.text.len(), |(i, _)| pos + i);
        (start, end)
    }
}

impl Matcher {
    pub fn new(lexicon: Lexicon) -> Matcher {
        Matcher::build(lexicon, true)
    }

    /// `fast: false` puts every term in the automaton and remembers nothing (the slow path
    /// the tests compare against).
    fn build(lexicon: Lexicon, fast: bool) -> Matcher {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut uses: Vec<Vec<PatternUse>> = Vec::new();
        for (ri, rule) in lexicon.rules.iter().enumerate() {
            for (gi, group) in rule.groups().into_iter().enumerate() {
                for term in group {
                    let pi = *index.entry(term.clone()).or_insert_with(|| {
                        patterns.push(term.clone());
                        uses.push(Vec::new());
                        patterns.len() - 1
                    });
                    uses[pi].push(PatternUse {
                        rule: ri as u32,
                        group: gi as u16,
                    });
                }
            }
        }

        let (_, rule_cues) = phrases_by_rule(&lexicon.rules, |r: &Rule| r.cues.as_slice());
        let (_, exception_rules) =
            phrases_by_rule(&lexicon.rules, |r: &Rule| r.exceptions.as_slice());
        // Single characters (我, 是, 家, 跟 …) are parts of co-occurrence rules and hit on
        // almost every line; searching them only where the rule's other groups already hit
        // cuts the automaton's matches by about 40 %. A rule made only of groups that hold
        // single characters would need the lookup on every message: its characters stay in
        // the automaton.
        let mut keep: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for r in &lexicon.rules {
            let groups = r.groups();
            if groups
                .iter()
                .all(|g| g.iter().any(|t| single_char(t).is_some()))
            {
                keep.extend(groups.iter().flat_map(|g| g.iter().map(String::as_str)));
            }
        }
        let mut singles: Vec<(char, u32)> = Vec::new();
        let mut searched: Vec<u32> = Vec::new();
        let mut single_groups = vec![0u16; lexicon.rules.len()];
        for (pi, p) in patterns.iter().enumerate() {
            match single_char(p) {
                Some(c) if fast && !keep.contains(p.as_str()) => {
                    singles.push((c, pi as u32));
                    for u in &uses[pi] {
                        single_groups[u.rule as usize] |= 1 << u.group;
                    }
                }
                _ => searched.push(pi as u32),
            }
        }
        singles.sort_unstable();
        let full = lexicon
            .rules
            .iter()
            .map(|r| {
                let n = r.group_count();
                assert!(
                    n <= crate::rules::MAX_GROUPS,
                    "rule {} has too many groups",
                    r.id
                );
                (1u32 << n).wrapping_sub(1) as u16
            })
            .collect();
        let roles = lexicon
            .rules
            .iter()
            .map(|r| {
                r.roles
                    .iter()
                    .fold(0u8, |bits, &role| bits | 1 << role as u8)
            })
            .collect();
        let model_rules = lexicon
            .rules
            .iter()
            .enumerate()
            .filter_map(|(rule, r)| match r.kind {
                RuleKind::Model { threshold } => Some(ModelRule {
                    rule,
                    category: r.category.index(),
                    min_margin: (threshold / (1.0 - threshold)).ln(),
                }),
                _ => None,
            })
            .collect();
        Matcher {
            model_rules,
            rule_cues,
            full,
            roles,
            exceptions: OnceLock::new(),
            exception_rules,
            lexicon,
            ac: OnceLock::new(),
            patterns,
            searched,
            singles,
            single_groups,
            uses,
            scope: OnceLock::new(),
            jieba: OnceLock::new(),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            remember: fast,
        }
    }

    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    pub fn rule(&self, finding: &Finding) -> &Rule {
        &self.lexicon.rules[finding.rule]
    }

    /// The segmenter, built on first use with every lexicon term in its dictionary.
    fn jieba(&self) -> &Jieba {
        self.jieba.get_or_init(|| {
            let mut j = Jieba::new();
            // Terms of `terms` rules are words or phrases in their own right; the parts of
            // co-occurrence rules and negation cues are fragments (再拖, 不会) that would pull
            // neighbouring words apart if the segmenter took them for words.
            let mut words: Vec<&str> = Vec::new();
            for r in &self.lexicon.rules {
                if let RuleKind::Terms(t) = &r.kind {
                    words.extend(t.iter().map(|s| s.as_str()));
                }
            }
            words.sort_unstable();
            words.dedup();
            for w in words {
                // Only words jieba does not know at all (it cuts them into single characters,
                // as 傻逼 or 沙比): phrases made of known words need no entry, since only their
                // ends are checked, and adding them would pull neighbouring words apart.
                let n = w.chars().count();
                let unknown = j.cut(w, false).iter().all(|t| t.word.chars().count() == 1);
                if (2..=4).contains(&n) && unknown {
                    j.add_word(w, None, None);
                }
            }
            j
        })
    }

    /// Call `f` with jieba's word boundaries in `text` (byte offsets, 0 and the length
    /// included), cut once per thread and remembered.
    fn with_cut<R>(&self, text: &str, f: impl FnOnce(&[u32]) -> R) -> R {
        CUTS.with(|cell| {
            let mut cache = cell.borrow_mut();
            let (owner, bytes, map) = &mut *cache;
            if *owner != self.id || *bytes > CUT_CACHE_BYTES {
                *owner = self.id;
                *bytes = 0;
                map.clear();
            }
            if let Some(cuts) = map.get(text) {
                return f(cuts);
            }
            let mut cuts = vec![0u32];
            cuts.extend(
                self.jieba()
                    .cut(text, false)
                    .iter()
                    .map(|t| t.byte_end as u32),
            );
            let r = f(&cuts);
            *bytes += text.len() + 4 * cuts.len() + 64;
            map.insert(text.into(), cuts.into());
            r
        })
    }

    /// Build the automata and the segmenter now (for example on a background thread) instead
    /// of on first use.
    pub fn warm_up(&self) {
        self.automaton();
        self.scope();
        self.exceptions();
        self.jieba();
        self.model();
    }

    /// Negation cues, breakers, reported and refuted words, then the rules' own cues (each
    /// with the rules it serves in `rule_cues`): the scope automaton, built on first use.
    fn scope(&self) -> Option<&AhoCorasick> {
        self.scope
            .get_or_init(|| {
                let lex = &self.lexicon;
                let (rule_cue_words, _) = phrases_by_rule(&lex.rules, |r: &Rule| r.cues.as_slice());
                let words: Vec<&str> = lex
                    .negation_cues
                    .iter()
                    .chain(&lex.scope_breakers)
                    .chain(&lex.reported)
                    .chain(&lex.refuted)
                    .map(String::as_str)
                    .chain(rule_cue_words)
                    .collect();
                build_phrases(&words)
            })
            .as_ref()
    }

    /// Every rule's allow phrases (each with the rules it serves in `exception_rules`), built
    /// on first use.
    fn exceptions(&self) -> Option<&AhoCorasick> {
        self.exceptions
            .get_or_init(|| {
                let (phrases, _) =
                    phrases_by_rule(&self.lexicon.rules, |r: &Rule| r.exceptions.as_slice());
                build_phrases(&phrases)
            })
            .as_ref()
    }

    /// The automaton over every term, built on first use.
    fn automaton(&self) -> Option<&AhoCorasick> {
        self.ac
            .get_or_init(|| {
                (!self.searched.is_empty()).then(|| {
                    AhoCorasickBuilder::new()
                        .match_kind(MatchKind::Standard)
                        .kind(Some(AhoCorasickKind::ContiguousNFA))
                        .build(self.searched.iter().map(|&p| &self.patterns[p as usize]))
                        .expect("lexicon automaton builds")
                })
            })
            .as_ref()
    }

    /// Findings in `text` said by `role`, sorted by position. With `all_roles`, every rule
    /// applies whoever spoke.
    ///
    /// Findings depend on nothing but the text, the role and `all_roles`, so short messages
    /// are remembered per thread and a repeated one is answered from memory.
    pub fn scan(&self, text: &str, role: Role, all_roles: bool) -> Vec<Finding> {
        if !self.remember || text.len() > REMEMBER_MAX_TEXT {
            return self.scan_with(text, role, all_roles, true);
        }
        let slot = role as usize * 2 + all_roles as usize;
        let known = REMEMBERED.with(|cell| {
            let mut memory = cell.borrow_mut();
            if memory.owner != self.id || memory.bytes > REMEMBER_BYTES {
                memory.owner = self.id;
                memory.bytes = 0;
                memory.maps.iter_mut().for_each(|m| m.clear());
            }
            memory.maps[slot].get(text).map(|f| f.to_vec())
        });
        if let Some(findings) = known {
            return findings;
        }
        let findings = self.scan_with(text, role, all_roles, true);
        REMEMBERED.with(|cell| {
            let mut memory = cell.borrow_mut();
            memory.bytes += text.len() + 16 * findings.len() + 64;
            memory.maps[slot].insert(text.into(), findings.as_slice().into());
        });
        findings
    }

    /// Every confirmed hit of every rule, overlapping ones included (no leftmost-longest
    /// choice per category): what `lexicon check` runs a rule's examples through.
    pub fn scan_every_rule(&self, text: &str) -> Vec<Finding> {
        self.scan_with(text, Role::Agent, true, false)
    }

    fn scan_with(
        &self,
        text: &str,
        role: Role,
        all_roles: bool,
        longest_per_category: bool,
    ) -> Vec<Finding> {
        let norm = normalise(text);
        let (mut findings, lawful) =
            self.rule_findings(&norm, role, all_roles, longest_per_category);
        // Model rules speak for categories no other rule found, and whose hits were not dropped
        // as lawful (the rules read `我们不会上门` more exactly than the model does); for
        // `lexicon check`, every model rule speaks for itself.
        let skip = if longest_per_category {
            findings.iter().fold(lawful, |bits, f| {
                bits | category_bit(self.lexicon.rules[f.rule].category)
            })
        } else {
            0
        };
        self.model_findings(&norm, role, all_roles, skip, &mut findings);
        // Rules that give way are judged last, against everything else found (for `lexicon
        // check`, they too speak for themselves).
        if longest_per_category {
            self.give_way(&mut findings);
        }
        findings
    }

    /// The classifier, if the lexicon has model rules and a table.
    fn model(&self) -> Option<&Model> {
        if self.model_rules.is_empty() {
            return None;
        }
        self.lexicon.model_table()
    }

    /// Add the findings of model rules that apply to `role`, except for the categories in
    /// `skip` (bits, see [`category_bit`]). The evidence is the clause scoring highest on its
    /// own.
    fn model_findings(
        &self,
        norm: &Normalised,
        role: Role,
        all_roles: bool,
        skip: u8,
        findings: &mut Vec<Finding>,
    ) {
        let role_bit = 1u8 << role as u8;
        let wanted = |m: &&ModelRule| {
            (all_roles || self.roles[m.rule] & role_bit != 0) && skip & 1 << m.category == 0
        };
        if !self.model_rules.iter().any(|m| wanted(&m)) {
            return;
        }
        let Some(model) = self.model() else {
            return;
        };
        let margins = model.margins(&norm.text);
        let mut clauses: Option<Vec<(usize, usize, [f64; NCAT])>> = None;
        let before = findings.len();
        for m in self.model_rules.iter().filter(wanted) {
            if margins[m.category] < m.min_margin {
                continue;
            }
            let clauses = clauses.get_or_insert_with(|| {
                clause_ranges(&norm.text)
                    .into_iter()
                    .map(|(s, e)| (s, e, model.margins(&norm.text[s..e])))
                    .collect()
            });
            let mut best: Option<&(usize, usize, [f64; NCAT])> = None;
            for c in clauses.iter() {
                if best.is_none_or(|b| c.2[m.category] > b.2[m.category]) {
                    best = Some(c);
                }
            }
            if let Some(&(s, e, _)) = best {
                let (start, end) = norm.original_span(s, e);
                findings.push(Finding {
                    rule: m.rule,
                    start,
                    end,
                });
            }
        }
        if findings.len() != before {
            findings.sort_by_key(|f| (f.start, f.end, f.rule));
        }
    }

    /// Hits of the term and co-occurrence rules, sorted by position, and the categories of
    /// hits dropped as lawful (see [`Matcher::confirm`]).
    fn rule_findings(
        &self,
        norm: &Normalised,
        role: Role,
        all_roles: bool,
        longest_per_category: bool,
    ) -> (Vec<Finding>, u8) {
        let Some(ac) = self.automaton() else {
            return (Vec::new(), 0);
        };
        let rules = &self.lexicon.rules;
        let role_bit = 1u8 << role as u8;
        let applies = |rule: u32| all_roles || self.roles[rule as usize] & role_bit != 0;
        // First pass: which groups of which rules have a hit. A co-occurrence rule needs a
        // part from every group, so most messages stop here, before building any part.
        let complete = SCRATCH.with(|scratch| {
            let s = &mut *scratch.borrow_mut();
            if s.masks.len() < rules.len() {
                s.masks.resize(rules.len(), 0);
            }
            s.hits.clear();
            let record = |s: &mut Scratch, pattern: u32, start: usize, end: usize| {
                let mut used = false;
                for u in &self.uses[pattern as usize] {
                    if applies(u.rule) {
                        let mask = &mut s.masks[u.rule as usize];
                        if *mask == 0 {
                            s.touched.push(u.rule);
                        }
                        *mask |= 1 << u.group;
                        used = true;
                    }
                }
                if used {
                    s.hits.push((pattern, start as u32, end as u32));
                }
            };
            for m in ac.find_overlapping_iter(norm.text.as_ref()) {
                let pattern = self.searched[m.pattern().as_usize()];
                record(s, pattern, m.start(), m.end());
            }
            // The single characters, only if they could complete a rule.
            if s.touched.iter().any(|&r| {
                let r = r as usize;
                self.single_groups[r] != 0 && s.masks[r] | self.single_groups[r] == self.full[r]
            }) {
                for (i, c) in norm.text.char_indices() {
                    if let Ok(k) = self.singles.binary_search_by_key(&c, |&(sc, _)| sc) {
                        record(s, self.singles[k].1, i, i + c.len_utf8());
                    }
                }
            }
            let mut complete = Vec::new();
            if s.touched
                .iter()
                .any(|&r| s.masks[r as usize] == self.full[r as usize])
            {
                for &(pattern, start, end) in &s.hits {
                    for u in &self.uses[pattern as usize] {
                        let r = u.rule as usize;
                        if s.masks[r] == self.full[r] && applies(u.rule) {
                            complete.push(Part {
                                rule: r,
                                group: u.group as usize,
                                start: start as usize,
                                end: end as usize,
                            });
                        }
                    }
                }
            }
            for &r in &s.touched {
                s.masks[r as usize] = 0;
            }
            s.touched.clear();
            complete
        });
        if complete.is_empty() {
            return (Vec::new(), 0);
        }
        self.confirm(norm, complete, longest_per_category)
    }

    /// The findings, and the categories (bits, see [`category_bit`]) of candidates dropped as
    /// lawful: negated, refuted or excepted.
    fn confirm(
        &self,
        norm: &Normalised,
        mut parts: Vec<Part>,
        longest_per_category: bool,
    ) -> (Vec<Finding>, u8) {
        let seg = Segmented::new(self, &norm.text);
        parts.retain(|p| seg.aligned(p.start, p.end));
        parts.sort_by_key(|p| (p.rule, p.group, p.start, std::cmp::Reverse(p.end)));
        let mut candidates = Vec::new();
        let mut i = 0;
        while i < parts.len() {
            let rule = parts[i].rule;
            let j = i + parts[i..].iter().take_while(|p| p.rule == rule).count();
            self.assemble(
                &seg,
                &self.lexicon.rules[rule],
                &parts[i..j],
                &mut candidates,
            );
            i = j;
        }
        let allowed = self.exception_spans(&seg, &candidates);
        let mut dropped = 0u8;
        candidates.retain(|c| {
            let lawful = excepted(&allowed, c)
                || self.edge_excepted(&seg, c)
                || self.negated(&seg, c)
                || self.quoted_and_refuted(&seg, c);
            if lawful {
                dropped |= category_bit(self.lexicon.rules[c.rule].category);
            }
            !lawful
        });
        // Leftmost-longest per category; ties go to the rule listed first.
        candidates.sort_by_key(|c| {
            (
                self.lexicon.rules[c.rule].category,
                c.start,
                std::cmp::Reverse(c.end),
                c.rule,
            )
        });
        let mut kept: Vec<Candidate> = Vec::new();
        for c in candidates {
            let cat = self.lexicon.rules[c.rule].category;
            let overlaps = longest_per_category
                && kept
                    .iter()
                    .rev()
                    .take_while(|k| self.lexicon.rules[k.rule].category == cat)
                    .any(|k| c.start < k.end && k.start < c.end);
            if !overlaps {
                kept.push(c);
            }
        }
        let mut findings: Vec<Finding> = kept
            .iter()
            .map(|c| {
                let (start, end) = norm.original_span(c.start, c.end);
                Finding {
                    rule: c.rule,
                    start,
                    end,
                }
            })
            .collect();
        findings.sort_by_key(|f| (f.start, f.end, f.rule));
        (findings, dropped)
    }

    /// Drop the findings of rules that give way (`yields_to`) to a category that another
    /// finding (of a rule that gives way to nothing, a model rule included) has in this message.
    fn give_way(&self, findings: &mut Vec<Finding>) {
        let rules = &self.lexicon.rules;
        if findings.iter().all(|f| rules[f.rule].yields_to.is_empty()) {
            return;
        }
        let found = findings
            .iter()
            .filter(|f| rules[f.rule].yields_to.is_empty())
            .fold(0u8, |bits, f| bits | category_bit(rules[f.rule].category));
        findings.retain(|f| {
            !rules[f.rule]
                .yields_to
                .iter()
                .any(|&y| found & category_bit(y) != 0)
        });
    }

    /// Turn the aligned parts of one rule into candidates.
    fn assemble(&self, seg: &Segmented, rule: &Rule, parts: &[Part], out: &mut Vec<Candidate>) {
        match &rule.kind {
            RuleKind::Terms(_) => out.extend(parts.iter().map(|p| Candidate {
                rule: p.rule,
                start: p.start,
                end: p.end,
                parts: vec![(p.start, p.end)],
            })),
            // Model rules have no terms, hence no parts.
            RuleKind::Model { .. } => {}
            RuleKind::Cooccur {
                groups,
                max_gap,
                scope,
            } => {
                let by_group = |g: usize| parts.iter().filter(move |p| p.group == g);
                let mut covered_to = 0;
                for first in by_group(0) {
                    if first.start < covered_to {
                        continue;
                    }
                    let clause_end = match scope {
                        Scope::Clause => seg.clause(first.start).1,
                        Scope::Sentence => seg.sentence(first.start).1,
                        Scope::Message => seg.text.len(),
                    };
                    let mut chain = vec![(first.start, first.end)];
                    for g in 1..groups.len() {
                        let prev_end = chain.last().map_or(0, |c| c.1);
                        let next = by_group(g)
                            .filter(|p| p.start >= prev_end && p.end <= clause_end)
                            .filter(|p| {
                                max_gap.is_none_or(|gap| {
                                    seg.text[prev_end..p.start].chars().count() <= gap
                                })
                            })
                            .min_by_key(|p| (p.start, std::cmp::Reverse(p.end)));
                        match next {
                            Some(p) => chain.push((p.start, p.end)),
                            None => break,
                        }
                    }
                    if chain.len() == groups.len() {
                        let end = chain.last().map_or(first.end, |c| c.1);
                        covered_to = end;
                        out.push(Candidate {
                            rule: first.rule,
                            start: first.start,
                            end,
                            parts: chain,
                        });
                    }
                }
            }
        }
    }

    /// Where the allow phrases of the candidates' rules occur: (rule, start, end), one pass of
    /// one automaton over the text, and only when some candidate's rule has allow phrases.
    fn exception_spans(
        &self,
        seg: &Segmented,
        candidates: &[Candidate],
    ) -> Vec<(usize, usize, usize)> {
        if candidates
            .iter()
            .all(|c| self.lexicon.rules[c.rule].exceptions.is_empty())
        {
            return Vec::new();
        }
        let Some(ac) = self.exceptions() else {
            return Vec::new();
        };
        let mut spans = Vec::new();
        for m in ac.find_overlapping_iter(seg.text) {
            for &r in &self.exception_rules[m.pattern().as_usize()] {
                spans.push((r as usize, m.start(), m.end()));
            }
        }
        spans
    }

    /// Does the candidate directly follow one of its rule's exception prefixes or run straight
    /// into one of its exception suffixes (`所谓的` + `传票`, `传票` + `只能由法院送达`)?
    fn edge_excepted(&self, seg: &Segmented, c: &Candidate) -> bool {
        let rule = &self.lexicon.rules[c.rule];
        let (before, after) = (&seg.text[..c.start], &seg.text[c.end..]);
        rule.exception_prefixes
            .iter()
            .any(|p| before.ends_with(p.as_str()))
            || rule
                .exception_suffixes
                .iter()
                .any(|x| after.starts_with(x.as_str()))
    }

    /// Is the candidate governed by a negation cue earlier in its clause, with no scope
    /// breaker in between?
    fn negated(&self, seg: &Segmented, c: &Candidate) -> bool {
        let rule = &self.lexicon.rules[c.rule];
        let Some(scope) = self.scope() else {
            return false;
        };
        if !rule.negatable {
            return false;
        }
        let (clause_start, _) = seg.clause(c.start);
        let last_part_start = c.parts.last().map_or(c.start, |p| p.0);
        let inside_part = |s: usize, e: usize| c.parts.iter().any(|&(ps, pe)| s < pe && ps < e);
        let mut cues = Vec::new();
        let mut breakers = Vec::new();
        for m in scope.find_overlapping_iter(&seg.text[clause_start..last_part_start]) {
            let (s, e) = (clause_start + m.start(), clause_start + m.end());
            if !(seg.is_boundary(s) && seg.is_boundary(e)) || inside_part(s, e) {
                continue;
            }
            match self.scope_word(m.pattern().as_usize()) {
                ScopeWord::Cue => cues.push(e),
                ScopeWord::RuleCue(i) if self.rule_cues[i].contains(&(c.rule as u32)) => {
                    cues.push(e)
                }
                ScopeWord::Breaker => breakers.push(s),
                ScopeWord::Reported | ScopeWord::Refuted | ScopeWord::RuleCue(_) => {}
            }
        }
        cues.into_iter().any(|cue_end| {
            let next_part = c
                .parts
                .iter()
                .map(|p| p.0)
                .find(|&ps| ps >= cue_end)
                .unwrap_or(c.start);
            !breakers.iter().any(|&b| b >= cue_end && b < next_part)
        })
    }
}

/// An automaton over short phrase lists (negation words, allow phrases), or none if empty.
fn build_phrases(phrases: &[&str]) -> Option<AhoCorasick> {
    (!phrases.is_empty()).then(|| {
        AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(phrases)
            .expect("phrase automaton builds")
    })
}

/// The one character of a single-character term.
fn single_char(term: &str) -> Option<char> {
    let mut chars = term.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

/// Distinct phrases of every rule (allow phrases, own cues), in first-seen order, and for each
/// phrase the rules that list it.
fn phrases_by_rule<'a>(
    rules: &'a [Rule],
    of: impl Fn(&'a Rule) -> &'a [String],
) -> (Vec<&'a str>, Vec<Vec<u32>>) {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut phrases: Vec<&str> = Vec::new();
    let mut users: Vec<Vec<u32>> = Vec::new();
    for (ri, rule) in rules.iter().enumerate() {
        for phrase in of(rule) {
            let i = *index.entry(phrase.as_str()).or_insert_with(|| {
                phrases.push(phrase.as_str());
                users.push(Vec::new());
                phrases.len() - 1
            });
            users[i].push(ri as u32);
        }
    }
    (phrases, users)
}

/// What a pattern of the scope automaton is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ScopeWord {
    Cue,
    Breaker,
    Reported,
    Refuted,
    /// The n-th cue of single rules.
    RuleCue(usize),
}

impl Matcher {
    fn scope_word(&self, pattern: usize) -> ScopeWord {
        let lex = &self.lexicon;
        let cues = lex.negation_cues.len();
        let breakers = cues + lex.scope_breakers.len();
        let reported = breakers + lex.reported.len();
        let refuted = reported + lex.refuted.len();
        if pattern < cues {
            ScopeWord::Cue
        } else if pattern < breakers {
            ScopeWord::Breaker
        } else if pattern < reported {
            ScopeWord::Reported
        } else if pattern < refuted {
            ScopeWord::Refuted
        } else {
            ScopeWord::RuleCue(pattern - refuted)
        }
    }

    /// Is the candidate someone else's claim, quoted to be denied: a reported-speech cue
    /// earlier in its sentence (`有人跟您说会抓您坐牢`) and a refutation after it in the message
    /// (`这个说法不对`)? Both must stand on word boundaries.
    fn quoted_and_refuted(&self, seg: &Segmented, c: &Candidate) -> bool {
        let Some(scope) = self.scope() else {
            return false;
        };
        if self.lexicon.reported.is_empty() || self.lexicon.refuted.is_empty() {
            return false;
        }
        let found = |from: usize, to: usize, kind: ScopeWord| {
            scope.find_overlapping_iter(&seg.text[from..to]).any(|m| {
                self.scope_word(m.pattern().as_usize()) == kind
                    && seg.is_boundary(from + m.start())
                    && seg.is_boundary(from + m.end())
            })
        };
        // The claim may run over several clauses (`冒充法院发送“传票”，称欠网贷要坐牢，均为诈骗`),
        // and the cue may name the speaker inside the hit (`同事在电话里说要去您老家`).
        found(seg.sentence(c.start).0, c.end, ScopeWord::Reported)
            && found(c.end, seg.text.len(), ScopeWord::Refuted)
    }
}

/// Is one of the candidate's parts covered by an allow phrase of its rule?
fn excepted(allowed: &[(usize, usize, usize)], c: &Candidate) -> bool {
    allowed
        .iter()
        .any(|&(rule, s, e)| rule == c.rule && c.parts.iter().any(|&(ps, pe)| s <= ps && pe <= e))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEX: &str = r#"
category = "threat"
cues = ["不会", "不是"]
breakers = ["就"]

[[rule]]
id = "THR-901"
severity = "high"
description = "上门"
basis = "b"
terms = ["上门", "派出所", "sb"]
exceptions = ["上门服务"]

[[rule]]
id = "DIS-901"
category = "disclosure"
kind = "cooccur"
severity = "high"
description = "告知家人"
basis = "b"
groups = [["告诉", "通知"], ["你家人", "你父母"]]
max_gap = 4
cues = ["你自己"]
"#;

    fn matcher() -> Matcher {
        matcher_of(LEX)
    }

    /// A matcher over one lexicon file's text, which must parse without errors.
    fn matcher_of(text: &str) -> Matcher {
        let (lex, errors) = crate::rules::parse_file("t.toml", text);
        assert!(errors.is_empty(), "{errors:?}");
        Matcher::new(lex)
    }

    #[test]
    fn model_rules_fill_in_only_where_the_rules_found_nothing_and_dropped_nothing() {
        let (mut lex, errors) = crate::rules::parse_file(
            "t.toml",
            r#"
category = "threat"
cues = ["不会"]
[[rule]]
id = "THR-001"
severity = "high"
description = "上门"
basis = "测试"
terms = ["上门"]
[[rule]]
id = "THR-900"
kind = "model"
threshold = 0.6
severity = "low"
description = "模型"
basis = "测试"
"#,
        );
        assert!(errors.is_empty(), "{errors:?}");
        let docs: Vec<(String, [bool; NCAT])> = [
            ("晚上走路小心点", true),
            ("你孩子放学路上小心点", true),
            ("走夜路小心点啊", true),
            ("明天上门，小心点", true),
            ("请您按时还款", false),
            ("今天是最后还款日", false),
            ("您可以申请分期还款", false),
            ("感谢您按时还款", false),
        ]
        .iter()
        .map(|&(t, y)| (t.to_string(), [y, false, false, false, false]))
        .collect();
        let model = crate::model::train(&docs, crate::model::TrainOptions::default());
        lex.model = Some(crate::rules::ModelSource::new(
            "toy.tsv".into(),
            model.to_tsv().into(),
        ));
        let m = Matcher::new(lex);
        // Only the model: the clause that scores highest is the evidence.
        assert_eq!(
            hits(&m, "您好。下班路上小心点"),
            [("THR-900".to_string(), "下班路上小心点".to_string())]
        );
        // The rule hit: the model adds nothing for its category.
        assert_eq!(
            hits(&m, "明天上门，路上小心点"),
            [("THR-001".to_string(), "上门".to_string())]
        );
        // The rule's hit was dropped as negated: the model defers to it.
        assert!(hits(&m, "我们不会上门，路上小心点").is_empty());
        // Customers' words are not the collector's.
        assert!(m.scan("下班路上小心点", Role::Customer, false).is_empty());
        assert!(hits(&m, "请您按时还款").is_empty());
        // `lexicon check` sees every rule that fires.
        let mut every: Vec<&str> = m
            .scan_every_rule("明天上门，路上小心点")
            .iter()
            .map(|f| m.rule(f).id.as_str())
            .collect();
        every.sort_unstable();
        assert_eq!(every, ["THR-001", "THR-900"]);
    }

    fn hits(m: &Matcher, text: &str) -> Vec<(String, String)> {
        m.scan(text, Role::Agent, false)
            .iter()
            .map(|f| {
                let s: String = text.chars().skip(f.start).take(f.end - f.start).collect();
                (m.rule(f).id.clone(), s)
            })
            .collect()
    }

    #[test]
    fn a_rule_that_gives_way_is_dropped_where_its_categories_are_found() {
        let m = matcher_of(
            r#"
category = "threat"
[[rule]]
id = "THR-902"
severity = "medium"
description = "撇清责任"
basis = "b"
terms = ["别说我没提醒"]
yields_to = ["false_legal"]
[[rule]]
id = "THR-903"
severity = "high"
description = "伤害"
basis = "b"
terms = ["打断你的腿"]
[[rule]]
id = "LEG-901"
category = "false_legal"
severity = "high"
description = "坐牢"
basis = "b"
terms = ["坐牢"]
"#,
        );
        // Alone, the disclaimer is the threat.
        assert_eq!(
            hits(&m, "你再拖，别说我没提醒"),
            vec![("THR-902".to_string(), "别说我没提醒".to_string())]
        );
        // After an invented legal consequence it only colours that claim …
        assert_eq!(
            hits(&m, "不还就坐牢，别说我没提醒"),
            vec![("LEG-901".to_string(), "坐牢".to_string())]
        );
        // … and a real threat in the same message stays.
        assert_eq!(
            hits(&m, "不还就坐牢，打断你的腿，别说我没提醒"),
            vec![
                ("LEG-901".to_string(), "坐牢".to_string()),
                ("THR-903".to_string(), "打断你的腿".to_string()),
            ]
        );
        // `lexicon check` reads each rule on its own.
        let all = m.scan_with("不还就坐牢，别说我没提醒", Role::Agent, false, false);
        assert!(all.iter().any(|f| m.rule(f).id == "THR-902"));
    }

    #[test]
    fn word_boundaries_stop_fragments() {
        let m = matcher();
        assert_eq!(
            hits(&m, "明天我们上门"),
            vec![("THR-901".to_string(), "上门".to_string())]
        );
        assert!(hits(&m, "我们会派出所有人手").is_empty());
        assert!(hits(&m, "我马上门诊看病").is_empty());
        assert!(hits(&m, "插上usb接口").is_empty());
        // `会通` is a word, but not here: the full reading is 我们/会/通知/你/父母.
        assert_eq!(
            hits(&m, "我们会通知你父母"),
            vec![("DIS-901".to_string(), "通知你父母".to_string())]
        );
        assert_eq!(
            hits(&m, "你个ＳＢ"),
            vec![("THR-901".to_string(), "ＳＢ".to_string())]
        );
    }

    #[test]
    fn exceptions_negation_and_breakers() {
        let m = matcher();
        assert!(hits(&m, "我们提供上门服务").is_empty());
        assert!(hits(&m, "我们不会上门").is_empty());
        assert_eq!(hits(&m, "你不还钱我们就上门").len(), 1);
        assert_eq!(hits(&m, "我们不会去，明天上门").len(), 1);
    }

    #[test]
    fn cooccurrence_inside_a_clause() {
        let m = matcher();
        assert_eq!(
            hits(&m, "我们马上通知你父母"),
            vec![("DIS-901".to_string(), "通知你父母".to_string())]
        );
        assert!(hits(&m, "我们不会通知你父母").is_empty());
        assert!(hits(&m, "我会通知，你父母都好").is_empty());
        assert!(
            hits(&m, "通知一下明天下午你父母").is_empty(),
            "gap too long"
        );
    }

    #[test]
    fn message_scope_spans_sentences() {
        let lex = r#"
category = "impersonation"
[[rule]]
id = "IMP-901"
kind = "cooccur"
scope = "message"
severity = "high"
description = "署名公安的催收短信"
basis = "b"
groups = [["公安局】"], ["欠款"]]
"#;
        let m = matcher_of(lex);
        let text = "【某市公安局】请于今日到局说明情况。你的欠款已逾期。";
        assert_eq!(
            hits(&m, text),
            vec![(
                "IMP-901".to_string(),
                "公安局】请于今日到局说明情况。你的欠款".to_string()
            )]
        );
        assert!(hits(&m, "【某市公安局】本周六正常办理身份证业务。").is_empty());
    }

    #[test]
    fn spans_point_into_the_original() {
        let m = matcher();
        let text = "ＡＢ，明天上\u{200B}门";
        let f = m.scan(text, Role::Agent, false);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].start, f[0].end), (5, 8));
        assert!(m.scan(text, Role::Customer, false).is_empty());
        assert_eq!(m.scan(text, Role::Customer, true).len(), 1);
    }

    #[test]
    fn lazy_boundaries_equal_a_full_cut() {
        let m = matcher();
        let texts = [
            "您好，我是XX金融的客服，您的借款25769.94元已逾期3天。",
            "你再不还我们就上门，派出所有人也没用！！\r\n明天见",
            "abc 123_x-y 老赖sb  欠钱不还…… 你家人知道吗?",
            "",
            "马上门诊",
        ];
        for text in texts {
            let full: std::collections::HashSet<usize> = m
                .jieba()
                .cut(text, false)
                .iter()
                .flat_map(|t| [t.byte_start, t.byte_end])
                .chain([0, text.len()])
                .collect();
            // Ask twice, in two orders, so that cached and uncached answers are both checked.
            for order in [false, true] {
                let seg = Segmented::new(&m, text);
                let mut positions: Vec<usize> = (0..=text.len())
                    .filter(|&i| text.is_char_boundary(i))
                    .collect();
                if order {
                    positions.reverse();
                }
                for i in positions {
                    assert_eq!(
                        seg.is_boundary(i),
                        full.contains(&i),
                        "{text:?} at byte {i}"
                    );
                }
            }
        }
    }

    #[test]
    fn single_character_lookup_equals_searching_every_term() {
        let fast = Matcher::new(Lexicon::builtin());
        let slow = Matcher::build(Lexicon::builtin(), false);
        assert!(fast.singles.len() > 10, "{} singles", fast.singles.len());
        assert!(slow.singles.is_empty());
        let corpus = include_str!("../fixtures/corpus/dev.csv");
        let mut findings = 0;
        for line in corpus.lines().skip(1) {
            for role in [Role::Agent, Role::Customer] {
                let a = fast.scan(line, role, false);
                assert_eq!(a, slow.scan(line, role, false), "{line}");
                findings += a.len();
                assert_eq!(fast.scan_every_rule(line), slow.scan_every_rule(line));
            }
        }
        assert!(findings > 500, "{findings} findings");
    }

    #[test]
    fn remembered_findings_equal_fresh_ones_for_each_role() {
        let fast = Matcher::new(Lexicon::builtin());
        let slow = Matcher::build(Lexicon::builtin(), false);
        assert!(fast.remember && !slow.remember);
        let corpus = include_str!("../fixtures/corpus/dev.csv");
        let lines: Vec<&str> = corpus.lines().skip(1).take(400).collect();
        let mut flagged = 0;
        // Every line twice per role and mode: the second answer comes from memory, and the
        // same text said by someone else must not take the first speaker's answer.
        for _ in 0..2 {
            for line in &lines {
                for role in [Role::Agent, Role::Customer, Role::Unknown] {
                    for all_roles in [false, true] {
                        let a = fast.scan(line, role, all_roles);
                        assert_eq!(a, slow.scan(line, role, all_roles), "{line} {role:?}");
                        flagged += usize::from(!a.is_empty());
                    }
                }
            }
        }
        assert!(flagged > 400, "{flagged}");
        let text = "你这个老赖，明天就上门找你";
        for _ in 0..2 {
            assert!(!fast.scan(text, Role::Agent, false).is_empty());
            assert!(fast.scan(text, Role::Customer, false).is_empty());
            assert!(!fast.scan(text, Role::Customer, true).is_empty());
        }
        // Another matcher (another lexicon) on the same thread does not read this one's memory.
        let mut lex = Lexicon::builtin();
        lex.rules.retain(|r| r.category.id != "insult");
        let other = Matcher::new(lex);
        let categories = |m: &Matcher| -> Vec<&str> {
            m.scan(text, Role::Agent, false)
                .iter()
                .map(|f| m.rule(f).category.id)
                .collect()
        };
        assert!(categories(&fast).contains(&"insult"));
        assert!(!categories(&other).contains(&"insult"));
        assert!(categories(&fast).contains(&"insult"));
    }

    #[test]
    fn quoted_and_refuted_claims_are_dropped() {
        let m = Matcher::new(Lexicon::builtin());
        let categories = |text: &str| -> Vec<&str> {
            m.scan(text, Role::Agent, false)
                .iter()
                .map(|f| m.rule(f).category.id)
                .collect()
        };
        // Someone else's claim, denied later in the message.
        assert!(categories("有人跟您说会抓您坐牢，那个说法不对，欠款是民事纠纷").is_empty());
        assert!(categories("有人说你是老赖，这是不对的").is_empty());
        // The claim may run over several clauses of its sentence.
        assert!(
            categories(
                "【反诈提醒】有不法分子冒充法院发送“传票”，称欠网贷要坐牢，均为诈骗，请勿轻信"
            )
            .is_empty()
        );
        // A truthful denial of the consequence is a negation.
        assert!(categories("个人债务不影响子女入学，请放心").is_empty());
        // A refutation without a reported claim, or in another clause, changes nothing.
        assert_eq!(categories("我们明天上门找你，这不是假的"), ["threat"]);
        assert_eq!(
            categories("听说你想跑？我们上门找你，不要相信你能躲掉"),
            ["threat"]
        );
        // A supervisor quoting a colleague in order to apologise; phrases quoted as forbidden.
        assert!(
            categories(
                "上周那位同事在电话里说要去您老家找人，这个说法是违规的，我代表公司跟您道歉"
            )
            .is_empty()
        );
        assert!(
            categories("培训时领导讲，“坐牢”“告诉你家人”这几句话谁说谁走人，您放心").is_empty()
        );
        // ASCII quotation marks and corner brackets quote as well.
        assert!(categories("什么\"拘留十五天\"，根本没这回事，欠钱不还不会被拘留").is_empty());
        assert!(categories("你说那个人讲「要去你老家找你爸」，他已经被公司处理了").is_empty());
        // A reported claim that is not refuted stands, and so does the collector's own one.
        assert_eq!(
            categories("有人说会联系你家人，我们就是要联系你家人"),
            ["disclosure", "disclosure"]
        );
    }

    #[test]
    fn exception_affixes_drop_hits_at_their_edges() {
        let lex = r#"
category = "impersonation"

[[rule]]
id = "IMP-901"
severity = "high"
description = "d"
basis = "b"
terms = ["传票", "拘传票"]
exception_prefixes = ["所谓的"]
exception_suffixes = ["只能"]
examples = ["你的传票已经寄出", "拘传票下来了"]
counter_examples = ["所谓的传票是骗人的", "传票只能由法院送达"]
"#;
        let m = matcher_of(lex);
        assert_eq!(
            hits(&m, "你的传票已经寄出"),
            [("IMP-901".into(), "传票".into())]
        );
        // Right after the prefix, or right before the suffix: dropped, for every term.
        assert!(hits(&m, "所谓的传票是骗人的").is_empty());
        assert!(hits(&m, "所谓的拘传票是骗人的").is_empty());
        assert!(hits(&m, "拘传票只能由法院送达").is_empty());
        // Not adjacent: the hit stands.
        assert_eq!(
            hits(&m, "所谓的那张传票到了"),
            [("IMP-901".into(), "传票".into())]
        );
    }

    #[test]
    fn a_rule_cue_negates_that_rule_only() {
        let m = matcher();
        // The debtor is advised to tell the family: not a disclosure.
        assert!(hits(&m, "你自己告诉你父母吧").is_empty());
        assert_eq!(hits(&m, "我们告诉你父母").len(), 1);
        // The same cue does nothing to another rule.
        assert_eq!(
            hits(&m, "你自己看着办，明天上门"),
            [("THR-901".into(), "上门".into())]
        );
    }
}
