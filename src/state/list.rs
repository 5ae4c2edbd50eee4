//! The secret list: rows as pages arrive, the fuzzy filter, the cursor and the scroll offset.

use crate::vault::SecretItem;
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

/// How far along the listing is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ListLoad {
    #[default]
    Idle,
    /// Pages are arriving; this many so far.
    Loading {
        pages: usize,
    },
    Done,
    /// The listing stopped with this error; the rows that arrived stay.
    Failed(String),
}

/// One secret as the list shows it (its latest version's attributes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretRow {
    pub name: String,
    pub item: SecretItem,
    /// Which characters the name holds (see [`char_mask`]), so the filter skips a row that
    /// lacks one of the query's without running the matcher on it.
    chars: u64,
}

impl SecretRow {
    pub fn from_item(item: SecretItem) -> Option<Self> {
        let name = item.secret_id()?.name;
        let chars = char_mask(&name);
        Some(Self { name, item, chars })
    }

    pub fn enabled(&self) -> bool {
        self.item
            .attributes
            .as_ref()
            .and_then(|a| a.enabled)
            .unwrap_or(true)
    }

    pub fn expires(&self) -> Option<i64> {
        self.item.attributes.as_ref().and_then(|a| a.exp)
    }

    pub fn updated(&self) -> Option<i64> {
        self.item.attributes.as_ref().and_then(|a| a.updated)
    }
}

/// How soon a secret expires, as the list's badge says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpiryBadge {
    Expired,
    Within7Days,
    Within30Days,
    /// Expires, but not within 30 days.
    Later,
    /// No expiry date at all.
    None,
}

impl ExpiryBadge {
    pub fn of(expires: Option<i64>, now: i64) -> Self {
        const DAY: i64 = 86_400;
        match expires {
            None => Self::None,
            Some(exp) if exp <= now => Self::Expired,
            // Saturating: a vault may send any integer as a date.
            Some(exp) if exp.saturating_sub(now) <= 7 * DAY => Self::Within7Days,
            Some(exp) if exp.saturating_sub(now) <= 30 * DAY => Self::Within30Days,
            Some(_) => Self::Later,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Expired => "expired",
            Self::Within7Days => "≤7d",
            Self::Within30Days => "≤30d",
            Self::Later => ">30d",
            Self::None => "none",
        }
    }
}

/// One bit per ASCII letter (either case), digit, `-` and `_`; bit 63 for anything else.
fn char_bit(c: char) -> u64 {
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
fn char_mask(text: &str) -> u64 {
    if !text.is_ascii() {
        return u64::MAX;
    }
    text.chars().fold(0, |mask, c| mask | char_bit(c))
}

/// Query characters with a meaning in nucleo's pattern syntax (negation, anchors, substring,
/// escape): a query holding one is neither prefiltered nor narrowed.
const PATTERN_SYNTAX: [char; 5] = ['!', '^', '$', '\'', '\\'];

/// The characters every matching name must hold, or 0 when that cannot be said simply: any
/// character outside the mask's classes (non-ASCII folds and normalizes in ways a bitmask does
/// not follow).
fn required_chars(query: &str) -> u64 {
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
fn narrows(previous: &str, next: &str) -> bool {
    !previous.is_empty()
        && next.len() > previous.len()
        && next.starts_with(previous)
        && !next.contains(PATTERN_SYNTAX)
}

/// The filter's result for one query, kept so Backspace can go back to it.
struct Filtered {
    query: String,
    visible: Vec<usize>,
    scores: Vec<u32>,
}

/// How many earlier results are kept for Backspace.
const KEPT_RESULTS: usize = 64;

pub struct SecretList {
    pub rows: Vec<SecretRow>,
    pub load: ListLoad,
    /// The listing whose pages are awaited; pages of an older one are dropped.
    pub request: u64,
    pub query: String,
    /// The filter line has the keyboard.
    pub filtering: bool,
    /// Indices into `rows` that match the filter, best match first (name order when unfiltered).
    pub visible: Vec<usize>,
    /// Index into `visible`.
    pub cursor: usize,
    /// First visible row drawn; kept so the cursor stays on screen without jumping.
    pub offset: usize,
    /// Lower-cased names `upsert` added while the listing was still loading: a later page may
    /// bring them too, and must replace them rather than list them twice.
    added_while_loading: Vec<String>,
    matchers: Matchers,
    /// The match score of each of `visible`, while there is a query.
    scores: Vec<u32>,
    /// Results of the shorter queries typed on the way to this one, oldest first: a key typed
    /// at the end of the query only re-scores the last result's rows, and Backspace takes a
    /// result back from here instead of scoring every row again.
    earlier: Vec<Filtered>,
}

impl Default for SecretList {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            load: ListLoad::Idle,
            request: 0,
            query: String::new(),
            filtering: false,
            visible: Vec::new(),
            cursor: 0,
            offset: 0,
            added_while_loading: Vec::new(),
            matchers: Matchers::default(),
            scores: Vec::new(),
            earlier: Vec::new(),
        }
    }
}

impl std::fmt::Debug for SecretList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretList")
            .field("rows", &self.rows.len())
            .field("load", &self.load)
            .field("query", &self.query)
            .field("visible", &self.visible.len())
            .field("cursor", &self.cursor)
            .finish()
    }
}

impl SecretList {
    pub fn selected(&self) -> Option<&SecretRow> {
        self.visible
            .get(self.cursor)
            .map(|&index| &self.rows[index])
    }

    pub fn selected_name(&self) -> Option<&str> {
        self.selected().map(|row| row.name.as_str())
    }

    /// Starts a fresh listing (a profile switch or a refresh), keeping the filter.
    pub fn restart(&mut self) {
        self.rows.clear();
        self.visible.clear();
        self.scores.clear();
        self.earlier.clear();
        self.cursor = 0;
        self.offset = 0;
        self.added_while_loading.clear();
        self.load = ListLoad::Loading { pages: 0 };
    }

    /// Adds a page, keeping the cursor on the same secret.
    pub fn append_page(&mut self, items: Vec<SecretItem>) {
        let keep = self.selected_name().map(str::to_owned);
        let first_new = self.rows.len();
        let rows = items.into_iter().filter_map(SecretRow::from_item);
        if self.added_while_loading.is_empty() {
            self.rows.extend(rows);
        } else {
            for row in rows {
                let key = row.name.to_ascii_lowercase();
                match self
                    .added_while_loading
                    .iter()
                    .position(|added| *added == key)
                {
                    Some(at) => {
                        self.added_while_loading.swap_remove(at);
                        if let Some(existing) = self
                            .rows
                            .iter_mut()
                            .find(|existing| existing.name.eq_ignore_ascii_case(&row.name))
                        {
                            *existing = row;
                        }
                    }
                    None => self.rows.push(row),
                }
            }
        }
        if self.query.is_empty() {
            self.visible.extend(first_new..self.rows.len());
        } else {
            // Only the new rows are scored, then merged in: the ones already shown keep their
            // scores. Earlier results lack the new rows, so they are dropped.
            self.earlier.clear();
            let scorer = Scorer::new(&self.query);
            let (visible, scores) = score_rows(
                &self.rows,
                Candidates::Range(first_new..self.rows.len()),
                &scorer,
                &mut self.matchers,
            );
            merge_scored(&mut self.visible, &mut self.scores, visible, scores);
        }
        if let Some(name) = keep {
            self.select_name(&name);
        }
    }

    /// Replaces one row (after a set or an update) or inserts it in name order.
    pub fn upsert(&mut self, item: SecretItem) {
        let Some(row) = SecretRow::from_item(item) else {
            return;
        };
        let key = row.name.to_ascii_lowercase();
        match self
            .rows
            .binary_search_by(|existing| existing.name.to_ascii_lowercase().cmp(&key))
        {
            Ok(index) => self.rows[index] = row,
            Err(index) => {
                if matches!(self.load, ListLoad::Loading { .. }) {
                    self.added_while_loading.push(key);
                }
                self.rows.insert(index, row);
            }
        }
        self.refilter_keeping(None);
    }

    /// Drops a row (a deleted secret); the cursor stays where it was, on the next one.
    pub fn remove(&mut self, name: &str) {
        let position = self.cursor;
        self.rows.retain(|row| !row.name.eq_ignore_ascii_case(name));
        // The old indices point past the shortened rows: drop them before anything reads them.
        self.visible.clear();
        self.refilter_keeping(None);
        self.cursor = position.min(self.visible.len().saturating_sub(1));
    }

    pub fn set_query(&mut self, query: String) {
        // The cursor goes to the best match. A key typed at the end of the query narrows the
        // last result and Backspace restores an earlier one: only a query's first key scores
        // every row.
        let previous = std::mem::replace(&mut self.query, query);
        self.cursor = 0;
        self.offset = 0;
        if self.query.is_empty() {
            self.earlier.clear();
            self.scores.clear();
            self.visible = (0..self.rows.len()).collect();
            return;
        }
        if let Some(at) = self.earlier.iter().rposition(|f| f.query == self.query) {
            self.earlier.truncate(at + 1);
            if let Some(kept) = self.earlier.pop() {
                self.visible = kept.visible;
                self.scores = kept.scores;
            }
            return;
        }
        let scorer = Scorer::new(&self.query);
        let (visible, scores) = if narrows(&previous, &self.query) {
            let (visible, scores) = score_rows(
                &self.rows,
                Candidates::Listed(&in_row_order(&self.visible, self.rows.len())),
                &scorer,
                &mut self.matchers,
            );
            if self.earlier.len() == KEPT_RESULTS {
                self.earlier.remove(0);
            }
            self.earlier.push(Filtered {
                query: previous,
                visible: std::mem::take(&mut self.visible),
                scores: std::mem::take(&mut self.scores),
            });
            (visible, scores)
        } else {
            self.earlier.clear();
            score_rows(
                &self.rows,
                Candidates::Range(0..self.rows.len()),
                &scorer,
                &mut self.matchers,
            )
        };
        self.visible = visible;
        self.scores = scores;
    }

    /// Recomputes `visible` from every row; keeps the cursor on `keep` (or the current
    /// selection) if it still matches.
    pub fn refilter_keeping(&mut self, keep: Option<&str>) {
        let keep = keep
            .map(str::to_owned)
            .or_else(|| self.selected_name().map(str::to_owned));
        self.earlier.clear();
        if self.query.is_empty() {
            self.scores.clear();
            self.visible = (0..self.rows.len()).collect();
        } else {
            let scorer = Scorer::new(&self.query);
            let (visible, scores) = score_rows(
                &self.rows,
                Candidates::Range(0..self.rows.len()),
                &scorer,
                &mut self.matchers,
            );
            self.visible = visible;
            self.scores = scores;
        }
        if let Some(name) = keep {
            self.select_name(&name);
        }
        self.cursor = self.cursor.min(self.visible.len().saturating_sub(1));
    }

    /// Moves the cursor to `name` if it is visible.
    pub fn select_name(&mut self, name: &str) -> bool {
        match self
            .visible
            .iter()
            .position(|&index| self.rows[index].name.eq_ignore_ascii_case(name))
        {
            Some(position) => {
                self.cursor = position;
                true
            }
            None => false,
        }
    }

    /// Moves the cursor by `delta` rows, clamped.
    pub fn move_cursor(&mut self, delta: isize) {
        if self.visible.is_empty() {
            self.cursor = 0;
            return;
        }
        let last = self.visible.len() - 1;
        self.cursor = self.cursor.saturating_add_signed(delta).min(last);
    }

    pub fn jump(&mut self, to_end: bool) {
        self.cursor = if to_end {
            self.visible.len().saturating_sub(1)
        } else {
            0
        };
    }

    /// Scrolls as little as possible to keep the cursor within `height` rows.
    pub fn keep_cursor_visible(&mut self, height: usize) {
        let height = height.max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + height {
            self.offset = self.cursor + 1 - height;
        }
        let max_offset = self.visible.len().saturating_sub(height);
        self.offset = self.offset.min(max_offset);
    }
}

/// Rows to score, in row order: a span of rows, or the matches of the query being narrowed.
#[derive(Clone)]
enum Candidates<'a> {
    Range(std::ops::Range<usize>),
    Listed(&'a [usize]),
}

impl Candidates<'_> {
    fn len(&self) -> usize {
        match self {
            Self::Range(range) => range.len(),
            Self::Listed(listed) => listed.len(),
        }
    }

    fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        let (range, listed) = match self {
            Self::Range(range) => (range.clone(), &[][..]),
            Self::Listed(listed) => (0..0, *listed),
        };
        range.chain(listed.iter().copied())
    }

    /// Consecutive parts of at most `size` rows each, in row order.
    fn parts(&self, size: usize) -> Vec<Self> {
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
struct Matchers {
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
fn score_rows(
    rows: &[SecretRow],
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
fn score_span(
    rows: &[SecretRow],
    candidates: impl Iterator<Item = usize>,
    scorer: &Scorer,
    matcher: &mut Matcher,
) -> Vec<(u32, u32)> {
    let mut buffer = Vec::new();
    let required = scorer.required;
    candidates
        .filter_map(|index| {
            let row = &rows[index];
            if row.chars & required != required {
                return None;
            }
            // An ASCII name (all of Key Vault's) is matched as it is, without the is-ASCII scan
            // `Utf32Str::new` would make for every row on every key.
            let haystack = if row.chars == u64::MAX {
                Utf32Str::new(&row.name, &mut buffer)
            } else {
                Utf32Str::Ascii(row.name.as_bytes())
            };
            let score = scorer.score(haystack, matcher)?;
            Some((score, index as u32))
        })
        .collect()
}

/// How a query scores a name. A plain one- or two-character query matches most of a large
/// vault, and the optimal alignment nucleo computes for each of those names is most of a
/// keystroke's time while barely changing their order: such queries are scored greedily.
struct Scorer {
    pattern: Pattern,
    required: u64,
    /// The needle and its case-insensitivity, for the greedy path.
    greedy: Option<(String, bool)>,
}

impl Scorer {
    fn new(query: &str) -> Self {
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

    fn score(&self, haystack: Utf32Str<'_>, matcher: &mut Matcher) -> Option<u32> {
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

/// Orders (score, row) pairs given in row order best first, ties in row order. A short query
/// over many rows gives a handful of distinct scores, so this counts them and places each row
/// in one pass; with many distinct scores it sorts.
fn rank(scored: Vec<(u32, u32)>) -> (Vec<usize>, Vec<u32>) {
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
fn in_row_order(indices: &[usize], len: usize) -> Vec<usize> {
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
fn merge_scored(
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

    fn item(name: &str) -> SecretItem {
        SecretItem {
            id: Some(format!("https://v/secrets/{name}")),
            ..SecretItem::default()
        }
    }

    fn list(names: &[&str]) -> SecretList {
        let mut list = SecretList::default();
        list.restart();
        list.append_page(names.iter().map(|n| item(n)).collect());
        list
    }

    fn visible_names(list: &SecretList) -> Vec<&str> {
        list.visible
            .iter()
            .map(|&i| list.rows[i].name.as_str())
            .collect()
    }

    #[test]
    fn fuzzy_filter_ranks_ties_in_list_order_and_keeps_selection() {
        let mut list = list(&["api-key", "db-password", "db-pass-old", "storage-conn"]);
        list.select_name("db-password");
        list.set_query("dbpass".into());
        assert_eq!(visible_names(&list), ["db-password", "db-pass-old"]);
        assert_eq!(list.selected_name(), Some("db-password"));
        list.set_query("zzz".into());
        assert!(list.visible.is_empty() && list.selected().is_none());
        list.set_query(String::new());
        assert_eq!(list.visible.len(), 4);
    }

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

    #[test]
    fn removing_the_selected_row_moves_to_the_next() {
        let mut list = list(&["a", "b", "c"]);
        list.move_cursor(1);
        list.remove("b");
        assert_eq!(list.selected_name(), Some("c"));
        list.remove("c");
        assert_eq!(list.selected_name(), Some("a"));
        list.remove("a");
        assert_eq!(list.selected_name(), None);
    }

    #[test]
    fn pages_append_without_moving_the_cursor() {
        let mut list = list(&["a", "b"]);
        list.move_cursor(1);
        list.append_page(vec![item("c"), item("d")]);
        assert_eq!(list.selected_name(), Some("b"));
        list.set_query("d".into());
        list.append_page(vec![item("dd")]);
        assert_eq!(visible_names(&list), ["d", "dd"]);
    }

    /// `visible` as a fresh full filter of every row would compute it.
    fn from_scratch(list: &SecretList) -> Vec<usize> {
        let mut fresh = SecretList {
            rows: list.rows.clone(),
            query: list.query.clone(),
            ..SecretList::default()
        };
        fresh.refilter_keeping(None);
        fresh.visible
    }

    #[test]
    fn typing_and_backspace_give_what_a_full_filter_gives() {
        let words = [
            "pay", "db", "prod", "api", "key", "Order", "ledger", "x9", "tls",
        ];
        let names: Vec<String> = (0..3000)
            .map(|i| {
                format!(
                    "{}-{}-{}-{i:04}",
                    words[i % 9],
                    words[(i / 9) % 9],
                    words[(i / 81) % 9]
                )
            })
            .collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut list = list(&refs);
        list.append_page(vec![item("café-prod-key")]);
        for typed in [
            "paydbkey", "prod api", "Or", "ledgerx9", "cafe", "pay!db", "key$", "zz",
        ] {
            let mut query = String::new();
            for c in typed.chars() {
                query.push(c);
                list.set_query(query.clone());
                assert_eq!(list.visible, from_scratch(&list), "typing {query:?}");
            }
            while query.pop().is_some() {
                list.set_query(query.clone());
                assert_eq!(list.visible, from_scratch(&list), "backspace to {query:?}");
            }
        }
        list.set_query("cafe".into());
        assert_eq!(
            visible_names(&list),
            ["café-prod-key"],
            "normalized, not skipped"
        );
    }

    #[test]
    fn pages_arriving_under_a_filter_merge_like_a_full_filter() {
        let mut list = list(&["a-pay", "b-db", "c-payroll"]);
        list.set_query("pay".into());
        for page in [vec!["d-pay", "e-xpay", "f-none"], vec!["g-p-a-y", "h-pay"]] {
            list.append_page(page.into_iter().map(item).collect());
            assert_eq!(list.visible, from_scratch(&list));
        }
        list.set_query("payr".into());
        list.set_query("pay".into());
        assert_eq!(
            list.visible,
            from_scratch(&list),
            "kept results were dropped on append"
        );
    }

    #[test]
    fn upsert_keeps_name_order() {
        let mut list = list(&["a", "c"]);
        list.upsert(item("b"));
        assert_eq!(visible_names(&list), ["a", "b", "c"]);
        list.upsert(item("B"));
        assert_eq!(list.rows.len(), 3, "names are case-insensitive");
    }

    #[test]
    fn scrolling_follows_the_cursor() {
        let names: Vec<String> = (0..50).map(|i| format!("s{i:02}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut list = list(&refs);
        list.move_cursor(15);
        list.keep_cursor_visible(10);
        assert_eq!(list.offset, 6);
        list.move_cursor(-3);
        list.keep_cursor_visible(10);
        assert_eq!(list.offset, 6, "no jump while the cursor is on screen");
        list.jump(false);
        list.keep_cursor_visible(10);
        assert_eq!(list.offset, 0);
        list.move_cursor(-5);
        assert_eq!(list.cursor, 0);
    }

    #[test]
    fn expiry_badges() {
        let now = 1_000_000;
        assert_eq!(ExpiryBadge::of(None, now), ExpiryBadge::None);
        assert_eq!(ExpiryBadge::of(Some(now - 1), now), ExpiryBadge::Expired);
        assert_eq!(
            ExpiryBadge::of(Some(now + 7 * 86_400), now),
            ExpiryBadge::Within7Days
        );
        assert_eq!(
            ExpiryBadge::of(Some(now + 8 * 86_400), now),
            ExpiryBadge::Within30Days
        );
        assert_eq!(
            ExpiryBadge::of(Some(now + 31 * 86_400), now),
            ExpiryBadge::Later
        );
    }
}
