//! User and vault text quoted in messages, cut short: a pasted novel, or a secret pasted in the
//! wrong place, must not flood the screen or a log.

/// The first `shown` characters of `text`, when it has more.
fn head(text: &str, shown: usize) -> Option<&str> {
    text.char_indices().nth(shown).map(|(end, _)| &text[..end])
}

/// Quotes user text in a message, cut short so a pasted novel does not flood the screen.
pub fn quoted(text: &str) -> String {
    quoted_up_to(text, 40)
}

/// As `quoted`, keeping up to `shown` characters (a URL in a config file wants more than 40).
pub fn quoted_up_to(text: &str, shown: usize) -> String {
    head(text, shown).map_or_else(|| format!("{text:?}"), |head| format!("{head:?}…"))
}

/// Text from a user or a vault in a message, unquoted (a path segment, the service's own
/// message): at most `shown` characters, then `…` where the rest was cut.
pub fn cut(text: &str, shown: usize) -> std::borrow::Cow<'_, str> {
    head(text, shown).map_or(std::borrow::Cow::Borrowed(text), |head| {
        std::borrow::Cow::Owned(format!("{head}…"))
    })
}
