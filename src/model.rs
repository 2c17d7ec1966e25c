//! A linear classifier over character n-grams that backs up the rules.
//!
//! The rules catch wording someone wrote down; collectors keep finding new wording, above all
//! for veiled threats (describing the child's class, the car, the route home). The model scores
//! a whole message per category with logistic regression over the character n-grams of its
//! normalised text (1- and 2-grams by default, up to 3; TF-IDF with sublinear term frequency,
//! L2-normalised, as in the usual text-classification recipe). It is trained from a labelled corpus by
//! `dunscan model train` and shipped as a readable table (`lexicons/model.tsv`).
//!
//! A model rule (`kind = "model"` in a lexicon) reports its category only when no term rule of
//! that category fired, with the clause that scores highest as evidence, at the severity the
//! rule gives (low: a reviewer should read it).

use crate::rules::CATEGORIES;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::{BuildHasherDefault, Hasher};

/// Categories the model scores: every category, in [`CATEGORIES`] order.
pub const NCAT: usize = 5;
const _: () = assert!(CATEGORIES.len() == NCAT);

/// What a run of characters that are neither letters nor digits becomes (and how the table
/// writes it).
const BOUNDARY: char = '_';

/// Longest n-gram a table may hold.
pub const MAX_N: usize = 3;

/// An n-gram of up to three characters packed into 21 bits each. Text never holds U+0000 (the
/// normaliser drops it), so n-grams of different lengths never share a key.
fn key(chars: &[char]) -> u64 {
    chars.iter().fold(0u64, |k, &c| (k << 21) | c as u64)
}

fn unkey(mut k: u64) -> String {
    let mut chars = Vec::new();
    while k != 0 {
        chars.push(char::from_u32((k & 0x1F_FFFF) as u32).unwrap_or(BOUNDARY));
        k >>= 21;
    }
    chars.iter().rev().collect()
}

/// A fast hash for the packed keys (the finaliser of SplitMix64).
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(self.0 ^ b as u64);
        }
    }
    fn write_u64(&mut self, x: u64) {
        let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        self.0 = z ^ (z >> 31);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;

/// The characters the model reads from normalised text: letters as they are, every digit as
/// `0` (amounts and dates say nothing), and each run of anything else as one [`BOUNDARY`].
fn model_chars(text: &str, out: &mut Vec<char>) {
    out.clear();
    for c in text.chars() {
        match fold(c) {
            Some(c) => out.push(c),
            None if out.last().is_some_and(|&l| l != BOUNDARY) => out.push(BOUNDARY),
            None => {}
        }
    }
    if out.last() == Some(&BOUNDARY) {
        out.pop();
    }
}

/// A character as the model reads it: `0` for a digit, itself for a letter, `None` for
/// anything else. The common characters are decided first: the general Unicode tables are
/// slow (a test checks the shortcut against them for every character).
#[inline]
fn fold(c: char) -> Option<char> {
    match c {
        '\u{4E00}'..='\u{9FFF}' | 'a'..='z' | 'A'..='Z' => Some(c),
        '0'..='9' => Some('0'),
        // ASCII, general and CJK punctuation, full-width symbols: none is a letter.
        _ if c.is_ascii() => None,
        '\u{2010}'..='\u{2027}'
        | '\u{3000}'..='\u{3003}'
        | '\u{3008}'..='\u{3011}'
        | '\u{FF01}'..='\u{FF0F}'
        | '\u{FF1A}'..='\u{FF20}' => None,
        _ if c.is_numeric() => Some('0'),
        _ if c.is_alphanumeric() => Some(c),
        _ => None,
    }
}

/// Call `f` with the key of every n-gram of `chars`, each n-gram once per occurrence, and
/// extend it by one more character only while `f` says so (no longer n-gram is in the
/// vocabulary when its prefix is not: a prefix occurs in every document its extension does).
fn each_gram(chars: &[char], max_n: usize, mut known: impl FnMut(u64) -> bool) {
    for i in 0..chars.len() {
        for n in 1..=max_n.min(chars.len() - i) {
            if !known(key(&chars[i..i + n])) {
                break;
            }
        }
    }
}

/// The trained classifier.
#[derive(Debug, Clone)]
pub struct Model {
    /// Vocabulary index of every n-gram, with [`EXTENDS`] set when a longer n-gram of the
    /// vocabulary starts with it (scoring reads the flag without touching the row) …
    index: KeyMap<u32>,
    /// … and, for speed, of single characters of the Basic Multilingual Plane (`NONE` when
    /// not in the vocabulary).
    bmp: Vec<u32>,
    /// Per n-gram (by vocabulary index): its key, and what scoring reads, in one place.
    grams: Vec<u64>,
    rows: Vec<Row>,
    bias: [f32; NCAT],
    /// Free text kept at the top of the table (how it was trained).
    pub comment: String,
}

const NONE: u32 = u32::MAX;
/// The bit of an [`Model::index`] value that says the n-gram extends to a longer one.
const EXTENDS: u32 = 1 << 31;

/// Per n-gram: its weights and idf.
#[derive(Debug, Clone, Copy)]
struct Row {
    weights: [f32; NCAT],
    idf: f32,
}

/// Per thread: characters of the text being scored, n-gram counts by vocabulary index and the
/// indices touched.
#[derive(Default)]
struct Scratch {
    chars: Vec<char>,
    counts: Vec<u16>,
    touched: Vec<u32>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

/// Term weight of a document vector: sublinear term frequency times idf.
fn tf_idf(count: u16, idf: f32) -> f32 {
    if count == 1 {
        idf
    } else {
        (1.0 + (count as f32).ln()) * idf
    }
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl Model {
    /// Fill in what scoring derives from the vocabulary: the table of single BMP characters
    /// and which n-grams extend to longer ones.
    fn with_lookups(mut self) -> Model {
        let mut extends = vec![false; self.grams.len()];
        for &k in &self.grams {
            if let Some(&i) = self.index.get(&(k >> 21)) {
                extends[(i & !EXTENDS) as usize] = true;
            }
        }
        for i in self.index.values_mut() {
            if extends[(*i & !EXTENDS) as usize] {
                *i |= EXTENDS;
            }
        }
        self.bmp = vec![NONE; 0x10000];
        for (&k, &i) in &self.index {
            if k < 0x10000 {
                self.bmp[k as usize] = i;
            }
        }
        self
    }

    pub fn len(&self) -> usize {
        self.grams.len()
    }

    pub fn is_empty(&self) -> bool {
        self.grams.is_empty()
    }

    /// Probability per category (in [`CATEGORIES`] order) that normalised `text` belongs to
    /// it. Text with no known n-gram scores the bias alone.
    pub fn scores(&self, text: &str) -> [f64; NCAT] {
        let z = self.margins(text);
        z.map(sigmoid)
    }

    /// The linear scores before the sigmoid.
    pub fn margins(&self, text: &str) -> [f64; NCAT] {
        SCRATCH.with(|cell| {
            let s = &mut *cell.borrow_mut();
            if s.counts.len() < self.grams.len() {
                s.counts.resize(self.grams.len(), 0);
            }
            let Scratch {
                chars,
                counts,
                touched,
            } = s;
            model_chars(text, chars);
            let lookup = |k: u64| {
                if k < 0x10000 {
                    let i = self.bmp[k as usize];
                    (i != NONE).then_some(i)
                } else {
                    self.index.get(&k).copied()
                }
            };
            each_gram(chars, MAX_N, |k| match lookup(k) {
                Some(flagged) => {
                    let i = flagged & !EXTENDS;
                    let c = &mut counts[i as usize];
                    if *c == 0 {
                        touched.push(i);
                    }
                    *c = c.saturating_add(1);
                    flagged & EXTENDS != 0
                }
                None => false,
            });
            let mut dot = [0f64; NCAT];
            let mut norm = 0f64;
            for &i in touched.iter() {
                let i = i as usize;
                let row = &self.rows[i];
                let v = tf_idf(counts[i], row.idf) as f64;
                norm += v * v;
                for (d, w) in dot.iter_mut().zip(&row.weights) {
                    *d += v * *w as f64;
                }
                counts[i] = 0;
            }
            touched.clear();
            let scale = if norm > 0.0 { 1.0 / norm.sqrt() } else { 0.0 };
            std::array::from_fn(|c| dot[c] * scale + self.bias[c] as f64)
        })
    }

    /// The n-grams with the largest weights for category `cat` (index into [`CATEGORIES`]),
    /// most positive first: what `dunscan explain` shows.
    pub fn top_grams(&self, cat: usize, n: usize) -> Vec<(String, f32)> {
        let mut order: Vec<usize> = (0..self.grams.len()).collect();
        order.sort_by(|&a, &b| {
            let (wa, wb) = (self.rows[a].weights[cat], self.rows[b].weights[cat]);
            wb.total_cmp(&wa).then(a.cmp(&b))
        });
        order
            .into_iter()
            .take(n)
            .map(|i| (unkey(self.grams[i]), self.rows[i].weights[cat]))
            .collect()
    }

    /// The table: comment lines, a header, the bias row, then one row per n-gram (sorted),
    /// with its idf and one weight per category.
    pub fn to_tsv(&self) -> String {
        let mut out = String::new();
        for line in self.comment.lines() {
            let _ = writeln!(out, "# {line}");
        }
        out.push_str("gram\tidf");
        for c in CATEGORIES {
            out.push('\t');
            out.push_str(c.id);
        }
        out.push('\n');
        let row = |out: &mut String, gram: &str, idf: f32, w: &[f32; NCAT]| {
            let _ = write!(out, "{gram}\t{idf:.4}");
            for x in w {
                let _ = write!(out, "\t{x:.5}");
            }
            out.push('\n');
        };
        row(&mut out, "<bias>", 0.0, &self.bias);
        let mut rows: Vec<(String, usize)> = self
            .grams
            .iter()
            .enumerate()
            .map(|(i, &k)| (unkey(k), i))
            .collect();
        rows.sort();
        for (gram, i) in rows {
            row(&mut out, &gram, self.rows[i].idf, &self.rows[i].weights);
        }
        out
    }

    /// Read a table written by [`Model::to_tsv`]. Errors name the 1-based line.
    pub fn parse(text: &str) -> Result<Model, (usize, String)> {
        let mut comment = String::new();
        let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
        let header = loop {
            match lines.next() {
                Some((_, l)) if l.starts_with('#') => {
                    comment.push_str(l.trim_start_matches('#').trim_start());
                    comment.push('\n');
                }
                Some(h) => break h,
                None => return Err((1, "empty model table".into())),
            }
        };
        let expected: Vec<&str> = ["gram", "idf"]
            .into_iter()
            .chain(CATEGORIES.iter().map(|c| c.id))
            .collect();
        if header.1.split('\t').collect::<Vec<_>>() != expected {
            return Err((
                header.0,
                format!("header must be `{}`", expected.join("\\t")),
            ));
        }
        let mut model = Model {
            index: KeyMap::default(),
            bmp: Vec::new(),
            grams: Vec::new(),
            rows: Vec::new(),
            bias: [0.0; NCAT],
            comment,
        };
        let mut saw_bias = false;
        for (line, l) in lines {
            if l.is_empty() {
                continue;
            }
            let fields: Vec<&str> = l.split('\t').collect();
            if fields.len() != 2 + NCAT {
                return Err((line, format!("expected {} tab-separated fields", 2 + NCAT)));
            }
            let num = |s: &str| {
                s.parse::<f32>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .ok_or((line, format!("`{s}` is not a number")))
            };
            let idf = num(fields[1])?;
            let mut w = [0f32; NCAT];
            for (x, f) in w.iter_mut().zip(&fields[2..]) {
                *x = num(f)?;
            }
            if fields[0] == "<bias>" {
                model.bias = w;
                saw_bias = true;
                continue;
            }
            let chars: Vec<char> = fields[0].chars().collect();
            if chars.is_empty() || chars.len() > MAX_N {
                return Err((
                    line,
                    format!("n-gram `{}` must have 1 to {MAX_N} characters", fields[0]),
                ));
            }
            let k = key(&chars);
            let i = model.grams.len() as u32;
            if model.index.insert(k, i).is_some() {
                return Err((line, format!("n-gram `{}` listed twice", fields[0])));
            }
            model.grams.push(k);
            model.rows.push(Row { weights: w, idf });
        }
        if !saw_bias {
            return Err((header.0, "no `<bias>` row".into()));
        }
        Ok(model.with_lookups())
    }
}

/// Training settings.
#[derive(Debug, Clone, Copy)]
pub struct TrainOptions {
    /// Keep n-grams seen in at least this many documents.
    pub min_df: u32,
    /// Inverse regularisation strength (larger fits the training data closer).
    pub c: f64,
    /// Gradient steps.
    pub iterations: usize,
    /// Longest n-gram (1 to [`MAX_N`]).
    pub max_n: usize,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            min_df: 2,
            c: 4.0,
            iterations: 3000,
            max_n: 2,
        }
    }
}

/// Train on normalised texts with their labels (one flag per category): the vocabulary is
/// every n-gram in at least `min_df` texts, the weights per category minimise
/// `½|w|² + C Σ s_i log(1 + exp(-y_i (w·x_i + b)))` with the classes weighted to equal total
/// weight (`s_i`), by Nesterov's accelerated gradient. Deterministic: the same corpus gives
/// the same table.
pub fn train(docs: &[(String, [bool; NCAT])], opts: TrainOptions) -> Model {
    let mut chars = Vec::new();
    // Document frequency of every n-gram.
    let mut df: KeyMap<u32> = KeyMap::default();
    let mut doc_grams: Vec<KeyMap<u16>> = Vec::with_capacity(docs.len());
    for (text, _) in docs {
        model_chars(text, &mut chars);
        let mut counts: KeyMap<u16> = KeyMap::default();
        each_gram(&chars, opts.max_n, |k| {
            let c = counts.entry(k).or_insert(0);
            *c = c.saturating_add(1);
            true
        });
        for &k in counts.keys() {
            *df.entry(k).or_insert(0) += 1;
        }
        doc_grams.push(counts);
    }
    let mut grams: Vec<u64> = df
        .iter()
        .filter(|&(_, &d)| d >= opts.min_df)
        .map(|(&k, _)| k)
        .collect();
    grams.sort_unstable();
    let index: KeyMap<u32> = grams
        .iter()
        .enumerate()
        .map(|(i, &k)| (k, i as u32))
        .collect();
    let n = docs.len() as f64;
    let idf: Vec<f32> = grams
        .iter()
        .map(|k| ((1.0 + n) / (1.0 + df[k] as f64)).ln() as f32 + 1.0)
        .collect();
    // Document vectors: sorted (index, value), L2-normalised.
    let rows: Vec<Vec<(u32, f64)>> = doc_grams
        .iter()
        .map(|counts| {
            let mut v: Vec<(u32, f64)> = counts
                .iter()
                .filter_map(|(k, &c)| {
                    index
                        .get(k)
                        .map(|&i| (i, tf_idf(c, idf[i as usize]) as f64))
                })
                .collect();
            v.sort_unstable_by_key(|e| e.0);
            let norm = v.iter().map(|e| e.1 * e.1).sum::<f64>().sqrt();
            if norm > 0.0 {
                v.iter_mut().for_each(|e| e.1 /= norm);
            }
            v
        })
        .collect();
    let mut weights = vec![[0f32; NCAT]; grams.len()];
    let mut bias = [0f32; NCAT];
    for cat in 0..NCAT {
        let y: Vec<f64> = docs
            .iter()
            .map(|(_, l)| if l[cat] { 1.0 } else { -1.0 })
            .collect();
        let (w, b) = fit_logistic(&rows, &y, grams.len(), opts);
        for (row, x) in weights.iter_mut().zip(w) {
            row[cat] = x as f32;
        }
        bias[cat] = b as f32;
    }
    let rows = weights
        .into_iter()
        .zip(idf)
        .map(|(weights, idf)| Row { weights, idf })
        .collect();
    Model {
        bmp: Vec::new(),
        index,
        grams,
        rows,
        bias,
        comment: String::new(),
    }
    .with_lookups()
}

/// L2-regularised, class-balanced logistic regression on sparse rows (labels ±1); the bias is
/// not regularised. Returns the weights and the bias.
fn fit_logistic(
    rows: &[Vec<(u32, f64)>],
    y: &[f64],
    dim: usize,
    opts: TrainOptions,
) -> (Vec<f64>, f64) {
    let n = y.len() as f64;
    let pos = y.iter().filter(|&&v| v > 0.0).count() as f64;
    // Balanced class weights: each class carries half the total weight.
    let s: Vec<f64> = y
        .iter()
        .map(|&v| {
            let k = if v > 0.0 { pos } else { n - pos };
            if k > 0.0 { n / (2.0 * k) } else { 0.0 }
        })
        .collect();
    // Lipschitz constant of the gradient: 1 (the regulariser) plus C/4 times the largest
    // eigenvalue of Σ s_i x̃_i x̃_iᵀ (x̃ = x with a 1 for the bias), found by power iteration.
    let mut v = vec![1.0; dim + 1];
    let mut lambda = 0.0;
    for _ in 0..50 {
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        v.iter_mut().for_each(|x| *x /= norm);
        let mut next = vec![0.0; dim + 1];
        for (row, si) in rows.iter().zip(&s) {
            let dot = row.iter().map(|&(j, x)| x * v[j as usize]).sum::<f64>() + v[dim];
            for &(j, x) in row {
                next[j as usize] += si * dot * x;
            }
            next[dim] += si * dot;
        }
        lambda = next.iter().zip(&v).map(|(a, b)| a * b).sum::<f64>();
        v = next;
    }
    let lipschitz = 1.0 + opts.c * lambda * 1.05 / 4.0;
    let step = 1.0 / lipschitz;
    let kappa = lipschitz.sqrt();
    let momentum = (kappa - 1.0) / (kappa + 1.0);
    // Parameters (weights, then the bias) and the look-ahead point.
    let mut w = vec![0.0; dim + 1];
    let mut look = w.clone();
    let mut grad = vec![0.0; dim + 1];
    for _ in 0..opts.iterations {
        // Gradient at the look-ahead point.
        grad[..dim].copy_from_slice(&look[..dim]);
        grad[dim] = 0.0;
        for ((row, &yi), &si) in rows.iter().zip(y).zip(&s) {
            let z = row.iter().map(|&(j, x)| x * look[j as usize]).sum::<f64>() + look[dim];
            // d/dz of log(1 + exp(-y z)) = -y σ(-y z)
            let g = -opts.c * si * yi * sigmoid(-yi * z);
            for &(j, x) in row {
                grad[j as usize] += g * x;
            }
            grad[dim] += g;
        }
        for j in 0..=dim {
            let next = look[j] - step * grad[j];
            look[j] = next + momentum * (next - w[j]);
            w[j] = next;
        }
    }
    let b = w.pop().unwrap_or(0.0);
    (w, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(cat: Option<usize>) -> [bool; NCAT] {
        std::array::from_fn(|c| Some(c) == cat)
    }

    #[test]
    fn model_chars_fold_digits_and_punctuation() {
        let mut out = Vec::new();
        model_chars("，还款3000元！！明天", &mut out);
        assert_eq!(out.iter().collect::<String>(), "还款0000元_明天");
    }

    #[test]
    fn the_shortcut_folds_every_character_as_the_unicode_tables_do() {
        let slow = |c: char| {
            if c.is_numeric() {
                Some('0')
            } else if c.is_alphanumeric() {
                Some(c)
            } else {
                None
            }
        };
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(fold(c), slow(c), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn keys_round_trip_and_differ_by_length() {
        let a = key(&['你']);
        let ab = key(&['你', '家']);
        let abc = key(&['你', '家', '门']);
        assert_eq!(unkey(a), "你");
        assert_eq!(unkey(ab), "你家");
        assert_eq!(unkey(abc), "你家门");
        assert!(a != ab && ab != abc && a != abc);
    }

    #[test]
    fn grams_stop_at_unknown_prefixes() {
        let chars: Vec<char> = "小心点".chars().collect();
        let mut seen = Vec::new();
        each_gram(&chars, 3, |k| {
            seen.push(unkey(k));
            // Only 小 and 小心 are known.
            k == key(&['小']) || k == key(&['小', '心'])
        });
        assert_eq!(seen, ["小", "小心", "小心点", "心", "点"]);
    }

    fn toy() -> Vec<(String, [bool; NCAT])> {
        let threat = [
            "晚上走路小心点",
            "你孩子放学路上小心点",
            "走夜路小心点啊",
            "出门小心点，车开慢点",
            "你家楼下小心点",
            "小心点你的腿",
        ];
        let clean = [
            "请您按时还款",
            "今天是最后还款日",
            "您可以申请分期还款",
            "还款后请回复",
            "感谢您按时还款",
            "如有疑问请致电客服",
        ];
        threat
            .iter()
            .map(|t| (t.to_string(), labels(Some(0))))
            .chain(clean.iter().map(|t| (t.to_string(), labels(None))))
            .collect()
    }

    #[test]
    fn training_separates_a_toy_corpus_and_the_table_round_trips() {
        let docs = toy();
        let opts = TrainOptions {
            iterations: 400,
            ..TrainOptions::default()
        };
        let model = train(&docs, opts);
        assert!(model.len() > 10);
        for (text, l) in &docs {
            let p = model.scores(text)[0];
            assert_eq!(p > 0.5, l[0], "{text}: {p}");
        }
        // Unseen wording that shares the telling n-grams.
        assert!(model.scores("下班路上小心点")[0] > 0.5);
        assert!(model.scores("请按时还款，谢谢")[0] < 0.5);
        // No category other than threat was ever positive.
        assert!(model.scores("晚上走路小心点")[1] < 0.5);
        let top = model.top_grams(0, 3);
        assert!(top.iter().any(|(g, _)| g.contains('心')), "{top:?}");
        // Written and read back, the table scores the same (to the rounding of the table).
        let mut m = model.clone();
        m.comment = "toy\ncorpus".into();
        let tsv = m.to_tsv();
        assert!(tsv.starts_with("# toy\n# corpus\ngram\tidf\tthreat\t"));
        let back = Model::parse(&tsv).unwrap();
        assert_eq!(back.len(), model.len());
        assert_eq!(back.comment, "toy\ncorpus\n");
        for (text, _) in &docs {
            let (a, b) = (model.scores(text)[0], back.scores(text)[0]);
            assert!((a - b).abs() < 1e-3, "{text}: {a} vs {b}");
        }
        // Training is deterministic.
        assert_eq!(train(&docs, opts).to_tsv(), model.to_tsv());
    }

    #[test]
    fn text_without_known_grams_scores_the_bias() {
        let model = train(&toy(), TrainOptions::default());
        let p = model.scores("ＡＢＣ");
        let bias = sigmoid(model.bias[0] as f64);
        assert!((p[0] - bias).abs() < 1e-9);
    }

    #[test]
    fn parse_errors_name_the_line() {
        let head = "gram\tidf\tthreat\tinsult\timpersonation\tdisclosure\tfalse_legal\n";
        let bias = "<bias>\t0\t0\t0\t0\t0\t0\n";
        assert_eq!(Model::parse("").unwrap_err().0, 1);
        assert!(
            Model::parse("gram\tidf\n")
                .unwrap_err()
                .1
                .contains("header")
        );
        let e = Model::parse(&format!("# c\n{head}{bias}小心\t1\t0.1\tx\t0\t0\t0\n")).unwrap_err();
        assert_eq!(e, (4, "`x` is not a number".to_string()));
        let e = Model::parse(&format!("{head}{bias}小心\t1\t0\n")).unwrap_err();
        assert_eq!(e.0, 3);
        let e = Model::parse(&format!("{head}小心\t1\t0\t0\t0\t0\t0\n")).unwrap_err();
        assert!(e.1.contains("bias"));
        let row = "小心\t1\t0\t0\t0\t0\t0\n";
        let e = Model::parse(&format!("{head}{bias}{row}{row}")).unwrap_err();
        assert_eq!(e, (4, "n-gram `小心` listed twice".to_string()));
        let e = Model::parse(&format!("{head}{bias}小心点吧\t1\t0\t0\t0\t0\t0\n")).unwrap_err();
        assert_eq!(e.0, 3);
    }
}
