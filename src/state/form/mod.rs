//! The Set Secret form: a new secret, or a new version of one. Fields are validated as typed with
//! the service's rules; a failed submit keeps every field as typed.

pub mod fields;

use super::input::{single_line, text};
use super::review::{Review, Snapshot};
use crate::config::Policy;
use crate::config::policy::{Candidate, Part};
use crate::random::Alphabet;
use crate::vault::stale::Expected;
use crate::vault::{
    SecretAttributes, SecretValue, SetSecretParameters, Tags, UpdateSecretParameters,
};
use crate::when::{When, format_rfc3339, format_utc, parse_when};
use ratatui_textarea::TextArea;
use zeroize::Zeroize;

pub const MASK_CHAR: char = '•';

/// Every broken rule, by field.
pub type FieldErrors = Vec<(FormField, String)>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FormField {
    Name,
    Value,
    /// The length of a generated value.
    GenLength,
    /// The alphabet of a generated value (Space cycles it).
    GenAlphabet,
    ContentType,
    TagKey(usize),
    TagValue(usize),
    Expires,
    NotBefore,
    Enabled,
    Submit,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormKind {
    NewSecret,
    /// A new version of this secret; the name is fixed.
    NewVersion(String),
    /// The attributes of one version (PATCH): no value, no new version.
    EditAttributes {
        name: String,
        /// `None`: the latest.
        version: Option<String>,
        baseline: Snapshot,
    },
}

/// Where the form is in its life.
#[derive(Debug)]
pub enum Submit {
    Editing,
    /// Esc was pressed on a changed form: discard it?
    ConfirmDiscard,
    /// Set Secret is in flight; the form waits, the rest of the screen does not.
    Submitting {
        request: u64,
    },
    /// The vault refused; the fields are as they were typed.
    Failed {
        message: String,
    },
    /// The name is soft-deleted (409): recover or purge it, then submit again.
    NameDeleted {
        message: String,
    },
    /// Purge asks for the name to be typed.
    ConfirmPurge {
        typed: Box<TextArea<'static>>,
    },
    /// Recover or purge of the deleted name is in flight.
    Resolving {
        request: u64,
        purging: bool,
    },
    /// What the write will change, to confirm before it is sent.
    Review(Box<Review>),
    /// A file to load the value from.
    AskPath {
        input: Box<TextArea<'static>>,
        error: Option<String>,
    },
    /// A file is being read, or `$EDITOR` is open, or a value is being generated.
    Loading,
}

pub struct TagRow {
    pub key: TextArea<'static>,
    pub value: TextArea<'static>,
}

pub struct SecretForm {
    pub kind: FormKind,
    pub name: TextArea<'static>,
    pub value: TextArea<'static>,
    pub reveal: bool,
    pub content_type: TextArea<'static>,
    pub tags: Vec<TagRow>,
    pub expires: TextArea<'static>,
    pub not_before: TextArea<'static>,
    pub enabled: bool,
    pub gen_length: TextArea<'static>,
    pub alphabet: Alphabet,
    /// A value loaded whole (a file, `$EDITOR`, a rollback, the generator), sent byte for byte:
    /// the text area normalises line endings, so it is only the truth once typed in.
    pub exact_value: Option<SecretValue>,
    pub focus: FormField,
    pub submit: Submit,
    /// Something was typed since the form opened.
    pub changed: bool,
    /// Submit was tried: show every error, even on fields not typed in yet.
    pub attempted: bool,
    /// What the secret holds now, when the form knows (a new version, a rollback): the review
    /// compares the write with it.
    pub baseline: Option<Snapshot>,
    /// The profile whose policy the form checks as it is typed, and that policy.
    pub policy: Option<(String, Policy)>,
    /// The latest version the form was opened on (a new version, a rollback), which the write
    /// must still replace when it is sent; for the attributes form, the version it edits as it
    /// was read, which must be so still.
    pub started_from: Option<Expected>,
}

impl std::fmt::Debug for SecretForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretForm")
            .field("kind", &self.kind)
            .field("name", &text(&self.name))
            .field("value", &"[redacted]")
            .field("focus", &self.focus)
            .field("submit", &self.submit)
            .finish_non_exhaustive()
    }
}

fn value_area() -> TextArea<'static> {
    let mut area = TextArea::default();
    area.set_cursor_line_style(ratatui::style::Style::default());
    // Undo history would keep copies of the value that cannot be zeroized.
    area.set_max_histories(0);
    area.set_mask_char(MASK_CHAR);
    area
}

impl TagRow {
    pub fn new(key: &str, value: &str) -> Self {
        Self {
            key: single_line(key),
            value: single_line(value),
        }
    }
}

impl SecretForm {
    pub fn new_secret() -> Self {
        Self {
            kind: FormKind::NewSecret,
            name: single_line(""),
            value: value_area(),
            reveal: false,
            content_type: single_line(""),
            tags: Vec::new(),
            expires: single_line(""),
            not_before: single_line(""),
            enabled: true,
            gen_length: single_line("32"),
            alphabet: Alphabet::default(),
            exact_value: None,
            focus: FormField::Name,
            submit: Submit::Editing,
            changed: false,
            attempted: false,
            baseline: None,
            policy: None,
            started_from: None,
        }
        .with_cursors()
    }

    fn with_cursors(mut self) -> Self {
        self.sync_cursors();
        self
    }

    /// Only the focused input shows a cursor.
    pub fn sync_cursors(&mut self) {
        let focus = self.focus;
        let cursor =
            ratatui::style::Style::default().add_modifier(ratatui::style::Modifier::REVERSED);
        let hidden = ratatui::style::Style::default();
        let set = |area: &mut TextArea<'static>, field: FormField| {
            area.set_cursor_style(if field == focus { cursor } else { hidden });
        };
        set(&mut self.name, FormField::Name);
        set(&mut self.value, FormField::Value);
        set(&mut self.content_type, FormField::ContentType);
        for (row, tag) in self.tags.iter_mut().enumerate() {
            set(&mut tag.key, FormField::TagKey(row));
            set(&mut tag.value, FormField::TagValue(row));
        }
        set(&mut self.expires, FormField::Expires);
        set(&mut self.not_before, FormField::NotBefore);
        set(&mut self.gen_length, FormField::GenLength);
    }

    /// A new version of `name`, starting from its current content type, tags and dates so a
    /// roll only needs the new value; a date cleared in the form is left out of the new version.
    pub fn new_version(name: &str, current: &Snapshot) -> Self {
        let mut form = Self::new_secret();
        form.kind = FormKind::NewVersion(name.to_owned());
        form.name = single_line(name);
        form.fill_empty_from(current);
        form.baseline = Some(current.clone());
        form.focus = FormField::Value;
        form.with_cursors()
    }

    /// A new version starting from an existing one: its value, content type and tags (a
    /// rollback). Dates are left for the user: an old expiry is rarely right for a new version.
    pub fn from_version(
        name: &str,
        value: &SecretValue,
        old: &Snapshot,
        current: Option<&Snapshot>,
    ) -> Self {
        let undated = Snapshot {
            exp: None,
            nbf: None,
            ..old.clone()
        };
        let mut form = Self::new_version(name, &undated);
        form.baseline = current.cloned();
        form.set_value(value);
        form.changed = true;
        form
    }

    /// The form of a new secret becomes a new version of `name`, which exists after all (it was
    /// recovered): what was typed stays, and the fields left empty take the secret's own.
    pub fn continue_as_version_of(&mut self, name: &str, current: &Snapshot) {
        self.kind = FormKind::NewVersion(name.to_owned());
        self.fill_empty_from(current);
        self.baseline = Some(current.clone());
        self.sync_cursors();
    }

    /// Content type, tags and dates from `current`, into the fields that are empty.
    fn fill_empty_from(&mut self, current: &Snapshot) {
        let empty = |area: &TextArea<'_>| text(area).trim().is_empty();
        if empty(&self.content_type) {
            self.content_type = single_line(current.content_type.as_deref().unwrap_or_default());
        }
        if self.tags.is_empty() {
            self.tags = current
                .tags
                .iter()
                .map(|(key, value)| TagRow::new(key, value))
                .collect();
        }
        if empty(&self.expires) {
            self.expires = single_line(&current.exp.map(format_rfc3339).unwrap_or_default());
        }
        if empty(&self.not_before) {
            self.not_before = single_line(&current.nbf.map(format_rfc3339).unwrap_or_default());
        }
    }

    /// The attributes of `name` (one version, or the latest), as they are now.
    pub fn edit_attributes(name: &str, version: Option<String>, baseline: Snapshot) -> Self {
        let mut form = Self::new_secret();
        form.name = single_line(name);
        form.content_type = single_line(baseline.content_type.as_deref().unwrap_or_default());
        form.tags = baseline
            .tags
            .iter()
            .map(|(key, value)| TagRow::new(key, value))
            .collect();
        form.expires = single_line(&baseline.exp.map(format_rfc3339).unwrap_or_default());
        form.not_before = single_line(&baseline.nbf.map(format_rfc3339).unwrap_or_default());
        form.enabled = baseline.enabled;
        form.kind = FormKind::EditAttributes {
            name: name.to_owned(),
            version,
            baseline,
        };
        form.focus = FormField::ContentType;
        form.with_cursors()
    }

    pub fn name_text(&self) -> String {
        match &self.kind {
            FormKind::NewVersion(name) | FormKind::EditAttributes { name, .. } => name.clone(),
            FormKind::NewSecret => text(&self.name).trim().to_owned(),
        }
    }

    pub fn edits_attributes(&self) -> bool {
        matches!(self.kind, FormKind::EditAttributes { .. })
    }

    /// Replaces the value, wiping the old one; it is sent exactly as given until edited.
    pub fn set_value(&mut self, value: &SecretValue) {
        let mut area = value_area();
        area.insert_str(value.expose());
        let old = std::mem::replace(&mut self.value, area);
        old.into_lines().iter_mut().for_each(Zeroize::zeroize);
        self.exact_value = Some(value.clone());
        self.set_reveal(self.reveal);
        self.changed = true;
        self.sync_cursors();
    }

    /// The value typed into the text area: what was loaded stops being exact.
    pub fn value_edited(&mut self) {
        self.exact_value = None;
    }

    /// The value to send, in a zeroizing holder.
    pub fn value(&self) -> SecretValue {
        self.exact_value
            .clone()
            .unwrap_or_else(|| SecretValue::new(text(&self.value)))
    }

    /// The length asked for a generated value.
    pub fn generate_length(&self) -> Result<usize, String> {
        let raw = text(&self.gen_length);
        match raw.trim().parse::<usize>() {
            Ok(length @ 1..=4096) => Ok(length),
            _ => Err(format!("length {raw:?}: give a number from 1 to 4096")),
        }
    }

    /// Shows or masks the value.
    pub fn set_reveal(&mut self, reveal: bool) {
        self.reveal = reveal;
        if reveal {
            self.value.clear_mask_char();
        } else {
            self.value.set_mask_char(MASK_CHAR);
        }
    }

    /// Whether this form sent `request` and awaits its answer.
    pub fn awaits(&self, request: u64) -> bool {
        matches!(self.submit, Submit::Submitting { request: sent } if sent == request)
    }

    pub fn is_busy(&self) -> bool {
        matches!(
            self.submit,
            Submit::Submitting { .. } | Submit::Resolving { .. } | Submit::Loading
        ) || matches!(&self.submit, Submit::Review(review) if review.status.is_sending())
    }

    /// The fields in Tab order: the table's, as this kind of form shows them.
    pub fn fields(&self) -> Vec<FormField> {
        let mut order = Vec::new();
        for row in fields::FIELDS.iter().filter(|row| row.shown_on(&self.kind)) {
            match row.widget {
                fields::Widget::Tags => {
                    for tag in 0..self.tags.len() {
                        order.extend([FormField::TagKey(tag), FormField::TagValue(tag)]);
                    }
                }
                _ => order.push(row.field),
            }
        }
        order
    }

    pub fn focus_step(&mut self, forward: bool) {
        let fields = self.fields();
        let at = fields.iter().position(|f| *f == self.focus).unwrap_or(0);
        let next = if forward {
            (at + 1) % fields.len()
        } else {
            (at + fields.len() - 1) % fields.len()
        };
        self.focus = fields[next];
        self.sync_cursors();
    }

    /// The text input that has the keyboard, if the focus is on one.
    pub fn focused_input(&mut self) -> Option<&mut TextArea<'static>> {
        match self.focus {
            FormField::Name if self.kind == FormKind::NewSecret => Some(&mut self.name),
            FormField::Value => Some(&mut self.value),
            FormField::GenLength => Some(&mut self.gen_length),
            FormField::ContentType => Some(&mut self.content_type),
            FormField::TagKey(row) => self.tags.get_mut(row).map(|r| &mut r.key),
            FormField::TagValue(row) => self.tags.get_mut(row).map(|r| &mut r.value),
            FormField::Expires => Some(&mut self.expires),
            FormField::NotBefore => Some(&mut self.not_before),
            _ => None,
        }
    }

    pub fn add_tag(&mut self) {
        self.tags.push(TagRow::new("", ""));
        self.focus = FormField::TagKey(self.tags.len() - 1);
        self.changed = true;
        self.sync_cursors();
    }

    /// Removes the focused tag row.
    pub fn remove_tag(&mut self) {
        let (FormField::TagKey(row) | FormField::TagValue(row)) = self.focus else {
            return;
        };
        if row < self.tags.len() {
            self.tags.remove(row);
            self.changed = true;
            self.focus = match self.tags.len() {
                0 => FormField::ContentType,
                len => FormField::TagKey(row.min(len - 1)),
            };
            self.sync_cursors();
        }
    }

    pub(super) fn date(&self, field: FormField, now: i64) -> Result<Option<When>, String> {
        let area = match field {
            FormField::Expires => &self.expires,
            _ => &self.not_before,
        };
        let raw = text(area);
        if raw.trim().is_empty() {
            return Ok(None);
        }
        parse_when(&raw, now)
            .map(Some)
            .map_err(|error| error.to_string())
    }

    /// What a date field means, parsed back for the user: `2027-03-01 00:00 UTC`, `never`.
    pub fn date_preview(&self, field: FormField, now: i64) -> Option<String> {
        match self.date(field, now) {
            Ok(Some(When::At(unix))) => Some(format_utc(unix)),
            Ok(Some(When::Never)) => Some("never".to_owned()),
            _ => None,
        }
    }

    /// Every broken rule, by field, in Tab order: the service's, then the profile's policy.
    pub fn errors(&self, now: i64) -> FieldErrors {
        let mut errors = Vec::new();
        for row in fields::FIELDS.iter().filter(|row| row.shown_on(&self.kind)) {
            (row.check)(self, now, &mut errors);
        }
        errors.extend(self.policy_errors(now));
        errors
    }

    /// The policy's broken rules, beside the field each reads; the name only where it is typed.
    fn policy_errors(&self, now: i64) -> FieldErrors {
        let Some((profile, policy)) = &self.policy else {
            return Vec::new();
        };
        let name = self.name_text();
        let content_type = text(&self.content_type);
        let tags: crate::vault::Tags = self
            .tags
            .iter()
            .map(|tag| (text(&tag.key), text(&tag.value)))
            .collect();
        let exp = match self.date(FormField::Expires, now) {
            Ok(Some(When::At(at))) => Some(at),
            _ => None,
        };
        let candidate = Candidate {
            name: &name,
            content_type: Some(content_type.as_str()),
            tags: &tags,
            exp,
        };
        policy
            .check(&candidate, now)
            .into_iter()
            .filter_map(|broken| {
                let field = match broken.part {
                    Part::Name if self.kind == FormKind::NewSecret => FormField::Name,
                    Part::Name => return None,
                    Part::ContentType => FormField::ContentType,
                    Part::Tags => FormField::TagKey(crate::vault::rules::MAX_TAGS),
                    Part::Expires => FormField::Expires,
                };
                Some((field, broken.message(profile)))
            })
            .collect()
    }

    /// Allowed, but worth a second look: an expiry that is already past.
    pub fn expiry_warning(&self, now: i64) -> Option<String> {
        match self.date(FormField::Expires, now) {
            Ok(Some(expires)) => crate::when::past_warning(expires, now),
            _ => None,
        }
    }

    pub fn error_for(&self, field: FormField, now: i64) -> Option<String> {
        self.errors(now)
            .into_iter()
            .find(|(f, _)| *f == field)
            .map(|(_, message)| message)
    }

    /// The request to send, or the fields that are wrong.
    pub fn to_request(
        &self,
        now: i64,
    ) -> Result<(String, SetSecretParameters), Vec<(FormField, String)>> {
        let errors = self.errors(now);
        if !errors.is_empty() {
            return Err(errors);
        }
        let at = |field| match self.date(field, now) {
            Ok(Some(When::At(unix))) => Some(unix),
            _ => None,
        };
        let content_type = text(&self.content_type);
        let tags: Tags = self
            .tags
            .iter()
            .map(|row| (text(&row.key), text(&row.value)))
            .collect();
        Ok((
            self.name_text(),
            SetSecretParameters {
                value: self.value(),
                tags: (!tags.is_empty()).then_some(tags),
                content_type: (!content_type.is_empty()).then_some(content_type),
                attributes: Some(SecretAttributes {
                    enabled: Some(self.enabled),
                    nbf: at(FormField::NotBefore),
                    exp: at(FormField::Expires),
                    ..SecretAttributes::default()
                }),
            },
        ))
    }
}

impl SecretForm {
    /// The PATCH to send for an attributes form, or the fields that are wrong.
    pub fn to_update(
        &self,
        now: i64,
    ) -> Result<(String, Option<String>, UpdateSecretParameters), FieldErrors> {
        let FormKind::EditAttributes { name, version, .. } = &self.kind else {
            return Err(vec![(FormField::Submit, "not an attributes form".into())]);
        };
        let (_, set) = self.to_request(now)?;
        Ok((
            name.clone(),
            version.clone(),
            UpdateSecretParameters {
                // An empty content type or tag set is sent as such, so clearing them works.
                content_type: Some(set.content_type.unwrap_or_default()),
                attributes: set.attributes,
                tags: Some(set.tags.unwrap_or_default()),
            },
        ))
    }
}

impl Drop for SecretForm {
    fn drop(&mut self) {
        let mut lines = std::mem::take(&mut self.value).into_lines();
        lines.iter_mut().for_each(Zeroize::zeroize);
    }
}

#[cfg(test)]
mod tests;
