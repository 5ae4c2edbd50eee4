//! The bulk write's box: every marked secret and what changes, then how each went, with the
//! counts of done, failed and left, and the keys for the phase it is in.

use super::dialogs::dialog;
use super::overlays::answers;
use super::printable;
use super::theme::Theme;
use crate::keymap::{Action, Context};
use crate::state::State;
use crate::state::bulk::{Bulk, BulkPhase, RowStatus};
use ratatui::Frame;
use ratatui::text::{Line, Span};

pub fn render(frame: &mut Frame, state: &State, bulk: &Bulk, theme: &Theme) {
    let (done, failed, left) = bulk.progress();
    let mut lines = vec![Line::styled(
        match bulk.phase {
            BulkPhase::Review => {
                format!("{} secrets; nothing is sent until Enter.", bulk.rows.len())
            }
            _ => format!("done {done} · failed {failed} · left {left}"),
        },
        theme.title(),
    )];
    // The box keeps to the screen: the rows scroll inside it.
    let room = usize::from(frame.area().height.saturating_sub(10)).max(1);
    let first = usize::from(bulk.scroll).min(bulk.rows.len().saturating_sub(room));
    for row in bulk.rows.iter().skip(first).take(room) {
        let (mark, style, note) = match &row.status {
            RowStatus::Waiting => ("·", theme.dim(), String::new()),
            RowStatus::Sending(_) => (
                super::secrets::spinner(state),
                theme.warning(),
                String::new(),
            ),
            RowStatus::Done => ("✓", theme.success(), String::new()),
            RowStatus::Failed(why) => ("✗", theme.error(), format!(" — {}", printable(why))),
            RowStatus::NotStarted => ("–", theme.dim(), " — not started: untouched".to_owned()),
            RowStatus::Refused(why) => (
                "✗",
                theme.error(),
                format!(" — refused: {}", printable(why)),
            ),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{mark} "), style),
            Span::raw(format!("{}  ", printable(&row.name))),
            Span::styled(printable(&row.change).into_owned(), theme.label()),
            Span::styled(note, style),
        ]));
    }
    if bulk.rows.len() > room {
        lines.push(Line::styled(
            format!(
                "rows {}–{} of {} · j/k scroll",
                first + 1,
                (first + room).min(bulk.rows.len()),
                bulk.rows.len()
            ),
            theme.dim(),
        ));
    }
    lines.push(Line::raw(""));
    let choices: &[(Action, bool, &str)] = match bulk.phase {
        BulkPhase::Review => &[
            (Action::Yes, false, "runs it"),
            (Action::Back, false, "cancels"),
        ],
        BulkPhase::Running => &[(Action::Back, false, "stops: nothing more is sent")],
        BulkPhase::Stopping => &[],
        BulkPhase::Finished => &[(Action::Yes, false, "closes")],
    };
    if bulk.phase == BulkPhase::Stopping {
        lines.push(Line::styled(
            "stopping: waiting for what was sent…",
            theme.warning(),
        ));
    } else {
        lines.push(answers(Context::Bulk, choices, theme));
    }
    dialog(frame, format!(" {} ", printable(&bulk.title)), lines, theme);
}
