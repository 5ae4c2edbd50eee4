//! Drawing: `render(state)` lays out the panes and draws them. It reads the state and nothing
//! else, so a state built in a test draws exactly as in the app.

pub mod details;
pub mod form;
pub mod layout;
pub mod overlays;
pub mod secrets;
pub mod status;
pub mod theme;
pub mod versions;

use crate::state::{Overlay, State};
use ratatui::Frame;
pub use theme::Theme;

pub fn render(frame: &mut Frame, state: &State, theme: &Theme) {
    let layout = layout::main_layout(frame.area());
    secrets::render(frame, layout.list, state, theme);
    details::render(frame, layout.details, state, theme);
    versions::render(frame, layout.versions, state, theme);
    status::render(frame, layout.status, state, theme);
    match &state.overlay {
        Overlay::None => {}
        Overlay::Help { scroll } => overlays::render_help(frame, *scroll, theme),
        Overlay::ProfilePicker { cursor } => overlays::render_picker(frame, state, *cursor, theme),
        Overlay::Form(form) => form::render(frame, state, form, theme),
    }
}
