//! The form's unit tests: requests, errors by field, versions, Tab order.

use super::*;

const NOW: i64 = 1_800_000_000;

fn typed(area: &mut TextArea<'static>, content: &str) {
    for (i, line) in content.split('\n').enumerate() {
        if i > 0 {
            area.insert_newline();
        }
        area.insert_str(line);
    }
}

/// A new secret's form with `name` typed in.
fn named(name: &str) -> SecretForm {
    let mut form = SecretForm::new_secret();
    typed(&mut form.name, name);
    form
}

#[test]
fn a_valid_form_becomes_a_request() {
    let mut form = named("db-pass");
    typed(&mut form.value, "line 1\nline 2\n");
    typed(&mut form.content_type, "text/plain");
    form.add_tag();
    typed(&mut form.tags[0].key, "env");
    typed(&mut form.tags[0].value, "prod");
    typed(&mut form.expires, "+90d");
    let (name, params) = form.to_request(NOW).expect("valid");
    assert_eq!(name, "db-pass");
    assert_eq!(params.value.expose(), "line 1\nline 2\n");
    assert_eq!(params.tags.expect("tags")["env"], "prod");
    let attributes = params.attributes.expect("attributes");
    assert_eq!(attributes.exp, Some(NOW + 90 * 86_400));
    assert_eq!(attributes.enabled, Some(true));
    assert_eq!(
        form.date_preview(FormField::Expires, NOW).as_deref(),
        Some("2027-04-15 08:00 UTC")
    );
}

#[test]
fn errors_sit_beside_their_fields() {
    let mut form = named("bad name");
    typed(&mut form.content_type, &"c".repeat(256));
    form.add_tag();
    form.add_tag();
    typed(&mut form.tags[1].key, "x");
    // The service's limit for a secret's tag is 512 characters (256 is for keys).
    typed(&mut form.tags[0].value, &"v".repeat(512));
    typed(&mut form.tags[1].value, &"v".repeat(513));
    typed(&mut form.expires, "2027-01-01");
    typed(&mut form.not_before, "2028-01-01");
    let fields: Vec<FormField> = form.errors(NOW).into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        fields,
        [
            FormField::Name,
            FormField::ContentType,
            FormField::TagKey(0),
            FormField::TagValue(1),
            FormField::Expires
        ]
    );
    assert!(form.to_request(NOW).is_err());
    let mut big = SecretForm::new_secret();
    typed(&mut big.value, &"x".repeat(25 * 1024 + 1));
    assert!(
        big.error_for(FormField::Value, NOW)
            .expect("too big")
            .contains("25601 bytes")
    );
}

#[test]
fn a_new_version_keeps_name_content_type_and_tags() {
    let tags: Tags = [("env".to_owned(), "dev".to_owned())].into();
    let current = Snapshot {
        content_type: Some("text/plain".into()),
        tags,
        enabled: true,
        exp: Some(NOW + 30 * 86_400),
        nbf: Some(NOW - 86_400),
    };
    let form = SecretForm::new_version("api-key", &current);
    assert_eq!(form.name_text(), "api-key");
    assert_eq!(form.focus, FormField::Value);
    assert!(!form.fields().contains(&FormField::Name));
    assert_eq!(text(&form.tags[0].value), "dev");
    // The dates carry over exactly, so the review shows them unchanged.
    let mut rolled = form;
    typed(&mut rolled.value, "new value");
    let (_, params) = rolled.to_request(NOW).expect("valid");
    let attributes = params.attributes.expect("attributes");
    assert_eq!(attributes.exp, current.exp);
    assert_eq!(attributes.nbf, current.nbf);
    assert_eq!(params.content_type.as_deref(), Some("text/plain"));
}

#[test]
fn values_keep_their_exact_bytes() {
    let mut form = SecretForm::new_secret();
    let tricky = SecretValue::new("line 1\r\n\tindented\n\ntrailing spaces  \n");
    form.set_value(&tricky);
    assert_eq!(form.value().expose(), tricky.expose());
}

#[test]
fn an_attributes_form_cannot_remove_a_date_and_sends_a_patch() {
    let baseline = crate::state::review::Snapshot {
        content_type: Some("text/plain".into()),
        tags: [("env".to_owned(), "dev".to_owned())].into(),
        enabled: true,
        exp: Some(NOW + 86_400),
        nbf: None,
    };
    let mut form = SecretForm::edit_attributes("api", Some("abc".into()), baseline);
    assert!(!form.fields().contains(&FormField::Value));
    form.expires = single_line("");
    assert!(
        form.error_for(FormField::Expires, NOW)
            .is_some_and(|e| e.contains("cannot remove"))
    );
    form.expires = single_line("+2d");
    form.enabled = false;
    let (name, version, patch) = form.to_update(NOW).expect("valid");
    assert_eq!((name.as_str(), version.as_deref()), ("api", Some("abc")));
    let attributes = patch.attributes.expect("attributes");
    assert_eq!(attributes.exp, Some(NOW + 2 * 86_400));
    assert_eq!(attributes.enabled, Some(false));
    assert_eq!(patch.tags.expect("tags")["env"], "dev");
}

#[test]
fn tab_order_walks_every_field_and_wraps() {
    let mut form = SecretForm::new_secret();
    form.add_tag();
    form.focus = FormField::Name;
    let mut seen = vec![form.focus];
    for _ in 0..11 {
        form.focus_step(true);
        seen.push(form.focus);
    }
    assert_eq!(
        seen,
        [
            FormField::Name,
            FormField::Value,
            FormField::ContentType,
            FormField::TagKey(0),
            FormField::TagValue(0),
            FormField::Expires,
            FormField::NotBefore,
            FormField::Enabled,
            FormField::GenLength,
            FormField::GenAlphabet,
            FormField::Submit,
            FormField::Name,
        ]
    );
    form.focus_step(false);
    assert_eq!(form.focus, FormField::Submit);
    form.focus = FormField::TagValue(0);
    form.remove_tag();
    assert!(form.tags.is_empty() && form.focus == FormField::ContentType);
}

#[test]
fn every_field_in_tab_order_has_its_row_and_errors_come_in_tab_order() {
    let mut form = named("bad name");
    typed(&mut form.expires, "someday");
    typed(&mut form.not_before, "later");
    let order = form.fields();
    assert!(order.iter().all(|field| fields::field_of(*field).is_some()));
    let positions: Vec<usize> = form
        .errors(NOW)
        .iter()
        .map(|(field, _)| order.iter().position(|f| f == field).expect("in the form"))
        .collect();
    assert!(positions.len() >= 3, "{positions:?}");
    assert!(
        positions.windows(2).all(|pair| pair[0] <= pair[1]),
        "{positions:?}"
    );
}
