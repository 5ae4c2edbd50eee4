//! The in-process loop: the real `App::run` over a `TestBackend`, keys from a channel, and a real
//! embedded local vault, so the effect runner (`app::tasks`) is tested without a PTY.

mod runner;

use crossterm::event::KeyCode;
use kvtui::app::Exit;
use runner::Runner;
use std::os::unix::fs::PermissionsExt;

/// The app at `width` x `height`, once it shows its vault empty.
async fn started(width: u16, height: u16) -> Runner {
    let app = Runner::start(width, height);
    app.wait_for("0 secrets in loop").await;
    app
}

/// The app at 120×32 with `name` set to `value` through the form, the way a user sets one.
async fn with_secret(name: &str, value: &str) -> Runner {
    let app = started(120, 32).await;
    app.key(KeyCode::Char('n'));
    app.wait_for("New secret").await;
    app.type_text(name);
    app.key(KeyCode::Tab);
    app.paste(value);
    app.ctrl('s');
    app.wait_for("a new secret").await;
    app.key(KeyCode::Enter);
    app.wait_for(&format!("Set {name}: new version")).await;
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_set_in_the_form_is_listed_and_read_back_from_the_vault() {
    let app = with_secret("db-password", "s3cret-over-https").await;
    let screen = app.wait_for("Secrets 1/1").await;
    assert!(screen.contains("db-password"), "{screen}");
    // The value shown is what the vault answers for the new version, masked until revealed.
    assert!(!screen.contains("s3cret-over-https"), "{screen}");
    let details = app.wait_for("(17 bytes)").await;
    assert!(!details.contains("s3cret-over-https"), "{details}");
    app.key(KeyCode::Char('v'));
    app.wait_for("s3cret-over-https").await;
    assert_eq!(app.quit().await, Exit::Quit);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_then_recovered_from_the_deleted_view() {
    let app = with_secret("api-key", "k-1").await;
    app.key(KeyCode::Esc);
    app.key(KeyCode::Char('d'));
    app.wait_for("Delete api-key?").await;
    app.key(KeyCode::Char('y'));
    app.wait_for("Deleted api-key: recoverable until").await;
    app.key(KeyCode::Char('D'));
    app.wait_for("1 deleted secrets in loop").await;
    app.key(KeyCode::Char('R'));
    app.wait_for("Recovered api-key with all its versions")
        .await;
    app.key(KeyCode::Esc);
    app.wait_for("Secrets 1/1").await;
    let log = {
        app.key(KeyCode::Char('o'));
        app.wait_for("Operations this session · 3").await
    };
    for operation in ["set", "delete", "recover"] {
        assert!(log.contains(operation), "{operation} is logged:\n{log}");
    }
    // q in a view goes back to the secrets; there it quits.
    app.key(KeyCode::Char('q'));
    app.wait_for("Secrets 1/1").await;
    assert_eq!(app.quit().await, Exit::Quit);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_goes_to_a_new_private_file() {
    let app = with_secret(
        "tls-cert",
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    )
    .await;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("tls-cert.kvbackup");
    app.key(KeyCode::Char('b'));
    app.wait_for("Back up tls-cert").await;
    app.ctrl('u');
    app.type_text(path.to_str().expect("utf-8 path"));
    app.key(KeyCode::Enter);
    app.wait_for("Backed tls-cert up to").await;
    let mode = std::fs::metadata(&path)
        .expect("the backup file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(std::fs::metadata(&path).expect("the backup file").len() > 0);
    // A second backup to the same path is refused and the prompt stays, the path kept.
    app.key(KeyCode::Char('b'));
    app.wait_for("Back up tls-cert").await;
    app.ctrl('u');
    app.type_text(path.to_str().expect("utf-8 path"));
    app.key(KeyCode::Enter);
    let screen = app.wait_for("✗").await;
    assert!(screen.contains("tls-cert.kvbackup"), "{screen}");
    app.key(KeyCode::Esc);
    assert_eq!(app.quit().await, Exit::Quit);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quitting_with_a_half_filled_form_asks_first() {
    let app = started(80, 24).await;
    app.key(KeyCode::Char('n'));
    app.wait_for("New secret").await;
    app.type_text("half-done");
    app.ctrl('c');
    app.wait_for("typed changes").await;
    app.key(KeyCode::Char('n'));
    app.type_text("-still");
    let screen = app.wait_for("half-done-still").await;
    assert!(!screen.contains("typed changes"), "{screen}");
    app.ctrl('c');
    app.wait_for("typed changes").await;
    app.key(KeyCode::Char('y'));
    assert_eq!(app.ended().await, Exit::Quit);
}

/// The log file of this test process, set up once: the loop's logging is global.
fn log_file() -> &'static std::path::Path {
    static LOG: std::sync::OnceLock<(tempfile::TempDir, std::path::PathBuf)> =
        std::sync::OnceLock::new();
    &LOG.get_or_init(|| {
        let dir = tempfile::tempdir().expect("log dir");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700))
            .expect("log dir mode");
        let path = dir.path().join("kvtui.log");
        kvtui::logging::init(&path).expect("logging");
        (dir, path)
    })
    .1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_the_screen_shows_is_logged_too() {
    let log = log_file();
    let app = started(80, 24).await;
    app.key(KeyCode::Char('v'));
    app.wait_for("no value loaded to reveal").await;
    assert_eq!(app.quit().await, Exit::Quit);
    let written = std::fs::read_to_string(log).expect("the log");
    let line = written
        .lines()
        .find(|line| line.contains("no value loaded to reveal"))
        .unwrap_or_else(|| panic!("the error is logged:\n{written}"));
    assert!(line.contains("WARN"), "{line}");
}
