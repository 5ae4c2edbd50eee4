use super::*;
use crate::vault::SecretValue;

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("vault.db")).expect("open");
    (dir, store)
}

fn new_version(version: &str, value: &str) -> NewVersion {
    NewVersion {
        version: version.into(),
        value: SecretValue::new(value),
        settings: VersionSettings {
            content_type: None,
            tags: None,
            enabled: true,
            nbf: None,
            exp: None,
        },
    }
}

#[test]
fn names_are_case_insensitive_and_keep_first_spelling() {
    let (_dir, store) = store();
    store
        .set("Db-Pass", &new_version("v1", "a"), 10)
        .expect("set");
    let second = store
        .set("db-pass", &new_version("v2", "b"), 11)
        .expect("set");
    assert_eq!(second.name, "Db-Pass");
    let latest = store.get("DB-PASS", None).expect("get");
    assert_eq!(latest.meta.version, "v2");
    assert_eq!(latest.value.expose(), "b");
    assert_eq!(
        store.get("db-pass", Some("v1")).expect("v1").value.expose(),
        "a"
    );
}

#[test]
fn concurrent_sets_commit_together_and_a_refused_one_fails_alone() {
    let (_dir, store) = store();
    store.set("gone", &new_version("g1", "x"), 1).expect("set");
    let soft = DeleteMode::Soft {
        scheduled_purge_date: 1_000,
    };
    store.delete("gone", soft, 2).expect("delete");
    let answers: Vec<(String, StoreResult<VersionMeta>)> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..16)
            .map(|i| {
                let store = &store;
                scope.spawn(move || {
                    let name = if i == 7 {
                        "gone".to_owned()
                    } else {
                        format!("s{}", i % 4)
                    };
                    let answer = store.set(&name, &new_version(&format!("v{i}"), "value"), 3);
                    (name, answer)
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().expect("thread"))
            .collect()
    });
    for (name, answer) in &answers {
        match answer {
            Err(StoreError::DeletedButRecoverable) if name == "gone" => {}
            Ok(meta) => assert_eq!(&meta.name, name),
            other => panic!("{name}: {other:?}"),
        }
    }
    let (listed, _) = store.list("", 25).expect("list");
    assert_eq!(listed.len(), 4, "s0..s3 are live; gone stays deleted");
    for meta in &listed {
        let (versions, _) = store.list_versions(&meta.name, 0, 25).expect("versions");
        let acknowledged = answers
            .iter()
            .filter(|(name, answer)| name == &meta.name && answer.is_ok())
            .count();
        assert_eq!(
            versions.len(),
            acknowledged,
            "{}: every acknowledged set is a version",
            meta.name
        );
    }
}

#[test]
fn soft_delete_hides_recover_restores_and_expiry_purges() {
    let (_dir, store) = store();
    store.set("s", &new_version("v1", "a"), 10).expect("set");
    store.set("s", &new_version("v2", "b"), 11).expect("set");
    let mode = DeleteMode::Soft {
        scheduled_purge_date: 100,
    };
    store.delete("s", mode, 20).expect("delete");
    assert!(matches!(store.get("s", None), Err(StoreError::NotFound)));
    assert!(matches!(
        store.set("s", &new_version("v3", "c"), 21),
        Err(StoreError::DeletedButRecoverable)
    ));
    assert_eq!(
        store.get_deleted("s", 30).expect("deleted").deleted_date,
        20
    );
    store.recover("s", 40).expect("recover");
    let (versions, more) = store.list_versions("s", 0, 25).expect("versions");
    assert_eq!(versions.len(), 2);
    assert!(!more);

    store.delete("s", mode, 50).expect("delete again");
    assert!(matches!(
        store.get_deleted("s", 100),
        Err(StoreError::NotFound)
    ));
    store
        .set("s", &new_version("v4", "d"), 101)
        .expect("name is free after purge date");
    let (versions, _) = store.list_versions("s", 0, 25).expect("versions");
    assert_eq!(versions.len(), 1);
}

#[test]
fn list_pages_by_name() {
    let (_dir, store) = store();
    for name in ["c", "a", "b", "d", "e"] {
        store.set(name, &new_version(name, "x"), 1).expect("set");
    }
    let (first, more) = store.list("", 2).expect("page 1");
    assert!(more);
    assert_eq!(
        first.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );
    let (rest, more) = store.list("b", 25).expect("page 2");
    assert!(!more);
    assert_eq!(rest.len(), 3);
}

#[test]
fn export_import_round_trip_keeps_every_version() {
    let (_dir, store) = store();
    store.set("s", &new_version("v1", "one"), 10).expect("set");
    store.set("s", &new_version("v2", "two"), 11).expect("set");
    let export = store.export("s").expect("export");
    assert!(matches!(
        store.import(&export, 12),
        Err(StoreError::AlreadyExists)
    ));
    store
        .delete("s", DeleteMode::Permanent, 13)
        .expect("delete");
    let latest = store.import(&export, 14).expect("import");
    assert_eq!(latest.version, "v2");
    let restored = store.export("s").expect("again");
    let summary = |export: &SecretExport| {
        export
            .versions
            .iter()
            .map(|v| (v.meta.version.clone(), v.value.clone(), v.meta.created))
            .collect::<Vec<_>>()
    };
    assert_eq!(summary(&restored), summary(&export));
}

#[test]
fn the_store_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, _store) = store();
    let mode = std::fs::metadata(dir.path().join("vault.db"))
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}
