//! Templates for `kvtui inject`, and how values are written for a dotenv reader or a shell.
//!
//! A template is copied as it is but for its references: `{{ REF }}` anywhere, and a dotenv line
//! `NAME=REF` (`export ` and quotes allowed) whose value is written by a reference scheme
//! (`super::has_reference_scheme`). Other `{{ … }}` are left alone: the file may be a Helm or
//! Jinja template with placeholders of its own.

use super::{Reference, ReferenceError, has_reference_scheme};
use crate::config::is_variable_name;
use crate::dotenv::dotenv_value;
use crate::vault::SecretValue;
use zeroize::Zeroizing;

#[derive(Debug, PartialEq, Eq)]
enum Piece {
    Text(String),
    /// The value of the reference at this index, as it is (`{{ … }}`: the template's author
    /// chose the quoting around it).
    Raw(usize),
    /// The value of the reference at this index, quoted for a dotenv reader.
    Dotenv(usize),
}

/// A template split into text and the references to fill in.
#[derive(Debug, PartialEq, Eq)]
pub struct Template {
    pieces: Vec<Piece>,
    pub references: Vec<Reference>,
}

/// A template's problem, with the line it is on.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {error}")]
pub struct TemplateError {
    pub line: usize,
    pub error: ReferenceError,
}

impl Template {
    /// Every reference is parsed before any is resolved; every bad one is reported.
    pub fn parse(text: &str) -> Result<Self, Vec<TemplateError>> {
        let mut template = Self {
            pieces: Vec::new(),
            references: Vec::new(),
        };
        let mut errors = Vec::new();
        for (index, line) in text.split_inclusive('\n').enumerate() {
            if let Err(error) = template.add_line(line) {
                errors.push(TemplateError {
                    line: index + 1,
                    error,
                });
            }
        }
        if errors.is_empty() {
            Ok(template)
        } else {
            Err(errors)
        }
    }

    fn add_line(&mut self, line: &str) -> Result<(), ReferenceError> {
        if let Some((head, reference, tail)) = dotenv_reference(line) {
            self.text(head);
            self.reference(reference, Piece::Dotenv)?;
            self.text(tail);
            return Ok(());
        }
        let mut rest = line;
        while let Some(open) = rest.find("{{") {
            let after = &rest[open + 2..];
            let Some(close) = after.find("}}") else {
                break;
            };
            let inner = after[..close].trim();
            if has_reference_scheme(inner) || inner.starts_with("https://") {
                self.text(&rest[..open]);
                self.reference(inner, Piece::Raw)?;
            } else {
                self.text(&rest[..open + 2 + close + 2]);
            }
            rest = &after[close + 2..];
        }
        self.text(rest);
        Ok(())
    }

    fn text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        match self.pieces.last_mut() {
            Some(Piece::Text(last)) => last.push_str(text),
            _ => self.pieces.push(Piece::Text(text.to_owned())),
        }
    }

    fn reference(
        &mut self,
        written: &str,
        piece: fn(usize) -> Piece,
    ) -> Result<(), ReferenceError> {
        let reference = Reference::parse(written)?;
        let index = match self.references.iter().position(|known| *known == reference) {
            Some(index) => index,
            None => {
                self.references.push(reference);
                self.references.len() - 1
            }
        };
        self.pieces.push(piece(index));
        Ok(())
    }

    /// The template with `values` (one per reference, in order) filled in.
    pub fn render(&self, values: &[SecretValue]) -> Zeroizing<String> {
        let mut out = Zeroizing::new(String::new());
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Raw(index) => out.push_str(values[*index].expose()),
                Piece::Dotenv(index) => out.push_str(&dotenv_value(values[*index].expose())),
            }
        }
        out
    }
}

/// A dotenv line whose whole value is a reference: the text before the value, the reference,
/// and the text after the value. The value's own quotes go: `dotenv_value` quotes what it writes.
fn dotenv_reference(line: &str) -> Option<(&str, &str, &str)> {
    let body = line.trim_end_matches(['\n', '\r']);
    let (key, value) = body.split_once('=')?;
    let name = key.trim();
    let name = name.strip_prefix("export ").map_or(name, str::trim);
    if !is_variable_name(name) {
        return None;
    }
    let trimmed = value.trim();
    let unquoted = ['"', '\'']
        .iter()
        .find_map(|quote| trimmed.strip_prefix(*quote)?.strip_suffix(*quote))
        .unwrap_or(trimmed);
    if !has_reference_scheme(unquoted) {
        return None;
    }
    let start = key.len() + 1 + (value.len() - value.trim_start().len());
    let end = start + trimmed.len();
    Some((&line[..start], unquoted, &line[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(text: &str, values: &[&str]) -> String {
        let template = Template::parse(text).expect("a template");
        let values: Vec<_> = values.iter().map(|v| SecretValue::new(*v)).collect();
        template.render(&values).to_string()
    }

    #[test]
    fn placeholders_and_dotenv_lines_are_filled_and_the_rest_is_copied() {
        let text = "# config\nDB_URL=postgres://app:{{ kv://prod/db-password }}@db/app\n\
                    export TOKEN=\"kv://prod/api-token\"\nHELM={{ .Values.name }}\nPLAIN=x\n";
        assert_eq!(
            filled(text, &["p@ss w0rd", "tok'en\nline"]),
            "# config\nDB_URL=postgres://app:p@ss w0rd@db/app\n\
             export TOKEN=\"tok'en\\nline\"\nHELM={{ .Values.name }}\nPLAIN=x\n"
        );
    }

    #[test]
    fn one_reference_written_twice_is_fetched_once() {
        let template = Template::parse("{{ kv:///a }} {{kv:///a}}").expect("a template");
        assert_eq!(template.references.len(), 1);
    }

    #[test]
    fn every_bad_reference_is_named_with_its_line() {
        let errors = Template::parse("ok\n{{ kv://prod/bad_name }}\nX=kv://\n").expect_err("bad");
        let lines: Vec<_> = errors.iter().map(|error| error.line).collect();
        assert_eq!(lines, [2, 3]);
        assert!(errors[0].to_string().contains("bad_name"), "{}", errors[0]);
    }
}
