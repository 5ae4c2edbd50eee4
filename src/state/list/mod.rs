//! The secret list: rows as pages arrive, the filter (fuzzy names and terms), the sort, the
//! cursor and the scroll offset.

use super::filter::{
    Candidates, Matchers, Scorer, in_row_order, merge_scored, narrows, score_rows,
};
use super::query::Query;
pub use super::row::SecretRow;
use super::sort::SortOrder;
use crate::vault::SecretItem;

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
    /// `query` split into its name words and its terms.
    pub parsed: Query,
    /// The order of the rows when no name words rank them.
    pub sort: SortOrder,
    /// Every row, in `sort`'s order: what an empty filter shows, and what terms alone filter,
    /// kept as pages arrive so clearing the filter does not sort a vault again.
    order: Vec<usize>,
    /// The filter line has the keyboard.
    pub filtering: bool,
    /// The secrets marked for a bulk action, by lower-cased name (names are case-insensitive).
    pub marked: std::collections::BTreeSet<String>,
    /// Indices into `rows` that match the filter: best match first while name words rank them,
    /// else in `sort`'s order.
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
            parsed: Query::default(),
            sort: SortOrder::default(),
            order: Vec::new(),
            filtering: false,
            marked: Default::default(),
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

    /// Starts a fresh listing (a profile switch or a refresh), keeping the filter; marks go,
    /// since the rows they named may be another vault's.
    pub fn restart(&mut self) {
        self.marked.clear();
        self.rows.clear();
        self.order.clear();
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
        let new = self.sorted((first_new..self.rows.len()).collect());
        let kept: Vec<usize> = new
            .iter()
            .copied()
            .filter(|&index| self.parsed.matches(&self.rows[index]))
            .collect();
        let order = std::mem::take(&mut self.order);
        self.order = self.merged(order, new);
        if self.parsed.name.is_empty() {
            let visible = std::mem::take(&mut self.visible);
            self.visible = self.merged(visible, kept);
        } else {
            // Only the new rows are scored, then merged in: the ones already shown keep their
            // scores. Earlier results lack the new rows, so they are dropped.
            self.earlier.clear();
            let scorer = Scorer::new(&self.parsed.name);
            let (visible, scores) = score_rows(
                &self.rows,
                Candidates::Listed(&kept),
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
        self.marked.remove(&name.to_ascii_lowercase());
        let position = self.cursor;
        self.rows.retain(|row| !row.name.eq_ignore_ascii_case(name));
        // The old indices point past the shortened rows: drop them before anything reads them.
        self.visible.clear();
        self.refilter_keeping(None);
        self.cursor = position.min(self.visible.len().saturating_sub(1));
    }

    /// A new filter line; `now` is what `expires:` terms count from.
    pub fn set_query(&mut self, query: String, now: i64) {
        // The cursor goes to the best match. A name word typed at the end narrows the last
        // result and Backspace restores an earlier one: only a query's first key scores every
        // row. Terms are checked on every row, which costs less than scoring.
        let previous = std::mem::replace(&mut self.parsed, Query::parse(&query, now));
        self.query = query;
        // A space typed or taken back between words changes nothing the filter reads.
        if self.parsed.name == previous.name && self.parsed.terms == previous.terms {
            return;
        }
        self.cursor = 0;
        self.offset = 0;
        let name = self.parsed.name.clone();
        if name.is_empty() || !self.parsed.terms.is_empty() || !previous.terms.is_empty() {
            self.earlier.clear();
            (self.visible, self.scores) = self.filter_every_row();
            return;
        }
        if let Some(at) = self.earlier.iter().rposition(|f| f.query == name) {
            self.earlier.truncate(at + 1);
            if let Some(kept) = self.earlier.pop() {
                self.visible = kept.visible;
                self.scores = kept.scores;
            }
            return;
        }
        let scorer = Scorer::new(&name);
        let (visible, scores) = if narrows(&previous.name, &name) {
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
                query: previous.name,
                visible: std::mem::take(&mut self.visible),
                scores: std::mem::take(&mut self.scores),
            });
            (visible, scores)
        } else {
            self.earlier.clear();
            self.filter_every_row()
        };
        self.visible = visible;
        self.scores = scores;
    }

    /// Shows the rows in another order (when no name words rank them), keeping the cursor on
    /// its secret.
    pub fn set_sort(&mut self, sort: SortOrder) {
        self.sort = sort;
        self.refilter_keeping(None);
    }

    /// Whether name words rank the rows, rather than `sort`.
    pub fn ranked(&self) -> bool {
        !self.parsed.name.is_empty()
    }

    /// The matching rows and their scores, from every row.
    fn filter_every_row(&mut self) -> (Vec<usize>, Vec<u32>) {
        let count = self.rows.len();
        let kept: Option<Vec<usize>> = (!self.parsed.terms.is_empty()).then(|| {
            (0..count)
                .filter(|&index| self.parsed.matches(&self.rows[index]))
                .collect()
        });
        if self.parsed.name.is_empty() {
            let shown = match kept {
                None => self.order.clone(),
                // `order` filtered keeps its order: no sort.
                Some(_) => self
                    .order
                    .iter()
                    .copied()
                    .filter(|&index| self.parsed.matches(&self.rows[index]))
                    .collect(),
            };
            return (shown, Vec::new());
        }
        let candidates = match &kept {
            Some(kept) => Candidates::Listed(kept),
            None => Candidates::Range(0..count),
        };
        let scorer = Scorer::new(&self.parsed.name);
        score_rows(&self.rows, candidates, &scorer, &mut self.matchers)
    }

    /// `indices` in `sort`'s order. Rows arrive in the service's name order, which natural
    /// order mostly keeps, and a stable sort of nearly sorted input takes one pass.
    fn sorted(&self, mut indices: Vec<usize>) -> Vec<usize> {
        indices.sort_by(|&a, &b| self.sort.compare(&self.rows[a], &self.rows[b]));
        indices
    }

    /// `old` and `new`, both in `sort`'s order, merged in that order. Pages mostly arrive
    /// after what came before, and are then only appended.
    fn merged(&self, mut old: Vec<usize>, new: Vec<usize>) -> Vec<usize> {
        let rows = &self.rows;
        let sort = self.sort;
        let before = |a: usize, b: usize| sort.compare(&rows[a], &rows[b]).is_le();
        match (old.last(), new.first()) {
            (Some(&last), Some(&first)) if !before(last, first) => {}
            _ => {
                old.extend(new);
                return old;
            }
        }
        let mut merged = Vec::with_capacity(old.len() + new.len());
        let (mut old, mut new) = (old.into_iter().peekable(), new.into_iter().peekable());
        while let (Some(&a), Some(&b)) = (old.peek(), new.peek()) {
            if before(a, b) {
                merged.push(a);
                old.next();
            } else {
                merged.push(b);
                new.next();
            }
        }
        merged.extend(old);
        merged.extend(new);
        merged
    }

    /// Recomputes `visible` from every row; keeps the cursor on `keep` (or the current
    /// selection) if it still matches.
    pub fn refilter_keeping(&mut self, keep: Option<&str>) {
        let keep = keep
            .map(str::to_owned)
            .or_else(|| self.selected_name().map(str::to_owned));
        self.earlier.clear();
        // Rows were added, dropped or changed order: the order is made again.
        self.order = self.sorted((0..self.rows.len()).collect());
        (self.visible, self.scores) = self.filter_every_row();
        if let Some(name) = keep {
            self.select_name(&name);
        }
        self.cursor = self.cursor.min(self.visible.len().saturating_sub(1));
    }

    pub fn is_marked(&self, name: &str) -> bool {
        self.marked.contains(&name.to_ascii_lowercase())
    }

    /// Marks the selected secret, or unmarks it.
    pub fn toggle_mark(&mut self) {
        if let Some(key) = self.selected_name().map(str::to_ascii_lowercase)
            && !self.marked.remove(&key)
        {
            self.marked.insert(key);
        }
    }

    /// Marks every secret the filter shows.
    pub fn mark_shown(&mut self) {
        let shown = self
            .visible
            .iter()
            .map(|&i| self.rows[i].name.to_ascii_lowercase());
        self.marked.extend(shown);
    }

    /// The marked secrets' names, in the order of `marked_rows`.
    pub fn marked_names(&self) -> Vec<String> {
        self.marked_rows()
            .iter()
            .map(|row| row.name.clone())
            .collect()
    }

    /// The marked secrets' rows, in the order shown, then any the filter hides.
    pub fn marked_rows(&self) -> Vec<&SecretRow> {
        let mut seen = vec![false; self.rows.len()];
        self.visible
            .iter()
            .copied()
            .chain(0..self.rows.len())
            .filter(|&i| !std::mem::replace(&mut seen[i], true))
            .map(|i| &self.rows[i])
            .filter(|row| self.is_marked(&row.name))
            .collect()
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
#[cfg(test)]
pub(super) mod tests;
