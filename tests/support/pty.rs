//! The real `kvtui` binary in a pseudo-terminal, its output parsed by a vt100 emulator so tests
//! read the screen a user would see, and send the bytes their keys would.

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::ffi::OsStr;
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const ENTER: &str = "\r";
pub const ESC: &str = "\x1b";
pub const TAB: &str = "\t";
/// Shift-Tab, as terminals send it.
pub const BACKTAB: &str = "\x1b[Z";

pub fn ctrl(c: char) -> String {
    char::from(c as u8 & 0x1f).to_string()
}

struct Output {
    parser: vt100::Parser,
    raw: Vec<u8>,
}

pub struct Pty {
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    output: Arc<Mutex<Output>>,
}

fn size(cols: u16, rows: u16) -> PtySize {
    PtySize {
        rows,
        cols,
        pixel_width: 0,
        pixel_height: 0,
    }
}

impl Pty {
    /// Runs `program args` in a `cols`×`rows` terminal with `env` added to ours.
    pub fn spawn(
        program: &Path,
        args: &[&str],
        env: &[(&str, impl AsRef<OsStr>)],
        (cols, rows): (u16, u16),
    ) -> Self {
        let pair = native_pty_system()
            .openpty(size(cols, rows))
            .expect("open a pty");
        let mut command = CommandBuilder::new(program);
        command.args(args);
        command.env("TERM", "xterm-256color");
        command.env_remove("NO_COLOR");
        for (key, value) in env {
            command.env(key, value);
        }
        let child = pair.slave.spawn_command(command).expect("spawn in the pty");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let output = Arc::new(Mutex::new(Output {
            parser: vt100::Parser::new(
                NonZeroU16::new(rows).unwrap(),
                NonZeroU16::new(cols).unwrap(),
                1000,
            ),
            raw: Vec::new(),
        }));
        let sink = Arc::clone(&output);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 8192];
            while let Ok(read @ 1..) = reader.read(&mut buffer) {
                let mut output = sink.lock().unwrap();
                output.parser.process(&buffer[..read]);
                output.raw.extend_from_slice(&buffer[..read]);
            }
        });
        Self {
            master: pair.master,
            writer,
            child,
            output,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("child pid")
    }

    pub fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write keys");
        self.writer.flush().expect("flush keys");
        // Let the app read each burst as its own keys, as a typist's would arrive.
        std::thread::sleep(Duration::from_millis(30));
    }

    /// Types text one key at a time.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.send(&c.to_string());
        }
    }

    /// Opens the form for a new secret and types its name and value (masked as typed).
    pub fn start_new_secret(&mut self, name: &str, value: &str) {
        self.send("n");
        self.wait_for("New secret");
        self.type_text(name);
        self.send(TAB);
        self.type_text(value);
    }

    /// Opens the form for a new version of `name`, the selected secret: the screen once it shows.
    pub fn start_new_version(&mut self, name: &str) -> String {
        self.send("e");
        self.wait_for(&format!("New version of {name}"))
    }

    /// As `start_new_secret`, then its content type and one tag, written `key=value` as the CLI's
    /// `--tag` takes it (focus is left on the tag's value).
    pub fn start_new_secret_with(
        &mut self,
        name: &str,
        value: &str,
        content_type: &str,
        tag: &str,
    ) {
        let (tag_key, tag_value) = tag.split_once('=').expect("a tag as key=value");
        self.start_new_secret(name, value);
        self.send(TAB);
        self.type_text(content_type);
        self.send(&ctrl('n'));
        self.type_text(tag_key);
        self.send(TAB);
        self.type_text(tag_value);
    }

    /// Ctrl-s in the form, then Enter on the review it opens; returns the review as shown.
    pub fn submit(&mut self) -> String {
        self.send(&ctrl('s'));
        let review = self.wait_for("Review before writing");
        self.send(ENTER);
        review
    }

    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.master.resize(size(cols, rows)).expect("resize pty");
        self.output.lock().unwrap().parser.screen_mut().set_size(
            NonZeroU16::new(rows).unwrap(),
            NonZeroU16::new(cols).unwrap(),
        );
    }

    pub fn screen(&self) -> String {
        self.output.lock().unwrap().parser.screen().contents()
    }

    /// Everything the program wrote, escape sequences included.
    pub fn raw(&self) -> Vec<u8> {
        self.output.lock().unwrap().raw.clone()
    }

    pub fn with_screen<T>(&self, read: impl FnOnce(&vt100::Screen) -> T) -> T {
        read(self.output.lock().unwrap().parser.screen())
    }

    /// Waits until the screen satisfies `ready`, and returns it; panics with the screen if it
    /// does not within `timeout`.
    pub fn wait_until(
        &self,
        what: &str,
        timeout: Duration,
        ready: impl Fn(&str) -> bool,
    ) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; the screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?}"), Duration::from_secs(20), |screen| {
            screen.contains(text)
        })
    }

    /// Waits for `text`, and then each of `also` must be on that same screen: the screen.
    pub fn wait_showing(&self, text: &str, also: &[&str]) -> String {
        let screen = self.wait_for(text);
        for part in also {
            assert!(screen.contains(part), "{part:?} is not shown:\n{screen}");
        }
        screen
    }

    /// Quits with `q` and waits for kvtui to end cleanly (exit code 0).
    pub fn quit(&mut self) {
        self.send("q");
        assert_eq!(self.wait_exit(Duration::from_secs(20)), 0);
    }

    /// Under `Kvtui::tui_in_shell`, once kvtui is ending: waits for the shell's report and
    /// checks that the terminal is back — the main screen, the cursor shown, canonical mode with
    /// echo (as `stty -a` prints them). Returns the screen, with its `EXIT=CODE` line.
    pub fn wait_terminal_given_back(&mut self) -> String {
        self.wait_for("EXIT=");
        self.wait_until("stty output", Duration::from_secs(10), |screen| {
            screen.contains("icanon")
        });
        self.wait_exit(Duration::from_secs(10));
        let screen = self.screen();
        let (alternate, hidden) = self.with_screen(|s| (s.alternate_screen(), s.hide_cursor()));
        assert!(!alternate, "left on the alternate screen:\n{screen}");
        assert!(!hidden, "the cursor is still hidden:\n{screen}");
        assert!(
            screen.contains(" icanon") && screen.contains(" echo") && !screen.contains("-icanon"),
            "the terminal was left in raw mode:\n{screen}"
        );
        screen
    }

    /// Waits for the program to exit and returns its exit code.
    pub fn wait_exit(&mut self, timeout: Duration) -> u32 {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("poll child") {
                // Let the reader drain what was written just before the exit.
                std::thread::sleep(Duration::from_millis(100));
                return status.exit_code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "did not exit in {timeout:?}; the screen:\n{}",
                    self.screen()
                );
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
