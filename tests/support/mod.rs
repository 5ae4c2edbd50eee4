//! Starting the real `kvtui local-vault` binary for end-to-end tests, and talking to it over
//! real HTTPS with its own CA.
#![allow(dead_code, clippy::expect_used, clippy::unwrap_used)]

pub mod arm;
pub mod identity;
pub mod net;
pub mod pty;
pub mod raw;
pub mod users;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const API: &str = "api-version=2025-07-01";

/// A local vault process on a free port. Killed when dropped.
pub struct VaultProcess {
    child: Child,
    pub url: String,
    pub ca_file: PathBuf,
    pub token: String,
    pub data_dir: PathBuf,
    _owned_dir: Option<tempfile::TempDir>,
}

impl VaultProcess {
    /// A fresh vault in a new temporary data dir.
    pub fn start() -> Self {
        Self::start_with_args(&[])
    }

    pub fn start_with_args(args: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut vault = Self::start_in(dir.path(), args);
        vault._owned_dir = Some(dir);
        vault
    }

    /// A vault on an existing data dir (to restart over the same store).
    pub fn start_in(data_dir: &Path, args: &[&str]) -> Self {
        Self::start_in_with_env(data_dir, args, &[])
    }

    /// As `start_in`, with `env` added to the process's environment (say, `KVTUI_LOG`).
    pub fn start_in_with_env(data_dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_kvtui"));
        command.envs(env.iter().copied());
        Self::launch(command, data_dir, args)
            .unwrap_or_else(|stderr| panic!("local vault did not start: {stderr}"))
    }

    /// As `start_in`, but a vault that refuses to start is an answer, not a failure: what it
    /// printed on stderr.
    pub fn try_start_in(data_dir: &Path, args: &[&str]) -> Result<Self, String> {
        Self::launch(Command::new(env!("CARGO_BIN_EXE_kvtui")), data_dir, args)
    }

    /// A fresh vault started with its open-file limit at `soft` (of at most `hard`), as a shell
    /// whose `ulimit` says so would start it.
    pub fn start_with_fd_limit(soft: u64, hard: u64) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!(
                "ulimit -Sn {soft} && ulimit -Hn {hard} && exec \"$0\" \"$@\""
            ))
            .arg(env!("CARGO_BIN_EXE_kvtui"));
        let mut vault = Self::launch(command, dir.path(), &[])
            .unwrap_or_else(|stderr| panic!("local vault did not start: {stderr}"));
        vault._owned_dir = Some(dir);
        vault
    }

    /// Runs `command` (the binary, or what execs it) as `local-vault` on `data_dir` until it
    /// prints its URL; its stderr if it exits first.
    fn launch(mut command: Command, data_dir: &Path, args: &[&str]) -> Result<Self, String> {
        command.arg("local-vault");
        if !args.contains(&"--listen") {
            command.args(["--listen", "127.0.0.1:0"]);
        }
        let mut child = command
            .arg("--data-dir")
            .arg(data_dir)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn kvtui local-vault");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.trim().strip_prefix("url:") {
                    let _ = sender.send(url.trim().to_owned());
                }
            }
        });
        let url = match receiver.recv_timeout(Duration::from_secs(30)) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                let output = child.wait_with_output().expect("output");
                return Err(String::from_utf8_lossy(&output.stderr).into_owned());
            }
        };
        let token = std::fs::read_to_string(data_dir.join("token"))
            .expect("token file")
            .trim()
            .to_owned();
        Ok(Self {
            child,
            url,
            ca_file: data_dir.join("ca.pem"),
            token,
            data_dir: data_dir.to_owned(),
            _owned_dir: None,
        })
    }

    /// An HTTPS client that trusts this vault's CA and nothing else.
    pub fn client(&self) -> reqwest::Client {
        client_trusting(&self.ca_file)
    }

    /// GET `path` (with the API version added) with the vault's token, as JSON.
    pub async fn get_json(&self, client: &reqwest::Client, path: &str) -> serde_json::Value {
        let separator = if path.contains('?') { '&' } else { '?' };
        client
            .get(format!("{}{path}{separator}{API}", self.url))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("json")
    }

    /// The latest version of secret `name`, as a GET of it answers.
    pub async fn latest(&self, name: &str) -> serde_json::Value {
        self.get_json(&self.client(), &format!("/secrets/{name}"))
            .await
    }

    /// Sends `method path` with the vault's token (and `body` as JSON), adding the API version
    /// to data-plane paths; the status and the body (`null` if it is not JSON).
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let url = if path.starts_with("/_kvtui/") {
            format!("{}{path}", self.url)
        } else {
            let separator = if path.contains('?') { '&' } else { '?' };
            format!("{}{path}{separator}{API}", self.url)
        };
        let mut request = self
            .client()
            .request(method.parse().expect("a method"), url)
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }

    /// Sets `name` to `value`; the new version's id.
    pub async fn set(&self, name: &str, value: &str) -> String {
        self.set_body(name, serde_json::json!({ "value": value }))
            .await
    }

    /// Sets `name` with a whole request `body` (value, content type, tags, attributes); the new
    /// version's id.
    pub async fn set_body(&self, name: &str, body: serde_json::Value) -> String {
        let (status, bundle) = self
            .call("PUT", &format!("/secrets/{name}"), Some(body))
            .await;
        assert_eq!(status, 200, "{bundle}");
        version_of(&bundle)
    }

    /// Every version of `name` the vault lists (its first page).
    pub async fn versions(&self, name: &str) -> Vec<serde_json::Value> {
        let (_, page) = self
            .call("GET", &format!("/secrets/{name}/versions"), None)
            .await;
        page["value"].as_array().cloned().unwrap_or_default()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The process's soft and hard limit on `resource`, as `/proc/PID/limits` names it (say,
    /// "Max open files") and words them ("1024", "unlimited").
    pub fn limit(&self, resource: &str) -> [String; 2] {
        let limits =
            std::fs::read_to_string(format!("/proc/{}/limits", self.pid())).expect("limits");
        let line = limits
            .lines()
            .find_map(|line| line.strip_prefix(resource))
            .unwrap_or_else(|| panic!("no {resource:?} in {limits}"));
        let mut words = line.split_whitespace().map(str::to_owned);
        [words.next().expect("soft"), words.next().expect("hard")]
    }

    /// Sends a signal to the process.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    }

    /// kill -9, then waits for the process to be gone.
    pub fn kill_hard(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits for the process to exit by itself; `None` if it is still running after `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + timeout;
        while std::time::Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// SIGTERM, a clean stop, and waits for the exit (yielding, so that the test's own clients
    /// can close their connections meanwhile); fails the test unless it exits 0 within 20 s.
    pub async fn stop(&mut self) {
        self.signal("TERM");
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while std::time::Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                assert!(status.success(), "the vault's clean stop: {status:?}");
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the vault did not stop within 20 s of SIGTERM");
    }

    /// Takes the temporary data dir out so it outlives this process (for restarts).
    pub fn take_dir(&mut self) -> Option<tempfile::TempDir> {
        self._owned_dir.take()
    }

    /// Sets fault injection through the control endpoint.
    pub async fn set_faults(&self, faults: serde_json::Value) {
        let response = self
            .client()
            .put(format!("{}/_kvtui/faults", self.url))
            .bearer_auth(&self.token)
            .json(&faults)
            .send()
            .await
            .expect("faults request");
        assert_eq!(
            response.status(),
            200,
            "{}",
            response.text().await.unwrap_or_default()
        );
    }
}

impl Drop for VaultProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl VaultProcess {
    /// The status of every request the vault logged (`local-vault.log` in its data dir).
    pub fn logged_statuses(&self) -> Vec<u16> {
        let log =
            std::fs::read_to_string(self.data_dir.join("local-vault.log")).expect("vault log");
        log.lines()
            .filter(|line| line.contains(" request method="))
            .filter_map(|line| {
                let status = line.split(" status=").nth(1)?;
                status.split(' ').next()?.parse().ok()
            })
            .collect()
    }

    /// How many Set Secret requests (PUT on a secret) the vault logged, leaving out the 401s
    /// that only fetched its challenge.
    pub fn sets_logged(&self) -> usize {
        self.secret_requests_logged("PUT")
    }

    /// As `sets_logged`, for attribute updates (PATCH).
    pub fn updates_logged(&self) -> usize {
        self.secret_requests_logged("PATCH")
    }

    fn secret_requests_logged(&self, method: &str) -> usize {
        let log =
            std::fs::read_to_string(self.data_dir.join("local-vault.log")).expect("vault log");
        let request = format!(" request method={method} path=\"/secrets/");
        log.lines()
            .filter(|line| line.contains(&request))
            .filter(|line| !line.contains(" status=401 "))
            .count()
    }

    /// A `[profiles.NAME]` table for this vault with `auth = "local"`.
    pub fn profile_toml(&self, name: &str, read_only: bool) -> String {
        format!(
            "[profiles.{name}]\nvault_url = \"{}\"\nauth = \"local\"\nlocal_data_dir = \"{}\"\nread_only = {read_only}\n\n",
            self.url,
            self.data_dir.display()
        )
    }
}

/// Faults for `VaultProcess::set_faults`: the next `count` requests are answered `status`, each
/// saying to retry after `retry_after_secs`.
pub fn failing_next(count: u32, status: u16, retry_after_secs: u64) -> serde_json::Value {
    serde_json::json!({
        "fail_next": count,
        "error_status": status,
        "retry_after_secs": retry_after_secs,
    })
}

/// How many of `statuses` there are of each.
pub fn by_status(statuses: &[u16]) -> std::collections::BTreeMap<u16, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for status in statuses {
        *counts.entry(*status).or_default() += 1;
    }
    counts
}

/// The real `kvtui` binary with a config dir and a data dir of its own, side by side in a
/// temporary directory removed when this is dropped.
pub struct Kvtui {
    root: tempfile::TempDir,
    home: PathBuf,
    data: PathBuf,
}

impl Kvtui {
    pub fn with_config(toml: &str) -> Self {
        let kvtui = Self::without_config();
        std::fs::write(kvtui.home.join("config.toml"), toml).expect("config.toml");
        kvtui
    }

    /// No config file at all: the first run of a new user, whose platform config dir
    /// (`$XDG_CONFIG_HOME/kvtui`) holds nothing.
    pub fn without_config() -> Self {
        let root = tempfile::tempdir().expect("tempdir");
        let home = root.path().join("config");
        std::fs::create_dir(&home).expect("config dir");
        let data = root.path().join("data");
        Self { root, home, data }
    }

    /// The config dir (`KVTUI_CONFIG_DIR`), or with no config the platform's config home.
    pub fn home(&self) -> &Path {
        &self.home
    }

    fn has_config(&self) -> bool {
        self.home.join("config.toml").exists()
    }

    /// What `config.toml` in the config dir holds now.
    pub fn config_text(&self) -> String {
        std::fs::read_to_string(self.home.join("config.toml")).expect("config.toml")
    }

    pub fn data_dir(&self) -> &Path {
        &self.data
    }

    /// A scratch directory beside the config and data dirs, for what a test plants (stand-in
    /// tools, files to read).
    pub fn scratch(&self) -> &Path {
        self.root.path()
    }

    /// The variables that point kvtui at this config and data dir.
    pub fn env(&self) -> [(&'static str, &std::ffi::OsStr); 3] {
        let [config_dir, config_home] = config_env(&self.home, self.has_config());
        [
            config_dir,
            config_home,
            ("KVTUI_DATA_DIR", self.data.as_os_str()),
        ]
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_kvtui"));
        command.args(args).envs(self.env()).stdin(Stdio::null());
        command
    }

    pub fn run(&self, args: &[&str]) -> std::process::Output {
        self.command(args).output().expect("kvtui runs")
    }

    pub fn run_with_stdin(&self, args: &[&str], input: &[u8]) -> std::process::Output {
        output_with_stdin(self.command(args), input)
    }

    /// A run that must succeed: its stdout; fails the test (with its stderr) on any other exit
    /// than 0.
    pub fn ok(&self, args: &[&str]) -> String {
        succeeded(&self.run(args), args)
    }

    /// As `ok`, with `input` on stdin.
    pub fn ok_with_stdin(&self, args: &[&str], input: &[u8]) -> String {
        succeeded(&self.run_with_stdin(args, input), args)
    }

    /// As `ok`, with `--json` added: what it printed, parsed.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut args = args.to_vec();
        args.push("--json");
        serde_json::from_str(&self.ok(&args)).expect("JSON on stdout")
    }

    /// The TUI, `kvtui ARGS`, in a `cols`×`rows` pseudo-terminal on this config and data dir,
    /// with `env` added.
    pub fn tui(&self, args: &[&str], env: &[(&str, &str)], size: (u16, u16)) -> pty::Pty {
        pty::Pty::spawn(
            Path::new(env!("CARGO_BIN_EXE_kvtui")),
            args,
            &self.env_with(env),
            size,
        )
    }

    /// The TUI in a `size` terminal on a config holding only `vault`, as profile `name`; the
    /// `Kvtui` keeps the config and data dirs it runs on, so it must outlive the terminal.
    pub fn tui_on(
        vault: &VaultProcess,
        name: &str,
        read_only: bool,
        size: (u16, u16),
    ) -> (Self, pty::Pty) {
        let kvtui = Self::with_config(&vault.profile_toml(name, read_only));
        let tui = kvtui.tui(&[], &[], size);
        (kvtui, tui)
    }

    /// As `tui`, run by a shell that afterwards prints the exit code and the terminal's modes,
    /// so a test can see that kvtui gave the terminal back (`Pty::wait_terminal_given_back`).
    pub fn tui_in_shell(&self, env: &[(&str, &str)], size: (u16, u16)) -> pty::Pty {
        pty::Pty::spawn(
            Path::new("/bin/sh"),
            &[
                "-c",
                r#""$0" "$@"; echo "EXIT=$?"; stty -a"#,
                env!("CARGO_BIN_EXE_kvtui"),
            ],
            &self.env_with(env),
            size,
        )
    }

    fn env_with<'a>(
        &'a self,
        extra: &'a [(&'a str, &'a str)],
    ) -> Vec<(&'a str, &'a std::ffi::OsStr)> {
        let mut env = self.env().to_vec();
        env.extend(
            extra
                .iter()
                .map(|(key, value)| (*key, std::ffi::OsStr::new(value))),
        );
        env
    }
}

/// Its stdout, when `output` (of `kvtui ARGS`) is a success; else fails the test with what it
/// printed.
pub fn succeeded(output: &std::process::Output, args: &[&str]) -> String {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}\nstderr: {}\nstdout: {}",
        text(&output.stderr),
        text(&output.stdout)
    );
    text(&output.stdout)
}

/// A new, empty directory `name` in a scratch directory of its own; both go when the `TempDir`
/// is dropped.
pub fn scratch_dir(name: &str) -> (tempfile::TempDir, PathBuf) {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join(name);
    std::fs::create_dir(&dir).unwrap();
    (scratch, dir)
}

/// The names in `dir`, sorted: a temporary file a writer left behind shows up here.
pub fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// Fails unless `output` exited with `code` and an `error: ` line holding `expected`.
pub fn assert_fails(output: &std::process::Output, code: i32, expected: &str) {
    assert_eq!(output.status.code(), Some(code), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(
        stderr.contains(expected),
        "expected {expected:?} in {stderr}"
    );
}

/// Bytes a program printed, as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Now, in unix seconds, as the vault's dates are.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

/// An HTTPS client that trusts the CA in `ca_file` and nothing else.
pub fn client_trusting(ca_file: &Path) -> reqwest::Client {
    let pem = std::fs::read(ca_file).expect("ca file");
    let certificate = reqwest::Certificate::from_pem(&pem).expect("ca pem");
    reqwest::Client::builder()
        .tls_certs_only([certificate])
        .build()
        .expect("client")
}

/// The environment that points kvtui at `dir`: as `KVTUI_CONFIG_DIR` when it holds a config,
/// else as the platform's config home (`XDG_CONFIG_HOME`, nothing in it), where a first run
/// without a config gets the implied local profile (a `KVTUI_CONFIG_DIR` without a config is
/// an error). An empty `KVTUI_CONFIG_DIR` is taken for unset: one from the shell running the
/// tests does not leak in.
pub fn config_env(dir: &Path, has_config: bool) -> [(&'static str, &std::ffi::OsStr); 2] {
    let named = if has_config {
        dir.as_os_str()
    } else {
        std::ffi::OsStr::new("")
    };
    [
        ("KVTUI_CONFIG_DIR", named),
        ("XDG_CONFIG_HOME", dir.as_os_str()),
    ]
}

/// Runs `command` (its stdout discarded: stderr is what is read) and kills it after `timeout`,
/// so that a run that hangs fails its test rather than hanging it; its status then has no code.
pub fn output_within(mut command: Command, timeout: Duration) -> (std::process::Output, Duration) {
    let started = std::time::Instant::now();
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    while child.try_wait().expect("try_wait").is_none() && started.elapsed() < timeout {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    (child.wait_with_output().expect("output"), started.elapsed())
}

/// Runs `command` with `input` on its stdin and collects what it printed.
pub fn output_with_stdin(mut command: Command, input: &[u8]) -> std::process::Output {
    use std::io::Write;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kvtui starts");
    // A command that refuses before reading stdin may be gone already: a broken pipe here is its
    // answer, not a test failure.
    let _ = child.stdin.take().expect("stdin").write_all(input);
    child.wait_with_output().expect("kvtui ends")
}

/// What must not appear where `value` may not be, each with what it is: the value's bytes, and
/// its base64 (standard and URL-safe) at each of the three alignments it could have inside a
/// longer text.
pub fn value_needles(value: &str) -> Vec<(String, Vec<u8>)> {
    use base64::Engine;
    let mut needles = vec![(value.to_owned(), value.as_bytes().to_vec())];
    for skip in 0..3 {
        let aligned = &value.as_bytes()[skip..];
        for engine in [
            &base64::engine::general_purpose::STANDARD_NO_PAD,
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ] {
            let encoded = engine.encode(aligned);
            let stable = &encoded[..encoded.len() - 4];
            needles.push((format!("{value} in base64"), stable.as_bytes().to_vec()));
        }
    }
    needles
}

/// The version id of a secret bundle: the last segment of its id.
pub fn version_of(bundle: &serde_json::Value) -> String {
    let id = bundle["id"].as_str().expect("an id");
    id.rsplit('/').next().unwrap_or(id).to_owned()
}
