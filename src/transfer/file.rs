//! The files `secret export` writes and `secret import` reads: JSON, dotenv and CSV. A file is
//! read whole and refused whole: one malformed record, a duplicate name or a byte that is not
//! UTF-8 names its line (or its entry) and nothing is written. No message quotes a value.

use super::Entry;
use crate::dotenv;
use crate::state::review::Snapshot;
use crate::vault::{SecretValue, Tags};
use crate::when::format_rfc3339;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use zeroize::Zeroizing;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Dotenv,
    Csv,
}

impl Format {
    /// The format a file's extension names, for import without `--format`.
    pub fn of_path(path: &std::path::Path) -> Option<Self> {
        // A file named `.env` has no extension as `Path` sees it: it is all stem.
        if path.file_name()? == ".env" {
            return Some(Self::Dotenv);
        }
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "json" => Some(Self::Json),
            "env" => Some(Self::Dotenv),
            "csv" => Some(Self::Csv),
            _ => None,
        }
    }
}

/// Why a file was refused, with where in it.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{place}: {problem}")]
pub struct FileError {
    /// `line 4`, or `entry 3` in JSON where one entry spans lines.
    pub place: String,
    pub problem: String,
}

fn at_line(line: usize, problem: impl Into<String>) -> FileError {
    FileError {
        place: format!("line {line}"),
        problem: problem.into(),
    }
}

/// One secret as JSON holds it: the REST shape's names, dates in RFC 3339.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct JsonEntry {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    value: Option<SecretValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    content_type: Option<String>,
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    tags: Tags,
    #[serde(default = "enabled")]
    enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    not_before: Option<String>,
}

fn enabled() -> bool {
    true
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonFile {
    secrets: Vec<JsonEntry>,
}

const CSV_COLUMNS: [&str; 7] = [
    "name",
    "value",
    "content_type",
    "tags",
    "enabled",
    "expires",
    "not_before",
];

/// The file's text, or the line of its first byte that is not UTF-8.
pub fn text(bytes: Zeroizing<Vec<u8>>) -> Result<Zeroizing<String>, FileError> {
    match std::str::from_utf8(&bytes) {
        Ok(_) => Ok(Zeroizing::new(
            String::from_utf8(bytes.to_vec()).unwrap_or_default(),
        )),
        Err(error) => {
            let line = 1 + bytes[..error.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            Err(at_line(line, "is not UTF-8 text"))
        }
    }
}

/// Every entry of `text`, in order, or why the file is refused.
pub fn read(text: &str, format: Format) -> Result<Vec<Entry>, FileError> {
    let entries = match format {
        Format::Json => read_json(text)?,
        Format::Dotenv => read_dotenv(text)?,
        Format::Csv => read_csv(text)?,
    };
    refuse_duplicates(&entries)?;
    Ok(entries)
}

fn read_json(text: &str) -> Result<Vec<Entry>, FileError> {
    let file: JsonFile = serde_json::from_str(text).map_err(|error| {
        // serde_json's message may quote what it read, which may be a value: only its kind.
        let problem = match error.classify() {
            serde_json::error::Category::Syntax => "is not JSON",
            serde_json::error::Category::Eof => "ends before the JSON does",
            _ => "is not {\"secrets\": [{\"name\", \"value\", \"contentType\", \"tags\", \"enabled\", \"expires\", \"notBefore\"}]}",
        };
        at_line(error.line(), problem)
    })?;
    file.secrets
        .into_iter()
        .enumerate()
        .map(|(index, entry)| {
            let place = || format!("entry {} ({})", index + 1, entry.name);
            let date = |text: &Option<String>, field: &str| {
                text.as_deref()
                    .map(parse_date)
                    .transpose()
                    .map_err(|_| FileError {
                        place: place(),
                        problem: format!(
                            "{field} is not an RFC 3339 date such as 2027-01-20T08:00:00Z"
                        ),
                    })
            };
            Ok(Entry {
                place: place(),
                attributes: Snapshot {
                    exp: date(&entry.expires, "expires")?,
                    nbf: date(&entry.not_before, "notBefore")?,
                    content_type: entry.content_type,
                    tags: entry.tags,
                    enabled: entry.enabled,
                },
                name: entry.name,
                value: entry.value,
            })
        })
        .collect()
}

fn read_dotenv(text: &str) -> Result<Vec<Entry>, FileError> {
    let assignments = dotenv::parse(text).map_err(|error| at_line(error.line, error.problem))?;
    Ok(assignments
        .into_iter()
        .map(|assignment| Entry {
            place: format!("line {}", assignment.line),
            // Variable names hold `_` where secret names hold `-`, and neither holds the other.
            name: assignment.name.replace('_', "-"),
            value: Some(assignment.value),
            attributes: Snapshot {
                enabled: true,
                ..Snapshot::default()
            },
        })
        .collect())
}

fn read_csv(text: &str) -> Result<Vec<Entry>, FileError> {
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let line_of = |error: &csv::Error| error.position().map_or(1, |p| p.line() as usize);
    let headers = reader
        .headers()
        .map_err(|error| at_line(line_of(&error), "is not a CSV header"))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    if let Some(unknown) = headers.iter().find(|h| !CSV_COLUMNS.contains(&h.trim())) {
        return Err(at_line(
            1,
            format!(
                "has a column {unknown:?}; the columns are {}",
                CSV_COLUMNS.join(", ")
            ),
        ));
    }
    let name_column = column("name").ok_or_else(|| at_line(1, "has no name column"))?;
    let mut entries = Vec::new();
    let mut last_line = 1;
    for record in reader.records() {
        let record = record.map_err(|error| {
            let problem = match error.kind() {
                csv::ErrorKind::UnequalLengths { .. } => {
                    "has another number of fields than the header"
                }
                _ => "is not a CSV record (a quote not closed, or text after one)",
            };
            at_line(line_of(&error), problem)
        })?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let cell = |name: &str| {
            column(name)
                .and_then(|at| record.get(at))
                .filter(|c| !c.is_empty())
        };
        let fail = |problem: String| at_line(line, problem);
        let tags = match cell("tags") {
            None => Tags::new(),
            Some(json) => serde_json::from_str(json).map_err(|_| {
                fail("tags is not a JSON object of strings, such as {\"env\":\"prod\"}".to_owned())
            })?,
        };
        let enabled = match cell("enabled") {
            None | Some("true") => true,
            Some("false") => false,
            Some(_) => return Err(fail("enabled is not true or false".to_owned())),
        };
        let date = |field: &str| {
            cell(field).map(parse_date).transpose().map_err(|_| {
                fail(format!(
                    "{field} is not an RFC 3339 date such as 2027-01-20T08:00:00Z"
                ))
            })
        };
        last_line = line;
        entries.push(Entry {
            place: format!("line {line}"),
            name: record.get(name_column).unwrap_or_default().to_owned(),
            value: column("value")
                .and_then(|at| record.get(at))
                .map(SecretValue::new),
            attributes: Snapshot {
                content_type: cell("content_type").map(str::to_owned),
                tags,
                enabled,
                exp: date("expires")?,
                nbf: date("not_before")?,
            },
        });
    }
    // The reader takes a quote left open as running to the end of the file, which would make
    // every line after it part of one value. Quotes come in pairs in a well-formed file.
    if text.bytes().filter(|&b| b == b'"').count() % 2 == 1 {
        return Err(at_line(
            last_line,
            "is not a CSV record (a quote not closed, or text after one)",
        ));
    }
    Ok(entries)
}

fn parse_date(text: &str) -> Result<i64, time::error::Parse> {
    OffsetDateTime::parse(text, &Rfc3339).map(OffsetDateTime::unix_timestamp)
}

/// Secret names are case-insensitive: two entries naming one secret leave which wins unsaid.
fn refuse_duplicates(entries: &[Entry]) -> Result<(), FileError> {
    let mut seen = std::collections::HashMap::new();
    for entry in entries {
        if let Some(first) = seen.insert(entry.name.to_ascii_lowercase(), &entry.place) {
            return Err(FileError {
                place: entry.place.clone(),
                problem: format!("names {} again (first at {first})", entry.name),
            });
        }
    }
    Ok(())
}

/// `entries` in `format`. Dotenv holds values, so it needs them; a name that cannot be a
/// variable (one starting with a digit) is an error there.
pub fn write(entries: &[Entry], format: Format) -> Result<Zeroizing<String>, String> {
    let mut out = Zeroizing::new(String::new());
    match format {
        Format::Json => {
            let file = JsonFile {
                secrets: entries
                    .iter()
                    .map(|entry| JsonEntry {
                        name: entry.name.clone(),
                        value: entry.value.clone(),
                        content_type: entry.attributes.content_type.clone(),
                        tags: entry.attributes.tags.clone(),
                        enabled: entry.attributes.enabled,
                        expires: entry.attributes.exp.map(format_rfc3339),
                        not_before: entry.attributes.nbf.map(format_rfc3339),
                    })
                    .collect(),
            };
            out.push_str(&serde_json::to_string_pretty(&file).map_err(|e| e.to_string())?);
            out.push('\n');
        }
        Format::Dotenv => {
            for entry in entries {
                let name = entry.name.replace('-', "_");
                if !crate::config::is_variable_name(&name) {
                    return Err(format!(
                        "{} cannot be a dotenv name: it starts with a digit",
                        entry.name
                    ));
                }
                let value = entry
                    .value
                    .as_ref()
                    .ok_or("dotenv holds values: export it with --values")?;
                out.push_str(&format!(
                    "{name}={}\n",
                    *dotenv::dotenv_value(value.expose())
                ));
            }
        }
        Format::Csv => {
            let with_values = entries.iter().any(|entry| entry.value.is_some());
            let columns: Vec<&str> = CSV_COLUMNS
                .into_iter()
                .filter(|&c| with_values || c != "value")
                .collect();
            let mut writer = csv::Writer::from_writer(Vec::new());
            let mut write_record =
                |record: Vec<String>| writer.write_record(&record).map_err(|e| e.to_string());
            write_record(columns.iter().map(|c| (*c).to_owned()).collect())?;
            for entry in entries {
                let attributes = &entry.attributes;
                let tags = if attributes.tags.is_empty() {
                    String::new()
                } else {
                    serde_json::to_string(&attributes.tags).map_err(|e| e.to_string())?
                };
                let mut record = vec![entry.name.clone()];
                if with_values {
                    record.push(
                        entry
                            .value
                            .as_ref()
                            .map(|v| v.expose().to_owned())
                            .unwrap_or_default(),
                    );
                }
                record.extend([
                    attributes.content_type.clone().unwrap_or_default(),
                    tags,
                    attributes.enabled.to_string(),
                    attributes.exp.map(format_rfc3339).unwrap_or_default(),
                    attributes.nbf.map(format_rfc3339).unwrap_or_default(),
                ]);
                write_record(record)?;
            }
            let bytes = Zeroizing::new(writer.into_inner().map_err(|e| e.to_string())?);
            out.push_str(std::str::from_utf8(&bytes).map_err(|e| e.to_string())?);
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn entry(name: &str, value: Option<&str>) -> Entry {
        Entry {
            place: String::new(),
            name: name.to_owned(),
            value: value.map(SecretValue::new),
            attributes: Snapshot {
                content_type: Some("text/plain".into()),
                tags: [("env".to_owned(), "prod; \"x\"".to_owned())].into(),
                enabled: false,
                exp: Some(1_800_000_000),
                nbf: None,
            },
        }
    }

    fn same(a: &[Entry], b: &[Entry]) -> bool {
        let fields = |e: &Entry| (e.name.clone(), e.value.clone(), e.attributes.clone());
        a.iter().map(fields).eq(b.iter().map(fields))
    }

    #[test]
    fn the_format_comes_from_the_name() {
        for (name, format) in [
            (".env", Some(Format::Dotenv)),
            ("team/.env", Some(Format::Dotenv)),
            ("prod.env", Some(Format::Dotenv)),
            ("export.JSON", Some(Format::Json)),
            ("handover.csv", Some(Format::Csv)),
            ("secrets.txt", None),
            ("env", None),
        ] {
            assert_eq!(
                Format::of_path(std::path::Path::new(name)),
                format,
                "{name}"
            );
        }
    }

    #[test]
    fn what_is_written_reads_back_the_same() {
        let pem = "-----BEGIN KEY-----\r\nMII,\"B\"\n-----END KEY-----\n";
        let entries = [entry("db-password", Some(pem)), entry("api-2", Some(""))];
        for format in [Format::Json, Format::Csv] {
            let text = write(&entries, format).unwrap();
            assert!(
                same(&read(&text, format).unwrap(), &entries),
                "{format:?}:\n{}",
                *text
            );
        }
        let dotenv = write(&entries[..1], Format::Dotenv).unwrap();
        let back = read(&dotenv, Format::Dotenv).unwrap();
        assert_eq!(
            (
                back[0].name.as_str(),
                back[0].value.as_ref().unwrap().expose()
            ),
            ("db-password", pem)
        );
        let metadata = [entry("no-value", None)];
        let csv = write(&metadata, Format::Csv).unwrap();
        assert!(!csv.starts_with("name,value"), "{}", *csv);
        assert!(same(&read(&csv, Format::Csv).unwrap(), &metadata));
        assert!(write(&metadata, Format::Dotenv).is_err());
        assert!(write(&[entry("1st", Some("v"))], Format::Dotenv).is_err());
    }

    #[test]
    fn a_malformed_file_is_refused_whole_with_the_line_named_and_no_value_quoted() {
        for (text, format, says) in [
            (
                "name,value\na,hunter2\nb,\"hunter2\n",
                Format::Csv,
                "line 3: is not a CSV record",
            ),
            (
                "name,value\na,hunter2,extra\n",
                Format::Csv,
                "line 2: has another number",
            ),
            (
                "name,value,colour\n",
                Format::Csv,
                "line 1: has a column \"colour\"",
            ),
            (
                "value\nhunter2\n",
                Format::Csv,
                "line 1: has no name column",
            ),
            (
                "name,value\na,x\nA,hunter2\n",
                Format::Csv,
                "line 3: names A again (first at line 2)",
            ),
            (
                "name,value,expires\na,hunter2,soon\n",
                Format::Csv,
                "line 2: expires is not",
            ),
            (
                "A=1\nhunter2\n",
                Format::Dotenv,
                "line 2: is not NAME=value",
            ),
            (
                "{\"secrets\": [{\"name\": \"a\", \"value\": hunter2}]}",
                Format::Json,
                "line 1: is not JSON",
            ),
            (
                "{\"secrets\": [{\"name\": \"a\", \"valu\": \"hunter2\"}]}",
                Format::Json,
                "line 1: is not {",
            ),
            (
                "{\"secrets\": [{\"name\": \"a\", \"expires\": \"soon\"}]}",
                Format::Json,
                "entry 1 (a): expires is not",
            ),
        ] {
            let error = read(text, format).expect_err(text).to_string();
            assert!(error.starts_with(says), "{text:?}: {error}");
            assert!(!error.contains("hunter2"), "{error}");
        }
        let bytes = Zeroizing::new(b"A=1\nB=\xff\xfe\n".to_vec());
        assert_eq!(
            text(bytes).unwrap_err().to_string(),
            "line 2: is not UTF-8 text"
        );
    }
}
