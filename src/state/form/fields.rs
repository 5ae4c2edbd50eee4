//! The form's fields as one table: the order they are drawn and tabbed through, the label of
//! each, which kinds of form show it, where its text lives, and the service's rules it is
//! checked against (`vault::rules`). A new field is a row here plus its wire mapping in
//! `SecretForm::to_request`.

use super::{FieldErrors, FormField, FormKind, SecretForm};
use crate::vault::rules::{self, MAX_TAGS};
use crate::when::When;
use ratatui_textarea::TextArea;

/// How a field is drawn and typed into.
#[derive(Clone, Copy)]
pub enum Widget {
    /// A one-line text input.
    Line(fn(&SecretForm) -> &TextArea<'static>),
    /// The value: many lines, masked until revealed.
    Value,
    /// The tag rows, a name and a value each, and a line saying how many.
    Tags,
    /// A yes / no switch (Space or Enter flips it).
    Switch,
    /// One of a few choices (Space cycles them).
    Choice,
    /// The submit button.
    Button,
}

/// Which forms show a field.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Always,
    /// Only the form of a new secret: a new version's name is fixed.
    NewSecret,
    /// Forms that write a value: not the attributes form (PATCH sends none).
    WritingValue,
}

pub struct Field {
    /// The field; for `Widget::Tags`, its first row's.
    pub field: FormField,
    pub label: &'static str,
    pub widget: Widget,
    pub shown: Shown,
    /// Whether its problems show before the first Submit: once something is typed where a
    /// problem would otherwise greet an empty form.
    pub show_problems: fn(&SecretForm) -> bool,
    /// Adds the field's broken rules.
    pub check: fn(&SecretForm, i64, &mut FieldErrors),
}

fn typed(area: &TextArea<'_>) -> bool {
    !super::text(area).is_empty()
}

fn always(_: &SecretForm) -> bool {
    true
}

fn unchecked(_: &SecretForm, _: i64, _: &mut FieldErrors) {}

/// Every field, in the order drawn and tabbed through.
#[rustfmt::skip]
pub const FIELDS: &[Field] = &[
    Field { field: FormField::Name, label: "Name", widget: Widget::Line(|f| &f.name), shown: Shown::NewSecret, show_problems: |f| typed(&f.name), check: check_name },
    Field { field: FormField::Value, label: "Value", widget: Widget::Value, shown: Shown::WritingValue, show_problems: always, check: check_value },
    Field { field: FormField::ContentType, label: "Content type", widget: Widget::Line(|f| &f.content_type), shown: Shown::Always, show_problems: |f| typed(&f.content_type), check: check_content_type },
    Field { field: FormField::TagKey(0), label: "Tags", widget: Widget::Tags, shown: Shown::Always, show_problems: always, check: check_tags },
    Field { field: FormField::Expires, label: "Expires", widget: Widget::Line(|f| &f.expires), shown: Shown::Always, show_problems: |f| typed(&f.expires), check: check_expires },
    Field { field: FormField::NotBefore, label: "Not before", widget: Widget::Line(|f| &f.not_before), shown: Shown::Always, show_problems: |f| typed(&f.not_before) || typed(&f.expires), check: check_not_before },
    Field { field: FormField::Enabled, label: "Enabled", widget: Widget::Switch, shown: Shown::Always, show_problems: always, check: unchecked },
    Field { field: FormField::GenLength, label: "Generate", widget: Widget::Line(|f| &f.gen_length), shown: Shown::WritingValue, show_problems: always, check: unchecked },
    Field { field: FormField::GenAlphabet, label: "  from", widget: Widget::Choice, shown: Shown::WritingValue, show_problems: always, check: unchecked },
    Field { field: FormField::Submit, label: "", widget: Widget::Button, shown: Shown::Always, show_problems: always, check: unchecked },
];

impl Field {
    pub fn shown_on(&self, kind: &FormKind) -> bool {
        match self.shown {
            Shown::Always => true,
            Shown::NewSecret => *kind == FormKind::NewSecret,
            Shown::WritingValue => !matches!(kind, FormKind::EditAttributes { .. }),
        }
    }

    /// Whether `field` is this row's (any tag row, for the tags).
    pub fn holds(&self, field: FormField) -> bool {
        match self.widget {
            Widget::Tags => matches!(field, FormField::TagKey(_) | FormField::TagValue(_)),
            _ => self.field == field,
        }
    }
}

/// The table's row for `field`.
pub fn field_of(field: FormField) -> Option<&'static Field> {
    FIELDS.iter().find(|row| row.holds(field))
}

fn problem(violation: rules::Violation) -> String {
    violation.problem
}

fn check_name(form: &SecretForm, _: i64, errors: &mut FieldErrors) {
    if let Err(violation) = rules::check_name(&form.name_text()) {
        errors.push((FormField::Name, problem(violation)));
    }
}

fn check_value(form: &SecretForm, _: i64, errors: &mut FieldErrors) {
    if let Err(violation) = rules::check_value(form.value().expose()) {
        errors.push((FormField::Value, problem(violation)));
    }
}

fn check_content_type(form: &SecretForm, _: i64, errors: &mut FieldErrors) {
    if let Err(violation) = rules::check_content_type(&super::text(&form.content_type)) {
        errors.push((FormField::ContentType, problem(violation)));
    }
}

fn check_tags(form: &SecretForm, _: i64, errors: &mut FieldErrors) {
    let mut seen = std::collections::HashSet::new();
    for (row, tag) in form.tags.iter().enumerate() {
        let key = super::text(&tag.key);
        if let Err(violation) = rules::check_tag_name(&key) {
            errors.push((FormField::TagKey(row), problem(violation)));
        } else if !seen.insert(key.clone()) {
            errors.push((FormField::TagKey(row), format!("{key:?} is used twice")));
        }
        if let Err(violation) = rules::check_tag_value(&key, &super::text(&tag.value)) {
            errors.push((FormField::TagValue(row), problem(violation)));
        }
    }
    if let Err(violation) = rules::check_tag_count(form.tags.len()) {
        errors.push((FormField::TagKey(MAX_TAGS), problem(violation)));
    }
}

/// An attributes update (PATCH) cannot remove a date the version has.
fn check_date_kept(
    form: &SecretForm,
    field: FormField,
    date: &Result<Option<When>, String>,
    errors: &mut FieldErrors,
) {
    let FormKind::EditAttributes { baseline, .. } = &form.kind else {
        return;
    };
    let had = match field {
        FormField::Expires => baseline.exp,
        _ => baseline.nbf,
    };
    if had.is_some() && matches!(date, Ok(None) | Ok(Some(When::Never))) {
        errors.push((
            field,
            "an update cannot remove a date: set a new version without it".into(),
        ));
    }
}

fn check_expires(form: &SecretForm, now: i64, errors: &mut FieldErrors) {
    let expires = form.date(FormField::Expires, now);
    if let Err(error) = &expires {
        errors.push((FormField::Expires, error.clone()));
    }
    if let (Ok(Some(When::At(exp))), Ok(Some(When::At(nbf)))) =
        (&expires, &form.date(FormField::NotBefore, now))
        && let Err(violation) = rules::check_dates(Some(*nbf), Some(*exp))
    {
        errors.push((FormField::Expires, problem(violation)));
    }
    check_date_kept(form, FormField::Expires, &expires, errors);
}

fn check_not_before(form: &SecretForm, now: i64, errors: &mut FieldErrors) {
    let not_before = form.date(FormField::NotBefore, now);
    if let Err(error) = &not_before {
        errors.push((FormField::NotBefore, error.clone()));
    }
    check_date_kept(form, FormField::NotBefore, &not_before, errors);
}
