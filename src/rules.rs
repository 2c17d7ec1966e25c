//! Rules as data: loading, validating and describing lexicon files.
//!
//! A lexicon file is TOML (see `lexicons/README.md`). The engine knows two rule kinds:
//! `terms` (any one term is a hit) and `cooccur` (one term of every group, in order, inside
//! one clause). Everything else — exceptions, negation, roles, examples — is per-rule data.

use crate::input::Role;
use crate::model::Model;
use crate::normalise::normalise_term;
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use toml::Spanned;

/// A reporting category. The first four ids are part of the command-line contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Category {
    pub id: &'static str,
    pub zh: &'static str,
}

pub const CATEGORIES: &[Category] = &[
    Category {
        id: "threat",
        zh: "威胁恐吓",
    },
    Category {
        id: "insult",
        zh: "侮辱谩骂",
    },
    Category {
        id: "impersonation",
        zh: "冒充公检法等机构",
    },
    Category {
        id: "disclosure",
        zh: "向第三方泄露债务",
    },
    Category {
        id: "false_legal",
        zh: "虚构法律后果",
    },
];

pub fn category(id: &str) -> Option<Category> {
    CATEGORIES.iter().copied().find(|c| c.id == id)
}

impl Category {
    /// Position in [`CATEGORIES`] (the model's weight column, the matcher's category bit).
    pub fn index(self) -> usize {
        CATEGORIES
            .iter()
            .position(|&c| c == self)
            .expect("every category is one of CATEGORIES")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
    fn parse(s: &str) -> Option<Severity> {
        match s {
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone)]
pub enum RuleKind {
    /// Any one term is a hit.
    Terms(Vec<String>),
    /// One term from every group, in this order, inside one clause, each part at most
    /// `max_gap` characters after the previous one.
    Cooccur {
        groups: Vec<Vec<String>>,
        max_gap: Option<usize>,
        /// How far the parts may spread: one clause (default), one sentence or the message.
        scope: Scope,
    },
    /// The lexicon's classifier (see [`crate::model`]) scores the message for the rule's
    /// category at least `threshold` (a probability), and no term rule of the category hit.
    Model { threshold: f64 },
}

/// The stretch of text a co-occurrence must fit in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Ends at any clause punctuation (`，。！？；：` …).
    Clause,
    /// Ends at sentence punctuation only (`。！？` …): conditions and consequences
    /// (`不还钱，明天就上你家`) span clauses.
    Sentence,
    /// The whole message: an SMS signed `【XX公安局】` that goes on about a debt.
    Message,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub category: Category,
    pub severity: Severity,
    pub description: String,
    pub basis: String,
    pub kind: RuleKind,
    /// Normalised allow phrases: a hit lying inside one of these is dropped.
    pub exceptions: Vec<String>,
    /// A hit directly after one of these is dropped (`所谓的` + `传票`, `寄` + `到你家里`).
    pub exception_prefixes: Vec<String>,
    /// A hit directly followed by one of these is dropped (`传票` + `只能由法院送达`).
    pub exception_suffixes: Vec<String>,
    pub negatable: bool,
    /// Negation cues for this rule only, on top of the shared ones (`你自己` before a
    /// disclosure: the debtor is advised to tell their family, nobody threatens to).
    pub cues: Vec<String>,
    /// Categories this rule gives way to: in a message where a rule of one of them (that
    /// gives way to nothing) also hits, this rule's hits are dropped (`别说我们没提醒` after an
    /// invented legal consequence only colours that claim; it threatens nothing more).
    pub yields_to: Vec<Category>,
    pub roles: Vec<Role>,
    pub examples: Vec<String>,
    pub counter_examples: Vec<String>,
    /// `file:line` where the rule is defined.
    pub origin: String,
}

impl Rule {
    /// Groups of terms as written after normalisation: one group for a `terms` rule.
    pub fn groups(&self) -> Vec<&[String]> {
        match &self.kind {
            RuleKind::Terms(t) => vec![t.as_slice()],
            RuleKind::Cooccur { groups, .. } => groups.iter().map(|g| g.as_slice()).collect(),
            RuleKind::Model { .. } => Vec::new(),
        }
    }

    /// Number of term groups: 1 for a `terms` rule.
    pub fn group_count(&self) -> usize {
        match &self.kind {
            RuleKind::Terms(_) => 1,
            RuleKind::Cooccur { groups, .. } => groups.len(),
            RuleKind::Model { .. } => 0,
        }
    }

    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            RuleKind::Terms(_) => "terms",
            RuleKind::Cooccur { .. } => "cooccur",
            RuleKind::Model { .. } => "model",
        }
    }
}

/// Most groups a co-occurrence rule may have (the matcher tracks them in a bit mask).
pub const MAX_GROUPS: usize = 16;

/// Every rule plus the negation vocabulary, ready for the matcher.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    pub rules: Vec<Rule>,
    /// Words that negate a following hit inside the same clause (`不会`, `不是`).
    pub negation_cues: Vec<String>,
    /// Words that end a negation's scope inside a clause (`就`, `否则`).
    pub scope_breakers: Vec<String>,
    /// Words that introduce someone else's claim (`有人跟您说`) …
    pub reported: Vec<String>,
    /// … and words that refute it later in the message (`这个说法不对`): a hit between the two
    /// is quoted in order to be denied.
    pub refuted: Vec<String>,
    /// The classifier that `model` rules consult (the last table loaded wins).
    pub model: Option<Arc<ModelSource>>,
}

/// A classifier table (see [`crate::model`]) and where it came from, parsed on first use:
/// a scan of an empty file should not pay for reading 20,000 rows.
pub struct ModelSource {
    pub origin: String,
    text: Cow<'static, str>,
    parsed: OnceLock<Result<Model, LexiconError>>,
}

impl ModelSource {
    pub fn new(origin: String, text: Cow<'static, str>) -> Arc<ModelSource> {
        Arc::new(ModelSource {
            origin,
            text,
            parsed: OnceLock::new(),
        })
    }

    /// The parsed table, or where it is malformed.
    pub fn get(&self) -> Result<&Model, &LexiconError> {
        self.parsed
            .get_or_init(|| {
                Model::parse(&self.text).map_err(|(line, message)| LexiconError {
                    file: self.origin.clone(),
                    line,
                    message,
                })
            })
            .as_ref()
    }
}

impl fmt::Debug for ModelSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ModelSource({})", self.origin)
    }
}

/// A problem in a lexicon file, shown as `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexiconError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for LexiconError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// The lexicons shipped with dunscan, compiled into the binary.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "lexicons/threat.toml",
        include_str!("../lexicons/threat.toml"),
    ),
    (
        "lexicons/insult.toml",
        include_str!("../lexicons/insult.toml"),
    ),
    (
        "lexicons/impersonation.toml",
        include_str!("../lexicons/impersonation.toml"),
    ),
    (
        "lexicons/disclosure.toml",
        include_str!("../lexicons/disclosure.toml"),
    ),
    (
        "lexicons/false_legal.toml",
        include_str!("../lexicons/false_legal.toml"),
    ),
    (
        "lexicons/negation.toml",
        include_str!("../lexicons/negation.toml"),
    ),
    (
        "lexicons/model.toml",
        include_str!("../lexicons/model.toml"),
    ),
];

/// The classifier table shipped with dunscan (written by `dunscan model train`).
pub const BUILTIN_MODEL: (&str, &str) =
    ("lexicons/model.tsv", include_str!("../lexicons/model.tsv"));

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDe {
    category: Option<Spanned<String>>,
    #[serde(default)]
    rule: Vec<Spanned<RuleDe>>,
    #[serde(default)]
    cues: Vec<Spanned<String>>,
    #[serde(default)]
    breakers: Vec<Spanned<String>>,
    #[serde(default)]
    reported: Vec<Spanned<String>>,
    #[serde(default)]
    refuted: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleDe {
    id: Spanned<String>,
    category: Option<Spanned<String>>,
    kind: Option<Spanned<String>>,
    severity: Spanned<String>,
    description: Spanned<String>,
    basis: Spanned<String>,
    #[serde(default)]
    terms: Vec<Spanned<String>>,
    #[serde(default)]
    groups: Vec<Vec<Spanned<String>>>,
    max_gap: Option<usize>,
    scope: Option<Spanned<String>>,
    threshold: Option<Spanned<f64>>,
    #[serde(default)]
    exceptions: Vec<Spanned<String>>,
    #[serde(default)]
    exception_prefixes: Vec<Spanned<String>>,
    #[serde(default)]
    exception_suffixes: Vec<Spanned<String>>,
    negatable: Option<bool>,
    #[serde(default)]
    cues: Vec<Spanned<String>>,
    #[serde(default)]
    yields_to: Vec<Spanned<String>>,
    roles: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    examples: Vec<String>,
    #[serde(default)]
    counter_examples: Vec<String>,
}

/// Byte offsets of a text's line breaks, for [`line_of`].
fn line_breaks(text: &str) -> Vec<usize> {
    text.bytes()
        .enumerate()
        .filter(|&(_, b)| b == b'\n')
        .map(|(i, _)| i)
        .collect()
}

/// 1-based line of byte `byte`, given the text's [`line_breaks`].
fn line_of(breaks: &[usize], byte: usize) -> usize {
    breaks.partition_point(|&nl| nl < byte) + 1
}

fn valid_rule_id(id: &str) -> bool {
    let Some((prefix, num)) = id.split_once('-') else {
        return false;
    };
    (2..=6).contains(&prefix.len())
        && prefix.bytes().all(|b| b.is_ascii_uppercase())
        && num.len() >= 3
        && num.bytes().all(|b| b.is_ascii_digit())
}

/// Parse one lexicon file. Errors carry the file name and line; parsing goes on after a
/// bad rule so that `lexicon check` reports every problem at once.
pub fn parse_file(name: &str, text: &str) -> (Lexicon, Vec<LexiconError>) {
    let mut errors = Vec::new();
    let mut lex = Lexicon::default();
    let breaks = line_breaks(text);
    let err = |span: std::ops::Range<usize>, message: String| LexiconError {
        file: name.to_string(),
        line: line_of(&breaks, span.start),
        message,
    };
    let file: FileDe = match toml::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            let line = e.span().map(|s| line_of(&breaks, s.start)).unwrap_or(1);
            let message = e.message().trim().to_string();
            errors.push(LexiconError {
                file: name.to_string(),
                line,
                message,
            });
            return (lex, errors);
        }
    };
    let default_category = match &file.category {
        Some(c) => match category(c.get_ref()) {
            Some(cat) => Some(cat),
            None => {
                errors.push(err(c.span(), unknown_category(c.get_ref())));
                None
            }
        },
        None => None,
    };
    for (list, into, what) in [
        (&file.cues, &mut lex.negation_cues, "negation cue"),
        (&file.breakers, &mut lex.scope_breakers, "scope breaker"),
        (&file.reported, &mut lex.reported, "reported-speech cue"),
        (&file.refuted, &mut lex.refuted, "refutation"),
    ] {
        for w in list {
            match normalise_term(w.get_ref()) {
                Some(t) => into.push(t),
                None => errors.push(err(w.span(), format!("empty {what}"))),
            }
        }
    }
    for spanned in file.rule {
        let rule_line = line_of(&breaks, spanned.span().start);
        let r = spanned.into_inner();
        let before = errors.len();
        let id = r.id.get_ref().trim().to_string();
        if !valid_rule_id(&id) {
            errors.push(err(
                r.id.span(),
                format!("rule id `{id}` is not of the form ABC-001"),
            ));
        }
        let category = match (&r.category, default_category) {
            (Some(c), _) => category(c.get_ref()).or_else(|| {
                errors.push(err(c.span(), unknown_category(c.get_ref())));
                None
            }),
            (None, Some(c)) => Some(c),
            (None, None) => {
                if file.category.is_none() {
                    errors.push(err(
                        r.id.span(),
                        format!("rule {id} has no category (set `category` in the rule or at the top of the file)"),
                    ));
                }
                None
            }
        };
        let severity = Severity::parse(r.severity.get_ref().trim()).or_else(|| {
            errors.push(err(
                r.severity.span(),
                format!(
                    "unknown severity `{}` (expected high, medium or low)",
                    r.severity.get_ref()
                ),
            ));
            None
        });
        for (field, value) in [("description", &r.description), ("basis", &r.basis)] {
            if value.get_ref().trim().is_empty() {
                errors.push(err(value.span(), format!("rule {id}: empty {field}")));
            }
        }
        let kind_name = r
            .kind
            .as_ref()
            .map(|k| k.get_ref().as_str())
            .unwrap_or("terms");
        let kind = match kind_name {
            "terms" => {
                if !r.groups.is_empty() {
                    errors.push(err(
                        r.id.span(),
                        format!("rule {id}: `groups` needs kind = \"cooccur\""),
                    ));
                }
                let terms = norm_list(&r.terms, "term", &id, &mut errors, &err);
                if terms.is_empty() && r.terms.is_empty() {
                    errors.push(err(r.id.span(), format!("rule {id}: no terms")));
                }
                Some(RuleKind::Terms(terms))
            }
            "cooccur" => {
                if !r.terms.is_empty() {
                    errors.push(err(
                        r.id.span(),
                        format!("rule {id}: a cooccur rule takes `groups`, not `terms`"),
                    ));
                }
                if r.groups.len() < 2 {
                    errors.push(err(
                        r.id.span(),
                        format!("rule {id}: a cooccur rule needs at least two groups"),
                    ));
                }
                if r.groups.len() > MAX_GROUPS {
                    errors.push(err(
                        r.id.span(),
                        format!("rule {id}: a cooccur rule has at most {MAX_GROUPS} groups"),
                    ));
                }
                let mut groups = Vec::new();
                for g in &r.groups {
                    let terms = norm_list(g, "term", &id, &mut errors, &err);
                    if terms.is_empty() && g.is_empty() {
                        errors.push(err(r.id.span(), format!("rule {id}: empty group")));
                    }
                    groups.push(terms);
                }
                let scope = match r.scope.as_ref().map(|s| s.get_ref().as_str()) {
                    None | Some("clause") => Scope::Clause,
                    Some("sentence") => Scope::Sentence,
                    Some("message") => Scope::Message,
                    Some(other) => {
                        let span = r.scope.as_ref().map(|s| s.span()).unwrap_or(r.id.span());
                        errors.push(err(
                            span,
                            format!(
                                "rule {id}: unknown scope `{other}` (expected clause, sentence or message)"
                            ),
                        ));
                        Scope::Clause
                    }
                };
                Some(RuleKind::Cooccur {
                    groups,
                    max_gap: r.max_gap,
                    scope,
                })
            }
            "model" => {
                if !r.terms.is_empty() || !r.groups.is_empty() {
                    errors.push(err(
                        r.id.span(),
                        format!("rule {id}: a model rule takes no `terms` or `groups`"),
                    ));
                }
                match &r.threshold {
                    Some(t) if (0.0..1.0).contains(t.get_ref()) && *t.get_ref() > 0.0 => {
                        Some(RuleKind::Model {
                            threshold: *t.get_ref(),
                        })
                    }
                    Some(t) => {
                        errors.push(err(
                            t.span(),
                            format!("rule {id}: threshold must lie between 0 and 1"),
                        ));
                        None
                    }
                    None => {
                        errors.push(err(
                            r.id.span(),
                            format!("rule {id}: a model rule needs a `threshold`"),
                        ));
                        None
                    }
                }
            }
            other => {
                let span = r.kind.as_ref().map(|k| k.span()).unwrap_or(r.id.span());
                errors.push(err(
                    span,
                    format!("rule {id}: unknown kind `{other}` (expected terms, cooccur or model)"),
                ));
                None
            }
        };
        if r.threshold.is_some() && kind_name != "model" {
            errors.push(err(
                r.id.span(),
                format!("rule {id}: `threshold` needs kind = \"model\""),
            ));
        }
        let exceptions = norm_list(&r.exceptions, "exception", &id, &mut errors, &err);
        let exception_prefixes = norm_list(
            &r.exception_prefixes,
            "exception prefix",
            &id,
            &mut errors,
            &err,
        );
        let exception_suffixes = norm_list(
            &r.exception_suffixes,
            "exception suffix",
            &id,
            &mut errors,
            &err,
        );
        let cues = norm_list(&r.cues, "negation cue", &id, &mut errors, &err);
        let mut yields_to = Vec::new();
        for y in &r.yields_to {
            match self::category(y.get_ref()) {
                Some(c) if Some(c) == category => errors.push(err(
                    y.span(),
                    format!("rule {id}: `yields_to` names the rule's own category"),
                )),
                Some(c) if !yields_to.contains(&c) => yields_to.push(c),
                Some(_) => errors.push(err(
                    y.span(),
                    format!("rule {id}: `yields_to` names `{}` twice", y.get_ref()),
                )),
                None => errors.push(err(
                    y.span(),
                    format!(
                        "rule {id}: unknown category `{}` in `yields_to`",
                        y.get_ref()
                    ),
                )),
            }
        }
        let mut roles = Vec::new();
        match &r.roles {
            None => roles.extend([Role::Agent, Role::Unknown]),
            Some(list) => {
                for s in list {
                    match Role::parse_id(s.get_ref()) {
                        Some(role) => roles.push(role),
                        None => errors.push(err(
                            s.span(),
                            format!("rule {id}: unknown role `{}` (expected agent, customer or unknown)", s.get_ref()),
                        )),
                    }
                }
            }
        }
        if errors.len() != before {
            continue;
        }
        if let (Some(category), Some(severity), Some(kind)) = (category, severity, kind) {
            lex.rules.push(Rule {
                id,
                category,
                severity,
                description: r.description.into_inner().trim().to_string(),
                basis: r.basis.into_inner().trim().to_string(),
                kind,
                exceptions,
                exception_prefixes,
                exception_suffixes,
                negatable: r.negatable.unwrap_or(true),
                cues,
                yields_to,
                roles,
                examples: r.examples,
                counter_examples: r.counter_examples,
                origin: format!("{name}:{rule_line}"),
            });
        }
    }
    (lex, errors)
}

/// Normalise a list of terms, reporting empty and duplicate entries.
fn norm_list(
    list: &[Spanned<String>],
    what: &str,
    id: &str,
    errors: &mut Vec<LexiconError>,
    err: &dyn Fn(std::ops::Range<usize>, String) -> LexiconError,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    for t in list {
        match normalise_term(t.get_ref()) {
            Some(n) if !seen.insert(n.clone()) => errors.push(err(
                t.span(),
                format!("rule {id}: duplicate {what} `{}`", t.get_ref()),
            )),
            Some(n) => out.push(n),
            None => errors.push(err(t.span(), format!("rule {id}: empty {what}"))),
        }
    }
    out
}

fn unknown_category(c: &str) -> String {
    let known: Vec<&str> = CATEGORIES.iter().map(|c| c.id).collect();
    format!(
        "unknown category `{c}` (expected one of: {})",
        known.join(", ")
    )
}

impl Lexicon {
    /// Merge `other` into `self`, reporting rule ids defined twice.
    pub fn merge(&mut self, other: Lexicon, errors: &mut Vec<LexiconError>) {
        let seen: HashMap<String, String> = self
            .rules
            .iter()
            .map(|r| (r.id.clone(), r.origin.clone()))
            .collect();
        for rule in other.rules {
            if let Some(first) = seen.get(&rule.id) {
                let (file, line) = split_origin(&rule.origin);
                errors.push(LexiconError {
                    file,
                    line,
                    message: format!("duplicate rule id {} (first defined at {first})", rule.id),
                });
                continue;
            }
            self.rules.push(rule);
        }
        if other.model.is_some() {
            self.model = other.model;
        }
        for (from, into) in [
            (other.negation_cues, &mut self.negation_cues),
            (other.scope_breakers, &mut self.scope_breakers),
            (other.reported, &mut self.reported),
            (other.refuted, &mut self.refuted),
        ] {
            for w in from {
                if !into.contains(&w) {
                    into.push(w);
                }
            }
        }
    }

    /// Parse several named texts into one lexicon, checking ids across all of them.
    pub fn from_texts<'a>(
        texts: impl IntoIterator<Item = (String, &'a str)>,
    ) -> (Lexicon, Vec<LexiconError>) {
        let mut lex = Lexicon::default();
        let mut errors = Vec::new();
        for (name, text) in texts {
            let (part, mut errs) = parse_file(&name, text);
            errors.append(&mut errs);
            lex.merge(part, &mut errors);
        }
        (lex, errors)
    }

    pub fn builtin() -> Lexicon {
        let (mut lex, errors) =
            Lexicon::from_texts(BUILTIN.iter().map(|(n, t)| (n.to_string(), *t)));
        lex.model = Some(ModelSource::new(
            BUILTIN_MODEL.0.to_string(),
            Cow::Borrowed(BUILTIN_MODEL.1),
        ));
        // A broken built-in lexicon would silently lose its broken rules: fail loudly instead
        // (the test suite and `lexicon check lexicons` keep this from ever reaching a release).
        assert!(
            errors.is_empty(),
            "built-in lexicons are invalid: {errors:?}"
        );
        lex
    }

    /// The classifier table, parsed (`None` without one, or when it does not parse: see
    /// [`Lexicon::model_error`]).
    pub fn model_table(&self) -> Option<&Model> {
        self.model.as_ref().and_then(|m| m.get().ok())
    }

    /// A problem with the classifier: `model` rules without a table, or a table that does not
    /// parse.
    pub fn model_error(&self) -> Option<LexiconError> {
        match &self.model {
            Some(source) => source.get().err().cloned(),
            None => self
                .rules
                .iter()
                .find(|r| matches!(r.kind, RuleKind::Model { .. }))
                .map(|r| {
                    let (file, line) = split_origin(&r.origin);
                    LexiconError {
                        file,
                        line,
                        message: format!(
                            "rule {} is a model rule, but no model table (*.tsv) is loaded",
                            r.id
                        ),
                    }
                }),
        }
    }

    /// Leave out the model rules and the classifier table.
    pub fn drop_model(&mut self) {
        self.rules
            .retain(|r| !matches!(r.kind, RuleKind::Model { .. }));
        self.model = None;
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id.eq_ignore_ascii_case(id))
    }

    /// Number of distinct normalised terms per category.
    pub fn term_counts(&self) -> BTreeMap<&'static str, usize> {
        let mut sets: BTreeMap<&'static str, std::collections::BTreeSet<&str>> = BTreeMap::new();
        for r in &self.rules {
            let set = sets.entry(r.category.id).or_default();
            for g in r.groups() {
                set.extend(g.iter().map(|s| s.as_str()));
            }
        }
        sets.into_iter().map(|(k, v)| (k, v.len())).collect()
    }
}

fn split_origin(origin: &str) -> (String, usize) {
    match origin.rsplit_once(':') {
        Some((f, l)) => (f.to_string(), l.parse().unwrap_or(0)),
        None => (origin.to_string(), 0),
    }
}

/// Lexicon files under `path`: the file itself, or every `*.toml` (rules) and `*.tsv` (a
/// model table) below a folder, sorted.
pub fn lexicon_files(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        std::fs::metadata(path)?;
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let p = entry?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "toml" || e == "tsv") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Read lexicon files from disk (files or folders) into one lexicon.
pub fn load_paths(paths: &[PathBuf]) -> (Lexicon, Vec<LexiconError>) {
    let mut texts = Vec::new();
    let mut errors = Vec::new();
    let mut model: Option<Arc<ModelSource>> = None;
    for p in paths {
        match lexicon_files(p) {
            Ok(files) => {
                for f in files {
                    let name = f.display().to_string();
                    match std::fs::read_to_string(&f) {
                        Ok(t) if f.extension().is_some_and(|e| e == "tsv") => {
                            if let Some(first) = &model {
                                errors.push(LexiconError {
                                    file: name,
                                    line: 0,
                                    message: format!(
                                        "a second model table (the first is {})",
                                        first.origin
                                    ),
                                });
                                continue;
                            }
                            let source = ModelSource::new(name, Cow::Owned(t));
                            if let Err(e) = source.get() {
                                errors.push(e.clone());
                            }
                            model = Some(source);
                        }
                        Ok(t) => texts.push((name, t)),
                        Err(e) => errors.push(LexiconError {
                            file: f.display().to_string(),
                            line: 0,
                            message: format!("cannot read: {e}"),
                        }),
                    }
                }
            }
            Err(e) => errors.push(LexiconError {
                file: p.display().to_string(),
                line: 0,
                message: format!("cannot read: {e}"),
            }),
        }
    }
    let (mut lex, mut errs) =
        Lexicon::from_texts(texts.iter().map(|(n, t)| (n.clone(), t.as_str())));
    errors.append(&mut errs);
    lex.model = model;
    (lex, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
category = "threat"

[[rule]]
id = "THR-900"
severity = "high"
description = "测试"
basis = "测试依据"
terms = ["上门找你", "ＳＢ"]
examples = ["明天上门找你"]
"#;

    #[test]
    fn parses_a_rule_and_normalises_terms() {
        let (lex, errors) = parse_file("t.toml", GOOD);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(lex.rules.len(), 1);
        let r = &lex.rules[0];
        assert_eq!(r.id, "THR-900");
        assert_eq!(r.category.id, "threat");
        assert_eq!(r.severity, Severity::High);
        assert_eq!(r.origin, "t.toml:4");
        match &r.kind {
            RuleKind::Terms(t) => assert_eq!(t, &["上门找你".to_string(), "sb".to_string()]),
            _ => panic!("wrong kind"),
        }
        assert_eq!(r.roles, vec![Role::Agent, Role::Unknown]);
    }

    #[test]
    fn reports_errors_with_lines() {
        let bad = r#"category = "threat"
[[rule]]
id = "THR-1"
severity = "extreme"
description = "x"
basis = "y"
terms = ["", "a"]
[[rule]]
id = "THR-002"
category = "gossip"
severity = "low"
description = "x"
basis = "y"
terms = ["b"]
"#;
        let (lex, errors) = parse_file("bad.toml", bad);
        assert!(lex.rules.is_empty());
        let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert!(
            shown.contains(&"bad.toml:3: rule id `THR-1` is not of the form ABC-001".to_string()),
            "{shown:?}"
        );
        assert!(
            shown
                .iter()
                .any(|s| s.starts_with("bad.toml:4: unknown severity `extreme`")),
            "{shown:?}"
        );
        assert!(
            shown
                .iter()
                .any(|s| s == "bad.toml:7: rule THR-1: empty term"),
            "{shown:?}"
        );
        assert!(
            shown
                .iter()
                .any(|s| s.starts_with("bad.toml:10: unknown category `gossip`")),
            "{shown:?}"
        );
    }

    #[test]
    fn syntax_errors_and_duplicate_ids_are_located() {
        let (_, errors) = parse_file("syn.toml", "category = \"threat\"\n[[rule]\n");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 2);
        let (_, errors) =
            Lexicon::from_texts([("a.toml".to_string(), GOOD), ("b.toml".to_string(), GOOD)]);
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0].to_string(),
            "b.toml:4: duplicate rule id THR-900 (first defined at a.toml:4)"
        );
    }

    #[test]
    fn cooccur_has_at_most_sixteen_groups() {
        let groups = vec!["[\"告诉\"]"; MAX_GROUPS + 1].join(", ");
        let t = format!(
            "category = \"disclosure\"\n[[rule]]\nid = \"DIS-901\"\nkind = \"cooccur\"\nseverity = \"high\"\ndescription = \"x\"\nbasis = \"y\"\ngroups = [{groups}]\n"
        );
        let (_, errors) = parse_file("c.toml", &t);
        assert_eq!(
            errors[0].to_string(),
            "c.toml:3: rule DIS-901: a cooccur rule has at most 16 groups"
        );
    }

    #[test]
    fn yields_to_names_other_known_categories_once() {
        let (_, errors) = parse_file(
            "y.toml",
            "category = \"threat\"\n[[rule]]\nid = \"THR-901\"\nseverity = \"high\"\ndescription = \"x\"\nbasis = \"y\"\nterms = [\"a\"]\nyields_to = [\"threat\", \"legal\", \"insult\", \"insult\"]\n",
        );
        let msgs: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            msgs,
            vec![
                "y.toml:8: rule THR-901: `yields_to` names the rule's own category",
                "y.toml:8: rule THR-901: unknown category `legal` in `yields_to`",
                "y.toml:8: rule THR-901: `yields_to` names `insult` twice",
            ]
        );
    }

    #[test]
    fn cooccur_needs_two_groups() {
        let t = r#"category = "disclosure"
[[rule]]
id = "DIS-900"
kind = "cooccur"
severity = "high"
description = "x"
basis = "y"
groups = [["告诉"]]
"#;
        let (_, errors) = parse_file("c.toml", t);
        assert_eq!(
            errors[0].to_string(),
            "c.toml:3: rule DIS-900: a cooccur rule needs at least two groups"
        );
    }
}
