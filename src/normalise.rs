//! Normalisation before matching, with a map back to the original text.
//!
//! Each original character becomes zero or more normalised characters (NFKC width folding,
//! lower case; invisible characters vanish). Every normalised character remembers the range of
//! original characters it came from, so a hit in the normalised copy is reported as a
//! character span of the original message.

use std::borrow::Cow;
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

/// Characters that carry no text and are used to split words past filters.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\0' | '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}'
        | '\u{E0000}'..='\u{E007F}')
}

/// True when `c` is certainly unchanged by normalisation (the common case for Chinese text).
#[inline]
fn is_stable(c: char) -> bool {
    match c {
        '\u{1}'..='@' | '['..='\u{7F}' => true,
        '\u{4E00}'..='\u{9FFF}' => true,
        // Full-width clause punctuation is kept as it is: it only ends clauses.
        '，' | '！' | '？' | '：' | '；' => true,
        '、' | '。' | '《' | '》' | '「' | '」' | '『' | '』' | '【' | '】' | '“' | '”' | '‘'
        | '’' | '…' | '—' | '〈' | '〉' => true,
        _ => false,
    }
}

/// Where the characters of a normalised text came from.
#[derive(Debug, Clone)]
enum OffsetMap {
    /// Normalised text equals the original.
    Identity,
    /// For every byte of the normalised text: the original character range `[start, end)`
    /// of the character that byte belongs to.
    Spans(Vec<(u32, u32)>),
}

#[derive(Debug, Clone)]
pub struct Normalised<'a> {
    pub text: Cow<'a, str>,
    map: OffsetMap,
}

impl Normalised<'_> {
    /// Original character span `[start, end)` for the normalised byte range `[start, end)`.
    /// `start < end` and both lie on character boundaries of the normalised text.
    pub fn original_span(&self, start: usize, end: usize) -> (usize, usize) {
        match &self.map {
            OffsetMap::Identity => {
                let s = self.text[..start].chars().count();
                let e = s + self.text[start..end].chars().count();
                (s, e)
            }
            OffsetMap::Spans(spans) => {
                if start >= end || end > spans.len() {
                    return (0, 0);
                }
                (spans[start].0 as usize, spans[end - 1].1 as usize)
            }
        }
    }

    pub fn is_identity(&self) -> bool {
        matches!(self.map, OffsetMap::Identity)
    }
}

/// Characters inserted between Chinese characters to dodge filters (`法.院`, `傻*逼`, `通 讯 录`).
fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t'
            | '.'
            | '*'
            | '·'
            | '-'
            | '_'
            | '/'
            | '\\'
            | '|'
            | '~'
            | '#'
            | '+'
            | '^'
            | '`'
            | '\''
            | '='
            | '&'
            | '@'
            | '$'
            | '%'
            | '・'
            | '•'
            | '〃'
            | '‧'
            | '×'
            | '☆'
            | '★'
            | '♥'
            | '❤'
            | '○'
            | '●'
            | '◆'
            | '□'
            | '■'
    )
}

/// Longest run of separators removed between two Chinese characters.
const MAX_SEPARATORS: usize = 3;

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

const TONED: &str = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ";

/// Is `s` a pinyin reading with tone marks or a tone number (`wǎng`, `wang3`) or Bopomofo?
fn is_reading(s: &str) -> bool {
    let n = s.chars().count();
    if n == 0 || n > 8 {
        return false;
    }
    if s.chars().all(
        |c| matches!(c, '\u{3105}'..='\u{312F}' | '\u{31A0}'..='\u{31BF}' | 'ˇ' | 'ˊ' | 'ˋ' | '˙'),
    ) {
        return true;
    }
    let letters = s.trim_end_matches(|c: char| matches!(c, '1'..='5'));
    let toned_digit = letters.len() + 1 == s.len();
    !letters.is_empty()
        && letters
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == 'ü' || TONED.contains(c))
        && (toned_digit || letters.chars().any(|c| TONED.contains(c)))
}

/// t2s (OpenCC's tables), built on first use: only text with traditional characters needs it.
fn opencc() -> &'static ferrous_opencc::OpenCC {
    static T: OnceLock<ferrous_opencc::OpenCC> = OnceLock::new();
    T.get_or_init(|| {
        ferrous_opencc::OpenCC::from_config(ferrous_opencc::config::BuiltinConfig::T2s)
            .expect("built-in t2s tables load")
    })
}

/// Is `c` traditional: does t2s change it on its own? See [`TRADITIONAL`].
#[inline]
fn is_traditional(c: char) -> bool {
    let i = (c as usize).wrapping_sub(0x4E00);
    i <= 0x9FFF - 0x4E00 && TRADITIONAL[i / 64] & (1 << (i % 64)) != 0
}

const CHANGES: u8 = 1;
const HAN: u8 = 2;
const SPLITS_HAN: u8 = 4;

/// Per character of the Basic Multilingual Plane: would normalisation change it on its own
/// (`CHANGES`), is it Chinese (`HAN`), is it a separator or `(` after which a Chinese
/// character may lose something (`SPLITS_HAN`).
fn classes() -> &'static [u8] {
    static TABLE: OnceLock<Vec<u8>> = OnceLock::new();
    TABLE.get_or_init(|| {
        (0..=0xFFFFu32)
            .map(|u| match char::from_u32(u) {
                None => CHANGES,
                Some(c) => {
                    let mut f = 0;
                    if !is_stable(c) || is_traditional(c) || mandarin_pronoun(c).is_some() {
                        f |= CHANGES;
                    }
                    if is_han(c) {
                        f |= HAN;
                    }
                    if is_separator(c) || c == '(' {
                        f |= SPLITS_HAN;
                    }
                    f
                }
            })
            .collect()
    })
}

/// Can `text` skip normalisation altogether?
fn is_plain(text: &str) -> bool {
    let table = classes();
    let mut prev_han = false;
    for c in text.chars() {
        let Some(&f) = table.get(c as usize) else {
            return false;
        };
        if f & CHANGES != 0 || (prev_han && f & SPLITS_HAN != 0) {
            return false;
        }
        prev_han = f & HAN != 0;
    }
    true
}

/// A normalised character and the original character range it stands for.
type Piece = (char, u32, u32);

/// Width, case and invisible characters, one original character at a time.
fn fold(original: &str) -> Vec<Piece> {
    let mut out = Vec::with_capacity(original.len() / 2 + 4);
    for (i, c) in original.chars().enumerate() {
        let i = i as u32;
        if is_stable(c) {
            out.push((c, i, i + 1));
        } else if !is_invisible(c) {
            for d in std::iter::once(c).nfkc().filter(|&d| !is_invisible(d)) {
                out.extend(d.to_lowercase().map(|l| (l, i, i + 1)));
            }
        }
    }
    out
}

/// Drop ruby readings after a Chinese character: `網(wǎng)` → `網`.
fn strip_readings(p: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::with_capacity(p.len());
    let mut i = 0;
    while i < p.len() {
        let close = (p[i].0 == '(' && out.last().is_some_and(|l| is_han(l.0)))
            .then(|| p[i + 1..].iter().take(10).position(|q| q.0 == ')'))
            .flatten();
        if let Some(close) = close {
            let inner: String = p[i + 1..i + 1 + close].iter().map(|q| q.0).collect();
            if is_reading(&inner) {
                // The reading belongs to the character before it.
                if let Some(last) = out.last_mut() {
                    last.2 = p[i + 1 + close].2;
                }
                i += close + 2;
                continue;
            }
        }
        out.push(p[i]);
        i += 1;
    }
    out
}

/// Drop short runs of separators between two Chinese characters: `公*安*局` → `公安局`.
fn strip_separators(p: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::with_capacity(p.len());
    let mut i = 0;
    while i < p.len() {
        if is_separator(p[i].0) && out.last().is_some_and(|l| is_han(l.0)) {
            let run = p[i..].iter().take_while(|q| is_separator(q.0)).count();
            if run <= MAX_SEPARATORS && p.get(i + run).is_some_and(|q| is_han(q.0)) {
                i += run;
                continue;
            }
        }
        out.push(p[i]);
        i += 1;
    }
    out
}

/// Traditional → simplified at phrase level (OpenCC tables), keeping each character's origin.
fn to_simplified(mut p: Vec<Piece>) -> Vec<Piece> {
    if !p.iter().any(|q| is_traditional(q.0)) {
        return p;
    }
    let text: String = p.iter().map(|q| q.0).collect();
    let converted = opencc().convert(&text);
    if converted.chars().count() == p.len() {
        for (q, c) in p.iter_mut().zip(converted.chars()) {
            q.0 = c;
        }
        return p;
    }
    // A phrase changed length: convert character by character to keep the map exact.
    let mut buf = [0u8; 4];
    let mut out = Vec::with_capacity(p.len());
    for q in p {
        if is_traditional(q.0) {
            let s: &str = q.0.encode_utf8(&mut buf);
            out.extend(opencc().convert(s).chars().map(|c| (c, q.1, q.2)));
        } else {
            out.push(q);
        }
    }
    out
}

/// Dialect pronouns read as their Mandarin counterparts, so that one rule covers them all:
/// Wu 侬 and Min 汝 (you), Henan 恁 (you, your), northern 俺 (I, we). Each is one character
/// for one, so the evidence still points at the original character.
fn mandarin_pronoun(c: char) -> Option<char> {
    match c {
        '侬' | '汝' | '恁' => Some('你'),
        '俺' => Some('我'),
        _ => None,
    }
}

fn to_mandarin_pronouns(mut p: Vec<Piece>) -> Vec<Piece> {
    for q in p.iter_mut() {
        if let Some(m) = mandarin_pronoun(q.0) {
            q.0 = m;
        }
    }
    p
}

/// Normalise one message.
pub fn normalise(original: &str) -> Normalised<'_> {
    if is_plain(original) {
        return Normalised {
            text: Cow::Borrowed(original),
            map: OffsetMap::Identity,
        };
    }
    normalise_slow(original)
}

/// The full pipeline, without the fast path for text that needs no change.
fn normalise_slow(original: &str) -> Normalised<'_> {
    let pieces = strip_separators(strip_readings(fold(original)));
    // After t2s: a traditional 儂 becomes 侬 first, then 你.
    let pieces = to_mandarin_pronouns(to_simplified(pieces));
    let mut text = String::with_capacity(original.len() + 8);
    let mut spans: Vec<(u32, u32)> = Vec::with_capacity(original.len() + 8);
    for (c, s, e) in pieces {
        text.push(c);
        spans.extend(std::iter::repeat_n((s, e), c.len_utf8()));
    }
    Normalised {
        text: Cow::Owned(text),
        map: OffsetMap::Spans(spans),
    }
}

/// Normalise a lexicon term the same way as messages, trimmed; `None` when nothing is left.
pub fn normalise_term(term: &str) -> Option<String> {
    let n = normalise(term.trim()).text.trim().to_string();
    (!n.is_empty()).then_some(n)
}

/// Byte offset of character index `ci` in `s` (or `s.len()` past the end).
pub fn byte_of_char(s: &str, ci: usize) -> usize {
    s.char_indices().nth(ci).map(|(b, _)| b).unwrap_or(s.len())
}

/// The characters of U+4E00..=U+9FFF that t2s changes on their own (bit `c - 0x4E00`), taken
/// from OpenCC's tables once and kept here, since computing it costs a quarter of the start-up;
/// the test `traditional_table_matches_opencc` recomputes it.
#[rustfmt::skip]
const TRADITIONAL: [u64; 328] = [
    277025390592, 4611686018427387904, 1107296260, 0, 0, 9007199255789952, 54043195532640320,
    17733921538054, 1134696004193089, 2319353808095937024, 4663653353237123072,
    144679444775305764, 2126864542971544343, 2748787724416, 4398046643200, 562950255419648,
    4535485464576, 4661295983752136848, 67286664, 660342547706675202, 738871813865472,
    3026418949594021889, 5664756954300416, 17179869208, 20266198323429376, 4,
    1152921504606846976, 140746078289920, 72057594038452240, 20401651712, 1227055043723264,
    162413260652430528, 2677889157033369664, 221943437426425890, 2331811137569493121,
    4398046909231, 1095510144, 0, 576460752303423488, 36328972283281408, 5207287677322272,
    9448552104198441984, 5209890717245113344, 3747142283980982656, 4611686177341177856,
    1153016612362715136, 536870912, 274877915136, 167772160, 35467839930370,
    3459187276041421056, 10097070364573042688, 648804605945190793, 14483585197716560088,
    70368744177664, 27051031175102465, 36028797018990976, 20976889241664, 8589934592,
    2328501744838901760, 17609407995904, 8070450532256382976, 3963239711598707090,
    144396663083240448, 20275131855142912, 4755829830875349001, 8796093022208, 2272209030627606,
    47287796088700928, 9224506874623185240, 9376496628577472512, 0, 0, 137438953536,
    2332864608051658784, 578149610753622016, 5228680267291426816, 6073187765703419920,
    235392331338417156, 6180065794471260801, 19987472126574721, 0, 0, 2048, 4612251167404064768,
    1698745464913920, 8833204312, 211106433859585, 27021597776814080, 885098066682775552,
    14414906027638621440, 8977811548824669330, 22111469996112, 81064793318375424,
    1261025487851880556, 34359738372, 128, 671089156, 8813289734912, 72076427473749712,
    71055938945032, 562949953421312, 4503599627370496, 873698327709876224, 0,
    9223934986808197120, 1125902881652736, 19140858922140688, 1125899906875392,
    9043483138983040, 9224572978446991360, 1173268585754667008, 9730036466444795942,
    149552908732672, 660023689970975234, 651365677395353640, 2305843010309432496,
    9332584338556010496, 2019276281144672256, 9223372036854776897, 4613999425251971332,
    288230376185282560, 4456448, 536870914, 18016597532737536, 9367487224930631680,
    1152921504615235712, 315259808003653632, 4611703902838980608, 141288317914112,
    1155252478388732160, 14520889428257296432, 9305580373847057410, 9259823149656178690,
    4612348272328114401, 15277063778175287386, 4613095324454521580, 2305845870251614232,
    288230376151711744, 4503599627403264, 8589934592, 582895815361152, 4613656351930585636,
    6363639327364481795, 4901078166191284376, 2305843009230471233, 568147836928,
    2449958197289549825, 594475150846464000, 2136763409629201466, 3, 5764607523034234880,
    9512165362959908864, 2883436361573206016, 17375318689328399872, 204506160, 141063907971072,
    1180233391157542912, 1152, 4611756391500087296, 866450906479601668, 1155017957618025156,
    360569447380942850, 6160325279752, 4611686157476954112, 1342218240, 1170935973194760192,
    140737556120192, 0, 141905987895304, 3819089867441176576, 6917670353607196672,
    664379934982224, 9223372036856872960, 9224291512045559808, 256, 633321113551136,
    46209553166465, 315469677218234368, 18581746576524720, 0, 4504149383192640, 34944,
    74311683087010321, 7061653073013383173, 1220533506021416, 9007199254740992,
    5067957507041788416, 10821956403409267709, 454588574568898687, 17239705224995396571,
    2006304550698232976, 7493981571870060288, 18143312978366005612, 368620994, 0,
    2305843009213693952, 45317471250436360, 27025068097800544, 2449984585568878592,
    87960930222080, 7704955276067078144, 32, 0, 144126355125043488, 74322871463198720,
    16285018474212753416, 288231636816929280, 16779136, 36600921056083968, 576460752303423488,
    549755813888, 1125899906842624, 1024, 566939878400, 76701931155750912, 13528391068157056,
    36169878641836544, 1152956690056421376, 2310558264829413441, 9223548406483386384,
    2344165405224616002, 448110638989972801, 490932079777832960, 9511637617846783185,
    141289796403776, 0, 864691128455135232, 64, 72058970577043457, 9799903176155987984,
    598011214852800788, 5206725530125279331, 740820032, 1073741824, 2305843018608968704,
    651896046078660736, 15080975067808385, 13151799960612161792, 94575592174780417,
    2040736655277544718, 10425690541931840579, 15482563509247949044, 6187920594823981716,
    4830876973629818487, 7030586314379150950, 1416387617, 0, 0, 27039189951398144,
    13681266648991399936, 8949000867167471039, 484159416, 17592186044416, 1126999454121984,
    8589934592, 4785074604146688, 866943037793636352, 4819577105924, 16106025726992891393,
    15693029730246463416, 135300998901, 1372465389371392, 4503599627370496, 1688884255653888,
    1550929334962768896, 99474, 9007201402224640, 314445484289950272, 384, 19729674502406152,
    14320325144193337387, 16689707910878948347, 17134068981723967331, 1930389926605137199,
    1388207619763966638, 3552437922330673623, 6080266526925271035, 9362410566864876948,
    7971654425859306440, 13073052384213461400, 17480480238251415057, 6, 0, 0, 36028797018963968,
    18043174079038487373, 237573717960, 0, 2380433914029146112, 653801568568755712,
    577586705264019456, 3458765115116093440, 1925017764692, 6917529303055892480,
    9799832795567635018, 3149538220402800110, 7767690141560940, 6758743055915810816,
    17327228399663450449, 15414200579638875960, 24990064426, 1304618924867846144,
    11043721937036461578, 6481643662874965566, 14794260806719, 140737488355328, 70368751812608,
    144752514049253440, 2643755250128797696, 9613474759279865211, 16776785568728352467,
    9146366612980350798, 397690734323697653, 0, 8132395505528340480, 12150080026308838121,
    4649366847572902926, 11391774318872237712, 12077716834847622711, 1839373444,
    3900117277302849536, 3511856769238302720, 11588888841716502536, 4503599629468164,
    5824833047290498048, 175922132770816, 524290,
];

#[cfg(test)]
mod tests {
    use super::*;

    fn orig_of<'a>(orig: &'a str, n: &Normalised, needle: &str) -> &'a str {
        let b = n.text.find(needle).expect("needle in normalised text");
        let (s, e) = n.original_span(b, b + needle.len());
        &orig[byte_of_char(orig, s)..byte_of_char(orig, e)]
    }

    #[test]
    fn plain_chinese_takes_the_fast_path() {
        let n = normalise("你这个老赖，明天上门。");
        assert!(n.is_identity());
        assert_eq!(orig_of("你这个老赖，明天上门。", &n, "上门"), "上门");
        assert_eq!(
            n.original_span(
                n.text.find("上门").unwrap(),
                n.text.find("上门").unwrap() + 6
            ),
            (8, 10)
        );
    }

    #[test]
    fn width_case_and_invisible_characters_fold() {
        let orig = "你个ＳＢ，老\u{200B}赖 ABC";
        let n = normalise(orig);
        assert_eq!(n.text, "你个sb，老赖 abc");
        assert_eq!(normalise("a b").text, "a b");
        assert_eq!(orig_of(orig, &n, "sb"), "ＳＢ");
        assert_eq!(orig_of(orig, &n, "老赖"), "老\u{200B}赖");
        assert_eq!(orig_of(orig, &n, "abc"), "ABC");
    }

    #[test]
    fn one_character_expanding_maps_back_to_itself() {
        let orig = "见㈱公司";
        let n = normalise(orig);
        assert_eq!(n.text, "见(株)公司");
        assert_eq!(orig_of(orig, &n, "(株)"), "㈱");
        assert_eq!(orig_of(orig, &n, "株"), "㈱");
    }

    #[test]
    fn traditional_characters_become_simplified() {
        let orig = "我們會派人上門找你";
        let n = normalise(orig);
        assert_eq!(n.text, "我们会派人上门找你");
        assert_eq!(orig_of(orig, &n, "上门"), "上門");
        assert_eq!(normalise("你這個不要臉的東西").text, "你这个不要脸的东西");
    }

    #[test]
    fn ruby_readings_are_dropped_but_not_other_brackets() {
        let orig = "網(wǎng)貸(dai4)逾期";
        let n = normalise(orig);
        assert_eq!(n.text, "网贷逾期");
        assert_eq!(orig_of(orig, &n, "网贷"), "網(wǎng)貸(dai4)");
        assert_eq!(
            normalise("加微信(wechat)在(3天)内").text,
            "加微信(wechat)在(3天)内"
        );
        assert_eq!(normalise("老(ㄌㄠˇ)赖").text, "老赖");
    }

    #[test]
    fn dialect_pronouns_read_as_mandarin_with_original_offsets() {
        let n = normalise("侬老婆晓得伐？恁家在哪俺们都知道");
        assert_eq!(n.text, "你老婆晓得伐？你家在哪我们都知道");
        // 恁 is the 8th character: the evidence maps back to it.
        assert_eq!(
            n.original_span(byte_of_char(&n.text, 7), byte_of_char(&n.text, 9)),
            (7, 9)
        );
        assert_eq!(normalise("汝").text, "你");
    }

    #[test]
    fn separators_between_chinese_characters_are_dropped() {
        for (orig, want) in [
            ("法.院", "法院"),
            ("公＊安＊局", "公安局"),
            ("通 讯 录", "通讯录"),
            ("傻*逼", "傻逼"),
            ("老 赖", "老赖"),
            ("公  安   局", "公安局"),
        ] {
            assert_eq!(normalise(orig).text, want, "{orig}");
        }
        let orig = "找傻*逼";
        let n = normalise(orig);
        assert_eq!(orig_of(orig, &n, "傻逼"), "傻*逼");
        // Not between Chinese characters, or too long a run: kept.
        assert_eq!(normalise("ab 老赖").text, "ab 老赖");
        assert_eq!(normalise("好的。    明天").text, "好的。    明天");
        assert_eq!(normalise("好 ----- 的").text, "好 ----- 的");
    }

    #[test]
    fn fast_and_slow_paths_agree() {
        for text in [
            "你这个老赖，明天上门。",
            "abc 123 你好",
            "【星河金融】您的账单已逾期3天。回复td退订",
            "“好的”……——《通知》",
        ] {
            let fast = normalise(text);
            assert!(fast.is_identity(), "{text}");
            let slow = normalise_slow(text);
            assert_eq!(slow.text, fast.text);
            for (b, _) in text.char_indices() {
                let e = b + text[b..].chars().next().unwrap().len_utf8();
                assert_eq!(
                    slow.original_span(b, e),
                    fast.original_span(b, e),
                    "{text} at {b}"
                );
            }
        }
    }

    #[test]
    fn terms_normalise_like_text() {
        assert_eq!(normalise_term("  ＮＭＳＬ "), Some("nmsl".to_string()));
        assert_eq!(normalise_term(" \u{200B} "), None);
    }

    #[test]
    fn traditional_table_matches_opencc() {
        let mut buf = [0u8; 4];
        for c in '\u{4E00}'..='\u{9FFF}' {
            let s: &str = c.encode_utf8(&mut buf);
            assert_eq!(is_traditional(c), opencc().convert(s) != s, "{c}");
        }
    }
}
