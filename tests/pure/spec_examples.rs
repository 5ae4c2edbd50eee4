//! Our wire models against the official spec: every example file under
//! `tests/fixtures/spec/<version>/examples` (copied from the Key Vault secrets data-plane spec),
//! and a synthetic body for every schema that sets each property the spec defines.
//!
//! A body is deserialized into the model type for its spec schema and serialized back; the two
//! JSON values must be equal. serde ignores unknown fields, so a property our models do not carry
//! would silently vanish from a real response — this is where that shows. No field is exempt.
//!
//! Which model a body goes through is decided by the spec itself (the operation whose
//! `x-ms-examples` names the file, and that operation's response or body-parameter schema), so a
//! new example file or a new spec version directory is tested without touching this file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kvtui::vault::{
    BackupBlob, DeletedSecretBundle, DeletedSecretItem, KeyVaultError, Page, SecretBundle,
    SecretItem, SetSecretParameters, UpdateSecretParameters,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn spec_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/spec")
}

fn read_json(path: &Path) -> Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    entries
}

/// Every spec version directory, e.g. `7.4` and `2026-04-01`.
fn versions() -> Vec<PathBuf> {
    sorted_entries(&spec_root())
        .into_iter()
        .filter(|path| path.is_dir())
        .collect()
}

/// Deserializes `body` as `T`, serializes it again, and says how the result differs, if it does.
fn round_trip<T: DeserializeOwned + Serialize>(body: &Value) -> Result<(), String> {
    let model: T = serde_json::from_value(body.clone()).map_err(|error| {
        format!(
            "does not deserialize as {}: {error}",
            std::any::type_name::<T>()
        )
    })?;
    let back = serde_json::to_value(&model).map_err(|error| format!("serialize: {error}"))?;
    let mut differences = Vec::new();
    diff("", body, &back, &mut differences);
    if differences.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} loses or changes: {}",
            std::any::type_name::<T>(),
            differences.join("; ")
        ))
    }
}

/// Collects the JSON paths where `want` and `got` differ, so a failure names the lost field
/// instead of printing two large documents.
fn diff(path: &str, want: &Value, got: &Value, out: &mut Vec<String>) {
    match (want, got) {
        (Value::Object(want), Value::Object(got)) => {
            for (key, value) in want {
                let at = format!("{path}/{key}");
                match got.get(key) {
                    Some(other) => diff(&at, value, other, out),
                    None => out.push(format!("{at} dropped")),
                }
            }
            for key in got.keys().filter(|key| !want.contains_key(*key)) {
                out.push(format!("{path}/{key} added"));
            }
        }
        (Value::Array(want), Value::Array(got)) if want.len() == got.len() => {
            for (index, (a, b)) in want.iter().zip(got).enumerate() {
                diff(&format!("{path}/{index}"), a, b, out);
            }
        }
        _ if want == got => {}
        _ => out.push(format!("{path}: {want} became {got}")),
    }
}

/// The model for each schema the secrets operations use. A schema missing here fails the test
/// that meets it, so a new operation cannot go unchecked.
fn check_schema(schema: &str, body: &Value) -> Result<(), String> {
    match schema {
        "SecretBundle" => round_trip::<SecretBundle>(body),
        "DeletedSecretBundle" => round_trip::<DeletedSecretBundle>(body),
        "SecretItem" => round_trip::<SecretItem>(body),
        "DeletedSecretItem" => round_trip::<DeletedSecretItem>(body),
        "SecretListResult" => round_trip::<Page<SecretItem>>(body),
        "DeletedSecretListResult" => round_trip::<Page<DeletedSecretItem>>(body),
        // One shape serves both: the backup result is sent back as the restore parameters.
        "BackupSecretResult" | "SecretRestoreParameters" => round_trip::<BackupBlob>(body),
        "SecretSetParameters" => round_trip::<SetSecretParameters>(body),
        "SecretUpdateParameters" => round_trip::<UpdateSecretParameters>(body),
        "KeyVaultError" => round_trip::<KeyVaultError>(body),
        other => Err(format!("no model is mapped to schema {other}")),
    }
}

/// `#/definitions/X` or `common.json#/definitions/X` → `X`.
fn schema_name(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

/// One operation of a spec: what it sends and what it answers.
struct Operation {
    id: String,
    /// The body parameter's name (`parameters` in every secrets operation) and schema `$ref`.
    request: Option<(String, String)>,
    /// Status code → schema `$ref`; `None` for a response without a body (204 of purge).
    responses: BTreeMap<String, Option<String>>,
}

/// The spec's operations, keyed by the example file each one names in `x-ms-examples`.
fn operations_by_example(spec: &Value) -> BTreeMap<String, Operation> {
    let mut found = BTreeMap::new();
    for methods in spec["paths"].as_object().unwrap().values() {
        for operation in methods.as_object().unwrap().values() {
            let Some(id) = operation["operationId"].as_str() else {
                continue;
            };
            let request = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|p| p["in"] == "body")
                .map(|p| {
                    (
                        p["name"].as_str().unwrap().to_owned(),
                        p["schema"]["$ref"].as_str().unwrap().to_owned(),
                    )
                });
            let responses = operation["responses"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(code, response)| {
                    let schema = response["schema"]["$ref"].as_str().map(str::to_owned);
                    (code.clone(), schema)
                })
                .collect::<BTreeMap<_, _>>();
            for example in operation["x-ms-examples"].as_object().into_iter().flatten() {
                let file = example.1["$ref"].as_str().unwrap();
                let file = file.rsplit('/').next().unwrap().to_owned();
                found.insert(
                    file,
                    Operation {
                        id: id.to_owned(),
                        request: request.clone(),
                        responses: responses.clone(),
                    },
                );
            }
        }
    }
    found
}

/// Checks one example file against the operation that names it; returns the bodies checked.
fn check_example(file: &Path, operation: &Operation) -> Result<usize, String> {
    let example = read_json(file);
    if let Some(id) = example["operationId"].as_str()
        && id != operation.id
    {
        return Err(format!(
            "says operationId {id}, the spec lists it under {}",
            operation.id
        ));
    }
    let mut checked = 0;
    if let Some((name, reference)) = &operation.request {
        let schema = schema_name(reference);
        let body = &example["parameters"][name];
        if body.is_null() {
            return Err(format!("no request body {name:?} for {schema}"));
        }
        check_schema(schema, body).map_err(|why| format!("request {schema}: {why}"))?;
        checked += 1;
    }
    let responses = example["responses"].as_object().ok_or("no responses")?;
    if responses.is_empty() {
        return Err("no responses".into());
    }
    for (code, response) in responses {
        let schema = operation
            .responses
            .get(code)
            .ok_or_else(|| format!("response {code} is not in the spec"))?;
        match (schema.as_deref().map(schema_name), response.get("body")) {
            (Some(schema), Some(body)) => {
                check_schema(schema, body)
                    .map_err(|why| format!("response {code} {schema}: {why}"))?;
                checked += 1;
            }
            (None, None) => {}
            (Some(schema), None) => return Err(format!("response {code} lacks its {schema} body")),
            (None, Some(_)) => return Err(format!("response {code} has a body the spec omits")),
        }
    }
    Ok(checked)
}

#[test]
fn every_official_example_round_trips_through_our_models() {
    let mut failures = Vec::new();
    let mut summary = Vec::new();
    for version in versions() {
        let spec = read_json(&version.join("secrets.json"));
        let operations = operations_by_example(&spec);
        let files: Vec<PathBuf> = sorted_entries(&version.join("examples"))
            .into_iter()
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .collect();
        let mut bodies = 0;
        for file in &files {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            let outcome = operations
                .get(&name)
                .ok_or_else(|| "no operation in secrets.json names this example".to_owned())
                .and_then(|operation| check_example(file, operation));
            match outcome {
                Ok(count) => bodies += count,
                Err(why) => failures.push(format!("{}: {why}", file.display())),
            }
        }
        // An operation whose example file was not copied would otherwise go unchecked.
        for (name, operation) in &operations {
            if !files.iter().any(|file| file.ends_with(name)) {
                failures.push(format!(
                    "{}: the spec's example {name} for {} is missing",
                    version.display(),
                    operation.id
                ));
            }
        }
        summary.push(format!(
            "{}: {} examples, {bodies} bodies",
            version.file_name().unwrap().to_string_lossy(),
            files.len()
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    println!("{}", summary.join("\n"));
    assert!(
        summary.len() >= 2,
        "expected at least the 7.4 and 2026-04-01 specs: {summary:?}"
    );
}

/// A spec version's directory, for resolving `$ref`s within and across its files.
struct Spec {
    dir: PathBuf,
}

impl Spec {
    /// `reference` as seen from `file`: the schema and the file it lives in.
    fn resolve(&self, file: &str, reference: &str) -> (String, Value) {
        let (target, pointer) = reference.split_once('#').unwrap();
        let target = if target.is_empty() { file } else { target };
        let schema = read_json(&self.dir.join(target))
            .pointer(pointer)
            .unwrap_or_else(|| panic!("unresolved $ref {reference} in {file}"))
            .clone();
        (target.to_owned(), schema)
    }

    /// A value with every property of `schema` set. `expanding` holds the `$ref`s being
    /// expanded, so the error's self-referencing `innererror` is followed once and then stops.
    fn full_instance(
        &self,
        file: &str,
        schema: &Value,
        expanding: &mut Vec<String>,
    ) -> Option<Value> {
        if let Some(reference) = schema["$ref"].as_str() {
            let (target, resolved) = self.resolve(file, reference);
            let key = format!("{target}{}", reference.split_once('#').unwrap().1);
            if expanding.iter().filter(|seen| **seen == key).count() >= 2 {
                return None;
            }
            expanding.push(key);
            let value = self.full_instance(&target, &resolved, expanding);
            expanding.pop();
            return value;
        }
        let mut object = Map::new();
        for part in schema["allOf"].as_array().into_iter().flatten() {
            if let Some(Value::Object(inherited)) = self.full_instance(file, part, expanding) {
                object.extend(inherited);
            }
        }
        for (name, property) in schema["properties"].as_object().into_iter().flatten() {
            if let Some(value) = self.full_instance(file, property, expanding) {
                object.insert(name.clone(), value);
            }
        }
        if !object.is_empty() {
            return Some(Value::Object(object));
        }
        // A modelAsString enum: pick a value the service sends, not just any string.
        if let Some(value) = schema["enum"].as_array().and_then(|values| values.last()) {
            return Some(value.clone());
        }
        Some(match schema["type"].as_str()? {
            "string" => json!("sample"),
            "integer" => json!(1_700_000_000),
            "boolean" => json!(true),
            "array" => Value::Array(
                self.full_instance(file, &schema["items"], expanding)
                    .into_iter()
                    .collect(),
            ),
            // Only `tags` is a free-form object: string to string.
            "object" => json!({"environment": "test"}),
            _ => return None,
        })
    }
}

#[test]
fn a_body_with_every_spec_property_round_trips() {
    // The examples leave out kid, managed, previousVersion, recoverableDays and the error shape;
    // these bodies set every property of every schema an operation sends or answers with.
    let mut failures = Vec::new();
    let mut checked = 0;
    for version in versions() {
        let spec = read_json(&version.join("secrets.json"));
        let mut references: Vec<String> = operations_by_example(&spec)
            .into_values()
            .flat_map(|operation| {
                let request = operation.request.map(|(_, reference)| reference);
                operation.responses.into_values().flatten().chain(request)
            })
            .collect();
        references.sort();
        references.dedup();
        let resolver = Spec {
            dir: version.clone(),
        };
        for reference in &references {
            let body = resolver
                .full_instance(
                    "secrets.json",
                    &json!({ "$ref": reference }),
                    &mut Vec::new(),
                )
                .unwrap_or_else(|| panic!("{reference}: nothing to build"));
            let schema = schema_name(reference);
            match check_schema(schema, &body) {
                Ok(()) => checked += 1,
                Err(why) => failures.push(format!(
                    "{} {schema}: {why}\nbody: {body}",
                    version.display()
                )),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // Two versions, each with SecretBundle, DeletedSecretBundle, the two list results, backup,
    // restore, set and update parameters, and the error.
    assert!(checked >= 18, "only {checked} schemas checked");
}
