//! The fuzzy filter over the secret list: nucleo's matcher, a character prefilter that skips
//! names lacking one of the query's characters, and scoring split over the free cores in row
//! order, so the ranking is the one-core ranking.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

/// What the filter reads of a row.
pub(super) trait Candidate: Sync {
    fn name(&self) -> &str;
    /// Which characters the name holds (`char_mask`), so a row lacking one of the query's is
    /// skipped without running the matcher on it.
    fn chars(&self) -> u64;
}

/// One bit per ASCII letter (either case), digit, `-` and `_`; bit 63 for anything else.
pub(super) fn char_bit(c: char) -> u64 {
    match c.to_ascii_lowercase() {
        c @ 'a'..='z' => 1 << (c as u32 - 'a' as u32),
        c @ '0'..='9' => 1 << (26 + c as u32 - '0' as u32),
        '-' => 1 << 36,
        '_' => 1 << 37,
        _ => 1 << 63,
    }
}

/// A name's characters. A non-ASCII name says it holds every character: nucleo folds and
/// normalizes it (`é` matches `e`) in ways the bits do not follow, so it is never skipped.
pub(super) fn char_mask(text: &str) -> u64 {
    if !text.is_ascii() {
        return u64::MAX;
    }
    text.chars().fold(0, |mask, c| mask | char_bit(c))
}

/// Query characters with a meaning in nucleo's pattern syntax (negation, anchors, substring,
/// escape): a query holding one is neither prefiltered nor narrowed.
pub(super) const PATTERN_SYNTAX: [char; 5] = ['!', '^', '$', '\'', '\\'];

/// The characters every matching name must hold, or 0 when that cannot be said simply: any
/// character outside the mask's classes (non-ASCII folds and normalizes in ways a bitmask does
/// not follow).
pub(super) fn required_chars(query: &str) -> u64 {
    if query.contains(PATTERN_SYNTAX) {
        return 0;
    }
    let mask = query
        .chars()
        .filter(|c| !c.is_whitespace())
        .fold(0, |mask, c| mask | char_bit(c));
    if mask & (1 << 63) != 0 { 0 } else { mask }
}

/// Whether every name matching `next` also matches `previous`, so `next` need only be tried on
/// `previous`'s matches: it extends it (a key typed at the end) and neither uses pattern syntax.
pub(super) fn narrows(previous: &str, next: &str) -> bool {
    !previous.is_empty()
        && next.len() > previous.len()
        && next.starts_with(previous)
        && !next.contains(PATTERN_SYNTAX)
}

/// Rows to score, in row order: a span of rows, or the matches of the query being narrowed.
#[derive(Clone)]
pub(super) enum Candidates<'a> {
    Range(std::ops::Range<usize>),
    Listed(&'a [usize]),
}

impl Candidates<'_> {
    pub(super) fn len(&self) -> usize {
        match self {
            Self::Range(range) => range.len(),
            Self::Listed(listed) => listed.len(),
        }
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        let (range, listed) = match self {
            Self::Range(range) => (range.clone(), &[][..]),
            Self::Listed(listed) => (0..0, *listed),
        };
        range.chain(listed.iter().copied())
    }

    /// Consecutive parts of at most `size` rows each, in row order.
    pub(super) fn parts(&self, size: usize) -> Vec<Self> {
        match self {
            Self::Range(range) => range
                .clone()
                .step_by(size)
                .map(|start| Self::Range(start..(start + size).min(range.end)))
                .collect(),
            Self::Listed(listed) => listed.chunks(size).map(Self::Listed).collect(),
        }
    }
}

/// One matcher per core the filter may use. A query's first key scores every row: split over
/// the cores, that keystroke takes a fraction of its time on one.
pub(super) struct Matchers {
    own: Matcher,
    helpers: Vec<Matcher>,
    cores: usize,
    /// Fewer candidates than this per core are scored on one: starting a thread costs tens of
    /// microseconds, about what scoring a thousand names does.
    min_per_core: usize,
}

impl Default for Matchers {
    fn default() -> Self {
        Self {
            own: Matcher::new(Config::DEFAULT),
            helpers: Vec::new(),
            cores: std::thread::available_parallelism().map_or(1, |n| n.get().min(4)),
            min_per_core: 8_192,
        }
    }
}

/// The rows among `candidates` that match, best first (ties in row order), with their scores.
pub(super) fn score_rows(
    rows: &[impl Candidate],
    candidates: Candidates<'_>,
    scorer: &Scorer,
    matchers: &mut Matchers,
) -> (Vec<usize>, Vec<u32>) {
    let cores = (candidates.len() / matchers.min_per_core).clamp(1, matchers.cores);
    if cores == 1 {
        return rank(score_span(
            rows,
            candidates.iter(),
            scorer,
            &mut matchers.own,
        ));
    }
    while matchers.helpers.len() < cores - 1 {
        matchers.helpers.push(Matcher::new(Config::DEFAULT));
    }
    let parts = candidates.parts(candidates.len().div_ceil(cores));
    let Some((first, rest)) = parts.split_first() else {
        return (Vec::new(), Vec::new());
    };
    let scored = std::thread::scope(|scope| {
        let helpers: Vec<_> = rest
            .iter()
            .zip(&mut matchers.helpers)
            .map(|(part, matcher)| {
                scope.spawn(move || score_span(rows, part.iter(), scorer, matcher))
            })
            .collect();
        let mut scored = score_span(rows, first.iter(), scorer, &mut matchers.own);
        for helper in helpers {
            // Parts are in row order, so their results concatenate in row order.
            scored.extend(
                helper
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        scored
    });
    rank(scored)
}

/// (score, row) of each matching row among `candidates`, in their order. A row lacking one of
/// the `required` characters is skipped without running the matcher.
pub(super) fn score_span(
    rows: &[impl Candidate],
    candidates: impl Iterator<Item = usize>,
    scorer: &Scorer,
    matcher: &mut Matcher,
) -> Vec<(u32, u32)> {
    let mut buffer = Vec::new();
    let required = scorer.required;
    candidates
        .filter_map(|index| {
            let row = &rows[index];
            if row.chars() & required != required {
                return None;
            }
            // An ASCII name (all of Key Vault's) is matched as it is, without the is-ASCII scan
            // `Utf32Str::new` would make for every row on every key.
            let haystack = if row.chars() == u64::MAX {
                Utf32Str::new(row.name(), &mut buffer)
            } else {
                Utf32Str::Ascii(row.name().as_bytes())
            };
            let score = scorer.score(haystack, matcher)?;
            Some((score, index as u32))
        })
        .collect()
}

/// How a query scores a name. A plain one- or two-character query matches most of a large
/// vault, and the optimal alignment nucleo computes for each of those names is most of a
/// keystroke's time while barely changing their order: such queries are scored greedily.
pub(super) struct Scorer {
    pattern: Pattern,
    required: u64,
    /// The needle and its case-insensitivity, for the greedy path.
    greedy: Option<(String, bool)>,
}

impl Scorer {
    pub(super) fn new(query: &str) -> Self {
        let plain = query.len() <= 4
            && query
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        // Smart case, as the pattern does it: any capital makes the match case-sensitive.
        let ignore_case = !query.bytes().any(|b| b.is_ascii_uppercase());
        Self {
            pattern: Pattern::parse(query, CaseMatching::Smart, Normalization::Smart),
            required: required_chars(query),
            greedy: plain.then(|| {
                let needle = if ignore_case {
                    query.to_ascii_lowercase()
                } else {
                    query.to_owned()
                };
                (needle, ignore_case)
            }),
        }
    }

    pub(super) fn score(&self, haystack: Utf32Str<'_>, matcher: &mut Matcher) -> Option<u32> {
        match &self.greedy {
            Some((needle, ignore_case)) => {
                matcher.config.ignore_case = *ignore_case;
                matcher
                    .fuzzy_match_greedy(haystack, Utf32Str::Ascii(needle.as_bytes()))
                    .map(u32::from)
            }
            None => self.pattern.score(haystack, matcher),
        }
    }
}

/// Which characters of a name a query matched, for the list to show them.
pub struct Highlighter {
    pattern: Pattern,
    matcher: Matcher,
    buffer: Vec<char>,
}

impl Highlighter {
    pub fn new(query: &str) -> Self {
        Self {
            pattern: Pattern::parse(query, CaseMatching::Smart, Normalization::Smart),
            matcher: Matcher::new(Config::DEFAULT),
            buffer: Vec::new(),
        }
    }

    /// The matched characters' positions in `name`, ascending.
    pub fn matched(&mut self, name: &str) -> Vec<u32> {
        let mut indices = Vec::new();
        let haystack = Utf32Str::new(name, &mut self.buffer);
        self.pattern
            .indices(haystack, &mut self.matcher, &mut indices);
        indices.sort_unstable();
        indices.dedup();
        indices
    }
}

/// The texts of a short list (the vault picker's few hundred rows) that match `query`, best
/// first, ties in list order: scored directly, without the prefilter and cores a vault's
/// hundred thousand names need.
pub(super) fn rank_short<'a>(query: &str, texts: impl Iterator<Item = &'a str>) -> Vec<usize> {
    let scorer = Scorer::new(query);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buffer = Vec::new();
    let scored = texts
        .enumerate()
        .filter_map(|(index, text)| {
            let score = scorer.score(Utf32Str::new(text, &mut buffer), &mut matcher)?;
            Some((score, index as u32))
        })
        .collect();
    rank(scored).0
}

/// Orders (score, row) pairs given in row order best first, ties in row order. A short query
/// over many rows gives a handful of distinct scores, so this counts them and places each row
/// in one pass; with many distinct scores it sorts.
pub(super) fn rank(scored: Vec<(u32, u32)>) -> (Vec<usize>, Vec<u32>) {
    const FEW: usize = 64;
    let mut distinct: Vec<(u32, usize)> = Vec::new();
    for &(score, _) in &scored {
        match distinct.iter().position(|(known, _)| *known == score) {
            Some(at) => distinct[at].1 += 1,
            None if distinct.len() < FEW => distinct.push((score, 1)),
            None => {
                let mut keys: Vec<u64> = scored
                    .iter()
                    .map(|&(score, index)| (u64::from(!score) << 32) | u64::from(index))
                    .collect();
                keys.sort_unstable();
                return keys
                    .into_iter()
                    .map(|key| ((key & u64::from(u32::MAX)) as usize, !((key >> 32) as u32)))
                    .unzip();
            }
        }
    }
    distinct.sort_unstable_by_key(|&(score, _)| std::cmp::Reverse(score));
    // Turn counts into where each score's rows start.
    let mut start = 0;
    for (_, count) in &mut distinct {
        let next = start + *count;
        *count = start;
        start = next;
    }
    let mut visible = vec![0; scored.len()];
    let mut scores = vec![0; scored.len()];
    for (score, index) in scored {
        if let Some((_, at)) = distinct.iter_mut().find(|(known, _)| *known == score) {
            visible[*at] = index as usize;
            scores[*at] = score;
            *at += 1;
        }
    }
    (visible, scores)
}

/// `indices` in ascending order, in time linear in `len` (they are distinct and below it).
pub(super) fn in_row_order(indices: &[usize], len: usize) -> Vec<usize> {
    let mut bits = vec![0u64; len.div_ceil(64)];
    for &index in indices {
        bits[index / 64] |= 1 << (index % 64);
    }
    let mut sorted = Vec::with_capacity(indices.len());
    for (word_index, &word) in bits.iter().enumerate() {
        let mut word = word;
        while word != 0 {
            sorted.push(word_index * 64 + word.trailing_zeros() as usize);
            word &= word - 1;
        }
    }
    sorted
}

/// Merges newly scored rows (all after the existing ones in row order) into a scored result.
pub(super) fn merge_scored(
    visible: &mut Vec<usize>,
    scores: &mut Vec<u32>,
    new_visible: Vec<usize>,
    new_scores: Vec<u32>,
) {
    if new_visible.is_empty() {
        return;
    }
    let old = std::mem::take(visible)
        .into_iter()
        .zip(std::mem::take(scores));
    let new = new_visible.into_iter().zip(new_scores);
    let mut old = old.peekable();
    let mut new = new.peekable();
    let (mut merged, mut merged_scores) = (Vec::new(), Vec::new());
    loop {
        let take_old = match (old.peek(), new.peek()) {
            (Some(a), Some(b)) => a.1 >= b.1,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let next = if take_old { old.next() } else { new.next() };
        if let Some((index, score)) = next {
            merged.push(index);
            merged_scores.push(score);
        }
    }
    *visible = merged;
    *scores = merged_scores;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::list::SecretRow;
    use crate::state::list::tests::item;

    #[test]
    fn short_queries_scored_greedily_match_exactly_what_the_full_matcher_matches() {
        let names = [
            "api-key",
            "db-password",
            "DB-pass-old",
            "orders-db",
            "prod-orders",
            "x",
            "dbx",
            "bd",
        ];
        let mut matcher = Matcher::new(Config::DEFAULT);
        for query in ["d", "db", "DB", "or", "ord", "pdo", "xq", "b-p"] {
            let scorer = Scorer::new(query);
            assert!(scorer.greedy.is_some(), "{query} takes the greedy path");
            let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
            for name in names {
                let haystack = Utf32Str::Ascii(name.as_bytes());
                assert_eq!(
                    scorer.score(haystack, &mut matcher).is_some(),
                    pattern.score(haystack, &mut matcher).is_some(),
                    "{query:?} on {name:?}"
                );
            }
        }
        assert!(Scorer::new("dbpass").greedy.is_none());
        assert!(
            Scorer::new("^db").greedy.is_none(),
            "pattern syntax keeps the full matcher"
        );
    }

    #[test]
    fn scoring_split_over_cores_gives_what_one_core_gives() {
        let names: Vec<String> = (0..5_000)
            .map(|i| {
                format!(
                    "{}-{}-{i}",
                    ["prod", "stage", "db"][i % 3],
                    ["api", "tls"][i % 2]
                )
            })
            .collect();
        let rows: Vec<SecretRow> = names
            .iter()
            .filter_map(|name| SecretRow::from_item(item(name)))
            .collect();
        let mut one_core = Matchers {
            cores: 1,
            ..Matchers::default()
        };
        let mut three_cores = Matchers {
            cores: 3,
            min_per_core: 100,
            ..Matchers::default()
        };
        let every_other: Vec<usize> = (0..rows.len()).step_by(2).collect();
        for query in ["p", "dbtls", "api 12", "zz"] {
            let scorer = Scorer::new(query);
            for candidates in [
                Candidates::Range(0..rows.len()),
                Candidates::Range(7..4_001),
                Candidates::Listed(&every_other),
            ] {
                assert_eq!(
                    score_rows(&rows, candidates.clone(), &scorer, &mut three_cores),
                    score_rows(&rows, candidates, &scorer, &mut one_core),
                    "{query:?}"
                );
            }
        }
        assert_eq!(three_cores.helpers.len(), 2, "the split ran on three cores");
    }
}
