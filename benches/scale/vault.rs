//! The vault the process rows run against: a release `kvtui local-vault` seeded over HTTPS, and
//! the commands (kvtui, the Python peer, the Rust peer) pointed at it.

use crate::names::names;
use crate::support::{API, VaultProcess};
use crate::{KVTUI, VERSIONED, peer_wanted};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

pub struct Bench {
    vault: VaultProcess,
    pub root: PathBuf,
    /// The kvtui config dir with a `bench` profile on the vault.
    pub config_dir: PathBuf,
    pub names: Vec<String>,
}

impl Bench {
    pub fn start(root: &Path, secrets: usize) -> Self {
        let data = root.join("vault");
        let _ = std::fs::remove_dir_all(&data);
        std::fs::create_dir_all(&data).unwrap();
        let vault = VaultProcess::start_in(&data, &[]);
        let config_dir = root.join("config");
        std::fs::create_dir_all(&config_dir).unwrap();
        std::fs::write(
            config_dir.join("config.toml"),
            format!(
                "default_profile = \"bench\"\n\n[profiles.bench]\nvault_url = \"{}\"\nauth = \"local\"\nlocal_data_dir = \"{}\"\n",
                vault.url,
                vault.data_dir.display()
            ),
        )
        .unwrap();
        Self {
            vault,
            root: root.to_owned(),
            config_dir,
            names: names(secrets),
        }
    }

    /// Sets every secret (content type and a tag, as real ones have) and the versions of one,
    /// over HTTPS with 16 requests in flight.
    pub async fn seed(&self, versions: usize) {
        let started = Instant::now();
        let client = self.vault.client();
        let mut work: Vec<(String, String)> = self
            .names
            .iter()
            .map(|name| (name.clone(), format!("value of {name}")))
            .collect();
        work.extend((0..versions).map(|i| (VERSIONED.to_owned(), format!("version {i}"))));
        let work = Arc::new(Mutex::new(work));
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let client = client.clone();
                let work = Arc::clone(&work);
                let url = self.vault.url.clone();
                let token = self.vault.token.clone();
                tokio::spawn(async move {
                    loop {
                        let Some((name, value)) = work.lock().unwrap().pop() else {
                            return;
                        };
                        let team = name.split('-').next().unwrap_or("none").to_owned();
                        let response = client
                            .put(format!("{url}/secrets/{name}?{API}"))
                            .bearer_auth(&token)
                            .json(&serde_json::json!({
                                "value": value,
                                "contentType": "text/plain",
                                "tags": {"owner": team},
                            }))
                            .send()
                            .await
                            .unwrap();
                        assert_eq!(response.status(), 200, "seeding {name}");
                        // Read the answer: a dropped one is a cancelled stream, and the server
                        // ends a connection that sees too many of those.
                        response.bytes().await.unwrap();
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        println!(
            "seeded {} secrets and {versions} versions of {VERSIONED} in {:.1} s",
            self.names.len(),
            started.elapsed().as_secs_f64()
        );
    }

    pub fn sorted_names(&self) -> Vec<String> {
        let mut sorted: Vec<String> = self.names.clone();
        sorted.push(VERSIONED.to_owned());
        sorted.sort_by_key(|name| name.to_ascii_lowercase());
        sorted
    }

    pub fn kvtui(&self, args: &[&str]) -> Command {
        kvtui_command(&self.root, &self.config_dir, args)
    }

    fn peer_env(&self, command: &mut Command) {
        vault_env(command, &self.vault, &self.root);
    }

    pub fn python_peer(&self, python: &str, args: &[&str]) -> Command {
        python_peer_on(python, &self.vault, &self.root, args)
    }

    pub fn rust_peer(&self, args: &[&str]) -> Command {
        let mut command = Command::new(std::env::current_exe().unwrap());
        command.arg("--peer-rust").args(args);
        self.peer_env(&mut command);
        command
    }
}

/// `kvtui ARGS` on the config in `config_dir`, with its data dir under `root`.
pub fn kvtui_command(root: &Path, config_dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(KVTUI);
    command
        .args(args)
        .env("KVTUI_CONFIG_DIR", config_dir)
        .env("KVTUI_DATA_DIR", root.join("cli-data"))
        .env_remove("KVTUI_LOG")
        .stdin(Stdio::null());
    command
}

/// The venv's Python for the Python peer; `None`, said once per row, when that peer is not
/// wanted or cannot run.
pub fn python() -> Option<String> {
    if !peer_wanted("python") {
        return None;
    }
    match venv_python() {
        Ok(python) => Some(python.clone()),
        Err(why) => {
            println!("Python peer skipped: {why}");
            None
        }
    }
}

/// Made once per bench run: `ensure-venv.sh` checks the venv's packages, which takes seconds.
fn venv_python() -> &'static Result<String, String> {
    static PYTHON: OnceLock<Result<String, String>> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let output = Command::new("bash")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/ensure-venv.sh"))
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run ensure-venv.sh: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "ensure-venv.sh failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        Ok(String::from_utf8_lossy(&output.stdout)
            .lines()
            .last()
            .unwrap_or_default()
            .trim()
            .to_owned())
    })
}

/// `python` as every Python peer runs: no bytecode written into the venv, temporary files under
/// the bench's dir.
pub fn python_command(python: &str, root: &Path) -> Command {
    let mut command = Command::new(python);
    scratch_env(&mut command, root);
    command
}

/// The Python peer `peer.py ARGS` on `vault`, with its scratch files under `root`.
pub fn python_peer_on(python: &str, vault: &VaultProcess, root: &Path, args: &[&str]) -> Command {
    let mut command = python_command(python, root);
    command.arg(peer_script()).args(args);
    vault_env(&mut command, vault, root);
    command
}

/// The variables a peer reads its vault from.
fn vault_env(command: &mut Command, vault: &VaultProcess, root: &Path) {
    command
        .env("KVTUI_VAULT_URL", &vault.url)
        .env("KVTUI_VAULT_CA", &vault.ca_file)
        .env("KVTUI_VAULT_TOKEN", &vault.token)
        .env("KVTUI_VAULT_DATA", &vault.data_dir);
    scratch_env(command, root);
}

pub fn peer_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/python/peer.py")
}

fn scratch_env(command: &mut Command, root: &Path) {
    command
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("TMPDIR", root.join("tmp"))
        .stdin(Stdio::null());
}
