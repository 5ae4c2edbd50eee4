//! Adding a profile's unit tests: the bytes kept, quoting, line ends, the default set.

use super::*;

fn new(name: &str) -> NewProfile {
    NewProfile {
        name: name.into(),
        vault_url: format!("https://{name}.vault.azure.net"),
        ..NewProfile::default()
    }
}

fn added(text: &str, new: &NewProfile) -> String {
    let edit = edited(text, new).expect("edited");
    super::super::tests::parse(&edit.text)
        .unwrap_or_else(|error| panic!("does not load: {error}\n{}", edit.text));
    edit.text
}

/// Asserts that `after` is `before` with `tail` appended (and a final newline, if
/// `before` lacked one).
fn appended(before: &str, after: &str, tail: &str) {
    let mut kept = before.to_owned();
    if !kept.is_empty() && !kept.ends_with('\n') {
        kept.push('\n');
    }
    assert_eq!(after, format!("{kept}{tail}"), "from {before:?}");
}

const COMMENTED: &str = "\
# my profiles   (odd   spacing kept)
default_profile = \"dev\" # the one I use

[profiles.dev]   # dev
vault_url = 'https://dev.vault.azure.net/'
auth    =   \"azure-cli\"

# prod is read-only
[profiles.prod]
vault_url = \"https://prod.vault.azure.net\"
read_only = true
# the end
";

#[test]
fn a_profile_is_appended_and_every_byte_before_it_kept() {
    let after = added(COMMENTED, &new("stage"));
    appended(
        COMMENTED,
        &after,
        "\n[profiles.stage]\nvault_url = \"https://stage.vault.azure.net\"\n",
    );
    let all = NewProfile {
        auth: Some(AuthMethod::ManagedIdentity),
        tenant_id: Some("8d2a3f1e-5c4b-4a69-9e1f-0c7b2d6a4e90".into()),
        read_only: true,
        ..new("ops")
    };
    appended(
        COMMENTED,
        &added(COMMENTED, &all),
        "\n[profiles.ops]\nvault_url = \"https://ops.vault.azure.net\"\n\
         auth = \"managed-identity\"\ntenant_id = \"8d2a3f1e-5c4b-4a69-9e1f-0c7b2d6a4e90\"\n\
         read_only = true\n",
    );
}

#[test]
fn cloud_is_written_only_when_set() {
    let gov = NewProfile {
        vault_url: "https://gov.vault.usgovcloudapi.net".into(),
        cloud: Some(Cloud::UsGov),
        ..new("gov")
    };
    appended(
        COMMENTED,
        &added(COMMENTED, &gov),
        "\n[profiles.gov]\nvault_url = \"https://gov.vault.usgovcloudapi.net\"\n\
         cloud = \"usgov\"\n",
    );
    assert!(!added(COMMENTED, &new("x")).contains("cloud"));
}

#[test]
fn profiles_added_at_once_are_all_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("config.toml");
    std::fs::write(&file, COMMENTED).expect("config written");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("mode");
    let start = std::sync::Barrier::new(8);
    std::thread::scope(|scope| {
        for index in 0..8 {
            let (file, start) = (&file, &start);
            scope.spawn(move || {
                start.wait();
                add_profile(file, &new(&format!("p{index}"))).expect("added");
            });
        }
    });
    let text = std::fs::read_to_string(&file).expect("read back");
    assert!(text.starts_with(COMMENTED), "{text}");
    let config = super::super::tests::parse(&text).expect("loads");
    for index in 0..8 {
        let name = format!("p{index}");
        assert!(
            config.profiles.iter().any(|p| p.name == name),
            "{name}:\n{text}"
        );
    }
}

#[test]
fn a_custom_cloud_is_written_as_the_table_it_loads_from() {
    let custom = Cloud::Custom(crate::cloud::CustomCloud {
        authority_host: "https://login.stack.example".into(),
        resource_manager: "https://management.stack.example".into(),
        vault_suffix: "vault.stack.example".into(),
    });
    let stack = NewProfile {
        vault_url: "https://kv1.vault.stack.example".into(),
        cloud: Some(custom.clone()),
        ..new("stack")
    };
    let text = added(COMMENTED, &stack);
    appended(
        COMMENTED,
        &text,
        "\n[profiles.stack]\nvault_url = \"https://kv1.vault.stack.example\"\n\
         cloud = { authority_host = \"https://login.stack.example\", resource_manager = \
         \"https://management.stack.example\", vault_suffix = \"vault.stack.example\" }\n",
    );
    let config = super::super::tests::parse(&text).expect("loads");
    let profile = config
        .profiles
        .iter()
        .find(|p| p.name == "stack")
        .expect("stack");
    assert_eq!(profile.cloud, Some(custom));
}

#[test]
fn odd_names_and_values_are_quoted_as_toml_needs() {
    let text = added(
        COMMENTED,
        &NewProfile {
            tenant_id: Some("contoso.onmicrosoft.com".into()),
            ..new("v7.4")
        },
    );
    let config = super::super::tests::parse(&text).expect("loads");
    let profile = config.select(Some("v7.4")).expect("added");
    assert_eq!(
        profile.tenant_id.as_deref(),
        Some("contoso.onmicrosoft.com")
    );
    assert!(text.contains("[profiles.\"v7.4\"]"), "{text}");
}

#[test]
fn line_ends_a_missing_final_newline_and_a_bom_are_kept() {
    let crlf = COMMENTED.replace('\n', "\r\n");
    let after = added(&crlf, &new("stage"));
    appended(
        &crlf,
        &after,
        "\r\n[profiles.stage]\r\nvault_url = \"https://stage.vault.azure.net\"\r\n",
    );
    let unterminated = "[profiles.dev]\nvault_url = \"https://dev.vault.azure.net\"";
    appended(
        unterminated,
        &added(unterminated, &new("b")),
        "\n[profiles.b]\nvault_url = \"https://b.vault.azure.net\"\n",
    );
    let comment_last = "[profiles.dev]\nauth = \"local\"\n# the end";
    appended(
        comment_last,
        &added(comment_last, &new("b")),
        "\n[profiles.b]\nvault_url = \"https://b.vault.azure.net\"\n",
    );
    let bom = format!("\u{feff}{COMMENTED}");
    assert!(added(&bom, &new("b")).starts_with(&bom));
    let mixed = "[profiles.dev]\r\nauth = \"local\"\n";
    assert!(matches!(
        edited(mixed, &new("b")),
        Err(Problem::Unkept(problem)) if problem.contains("CRLF and LF")
    ));
}

#[test]
fn profiles_written_other_ways_get_the_new_one_too() {
    // Inline, dotted keys, and an explicit [profiles] with inline tables in it.
    let inline = "profiles = { dev = { vault_url = \"https://dev.vault.azure.net\" } }\n";
    let after = added(inline, &new("b"));
    assert!(
        after.starts_with("profiles = { dev = { vault_url = \"https://dev.vault.azure.net\" }"),
        "{after}"
    );
    for text in [
        "profiles.dev.vault_url = \"https://dev.vault.azure.net\"\n",
        "[profiles]\ndev = { auth = \"local\" }\n\n[profiles.x]\nauth = \"local\"\n",
    ] {
        appended(
            text,
            &added(text, &new("b")),
            "\n[profiles.b]\nvault_url = \"https://b.vault.azure.net\"\n",
        );
    }
}

#[test]
fn a_name_that_is_there_is_refused_however_it_is_written() {
    for text in [
        COMMENTED,
        "[profiles.\"dev\"]\nauth = \"local\"\n",
        "profiles = { dev = { auth = \"local\" } }\n",
        "profiles.dev.auth = \"local\"\n",
    ] {
        assert_eq!(
            edited(text, &new("dev")).map(|edit| edit.text),
            Err(Problem::Exists),
            "{text}"
        );
    }
}

#[test]
fn the_default_is_set_in_place_or_after_the_opening_comments() {
    let made_default = |text: &str| {
        added(
            text,
            &NewProfile {
                make_default: true,
                ..new("stage")
            },
        )
    };
    let after = made_default(COMMENTED);
    assert_eq!(
        after,
        COMMENTED.replace("\"dev\" # the one", "\"stage\" # the one")
            + "\n[profiles.stage]\nvault_url = \"https://stage.vault.azure.net\"\n"
    );
    // No top-level key: it goes after the file's opening comments, before the first
    // table's own comment, and every byte that was there is still there, in order.
    let text = "# my kvtui\n\n# dev, mine\n[profiles.dev]\nauth = \"local\"\n";
    assert_eq!(
        made_default(text),
        "# my kvtui\n\ndefault_profile = \"stage\"\n\n# dev, mine\n[profiles.dev]\n\
         auth = \"local\"\n\n[profiles.stage]\nvault_url = \"https://stage.vault.azure.net\"\n"
    );
    let text = "[profiles.dev]\nauth = \"local\"\n";
    assert!(
        made_default(text).starts_with("default_profile = \"stage\"\n\n[profiles.dev]\n"),
        "{}",
        made_default(text)
    );
    let text = "clipboard_clear_seconds = 5\n[profiles.dev]\nauth = \"local\"\n";
    assert!(
        made_default(text).starts_with(
            "clipboard_clear_seconds = 5\ndefault_profile = \"stage\"\n[profiles.dev]\n"
        ),
        "{}",
        made_default(text)
    );
}

#[test]
fn a_file_without_profiles_keeps_the_implied_local_one_as_the_default() {
    let edit = edited(NEW_FILE, &new("prod")).expect("edited");
    assert!(edit.kept_local);
    assert_eq!(
        edit.text,
        format!(
            "{NEW_FILE}\ndefault_profile = \"local\"\n\n{LOCAL_COMMENT}[profiles.local]\n\
             auth = \"local\"\n\n[profiles.prod]\nvault_url = \"https://prod.vault.azure.net\"\n"
        )
    );
    let config = super::super::tests::parse(&edit.text).expect("loads");
    assert_eq!(config.select(None).expect("default").name, "local");
    assert_eq!(config.profile_names(), ["local", "prod"]);

    // Asked to be the default, it is; a `local` of the operator's own replaces the implied.
    let text = added(
        "clipboard_clear_seconds = 0\n",
        &NewProfile {
            make_default: true,
            ..new("prod")
        },
    );
    assert!(text.starts_with("clipboard_clear_seconds = 0\ndefault_profile = \"prod\"\n"));
    assert!(text.contains("[profiles.local]"), "{text}");
    let edit = edited("", &new("local")).expect("edited");
    assert!(!edit.kept_local);
    assert_eq!(
        edit.text,
        "[profiles.local]\nvault_url = \"https://local.vault.azure.net\"\n"
    );
}
