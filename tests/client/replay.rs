//! kvtui against the real service's recorded answers. The Azure SDKs publish recordings of their
//! tests against live vaults; `tests/fixtures/recorded/` keeps excerpts of them (each file names
//! its repository, path and commit). A loopback HTTPS server answers kvtui's requests with those
//! responses, in order, and checks that each request is the one the recording answered.
//!
//! kvtui reaches it the way a user on a jump box reaches a vault: a profile with the vault's real
//! host name (`https://vaultname.vault.azure.net`), through `HTTPS_PROXY` (a CONNECT proxy, the
//! only route to the host), trusting the test CA with `ca_file`, signing in with `azure-cli` (a
//! stand-in `az` on `PATH`). Our own local vault is written together with kvtui and agrees with it
//! on its mistakes; these answers are the service's.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use serde_json::Value;
use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::net::{
    ConnectProxy, SeenRequest, StubResponse, StubServer, TestCa, path_with, write_executable,
};
use support::{Kvtui, succeeded};

const TOKEN: &str = "replay-token-for-the-recorded-vault";

/// One recorded exchange.
#[derive(Clone, Debug)]
struct Entry {
    method: String,
    /// Path and query, as recorded (the host is not compared: the recorder rewrote it).
    target: String,
    request_body: Value,
    status: u16,
    headers: Vec<(String, String)>,
    body: Option<Value>,
}

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/recorded")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("fixture JSON")
}

fn entries(name: &str) -> Vec<Entry> {
    fixture(name)["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|entry| {
            let uri = entry["uri"].as_str().expect("uri");
            let after_scheme = uri.split_once("://").map_or(uri, |(_, rest)| rest);
            let target = after_scheme
                .find('/')
                .map_or("/", |slash| &after_scheme[slash..]);
            Entry {
                method: entry["method"].as_str().expect("method").to_owned(),
                target: target.to_owned(),
                request_body: entry["request_body"].clone(),
                status: entry["status"].as_u64().expect("status") as u16,
                headers: entry["response_headers"]
                    .as_object()
                    .map(|headers| {
                        headers
                            .iter()
                            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                            .collect()
                    })
                    .unwrap_or_default(),
                body: Some(entry["response_body"].clone()).filter(|body| !body.is_null()),
            }
        })
        .collect()
}

fn answer(entry: &Entry) -> StubResponse {
    StubResponse {
        status: entry.status,
        headers: entry.headers.clone(),
        body: entry
            .body
            .as_ref()
            .map(|body| body.to_string().into_bytes())
            .unwrap_or_default(),
    }
}

fn query(target: &str) -> Vec<(String, String)> {
    let query = target.split_once('?').map_or("", |(_, q)| q);
    let mut pairs: Vec<_> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort();
    pairs
}

/// Whether every field the recorded request had is in what kvtui sent, with the same value
/// (kvtui may send more, such as `enabled`).
fn covers(sent: &Value, recorded: &Value) -> bool {
    match (sent, recorded) {
        (_, Value::Null) => true,
        (Value::Object(sent), Value::Object(recorded)) => recorded
            .iter()
            .all(|(key, value)| sent.get(key).is_some_and(|mine| covers(mine, value))),
        (sent, recorded) => sent == recorded,
    }
}

/// Why `seen` is not the request `entry` answered, if it is not.
fn mismatch(seen: &SeenRequest, entry: &Entry) -> Option<String> {
    let same_query = if entry.target.contains("$skiptoken=") {
        query(&seen.target) == query(&entry.target)
    } else {
        // The first page of a list: its query (page size, api-version) is the client's choice.
        true
    };
    let matches = seen.method == entry.method
        && seen.path() == entry.target.split('?').next().unwrap_or_default()
        && same_query
        && covers(&seen.json(), &entry.request_body);
    (!matches).then(|| {
        format!(
            "kvtui sent {} {} {}; the recording answered {} {} {}",
            seen.method,
            seen.target,
            String::from_utf8_lossy(&seen.body),
            entry.method,
            entry.target,
            entry.request_body
        )
    })
}

/// The recorded service behind the proxy, answering one scenario in order.
struct Replay {
    server: StubServer,
    proxy: ConnectProxy,
    ca: TestCa,
    expected: Arc<Mutex<VecDeque<Entry>>>,
    problems: Arc<Mutex<Vec<String>>>,
}

impl Replay {
    /// Serves `scenario` (the recorded requests that carried a token) behind `challenge`, the
    /// recorded answer to a request without one, for `hosts` (each reached as `host:443`).
    fn start(challenge: Entry, scenario: Vec<Entry>, hosts: &[&str]) -> Self {
        Self::start_for(challenge, scenario, hosts, |_| true)
    }

    /// As `start`, where the scenario answers only the requests `ours` picks; the rest are refused
    /// without taking a recorded answer (the TUI loads details the recording never saw).
    fn start_for(
        challenge: Entry,
        scenario: Vec<Entry>,
        hosts: &[&str],
        ours: fn(&SeenRequest) -> bool,
    ) -> Self {
        let ca = TestCa::new();
        let expected = Arc::new(Mutex::new(VecDeque::from(scenario)));
        let problems = Arc::new(Mutex::new(Vec::new()));
        let (queue, noted) = (Arc::clone(&expected), Arc::clone(&problems));
        let server = StubServer::https(ca.server_config(hosts), move |seen| {
            // As the service does: no token, the challenge; any answer carries no token back.
            match seen.header("authorization") {
                None => return answer(&challenge),
                Some(value) if value != format!("Bearer {TOKEN}") => {
                    noted.lock().unwrap().push(format!("wrong token: {value}"));
                    return answer(&challenge);
                }
                Some(_) => {}
            }
            if !ours(seen) {
                return replay_refusal("not part of this recording");
            }
            let Some(entry) = queue.lock().unwrap().pop_front() else {
                noted
                    .lock()
                    .unwrap()
                    .push(format!("unexpected {} {}", seen.method, seen.target));
                return replay_refusal("no more recorded answers");
            };
            match mismatch(seen, &entry) {
                None => answer(&entry),
                Some(problem) => {
                    noted.lock().unwrap().push(problem.clone());
                    replay_refusal(&problem)
                }
            }
        });
        let routes: Vec<(String, std::net::SocketAddr)> = hosts
            .iter()
            .map(|host| (format!("{host}:443"), server.addr))
            .collect();
        let routes: Vec<(&str, std::net::SocketAddr)> =
            routes.iter().map(|(t, a)| (t.as_str(), *a)).collect();
        let proxy = ConnectProxy::start(&routes);
        Self {
            server,
            proxy,
            ca,
            expected,
            problems,
        }
    }

    /// The recorded scenario in `fixture` (its challenge answered first), at the vault
    /// `vaultname.vault.azure.net`, and a kvtui home on it.
    fn recorded(fixture: &str) -> (Self, Kvtui) {
        let (challenge, scenario) = split_challenge(entries(fixture));
        let replay = Self::start(challenge, scenario, &["vaultname.vault.azure.net"]);
        let home = replay.kvtui("https://vaultname.vault.azure.net", "7.6");
        (replay, home)
    }

    /// A kvtui home whose profile `live` is the recorded vault at `vault_url`.
    fn kvtui(&self, vault_url: &str, api_version: &str) -> Kvtui {
        Kvtui::with_config(&format!(
            "[profiles.live]\nvault_url = \"{vault_url}\"\nauth = \"azure-cli\"\n\
             api_version = \"{api_version}\"\nca_file = \"{}\"\n",
            self.ca.pem_file.display()
        ))
    }

    /// `kvtui ARGS` through the proxy, with the stand-in `az` first on `PATH`.
    fn run(&self, home: &Kvtui, args: &[&str], stdin: &[u8]) -> std::process::Output {
        let bin = stand_in_az(home);
        let mut command = home.command(args);
        self.proxy.route(&mut command);
        command.env("PATH", path_with(&bin));
        support::output_with_stdin(command, stdin)
    }

    /// `kvtui --profile live secret ARGS`, which must succeed: its stdout.
    fn secret(&self, home: &Kvtui, args: &[&str], stdin: &[u8]) -> String {
        let args = [&["--profile", "live", "secret"][..], args].concat();
        succeeded(&self.run(home, &args, stdin), &args)
    }

    fn assert_all_answered(&self) {
        let problems = self.problems.lock().unwrap().clone();
        assert!(problems.is_empty(), "{problems:#?}");
        let left = self.expected.lock().unwrap().len();
        assert_eq!(left, 0, "recorded answers never asked for");
    }
}

/// A stand-in `az` in a `bin` (returned) beside `home`'s config, printing what `az account
/// get-access-token -o json` prints, the replay's token, and logging its arguments to `az-calls`
/// there.
fn stand_in_az(home: &Kvtui) -> std::path::PathBuf {
    let bin = home.scratch().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    write_executable(
        &bin,
        "az",
        &format!(
            "#!/bin/sh\necho \"$@\" >> \"{}\"\nprintf '%s' '{{\"accessToken\":\"{TOKEN}\",\"expiresOn\":\"2099-01-01 00:00:00.000000\",\"expires_on\":4070908800,\"tokenType\":\"Bearer\"}}'\n",
            home.scratch().join("az-calls").display()
        ),
    );
    bin
}

fn replay_refusal(problem: &str) -> StubResponse {
    // A 400 is final for the client: a retried mismatch would only repeat itself.
    StubResponse::json(
        400,
        &serde_json::json!({"error": {"code": "ReplayMismatch", "message": problem}}),
    )
}

/// A scenario's challenge (its 401 entry) and the rest, the requests that carried a token.
fn split_challenge(mut entries: Vec<Entry>) -> (Entry, Vec<Entry>) {
    let at = entries
        .iter()
        .position(|entry| entry.status == 401)
        .expect("a recorded challenge");
    let challenge = entries.remove(at);
    (challenge, entries)
}

fn recorded_challenge() -> Entry {
    split_challenge(entries("crud.json")).0
}

/// The secret's name in a list item's `id` (`…/secrets/NAME`).
fn name_of(item: &Value) -> String {
    let id = item["id"].as_str().expect("id");
    id.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The names in a `secret list --json`-style array of items.
fn names(json: &str) -> Vec<String> {
    let items: Value = serde_json::from_str(json).expect("JSON list");
    items
        .as_array()
        .expect("array")
        .iter()
        .map(name_of)
        .collect()
}

/// The names a recorded list's pages hold, in order.
fn recorded_names(scenario: &[Entry]) -> Vec<String> {
    scenario
        .iter()
        .flat_map(|entry| {
            entry.body.as_ref().expect("page")["value"]
                .as_array()
                .expect("value")
                .iter()
                .map(name_of)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn set_get_update_and_delete_answer_as_recorded() {
    let (replay, home) = Replay::recorded("crud.json");
    let name = "livekvtestsecret-name75f43515";

    let set = replay.secret(
        &home,
        &[
            "set",
            name,
            "--value-stdin",
            "--expires",
            "2050-02-02T08:00:00Z",
        ],
        b"secret-value",
    );
    assert!(set.contains("6e3ef094"), "{set}");
    let shown = replay.secret(&home, &["show", name, "--reveal"], b"");
    assert!(shown.contains("secret-value"), "{shown}");
    assert!(shown.contains("CustomizedRecoverable+Purgeable"), "{shown}");
    let version = replay.secret(
        &home,
        &[
            "show",
            name,
            "--version",
            "6e3ef094cb754676834ba0f261ab27b3",
        ],
        b"",
    );
    assert!(!version.contains("secret-value"), "masked: {version}");
    let updated = replay.secret(
        &home,
        &[
            "update",
            name,
            "--content-type",
            "text/plain",
            "--tag",
            "foo=updated tag",
        ],
        b"",
    );
    assert!(updated.starts_with(&format!("updated {name}")), "{updated}");
    // The service finishes a delete in the background: the deleted secret answers 404 first
    // (recorded), and kvtui waits for it as the SDKs do, so a purge right after cannot fail.
    let deleted = replay.secret(&home, &["delete", name], b"");
    assert!(deleted.contains(name), "{deleted}");
    replay.assert_all_answered();

    // Reached only through the proxy, by the vault's own name; tokens asked for the recorded
    // challenge's tenant and scope.
    let connects = replay.proxy.connects();
    assert!(
        !connects.is_empty()
            && connects
                .iter()
                .all(|c| c == "vaultname.vault.azure.net:443"),
        "{connects:?}"
    );
    // The recorded challenge names tenant 70a036f6-…: the token is asked for there.
    let az_calls = std::fs::read_to_string(home.scratch().join("az-calls")).unwrap();
    assert!(
        az_calls.lines().all(|call| call.contains(
            "--scope https://vault.azure.net/.default --tenant 70a036f6-8e4d-4615-bad6-149c02e7720d"
        )),
        "{az_calls}"
    );
    let seen = replay.server.seen();
    assert!(
        seen.iter().all(|request| request
            .header("authorization")
            .is_none_or(|value| value == format!("Bearer {TOKEN}"))),
        "a token only to the challenge's vault"
    );
}

#[test]
fn delete_then_purge_waits_for_the_service() {
    let (replay, home) = Replay::recorded("delete_purge.json");
    let name = "livekvtestsecret-name75953510";
    replay.secret(&home, &["set", name, "--value-stdin"], b"secret-value");
    replay.secret(&home, &["delete", name], b"");
    let purged = replay.secret(&home, &["purge", name], b"");
    assert!(purged.contains(&format!("purged {name}")), "{purged}");
    replay.assert_all_answered();
}

/// Runs a recorded list through `kvtui secret ARGS --json` and checks every recorded item came
/// out, in order: short pages, empty pages and `:443` next links included.
fn list_as_recorded(fixture_name: &str, vault_url: &str, host: &str, args: &[&str]) {
    let scenario = entries(fixture_name);
    let recorded = recorded_names(&scenario);
    let replay = Replay::start(recorded_challenge(), scenario, &[host]);
    let home = replay.kvtui(vault_url, "7.6");
    let listed = names(&replay.secret(&home, &[args, &["--json"]].concat(), b""));
    let mut expected = recorded.clone();
    if args[0] == "versions" {
        // `versions` prints newest first; the service pages in its own order.
        expected.sort();
        let mut listed = listed.clone();
        listed.sort();
        assert_eq!(listed, expected);
    } else {
        assert_eq!(listed, expected);
    }
    replay.assert_all_answered();
}

#[test]
fn secret_lists_follow_every_page_the_service_sends() {
    // 11 pages of 4, 6, 6, 5, 3, 2, 2, 3, 2, 3 and 1 secrets for maxresults=6, each next link
    // with an explicit :443.
    list_as_recorded(
        "list_secrets.json",
        "https://vaultname.vault.azure.net",
        "vaultname.vault.azure.net",
        &["list"],
    );
}

#[test]
fn empty_pages_with_a_next_link_do_not_end_a_list() {
    // 7 secrets, then five empty pages, the first four with next links (the service pages over
    // certificates' secrets it does not return). The recording's host, keyvault_name, has an
    // underscore no real vault name can have; it is kept as recorded.
    list_as_recorded(
        "list_secrets_empty_pages.json",
        "https://keyvault_name.vault.azure.net",
        "keyvault_name.vault.azure.net",
        &["list"],
    );
}

#[test]
fn versions_and_deleted_lists_follow_every_page() {
    list_as_recorded(
        "list_versions.json",
        "https://vaultname.vault.azure.net",
        "vaultname.vault.azure.net",
        &["versions", "livekvtestsecVer208f2c03"],
    );
    list_as_recorded(
        "list_deleted.json",
        "https://vaultname.vault.azure.net",
        "vaultname.vault.azure.net",
        &["deleted"],
    );
}

#[test]
fn a_next_link_to_another_origin_is_not_followed() {
    // The recorded first page, its next link moved to another port, then to another host: the
    // token must not follow it there.
    for foreign in [
        "https://vaultname.vault.azure.net:8443/secrets?api-version=7.6&$skiptoken=x",
        "https://evil.vault.azure.net:443/secrets?api-version=7.6&$skiptoken=x",
        "http://vaultname.vault.azure.net/secrets?api-version=7.6&$skiptoken=x",
    ] {
        let mut first = entries("list_secrets.json").remove(0);
        first.body.as_mut().unwrap()["nextLink"] = Value::String(foreign.to_owned());
        let replay = Replay::start(
            recorded_challenge(),
            vec![first],
            &["vaultname.vault.azure.net"],
        );
        let home = replay.kvtui("https://vaultname.vault.azure.net", "7.6");
        let output = replay.run(&home, &["--profile", "live", "secret", "list"], b"");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("not following it"), "{stderr}");
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("livekvtestsec0c3b12b10"),
            "the first page is still shown"
        );
        assert!(
            replay
                .proxy
                .connects()
                .iter()
                .all(|c| c == "vaultname.vault.azure.net:443"),
            "{:?}",
            replay.proxy.connects()
        );
        replay.assert_all_answered();
    }
}

#[test]
fn the_tui_lists_every_recorded_page() {
    let scenario = entries("list_secrets.json");
    let total = recorded_names(&scenario).len();
    let last = recorded_names(&scenario).pop().unwrap();
    let replay = Replay::start_for(
        recorded_challenge(),
        scenario,
        &["vaultname.vault.azure.net"],
        |seen| seen.path() == "/secrets",
    );
    let home = replay.kvtui("https://vaultname.vault.azure.net", "7.6");
    let path = path_with(&stand_in_az(&home));
    let proxy = replay.proxy.url();
    let mut tui = home.tui(
        &["--profile", "live"],
        &[
            ("HTTPS_PROXY", proxy.as_str()),
            ("NO_PROXY", ""),
            ("PATH", path.as_str()),
        ],
        (100, 30),
    );
    tui.wait_until(
        &format!("the list title counting all {total} secrets"),
        Duration::from_secs(30),
        |screen| screen.contains(&format!("Secrets 1/{total}")),
    );
    tui.send("G");
    tui.wait_for(&last[..20]);
    tui.quit();
    replay.assert_all_answered();
}

#[test]
fn a_loopback_vault_is_never_reached_through_the_proxy() {
    // A jump box's HTTPS_PROXY is set for every program; the local vault (here a process, and the
    // one the TUI embeds) is on 127.0.0.1, which the proxy cannot reach.
    let vault = support::VaultProcess::start();
    let proxy = ConnectProxy::start(&[]);
    let home = Kvtui::with_config(&vault.profile_toml("local", false));
    let output = home
        .command(&["--profile", "local", "secret", "list"])
        .env("HTTPS_PROXY", proxy.url())
        .env("https_proxy", proxy.url())
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .output()
        .unwrap();
    succeeded(&output, &["secret", "list"]);
    assert_eq!(proxy.connects(), Vec::<String>::new());
}
