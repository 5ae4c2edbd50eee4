//! The vault picker (`V`): found vaults grouped by tenant and subscription, the selected one's
//! URL and tenant, what could not be listed, and why some vaults never can be.

use super::printable;
use super::table::{cursor_rows, table};
use super::theme::Theme;
use crate::discovery::FoundVault;
use crate::keymap::{Action, Context, key_of};
use crate::state::State;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Wrap};

pub fn render_vaults(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let view = &state.vaults;
    let searching = if view.searching {
        format!("{} looking… ", super::secrets::spinner(state))
    } else {
        String::new()
    };
    let filter = if view.query.is_empty() && !view.filtering {
        String::new()
    } else {
        format!("· /{} ", printable(&view.query))
    };
    let inner = super::framed(
        frame,
        area,
        format!(
            " Vaults {}/{} {filter}{searching}",
            view.shown.len(),
            view.rows.len()
        ),
        true,
        theme,
    );
    let mut footer: Vec<Line> = Vec::new();
    if let Some(vault) = view.selected() {
        footer.push(Line::from(vec![
            Span::styled(printable(&vault.vault_url).into_owned(), theme.key()),
            Span::styled(
                format!(
                    "  tenant {} ({}) · subscription {}",
                    printable(&vault.tenant),
                    printable(&vault.tenant_id),
                    printable(&vault.subscription_id)
                ),
                theme.dim(),
            ),
        ]));
    }
    for (account, identity) in &view.signed_in {
        footer.push(Line::styled(
            format!(
                "{}: signed in as {}",
                printable(account),
                printable(&identity.describe())
            ),
            theme.dim(),
        ));
    }
    for (scope, reason) in &view.unreadable {
        footer.push(Line::styled(
            format!("✗ {}: {}", printable(scope), printable(reason)),
            theme.error(),
        ));
    }
    footer.push(Line::styled(
        format!(
            "Vaults you reach only through data-plane RBAC (no Reader on the subscription) are not \
             listed: {} opens one by name or URL.",
            key_of(Context::Vaults, Action::AddVault)
        ),
        theme.dim(),
    ));
    // The footer never takes more than half the view: the vaults come first.
    let footer_height = crate::layout::wrapped_height(&footer, inner.width).min(inner.height / 2);
    let table_area = Rect {
        height: inner.height.saturating_sub(footer_height),
        ..inner
    };
    let rows = cursor_rows(&view.shown, view.cursor, table_area, theme, |&index| {
        vault_row(state, &view.rows[index], theme)
    });
    let widths = [
        Constraint::Length(1),
        Constraint::Fill(3),
        Constraint::Fill(2),
        Constraint::Fill(2),
        Constraint::Length(10),
        Constraint::Length(8),
    ];
    let header = ["", "VAULT", "SUBSCRIPTION", "GROUP", "LOCATION", "ACCESS"];
    frame.render_widget(table(rows, widths, header, theme), table_area);
    frame.render_widget(
        // Wrapped by character, as wrapped_height counts: a reason is often one long word (a URL).
        Paragraph::new(footer).wrap(Wrap { trim: false }),
        Rect {
            y: inner.y + table_area.height,
            height: footer_height,
            ..inner
        },
    );
}

fn vault_row<'a>(state: &State, vault: &'a FoundVault, theme: &Theme) -> Row<'a> {
    let profile = state
        .profile_of_vault(&vault.vault_url)
        .map(|index| state.profiles[index].name.as_str());
    let name = match profile {
        Some(profile) if profile != vault.name => format!("{} ({profile})", vault.name),
        _ => vault.name.clone(),
    };
    Row::new(vec![
        Cell::from(Span::styled(
            if profile.is_some() { "✓" } else { "" },
            theme.success(),
        )),
        Cell::from(printable(&name).into_owned()),
        Cell::from(printable(&vault.subscription).into_owned()),
        Cell::from(printable(vault.resource_group.as_deref().unwrap_or("-")).into_owned()),
        Cell::from(printable(vault.location.as_deref().unwrap_or("-")).into_owned()),
        Cell::from(if vault.rbac { "rbac" } else { "policies" }),
    ])
}
