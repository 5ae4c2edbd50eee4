//! Unicode's format characters (general category Cf), which a terminal does not show as
//! themselves yet which change what is shown. The CLI writes them as escapes and the TUI draws
//! them visibly, as both do for control characters.
//!
//! All of Cf, with no exception, because every one of them can make text read other than it is:
//! the bidi embeddings, overrides and isolates (U+202A–202E, U+2066–2069) and marks (U+200E,
//! U+200F, U+061C) reorder what follows (`env=<U+202E>DORP` reads `env=PROD`); the zero-width
//! space, joiners, word joiner and byte-order mark (U+200B–200D, U+2060, U+FEFF), the invisible
//! operators (U+2061–2064), the soft hyphen and the Mongolian vowel separator split or join words
//! without a trace, so two different names look the same; the tag characters (U+E0001,
//! U+E0020–E007F) spell ASCII no one sees; interlinear annotations (U+FFF9–FFFB), the deprecated
//! shaping controls (U+206A–206F), and the Egyptian, shorthand and musical format controls
//! arrange or hide neighbouring text; the Arabic, Syriac and Kaithi number marks span the digits
//! after them. None belongs in a secret's name, tag or content type; the cost is that an emoji
//! joined with U+200D shows as its parts.

/// Unicode 16.0's Cf ranges: the table regex-syntax 0.8 generates from the UCD
/// (`ucd-generate general-category ucd-16.0.0`, `FORMAT`).
const FORMAT: [(char, char); 21] = [
    ('\u{ad}', '\u{ad}'),
    ('\u{600}', '\u{605}'),
    ('\u{61c}', '\u{61c}'),
    ('\u{6dd}', '\u{6dd}'),
    ('\u{70f}', '\u{70f}'),
    ('\u{890}', '\u{891}'),
    ('\u{8e2}', '\u{8e2}'),
    ('\u{180e}', '\u{180e}'),
    ('\u{200b}', '\u{200f}'),
    ('\u{202a}', '\u{202e}'),
    ('\u{2060}', '\u{2064}'),
    ('\u{2066}', '\u{206f}'),
    ('\u{feff}', '\u{feff}'),
    ('\u{fff9}', '\u{fffb}'),
    ('\u{110bd}', '\u{110bd}'),
    ('\u{110cd}', '\u{110cd}'),
    ('\u{13430}', '\u{1343f}'),
    ('\u{1bca0}', '\u{1bca3}'),
    ('\u{1d173}', '\u{1d17a}'),
    ('\u{e0001}', '\u{e0001}'),
    ('\u{e0020}', '\u{e007f}'),
];

/// Whether `c` is a format character (see the module's docs for why each kind matters).
pub fn is_format(c: char) -> bool {
    FORMAT
        .binary_search_by(|&(first, last)| {
            if last < c {
                std::cmp::Ordering::Less
            } else if first > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Whether a UTF-8 encoding that starts with `byte` can be a format character's. A scan of
/// bytes with it clears most text (ASCII, most letters and CJK) before a character is decoded.
pub fn may_start_format(byte: u8) -> bool {
    matches!(
        byte,
        0xc2 | 0xd8 | 0xdb | 0xdc | 0xe0 | 0xe1 | 0xe2 | 0xef | 0xf0 | 0xf3
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_its_ranges_apart() {
        for pair in FORMAT.windows(2) {
            assert!(pair[0].0 <= pair[0].1 && (pair[0].1 as u32) + 1 < pair[1].0 as u32);
        }
    }

    #[test]
    fn the_characters_that_hide_or_reorder_text_are_format_characters() {
        let hiding = [
            '\u{202a}',
            '\u{202b}',
            '\u{202c}',
            '\u{202d}',
            '\u{202e}',
            '\u{2066}',
            '\u{2067}',
            '\u{2068}',
            '\u{2069}',
            '\u{200e}',
            '\u{200f}',
            '\u{61c}',
            '\u{200b}',
            '\u{200c}',
            '\u{200d}',
            '\u{2060}',
            '\u{feff}',
            '\u{ad}',
            '\u{e0041}',
            '\u{e007f}',
            '\u{fff9}',
        ];
        for c in hiding {
            assert!(is_format(c), "U+{:04X}", u32::from(c));
        }
        for c in [
            'a', ' ', '\u{a0}', 'é', '…', '→', '中', '😀', '\u{2028}', '\u{fffd}',
        ] {
            assert!(!is_format(c), "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn every_format_character_starts_with_a_byte_the_scan_stops_at() {
        let mut count = 0;
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            if is_format(c) {
                count += 1;
                let mut buffer = [0; 4];
                let first = c.encode_utf8(&mut buffer).as_bytes()[0];
                assert!(may_start_format(first), "U+{:04X}", u32::from(c));
            }
        }
        assert_eq!(count, 170, "Unicode 16.0 has 170 format characters");
    }
}
