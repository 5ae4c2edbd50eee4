//! The status line's model: what is in flight, the last result, and the tickets that tie a
//! background answer to the request it answers.

use super::State;

/// How bad a status message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    Success,
    Error,
}

impl Level {
    /// How long a status message of this level stays: an error long enough to be read twice.
    pub fn shown_for_secs(self) -> i64 {
        match self {
            Self::Info | Self::Success => 10,
            Self::Error => 30,
        }
    }
}

/// An operation in flight, shown in the status bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InFlight {
    pub id: u64,
    pub label: String,
    /// Set while the client waits to retry: "retry 2/5 in 1.0s (Throttled)".
    pub retrying: Option<String>,
    /// It changes the vault (or writes a file): quitting now would leave its outcome unknown.
    pub writes: bool,
}

/// Travels from an `Effect` to the `Msg` that answers it: the profile session it was asked in
/// (`generation`) and the request among that session's (`request`, also its `InFlight` id).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticket {
    pub generation: u64,
    pub request: u64,
}

impl State {
    /// Puts `message` on the status line, for its level's time.
    pub fn report(&mut self, level: Level, message: impl Into<String>) {
        let until = self.now + level.shown_for_secs();
        self.report_until(level, message, until);
    }

    /// Puts `message` on the status line until `until` (unix seconds), or until another
    /// replaces it: for what the user must act on, such as a sign-in code that lasts minutes.
    pub fn report_until(&mut self, level: Level, message: impl Into<String>, until: i64) {
        self.last_result = Some((level, message.into()));
        self.last_result_until = until;
        self.last_result_at = self.next_id;
    }

    /// Registers a read in flight and returns its ticket.
    pub fn begin(&mut self, label: String) -> Ticket {
        self.start_flight(label, false)
    }

    /// Registers a write in flight (quitting asks first while one is) and returns its ticket.
    pub fn begin_write(&mut self, label: String) -> Ticket {
        self.start_flight(label, true)
    }

    fn start_flight(&mut self, label: String, writes: bool) -> Ticket {
        let request = self.fresh_id();
        self.in_flight.push(InFlight {
            id: request,
            label,
            retrying: None,
            writes,
        });
        Ticket {
            generation: self.generation,
            request,
        }
    }

    /// The answer for `ticket` arrived: it is no longer in flight. Returns whether it is still
    /// wanted, that is, it belongs to the profile session on screen.
    pub fn finish(&mut self, ticket: Ticket) -> bool {
        self.in_flight.retain(|flight| flight.id != ticket.request);
        self.is_current(ticket)
    }

    /// Whether `ticket` belongs to the profile session on screen (an answer for a vault the
    /// user left is dropped).
    pub fn is_current(&self, ticket: Ticket) -> bool {
        ticket.generation == self.generation
    }
}
