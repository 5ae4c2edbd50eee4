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
fn a_space_between_words_keeps_the_results_and_what_backspace_restores() {
    let mut list = list(&["prod-api", "prod-db", "stage-api"]);
    for query in ["p", "pr", "pro", "prod"] {
        list.set_query(query.into(), 0);
    }
    let kept = list.earlier.len();
    list.set_query("prod ".into(), 0);
    assert_eq!(
        list.earlier.len(),
        kept,
        "the space changed no word: nothing re-scored"
    );
    list.set_query("prod".into(), 0);
    list.set_query("pro".into(), 0);
    assert_eq!(
        list.earlier.len(),
        kept - 1,
        "Backspace took a kept result back"
    );
    assert_eq!(list.visible, from_scratch(&list));
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
