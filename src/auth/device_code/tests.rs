//! The device-code credential's unit tests: Entra's answers as parsed, what a refusal says,
//! and the endpoints.

use super::answers::parse_answer;
use super::*;
use serde_json::json;

fn refused(body: serde_json::Value) -> OAuthError {
    match parse_answer::<TokenAnswer>(400, body.to_string().as_bytes()) {
        Ok(Answer::Refused(error)) => error,
        other => panic!("not refused: {:?}", other.map(|_| ())),
    }
}

/// What is said of `error` in tenant `tenant` for client `c`, checked to open with `opening`.
fn said_opening(error: &OAuthError, tenant: &str, opening: &str) -> String {
    let said = ending(error, tenant, "c");
    assert!(said.starts_with(opening), "{said}");
    said
}

#[test]
fn entras_device_authorization_parses_with_seconds_as_numbers_or_strings() {
    let body = json!({
        "user_code": "DCK9QVPLX",
        "device_code": "DAQABAAEAAAD--DLA3VO7QrddgJg7WevrAgAAAAAAAAAAAAAA",
        "verification_uri": "https://microsoft.com/devicelogin",
        "expires_in": "900",
        "interval": 5,
        "message": "To sign in, use a web browser to open the page \
                    https://microsoft.com/devicelogin and enter the code DCK9QVPLX to authenticate."
    });
    let Ok(Answer::Given(grant)) =
        parse_answer::<DeviceAuthorization>(200, body.to_string().as_bytes())
    else {
        panic!("not parsed");
    };
    assert_eq!(grant.user_code, "DCK9QVPLX");
    assert_eq!(
        grant.device_code.expose_secret(),
        "DAQABAAEAAAD--DLA3VO7QrddgJg7WevrAgAAAAAAAAAAAAAA"
    );
    assert_eq!(grant.verification_uri, "https://microsoft.com/devicelogin");
    assert_eq!((grant.expires_in, grant.interval), (900, Some(5)));
    assert!(grant.message.is_some_and(|m| m.contains("DCK9QVPLX")));

    // The v1 spelling, and no interval (RFC 8628: 5 s then) and no message.
    let v1 = json!({"user_code": "A", "device_code": "d", "expires_in": 900,
        "verification_url": "https://microsoft.com/devicelogin"});
    let Ok(Answer::Given(grant)) =
        parse_answer::<DeviceAuthorization>(200, v1.to_string().as_bytes())
    else {
        panic!("not parsed");
    };
    assert_eq!(grant.verification_uri, "https://microsoft.com/devicelogin");
    assert_eq!((grant.interval, grant.message), (None, None));
}

#[test]
fn a_token_answer_keeps_the_access_and_refresh_tokens_and_drops_the_rest() {
    let body = json!({"token_type": "Bearer", "scope": "https://vault.azure.net/user_impersonation",
        "expires_in": 4799, "ext_expires_in": 4799, "access_token": "eyJ0eXAi.access",
        "refresh_token": "0.AAAA.refresh", "id_token": "eyJ0eXAi.id"});
    let Ok(Answer::Given(token)) = parse_answer::<TokenAnswer>(200, body.to_string().as_bytes())
    else {
        panic!("not parsed");
    };
    assert_eq!(token.access_token.expose_secret(), "eyJ0eXAi.access");
    assert_eq!(token.expires_in, 4799);
    assert_eq!(
        token.refresh_token.as_ref().map(|t| t.expose_secret()),
        Some("0.AAAA.refresh")
    );
    let without = json!({"access_token": "a", "expires_in": "3599"});
    let Ok(Answer::Given(token)) = parse_answer::<TokenAnswer>(200, without.to_string().as_bytes())
    else {
        panic!("not parsed");
    };
    assert!(token.refresh_token.is_none());
}

#[test]
fn an_answer_that_does_not_parse_quotes_nothing_from_it() {
    let body = br#"{"access_token": "eyJ0eXAi.leaked", "expires_in": "soon"}"#;
    let error = parse_answer::<TokenAnswer>(200, body).expect_err("not a token");
    assert!(!error.to_string().contains("leaked"), "{error}");
    assert!(!error.to_string().contains("soon"), "{error}");
    let error = parse_answer::<TokenAnswer>(502, b"<html>Bad gateway eyJ0eXAi.x</html>")
        .expect_err("not an OAuth error");
    assert!(error.to_string().contains("HTTP 502"), "{error}");
    assert!(!error.to_string().contains("eyJ0eXAi"), "{error}");
}

#[test]
fn the_polling_errors_of_rfc_8628_are_told_apart() {
    let pending = refused(json!({"error": "authorization_pending",
        "error_description": "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.\r\nTrace ID: 1\r\nCorrelation ID: 2\r\nTimestamp: 2026-11-22 10:00:00Z",
        "error_codes": [70016]}));
    assert_eq!(pending.error, "authorization_pending");
    assert!(!pending.refuses_device_code());

    let expired = refused(json!({"error": "expired_token",
        "error_description": "AADSTS70020: The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
        "error_codes": [70020]}));
    assert_eq!(ending(&expired, "t", "c"), EXPIRED);

    let declined = refused(json!({"error": "authorization_declined",
        "error_description": "AADSTS70000: The user declined the sign-in."}));
    said_opening(
        &declined,
        "t",
        "the sign-in was declined (authorization_declined: AADSTS70000",
    );
    assert!(ending(&refused(json!({"error": "access_denied"})), "t", "c").contains("declined"));
}

/// Entra's answer when a Conditional Access policy blocks the device-code flow: its
/// description runs over several lines.
fn conditional_access_block() -> serde_json::Value {
    json!({"error": "invalid_grant",
        "error_description": "AADSTS53003: Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.\r\nTrace ID: 2f8c\r\nCorrelation ID: 824f\r\nTimestamp: 2026-11-22 10:00:00Z",
        "error_codes": [53003]})
}

#[test]
fn a_tenant_that_blocks_the_device_code_flow_is_named_on_one_line() {
    let said = said_opening(
        &refused(conditional_access_block()),
        "contoso.onmicrosoft.com",
        "tenant contoso.onmicrosoft.com refuses device-code sign-in",
    );
    assert!(said.contains("AADSTS53003") && said.contains("Trace ID: 2f8c Correlation ID: 824f"));
    assert!(said.contains("use another auth kind"), "{said}");
    assert_eq!(said.lines().count(), 1, "{said}");

    // Without error_codes, the code the description starts with counts.
    let device_policy = refused(json!({"error": "invalid_grant",
        "error_description": "AADSTS50097: Device authentication is required."}));
    assert_eq!(device_policy.codes(), [50097]);
    assert!(device_policy.refuses_device_code());
    // Even when it comes as a declined sign-in.
    let denied = refused(json!({"error": "access_denied", "error_codes": [53000]}));
    assert!(ending(&denied, "t", "c").contains("refuses device-code sign-in"));
}

#[test]
fn any_other_refusal_names_the_tenant_and_the_client_to_check() {
    let unknown = refused(json!({"error": "unauthorized_client",
        "error_description": "AADSTS700016: Application with identifier 'c' was not found in the directory 't'.",
        "error_codes": [700016]}));
    let said = said_opening(
        &unknown,
        "t",
        "Entra refused the device-code sign-in in tenant t for client c (unauthorized_client: AADSTS700016",
    );
    assert!(said.contains("client_id"), "{said}");
    assert_eq!(
        refused(json!({"error": "x", "error_description": "no code"})).codes(),
        Vec::<u64>::new()
    );
}

#[test]
fn endpoints_keep_the_tenant_to_one_path_segment() {
    let credential = DeviceCodeCredential::new(
        "p",
        "https://login.microsoftonline.com/",
        None,
        AZURE_CLI_CLIENT_ID.to_owned(),
        &TrustRoots::System,
        Arc::new(|_| {}),
    )
    .expect("credential");
    assert_eq!(
        credential.endpoint("organizations", "devicecode").as_str(),
        "https://login.microsoftonline.com/organizations/oauth2/v2.0/devicecode"
    );
    assert_eq!(
        credential.endpoint("a/../b?c", "token").as_str(),
        "https://login.microsoftonline.com/a%2F..%2Fb%3Fc/oauth2/v2.0/token"
    );
    for insecure in [
        "http://login.microsoftonline.com",
        "login.microsoftonline.com",
    ] {
        let refused = DeviceCodeCredential::new(
            "p",
            insecure,
            None,
            String::new(),
            &TrustRoots::System,
            Arc::new(|_| {}),
        )
        .expect_err(insecure);
        assert!(refused.contains("https://"), "{refused}");
    }
}
