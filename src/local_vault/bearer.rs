//! The vault's one credential: a bearer token, checked the same way on HTTP/1.1 and HTTP/2, and
//! the 401 with the service's challenge that a request without it gets.

use super::routes::answers::{ResponseBody, error};
use hyper::header::{AUTHORIZATION, HeaderMap, HeaderValue, WWW_AUTHENTICATE};
use hyper::{Response, StatusCode};

/// The tenant named in the auth challenge; a local vault has no real tenant.
pub const TENANT: &str = "00000000-0000-0000-0000-000000000000";

/// Lets a request with this vault's `token` through; any other gets the service's 401.
// The refusal is the response sent, as a handler's is (see `routes`).
#[allow(clippy::result_large_err)]
pub fn require(token: &[u8], headers: &HeaderMap) -> Result<(), Response<ResponseBody>> {
    if authorized(token, headers) {
        Ok(())
    } else {
        Err(unauthorized(headers.contains_key(AUTHORIZATION)))
    }
}

fn unauthorized(has_token: bool) -> Response<ResponseBody> {
    let message = if has_token {
        "AKV10032: Invalid token: the bearer token is not this vault's token."
    } else {
        "AKV10000: Request is missing a Bearer or PoP token."
    };
    let mut response = error(StatusCode::UNAUTHORIZED, "Unauthorized", message);
    let challenge = format!(
        "Bearer authorization=\"https://login.windows.net/{TENANT}\", resource=\"https://vault.azure.net\""
    );
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response.headers_mut().insert(WWW_AUTHENTICATE, value);
    }
    response
}

/// Whether `headers` carry exactly one `Authorization: Bearer TOKEN` with this vault's `token`.
///
/// The header's raw bytes are compared, never a trimmed or decoded copy: HTTP/1.1's parser drops
/// the whitespace around a field value while HTTP/2 delivers it as sent, so trimming here made the
/// two protocols disagree (with an empty token, `Bearer ` was accepted over HTTP/2 alone). The
/// token part is compared in constant time; only its length can show.
pub fn authorized(token: &[u8], headers: &HeaderMap) -> bool {
    // An empty or blank token is no credential, whatever the token file held: nothing matches it.
    if token.is_empty() || token.iter().any(u8::is_ascii_whitespace) {
        return false;
    }
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return false;
    };
    let Some((scheme, presented)) = value.as_bytes().split_first_chunk::<7>() else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case(b"bearer ") {
        return false;
    }
    aws_lc_rs::constant_time::verify_slices_are_equal(presented, token).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(values: &[&[u8]]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(
                AUTHORIZATION,
                HeaderValue::from_bytes(value).expect("a header value"),
            );
        }
        headers
    }

    const TOKEN: &[u8] = b"0123456789abcdef0123456789abcdef";

    /// Asserts that each of `presented`, the one `Authorization` header, is refused for `token`.
    fn refuses_each(token: &[u8], presented: &[&[u8]]) {
        for header in presented {
            assert!(
                !authorized(token, &with(&[header])),
                "token {:?}, presented {:?}",
                String::from_utf8_lossy(token),
                String::from_utf8_lossy(header)
            );
        }
    }

    #[test]
    fn only_the_exact_token_is_accepted() {
        assert!(authorized(
            TOKEN,
            &with(&[b"Bearer 0123456789abcdef0123456789abcdef"])
        ));
        assert!(authorized(
            TOKEN,
            &with(&[b"bearer 0123456789abcdef0123456789abcdef"])
        ));
        refuses_each(
            TOKEN,
            &[
                b"Bearer 0123456789abcdef0123456789abcdef ",
                b"Bearer 0123456789abcdef0123456789abcdef\t",
                b"Bearer  0123456789abcdef0123456789abcdef",
                b"Bearer\t0123456789abcdef0123456789abcdef",
                b"Bearer 0123456789abcdef0123456789abcde",
                b"Bearer 0123456789ABCDEF0123456789ABCDEF",
                b"Basic 0123456789abcdef0123456789abcdef",
                b"Bearer",
                b"Bearer ",
                b"",
            ],
        );
        assert!(!authorized(TOKEN, &HeaderMap::new()));
        let token = b"Bearer 0123456789abcdef0123456789abcdef";
        assert!(!authorized(TOKEN, &with(&[token, token])), "two headers");
    }

    #[test]
    fn an_empty_or_blank_token_matches_nothing() {
        for token in [&b""[..], b" ", b"\t ", b"abc def"] {
            let exact = [b"Bearer ", token].concat();
            refuses_each(
                token,
                &[
                    &exact,
                    b"Bearer",
                    b"Bearer ",
                    b"Bearer  ",
                    b"Bearer \t",
                    b"",
                ],
            );
        }
    }
}
