//! `.env` files: read for `--env-file`, written by `kvtui env` and `kvtui inject`.
//!
//! The subset every common reader (python-dotenv, Node's dotenv, Docker Compose) agrees on:
//! `NAME=value` lines, `export ` before the name allowed, `#` comments, single quotes literal,
//! double quotes with `\\`, `\"`, `\n`, `\r` and `\t` escapes, and no `$VAR` expansion (readers
//! disagree on it, and a password with a `$` in it must come through as it is).

use crate::config::is_variable_name;
use crate::vault::SecretValue;
use zeroize::Zeroizing;

/// One assignment of a file, with the line it is on.
#[derive(Debug, PartialEq, Eq)]
pub struct Assignment {
    pub line: usize,
    pub name: String,
    pub value: SecretValue,
}

/// A line that is not an assignment, and why.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct DotenvError {
    pub line: usize,
    pub problem: String,
}

/// Every assignment in `text`, in order; a line that is neither an assignment, a comment nor
/// blank is an error (quoting none of the line: it may hold a secret).
pub fn parse(text: &str) -> Result<Vec<Assignment>, DotenvError> {
    let mut assignments = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line_number = index + 1;
        let fail = |problem: &str| DotenvError {
            line: line_number,
            problem: problem.to_owned(),
        };
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let body = trimmed.strip_prefix("export ").unwrap_or(trimmed);
        let (name, raw) = body
            .split_once('=')
            .ok_or_else(|| fail("is not NAME=value"))?;
        let name = name.trim();
        if !is_variable_name(name) {
            return Err(fail(
                "the name before '=' must be letters, digits and '_', not starting with a digit",
            ));
        }
        let value = unquote(raw.trim()).map_err(fail)?;
        assignments.push(Assignment {
            line: line_number,
            name: name.to_owned(),
            value: SecretValue::new(value),
        });
    }
    Ok(assignments)
}

fn unquote(raw: &str) -> Result<String, &'static str> {
    if let Some(rest) = raw.strip_prefix('\'') {
        let (inner, after) = rest
            .split_once('\'')
            .ok_or("has a ' that is not closed on its line")?;
        check_after_quote(after)?;
        return Ok(inner.to_owned());
    }
    if let Some(rest) = raw.strip_prefix('"') {
        let mut value = String::with_capacity(rest.len());
        let mut chars = rest.char_indices();
        while let Some((at, c)) = chars.next() {
            match c {
                '"' => {
                    check_after_quote(&rest[at + 1..])?;
                    return Ok(value);
                }
                '\\' => match chars.next().map(|(_, escaped)| escaped) {
                    Some('n') => value.push('\n'),
                    Some('r') => value.push('\r'),
                    Some('t') => value.push('\t'),
                    Some(other @ ('\\' | '"' | '\'' | '$')) => value.push(other),
                    Some(other) => {
                        value.push('\\');
                        value.push(other);
                    }
                    None => break,
                },
                other => value.push(other),
            }
        }
        return Err("has a \" that is not closed on its line");
    }
    // Unquoted: a comment starts at a '#' after whitespace, as the readers agree.
    let value = match raw.find(" #").or_else(|| raw.find("\t#")) {
        Some(comment) => &raw[..comment],
        None => raw,
    };
    Ok(value.trim_end().to_owned())
}

fn check_after_quote(after: &str) -> Result<(), &'static str> {
    let after = after.trim_start();
    if after.is_empty() || after.starts_with('#') {
        Ok(())
    } else {
        Err("has text after its closing quote")
    }
}

/// A value as every reader above reads it back unchanged: bare when nothing in it is special;
/// in single quotes, which no reader expands, when it has no `'` or line break; else in double
/// quotes with `\\`, `\"`, `\n` and `\r` escaped (the only way to carry a PEM's line breaks).
pub fn dotenv_value(value: &str) -> Zeroizing<String> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_.,:/@+=%^".contains(c);
    if !value.is_empty() && value.chars().all(plain) {
        return Zeroizing::new(value.to_owned());
    }
    if !value.contains(['\'', '\n', '\r']) {
        return Zeroizing::new(format!("'{value}'"));
    }
    let mut quoted = Zeroizing::new(String::with_capacity(value.len() + 2));
    quoted.push('"');
    for c in value.chars() {
        match c {
            '\\' => quoted.push_str("\\\\"),
            '"' => quoted.push_str("\\\""),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            other => quoted.push(other),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<(String, String)> {
        parse(text)
            .expect("a dotenv file")
            .into_iter()
            .map(|a| (a.name, a.value.expose().to_owned()))
            .collect()
    }

    #[test]
    fn reads_what_the_common_readers_read() {
        let text = "# comment\n\nA=plain\nexport B = 'lit $eral \"x\"' # note\n\
                    C=\"line\\nnext \\\"q\\\" $HOME\"\nD=value # comment\nE=\nF=a#b\n";
        assert_eq!(
            values(text),
            [
                ("A", "plain"),
                ("B", "lit $eral \"x\""),
                ("C", "line\nnext \"q\" $HOME"),
                ("D", "value"),
                ("E", ""),
                ("F", "a#b"),
            ]
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
        );
    }

    #[test]
    fn a_bad_line_is_named_by_number_without_its_text() {
        for (text, says) in [
            ("A=1\nhunter2\n", "line 2: is not NAME=value"),
            ("1A=x", "line 1: the name"),
            ("A='open", "line 1: has a ' that"),
            ("A=\"open", "line 1: has a \" that"),
            ("A='x' y", "line 1: has text after"),
        ] {
            let error = parse(text).expect_err(text).to_string();
            assert!(error.starts_with(says), "{text}: {error}");
            assert!(!error.contains("hunter2"), "{error}");
        }
    }

    #[test]
    fn every_value_written_reads_back_the_same() {
        let samples = [
            "abc123",
            "",
            "a $b #c",
            "it's",
            "-----BEGIN KEY-----\nMIIB\\x\n-----END KEY-----\n",
            "tab\there \"quoted\" \\ back",
            "crlf\r\n'mixed' $X",
            " leading and trailing ",
        ];
        for value in samples {
            let line = format!("K={}", *dotenv_value(value));
            assert_eq!(
                values(&line),
                [("K".to_owned(), value.to_owned())],
                "{line}"
            );
        }
    }
}
