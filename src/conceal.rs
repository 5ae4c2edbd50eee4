//! Secret values taken out of a stream of output as it goes by: what `kvtui run` does to its
//! child's stdout and stderr. Pure: bytes in, bytes out, no IO.

use zeroize::Zeroizing;

/// What each occurrence of a value is replaced with.
pub const CONCEALED: &[u8] = b"<concealed by kvtui>";

/// Replaces every occurrence of every value in a stream fed to it in chunks, split anywhere. At
/// each place the longest value that occurs there wins, and the output is the same however the
/// stream was split.
#[derive(Clone)]
pub struct Concealer {
    /// Longest first, so the first that occurs at a place is the longest one there.
    values: Vec<Zeroizing<Vec<u8>>>,
    /// Whether a value starts with the byte: text between values is passed over in runs.
    starts: [bool; 256],
    /// The end of the stream so far that is the start of some value: it is a piece of a secret
    /// until more of the stream shows otherwise.
    held: Zeroizing<Vec<u8>>,
}

impl Concealer {
    /// Empty values are left out: they occur everywhere and conceal nothing.
    pub fn new<V: AsRef<[u8]>>(values: impl IntoIterator<Item = V>) -> Self {
        let mut values: Vec<Zeroizing<Vec<u8>>> = values
            .into_iter()
            .filter(|value| !value.as_ref().is_empty())
            .map(|value| Zeroizing::new(value.as_ref().to_vec()))
            .collect();
        values.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a[..].cmp(&b[..])));
        values.dedup();
        let mut starts = [false; 256];
        for value in &values {
            starts[usize::from(value[0])] = true;
        }
        Self {
            values,
            starts,
            held: Zeroizing::new(Vec::new()),
        }
    }

    /// The next chunk of the stream: what can be written now. Bytes at its end that may begin a
    /// value are kept back for the next chunk (or `finish`) to decide.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<u8> {
        // A new buffer rather than the held one grown: growing would free the old allocation,
        // piece of a secret and all, without zeroing it.
        let mut text = Zeroizing::new(Vec::with_capacity(self.held.len() + chunk.len()));
        text.extend_from_slice(&self.held);
        text.extend_from_slice(chunk);
        let (shown, covered) = self.conceal(&text, false);
        self.held = Zeroizing::new(text[covered..].to_vec());
        shown
    }

    /// The end of the stream: what was held back, concealed where it is a whole value.
    pub fn finish(&mut self) -> Vec<u8> {
        let held = std::mem::take(&mut self.held);
        self.conceal(&held, true).0
    }

    /// `text` concealed from its start, and how much of it that covers: all of it at the end of
    /// the stream, else up to where the rest could still grow into a value (or a longer one).
    fn conceal(&self, text: &[u8], at_end: bool) -> (Vec<u8>, usize) {
        let longest = self.values.first().map_or(0, |value| value.len());
        let mut shown = Vec::with_capacity(text.len());
        let mut at = 0;
        while at < text.len() {
            let rest = &text[at..];
            let plain = rest
                .iter()
                .position(|&byte| self.starts[usize::from(byte)])
                .unwrap_or(rest.len());
            if plain > 0 {
                shown.extend_from_slice(&rest[..plain]);
                at += plain;
                continue;
            }
            if !at_end
                && rest.len() < longest
                && self
                    .values
                    .iter()
                    .any(|value| value.len() > rest.len() && value.starts_with(rest))
            {
                break;
            }
            match self.values.iter().find(|value| rest.starts_with(value)) {
                Some(value) => {
                    shown.extend_from_slice(CONCEALED);
                    at += value.len();
                }
                None => {
                    shown.push(rest[0]);
                    at += 1;
                }
            }
        }
        (shown, at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::Config;

    fn concealed(values: &[&str], chunks: &[&str]) -> String {
        let mut concealer = Concealer::new(values);
        let mut out = Vec::new();
        for chunk in chunks {
            out.extend(concealer.feed(chunk.as_bytes()));
        }
        out.extend(concealer.finish());
        String::from_utf8(out).expect("UTF-8 in, UTF-8 out")
    }

    #[test]
    fn every_occurrence_is_concealed() {
        assert_eq!(
            concealed(&["hunter2"], &["pw=hunter2\nagain hunter2!"]),
            "pw=<concealed by kvtui>\nagain <concealed by kvtui>!"
        );
    }

    #[test]
    fn a_value_split_across_chunks_is_concealed() {
        assert_eq!(
            concealed(&["hunter2"], &["pw=hun", "te", "r2 done"]),
            "pw=<concealed by kvtui> done"
        );
    }

    #[test]
    fn only_a_possible_start_of_a_value_is_held_back() {
        let mut concealer = Concealer::new(["hunter2"]);
        assert_eq!(concealer.feed(b"a hunt"), b"a ");
        assert_eq!(concealer.feed(b"ing trip"), b"hunting trip");
        assert_eq!(concealer.feed(b" hu"), b" ");
        assert_eq!(
            concealer.finish(),
            b"hu",
            "the end shows it was not the value"
        );
    }

    #[test]
    fn the_longest_value_wins_where_values_overlap() {
        assert_eq!(
            concealed(&["abc", "abcdef"], &["x abcdef y abc z"]),
            "x <concealed by kvtui> y <concealed by kvtui> z"
        );
        // The shorter one is whole before the longer one is: it must wait.
        assert_eq!(
            concealed(&["abc", "abcdef"], &["x abc", "def y"]),
            "x <concealed by kvtui> y"
        );
        assert_eq!(
            concealed(&["abc", "abcdef"], &["x abc", "de"]),
            "x <concealed by kvtui>de"
        );
    }

    #[test]
    fn empty_and_repeated_values_conceal_nothing_more() {
        assert_eq!(
            concealed(&["", "k", "k"], &["kayak"]),
            "<concealed by kvtui>aya<concealed by kvtui>"
        );
        assert_eq!(concealed(&[""], &["text"]), "text");
    }

    /// Secret values from an alphabet the filler and the replacement never use, short and few
    /// letters so that they overlap and run into each other.
    fn values() -> impl Strategy<Value = Vec<String>> {
        prop::collection::vec("[XYZ]{1,6}", 1..4)
    }

    /// Splits `text` at the `cuts` (taken modulo its length) and feeds it chunk by chunk.
    fn fed_in_pieces(concealer: &mut Concealer, text: &[u8], cuts: &[usize]) -> Vec<u8> {
        let mut cuts: Vec<usize> = cuts.iter().map(|cut| cut % (text.len() + 1)).collect();
        cuts.sort_unstable();
        let mut out = Vec::new();
        let mut from = 0;
        for cut in cuts.into_iter().chain([text.len()]) {
            out.extend(concealer.feed(&text[from..cut]));
            from = cut;
        }
        out.extend(concealer.finish());
        out
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack
            .windows(needle.len())
            .any(|window| window == needle)
    }

    proptest! {
        #![proptest_config(Config::with_cases(512))]

        /// Values set in filler text come out as the replacement, the filler as it was, however
        /// the output was split.
        #[test]
        fn values_between_text_are_replaced_and_the_text_kept(
            values in values(),
            pieces in prop::collection::vec(("[a-w \n<>]{1,8}", any::<prop::sample::Index>()), 0..12),
            cuts in prop::collection::vec(any::<usize>(), 0..8),
        ) {
            let mut text = Vec::new();
            let mut expected = Vec::new();
            for (filler, which) in &pieces {
                text.extend_from_slice(filler.as_bytes());
                expected.extend_from_slice(filler.as_bytes());
                text.extend_from_slice(which.get(&values).as_bytes());
                expected.extend_from_slice(CONCEALED);
            }
            let out = fed_in_pieces(&mut Concealer::new(&values), &text, &cuts);
            prop_assert_eq!(String::from_utf8_lossy(&out), String::from_utf8_lossy(&expected));
        }

        /// Values run together and with noise of their own letters: no value survives, and the
        /// split never changes the output.
        #[test]
        fn no_value_survives_any_split(
            values in values(),
            text in "[XYZa]{0,60}",
            cuts in prop::collection::vec(any::<usize>(), 0..8),
        ) {
            let whole = {
                let mut concealer = Concealer::new(&values);
                let mut out = concealer.feed(text.as_bytes());
                out.extend(concealer.finish());
                out
            };
            let out = fed_in_pieces(&mut Concealer::new(&values), text.as_bytes(), &cuts);
            prop_assert_eq!(&out, &whole);
            for value in &values {
                prop_assert!(!contains(&out, value.as_bytes()), "{} in {}", value, String::from_utf8_lossy(&out));
            }
        }
    }
}
