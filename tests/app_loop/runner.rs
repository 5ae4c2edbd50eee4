//! Drives the real app loop in process, as slumber's tests do: a `TestBackend` for a screen, a
//! channel for the keyboard, and a real embedded local vault (over HTTPS, on loopback) behind
//! the profile. Send keys, then wait for text.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use kvtui::app::{App, Exit};
use kvtui::config::{AuthMethod, Config, ConfigSource, Profile, VaultLocation};
use kvtui::ui::Theme;
use kvtui::vault::SecretValue;
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use std::convert::Infallible;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// A `TestBackend` the test reads while the loop draws on it.
#[derive(Clone)]
pub struct SharedScreen(Arc<Mutex<TestBackend>>);

impl SharedScreen {
    fn with<T>(&self, f: impl FnOnce(&mut TestBackend) -> T) -> T {
        f(&mut self.0.lock().expect("screen lock"))
    }

    /// What the screen shows, line by line, trailing spaces trimmed.
    pub fn text(&self) -> String {
        self.with(|backend| {
            let buffer = backend.buffer();
            let mut text = String::new();
            for y in 0..buffer.area.height {
                let line: String = (0..buffer.area.width)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect();
                text.push_str(line.trim_end());
                text.push('\n');
            }
            text
        })
    }
}

impl Backend for SharedScreen {
    type Error = Infallible;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.with(|backend| backend.draw(content))
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.with(TestBackend::hide_cursor)
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.with(TestBackend::show_cursor)
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.with(TestBackend::get_cursor_position)
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        let position = position.into();
        self.with(|backend| backend.set_cursor_position(position))
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        self.with(TestBackend::clear)
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.with(|backend| backend.clear_region(clear_type))
    }

    fn size(&self) -> Result<Size, Self::Error> {
        self.with(|backend| backend.size())
    }

    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.with(TestBackend::window_size)
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.with(TestBackend::flush)
    }
}

pub struct Runner {
    keys: mpsc::UnboundedSender<io::Result<Event>>,
    pub screen: SharedScreen,
    app: tokio::task::JoinHandle<io::Result<Exit>>,
    _data: tempfile::TempDir,
}

impl Runner {
    /// The app at `width` x `height` on a profile of its own: an embedded local vault on a data
    /// dir of its own, empty.
    pub fn start(width: u16, height: u16) -> Self {
        let data = tempfile::tempdir().expect("data dir");
        std::fs::set_permissions(data.path(), std::fs::Permissions::from_mode(0o700))
            .expect("data dir mode");
        let profile = Profile {
            name: "loop".into(),
            vault: VaultLocation::Embedded,
            auth: AuthMethod::Local,
            local_data_dir: Some(data.path().to_owned()),
            ..Profile::implied_local()
        };
        let config = Config {
            source: ConfigSource::Implied { looked_for: None },
            default_profile: None,
            profiles: vec![profile],
            clipboard_clear_seconds: None,
        };
        let app = App::new(&config, None, Theme { color: false }).expect("app");
        let screen = SharedScreen(Arc::new(Mutex::new(TestBackend::new(width, height))));
        let (keys, events) = mpsc::unbounded_channel();
        let input = Box::pin(futures_util::stream::unfold(events, |mut events| async {
            events.recv().await.map(|event| (event, events))
        }));
        let backend = screen.clone();
        let app = tokio::spawn(async move {
            let mut terminal = Terminal::new(backend).expect("terminal");
            let mut no_editor = |_: &mut Terminal<SharedScreen>, _: &SecretValue| {
                Ok(Err("no editor in the loop tests".to_owned()))
            };
            app.run(&mut terminal, input, &mut no_editor).await
        });
        Self {
            keys,
            screen,
            app,
            _data: data,
        }
    }

    fn send(&self, code: KeyCode, modifiers: KeyModifiers) {
        let event = Event::Key(KeyEvent::new(code, modifiers));
        self.keys.send(Ok(event)).expect("the app reads keys");
    }

    pub fn key(&self, code: KeyCode) {
        self.send(code, KeyModifiers::NONE);
    }

    pub fn ctrl(&self, c: char) {
        self.send(KeyCode::Char(c), KeyModifiers::CONTROL);
    }

    pub fn type_text(&self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    pub fn paste(&self, text: &str) {
        let event = Event::Paste(text.to_owned());
        self.keys.send(Ok(event)).expect("the app reads keys");
    }

    /// Waits until the screen shows `text`, and returns the screen then.
    pub async fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen.text();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {text:?}; the screen:\n{screen}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// `q`, and how the loop ended.
    pub async fn quit(self) -> Exit {
        self.key(KeyCode::Char('q'));
        self.ended().await
    }

    /// How the loop ended, once it has.
    pub async fn ended(self) -> Exit {
        tokio::time::timeout(Duration::from_secs(10), self.app)
            .await
            .expect("the loop ends")
            .expect("the loop's task")
            .expect("the loop's result")
    }
}
