//! The local vault's bearer token: `token` in its data dir, 64 hex characters made on first
//! start. The vault and the client read it through the same checks, so a token file another
//! user wrote or can read is never used, and neither is one too short to be beyond guessing (an
//! empty token would let in every request that sends none).

use crate::file_trust::{self, FileRule, FileTrustError, Limit, Place};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

pub const TOKEN_FILE: &str = "token";
/// Shorter tokens are refused, whoever wrote them.
pub const MIN_TOKEN_CHARS: usize = 32;
/// Random bytes in a new token (hex: twice as many characters).
const NEW_TOKEN_BYTES: usize = 32;
const FILE_LIMIT: Limit = Limit {
    bytes: 4096,
    what: "a token file",
};

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error(transparent)]
    Untrusted(#[from] FileTrustError),
    #[error(
        "{}: {problem}; delete the file (`rm {}`) and a new token is made when the local vault \
         next starts",
        path.display(), path.display()
    )]
    Malformed { path: PathBuf, problem: String },
    #[error("{}: no token: start the local vault on this data dir first", path.display())]
    Missing { path: PathBuf },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The characters of an RFC 6750 bearer token (b64token), the only ones a header can carry.
fn is_token_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-._~+/=".contains(&byte)
}

/// The token in `raw`, surrounding whitespace aside (a file written with `echo` ends in a
/// newline). Problems are described, never quoted.
fn parse(raw: &[u8], path: &Path) -> Result<Zeroizing<String>, TokenError> {
    let malformed = |problem: String| TokenError::Malformed {
        path: path.to_owned(),
        problem,
    };
    let text = std::str::from_utf8(raw).map_err(|_| malformed("it is not text".into()))?;
    let token = text.trim();
    if token.chars().count() < MIN_TOKEN_CHARS {
        return Err(malformed(format!(
            "the token in it is {} characters long; a token has at least {MIN_TOKEN_CHARS}",
            token.chars().count()
        )));
    }
    if !token.bytes().all(is_token_char) {
        return Err(malformed(
            "it holds characters a bearer token cannot (spaces, quotes, control characters): \
             it is not a token"
                .into(),
        ));
    }
    Ok(Zeroizing::new(token.to_owned()))
}

/// For the vault, holding its data dir's lock: the token, made when there is none. An empty
/// file counts as none (a kvtui from before token writes were atomic, killed mid-write).
pub(crate) fn load_or_create(data_dir: &Path) -> Result<Zeroizing<String>, TokenError> {
    let path = data_dir.join(TOKEN_FILE);
    match file_trust::read(&path, FileRule::Remade, FILE_LIMIT)? {
        Some(raw) if !raw.is_empty() => parse(&raw, &path),
        _ => {
            let token = Zeroizing::new(crate::random::hex(NEW_TOKEN_BYTES));
            crate::fsutil::write_private_file(&path, token.as_bytes())
                .map_err(|source| TokenError::Write { path, source })?;
            Ok(token)
        }
    }
}

/// For a client: the token in `path`, after checking the data dir that holds it.
pub fn read(path: &Path) -> Result<Zeroizing<String>, TokenError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let dir = file_trust::check_dir(dir, Place::DataDir)?;
    let path = dir.join(path.file_name().unwrap_or_default());
    match file_trust::read(&path, FileRule::Remade, FILE_LIMIT)? {
        Some(raw) => parse(&raw, &path),
        None => Err(TokenError::Missing { path }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_long_enough_bearer_token_is_one() {
        let path = Path::new("/data/token");
        let good = "0123456789abcdef0123456789abcdef";
        assert_eq!(
            parse(format!("{good}\n").as_bytes(), path)
                .expect("a token")
                .as_str(),
            good
        );
        for bad in [
            "",
            "\n",
            " \t\n",
            &good[1..],
            "0123456789abcdef 0123456789abcdef",
        ] {
            let error = parse(bad.as_bytes(), path).expect_err(bad).to_string();
            assert!(
                error.contains("/data/token") && error.contains("rm /data/token"),
                "{error}"
            );
        }
        let short = parse(b"hunter2", path).expect_err("short").to_string();
        assert!(
            short.contains("7 characters long") && !short.contains("hunter2"),
            "{short}"
        );
        assert!(parse(&[0xff; 40], path).is_err());
    }
}
