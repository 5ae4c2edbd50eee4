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
        let kept: Vec<usize> = (first_new..self.rows.len())
            .filter(|&index| self.parsed.matches(&self.rows[index]))
            .collect();
        if self.parsed.name.is_empty() {
            let kept = self.sorted(kept);
            self.merge_sorted(kept);
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
            let kept = kept.unwrap_or_else(|| (0..count).collect());
            return (self.sorted(kept), Vec::new());
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

    /// Merges rows in `sort`'s order into `visible`, which is in that order too.
    fn merge_sorted(&mut self, new: Vec<usize>) {
        let rows = &self.rows;
        let sort = self.sort;
        let before = |a: usize, b: usize| sort.compare(&rows[a], &rows[b]).is_le();
        match (self.visible.last(), new.first()) {
            (Some(&last), Some(&first)) if !before(last, first) => {}
            _ => return self.visible.extend(new),
        }
        let old = std::mem::take(&mut self.visible);
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
        self.visible = merged;
    }

    /// Recomputes `visible` from every row; keeps the cursor on `keep` (or the current
    /// selection) if it still matches.
    pub fn refilter_keeping(&mut self, keep: Option<&str>) {
        let keep = keep
            .map(str::to_owned)
            .or_else(|| self.selected_name().map(str::to_owned));
        self.earlier.clear();
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
pub(super) mod tests {
    use super::*;

    pub(in crate::state) fn item(name: &str) -> SecretItem {
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
        list.set_query("dbpass".into(), 0);
        assert_eq!(visible_names(&list), ["db-password", "db-pass-old"]);
        assert_eq!(list.selected_name(), Some("db-password"));
        list.set_query("zzz".into(), 0);
        assert!(list.visible.is_empty() && list.selected().is_none());
        list.set_query(String::new(), 0);
        assert_eq!(list.visible.len(), 4);
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
        list.set_query("d".into(), 0);
        list.append_page(vec![item("dd")]);
        assert_eq!(visible_names(&list), ["d", "dd"]);
    }

    /// `visible` as a fresh full filter of every row would compute it.
    fn from_scratch(list: &SecretList) -> Vec<usize> {
        let mut fresh = SecretList {
            rows: list.rows.clone(),
            query: list.query.clone(),
            parsed: list.parsed.clone(),
            sort: list.sort,
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
                list.set_query(query.clone(), 0);
                assert_eq!(list.visible, from_scratch(&list), "typing {query:?}");
            }
            while query.pop().is_some() {
                list.set_query(query.clone(), 0);
                assert_eq!(list.visible, from_scratch(&list), "backspace to {query:?}");
            }
        }
        list.set_query("cafe".into(), 0);
        assert_eq!(
            visible_names(&list),
            ["café-prod-key"],
            "normalized, not skipped"
        );
    }

    #[test]
    fn pages_arriving_under_a_filter_merge_like_a_full_filter() {
        let mut list = list(&["a-pay", "b-db", "c-payroll"]);
        list.set_query("pay".into(), 0);
        for page in [vec!["d-pay", "e-xpay", "f-none"], vec!["g-p-a-y", "h-pay"]] {
            list.append_page(page.into_iter().map(item).collect());
            assert_eq!(list.visible, from_scratch(&list));
        }
        list.set_query("payr".into(), 0);
        list.set_query("pay".into(), 0);
        assert_eq!(
            list.visible,
            from_scratch(&list),
            "kept results were dropped on append"
        );
    }

    fn tagged(name: &str, env: &str) -> SecretItem {
        SecretItem {
            tags: Some([("env".to_owned(), env.to_owned())].into()),
            ..item(name)
        }
    }

    #[test]
    fn terms_filter_before_names_rank_and_typing_gives_what_a_full_filter_gives() {
        let mut list = list(&[]);
        list.append_page(vec![
            tagged("api-key-2", "prod"),
            tagged("api-key-10", "dev"),
            tagged("db-pass", "prod"),
        ]);
        list.append_page(vec![tagged("api-key-1", "prod"), item("api-untagged")]);
        let mut query = String::new();
        for c in "tag:env=prod api".chars() {
            query.push(c);
            list.set_query(query.clone(), 0);
            assert_eq!(list.visible, from_scratch(&list), "typing {query:?}");
        }
        assert!(list.ranked());
        let mut shown = visible_names(&list);
        shown.sort_unstable();
        assert_eq!(shown, ["api-key-1", "api-key-2"]);
        list.set_query("tag:env=prod".into(), 0);
        assert_eq!(visible_names(&list), ["api-key-1", "api-key-2", "db-pass"]);
        list.append_page(vec![tagged("api-key-3", "prod"), tagged("zz", "dev")]);
        assert_eq!(
            visible_names(&list),
            ["api-key-1", "api-key-2", "api-key-3", "db-pass"],
            "a page under terms is filtered and merged in order"
        );
    }

    #[test]
    fn unranked_rows_show_in_natural_order_and_keep_it_as_pages_arrive() {
        // The service's order: code points, so `-10` before `-2`.
        let mut list = list(&["s-1", "s-10", "s-2"]);
        assert_eq!(visible_names(&list), ["s-1", "s-2", "s-10"]);
        list.append_page(vec![item("s-3"), item("s-30"), item("t")]);
        assert_eq!(
            visible_names(&list),
            ["s-1", "s-2", "s-3", "s-10", "s-30", "t"]
        );
        assert_eq!(list.visible, from_scratch(&list));
        list.set_query("s-".into(), 0);
        list.set_query(String::new(), 0);
        assert_eq!(
            visible_names(&list),
            ["s-1", "s-2", "s-3", "s-10", "s-30", "t"]
        );
    }

    #[test]
    fn sorting_by_expiry_or_update_keeps_the_cursor_on_its_secret() {
        let dated = |name: &str, exp: Option<i64>, updated: i64| SecretItem {
            attributes: Some(crate::vault::SecretAttributes {
                exp,
                updated: Some(updated),
                ..Default::default()
            }),
            ..item(name)
        };
        let mut list = list(&[]);
        list.append_page(vec![
            dated("a", None, 30),
            dated("b", Some(500), 10),
            dated("c", Some(100), 20),
        ]);
        list.select_name("b");
        list.set_sort(SortOrder::Expiry);
        assert_eq!(visible_names(&list), ["c", "b", "a"]);
        assert_eq!(list.selected_name(), Some("b"));
        list.set_sort(SortOrder::Updated);
        assert_eq!(visible_names(&list), ["a", "c", "b"]);
        list.upsert(dated("d", None, 40));
        assert_eq!(visible_names(&list), ["d", "a", "c", "b"]);
        assert_eq!(list.selected_name(), Some("b"));
    }

    #[test]
    fn marks_follow_names_through_filters_and_deletes_and_go_with_the_listing() {
        let mut list = list(&["api-1", "api-2", "db", "tls"]);
        list.toggle_mark();
        list.set_query("api".into(), 0);
        list.mark_shown();
        list.set_query("db".into(), 0);
        list.toggle_mark();
        list.toggle_mark();
        list.set_query(String::new(), 0);
        let marked: Vec<&str> = list.marked_rows().iter().map(|r| r.name.as_str()).collect();
        assert_eq!(marked, ["api-1", "api-2"]);
        list.set_query("tls".into(), 0);
        let marked: Vec<&str> = list.marked_rows().iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            marked,
            ["api-1", "api-2"],
            "marks the filter hides still count"
        );
        list.remove("API-2");
        assert_eq!(list.marked.len(), 1);
        list.restart();
        assert!(list.marked.is_empty());
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
