//! Data that comes from the vault, in one of four states, instead of `is_loading` flags.

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Remote<T> {
    /// Not asked for (nothing selected).
    #[default]
    Idle,
    Loading,
    Loaded(T),
    /// The error, worded for the status bar.
    Failed(String),
}

impl<T> Remote<T> {
    pub fn loaded(&self) -> Option<&T> {
        match self {
            Self::Loaded(value) => Some(value),
            _ => None,
        }
    }

    pub fn is_loading(&self) -> bool {
        matches!(self, Self::Loading)
    }
}
