//! Every style the UI uses. With `NO_COLOR` set, no colour at all: emphasis is carried by bold,
//! reverse video and underline, which every terminal shows.

use crate::state::Level;
use crate::state::list::ExpiryBadge;
use ratatui::style::{Color, Modifier, Style};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Colour unless `NO_COLOR` is set to anything non-empty (no-color.org).
    pub fn from_env() -> Self {
        Self {
            color: std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty()),
        }
    }

    fn fg(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub fn border(self, focused: bool) -> Style {
        if focused {
            self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
        } else {
            self.fg(Color::DarkGray)
        }
    }

    /// The characters of a name the filter matched: underlined too, for `NO_COLOR`.
    pub fn matched(self) -> Style {
        self.fg(Color::Yellow)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub fn title(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// The cursor row: reverse video where the keyboard is, underline where it is not.
    pub fn selected(self, focused: bool) -> Style {
        if focused {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new().add_modifier(Modifier::UNDERLINED)
        }
    }

    pub fn header(self) -> Style {
        self.fg(Color::Gray).add_modifier(Modifier::BOLD)
    }

    pub fn label(self) -> Style {
        self.fg(Color::Gray)
    }

    pub fn dim(self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    pub fn key(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn warning(self) -> Style {
        self.fg(Color::Yellow)
    }

    pub fn success(self) -> Style {
        self.fg(Color::Green)
    }

    pub fn level(self, level: Level) -> Style {
        match level {
            Level::Info => Style::new(),
            Level::Success => self.success(),
            Level::Error => self.error(),
        }
    }

    pub fn badge(self, badge: ExpiryBadge) -> Style {
        match badge {
            ExpiryBadge::Expired => self.error(),
            ExpiryBadge::Within7Days => self.fg(Color::Red),
            ExpiryBadge::Within30Days => self.warning(),
            ExpiryBadge::Later | ExpiryBadge::None => self.dim(),
        }
    }

    pub fn disabled(self) -> Style {
        self.fg(Color::Red)
    }
}
