//! No two source files use each other, directly or through others: every `crate::`, `super::`
//! and `self::` path in `src/` is followed to the file it names, and the graph of files must have
//! no cycle. A module using its parent's items is not counted (Rust's module tree), nor are unit
//! tests (`#[cfg(test)] mod tests`), which may reach anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

fn source_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            source_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// `src/app/update/mod.rs` is `app::update`; `src/lib.rs` is the crate root.
fn module_of(src: &Path, file: &Path) -> Module {
    let relative = file
        .strip_prefix(src)
        .expect("under src")
        .with_extension("");
    let mut parts: Module = relative
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The code outside unit tests.
fn without_tests(text: &str) -> &str {
    text.find("#[cfg(test)]\nmod tests {")
        .or_else(|| text.find("#[cfg(test)]\npub(super) mod tests {"))
        .map_or(text, |at| &text[..at])
}

fn identifier(text: &str) -> (&str, &str) {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    text.split_at(end)
}

/// Every path that starts at `crate`, `super` or `self`, as module segments from the root;
/// a `{…}` group gives one path per first-level name in it.
fn paths_in(code: &str, here: &[String]) -> Vec<Module> {
    let mut paths = Vec::new();
    for head in ["crate::", "super::", "self::"] {
        let mut rest = code;
        while let Some(at) = rest.find(head) {
            let before = rest[..at].chars().next_back();
            rest = &rest[at + head.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let mut base: Module = match head {
                "crate::" => Vec::new(),
                "self::" => here.to_vec(),
                _ => here[..here.len().saturating_sub(1)].to_vec(),
            };
            let mut tail = rest;
            loop {
                if let Some(group) = tail.strip_prefix('{') {
                    let inner = &group[..group.find('}').unwrap_or(group.len())];
                    for name in inner.split(',') {
                        let (name, _) = identifier(name.trim());
                        if !name.is_empty() && name != "self" {
                            paths.push([base.clone(), vec![name.to_owned()]].concat());
                        }
                    }
                    break;
                }
                let (name, after) = identifier(tail);
                if name.is_empty() {
                    paths.push(base);
                    break;
                }
                if name == "super" {
                    base.pop();
                } else {
                    base.push(name.to_owned());
                }
                match after.strip_prefix("::") {
                    Some(next) => tail = next,
                    None => {
                        paths.push(base);
                        break;
                    }
                }
            }
        }
    }
    paths
}

fn graph() -> BTreeMap<Module, BTreeSet<Module>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    source_files(&src, &mut files);
    let modules: BTreeMap<Module, PathBuf> = files
        .into_iter()
        .map(|file| (module_of(&src, &file), file))
        .collect();
    let file_of = |path: &[String]| {
        (0..=path.len())
            .rev()
            .map(|length| path[..length].to_vec())
            .find(|prefix| modules.contains_key(prefix))
    };
    let mut edges = BTreeMap::new();
    for (module, file) in &modules {
        let text = std::fs::read_to_string(file).expect("source file");
        let uses: BTreeSet<Module> = paths_in(without_tests(&text), module)
            .iter()
            .filter_map(|path| file_of(path))
            .filter(|target| target != module && !module.starts_with(target))
            .collect();
        edges.insert(module.clone(), uses);
    }
    edges
}

/// A cycle through `from`, if there is one, as the modules on it.
fn cycle_from(
    graph: &BTreeMap<Module, BTreeSet<Module>>,
    from: &Module,
    path: &mut Vec<Module>,
    done: &mut BTreeSet<Module>,
) -> Option<Vec<Module>> {
    if let Some(at) = path.iter().position(|module| module == from) {
        return Some(path[at..].to_vec());
    }
    if done.contains(from) {
        return None;
    }
    path.push(from.clone());
    for next in graph.get(from).into_iter().flatten() {
        if let Some(cycle) = cycle_from(graph, next, path, done) {
            return Some(cycle);
        }
    }
    path.pop();
    done.insert(from.clone());
    None
}

#[test]
fn no_source_files_use_each_other() {
    let graph = graph();
    assert!(graph.len() > 100, "read {} files", graph.len());
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        if let Some(cycle) = cycle_from(&graph, module, &mut Vec::new(), &mut done) {
            let names: Vec<String> = cycle.iter().map(|m| m.join("::")).collect();
            panic!("these files use each other: {}", names.join(" -> "));
        }
    }
}

#[test]
fn the_check_sees_a_cycle_between_siblings() {
    let here: Module = vec!["state".into(), "form".into()];
    let paths = paths_in(
        "use super::review::{Review, Snapshot};\nuse crate::keymap::Action;\nlet x = super::super::ui::render(a);",
        &here,
    );
    assert!(paths.contains(&vec!["state".into(), "review".into(), "Review".into()]));
    assert!(paths.contains(&vec!["keymap".into(), "Action".into()]));
    assert!(paths.contains(&vec!["ui".into(), "render".into()]));
    let graph = BTreeMap::from([
        (vec!["a".to_owned()], BTreeSet::from([vec!["b".to_owned()]])),
        (vec!["b".to_owned()], BTreeSet::from([vec!["a".to_owned()]])),
    ]);
    assert!(
        cycle_from(
            &graph,
            &vec!["a".to_owned()],
            &mut Vec::new(),
            &mut BTreeSet::new()
        )
        .is_some()
    );
}
