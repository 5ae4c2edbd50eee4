//! The service's 403 answers, for the `forbidden` fault: the same codes and the same message
//! shapes the real service sends (see `tests/fixtures/recorded/forbidden_bodies.json`), so the
//! client's explanation of a 403 is tested against what it will really read.

use super::faults::Forbidden;

/// What the caller was doing, in the two vocabularies the service names it in.
struct Operation {
    /// The Azure RBAC data action.
    action: &'static str,
    /// The access-policy permission.
    permission: &'static str,
}

/// The data action and access-policy permission a request needs, from its method and path
/// segments (`["secrets", name, …]`, `["deletedsecrets", …]`).
fn operation(method: &str, segments: &[&str]) -> Operation {
    let (action, permission) = match (method, segments) {
        ("GET", ["secrets"] | ["secrets", _, "versions"]) => (
            "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
            "list",
        ),
        ("GET", ["secrets", ..]) => ("Microsoft.KeyVault/vaults/secrets/getSecret/action", "get"),
        ("PUT", ["secrets", _]) => ("Microsoft.KeyVault/vaults/secrets/setSecret/action", "set"),
        ("PATCH", ["secrets", ..]) => ("Microsoft.KeyVault/vaults/secrets/update/action", "set"),
        ("DELETE", ["secrets", _]) => ("Microsoft.KeyVault/vaults/secrets/delete", "delete"),
        ("POST", ["secrets", "restore"]) => (
            "Microsoft.KeyVault/vaults/secrets/restore/action",
            "restore",
        ),
        ("POST", ["secrets", _, "backup"]) => {
            ("Microsoft.KeyVault/vaults/secrets/backup/action", "backup")
        }
        ("GET", ["deletedsecrets", ..]) => {
            ("Microsoft.KeyVault/vaults/deletedSecrets/read", "list")
        }
        ("POST", ["deletedsecrets", _, "recover"]) => (
            "Microsoft.KeyVault/vaults/deletedSecrets/recover/action",
            "recover",
        ),
        ("DELETE", ["deletedsecrets", _]) => {
            ("Microsoft.KeyVault/vaults/deletedSecrets/delete", "purge")
        }
        _ => (
            "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
            "list",
        ),
    };
    Operation { action, permission }
}

/// The local vault's stand-in for the caller the service would name.
const CALLER: &str = "appid=00000000-0000-0000-0000-00000000c0de;oid=00000000-0000-0000-0000-0000000000a1;iss=https://sts.windows.net/00000000-0000-0000-0000-000000000000/";
const CLIENT_ADDRESS: &str = "203.0.113.7";

/// The `error` object of the 403 the service sends for `reason`, with its line breaks (CR LF)
/// as the service writes them.
pub fn body(reason: Forbidden, method: &str, segments: &[&str], vault: &str) -> serde_json::Value {
    let operation = operation(method, segments);
    let (message, inner) = match reason {
        Forbidden::Rbac => (
            format!(
                "Caller is not authorized to perform action on resource.\r\nIf role assignments, \
                 deny assignments or role definitions were changed recently, please observe \
                 propagation time.\r\nCaller: {CALLER}\r\nAction: '{}'\r\nResource: \
                 '/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/local/providers/\
                 microsoft.keyvault/vaults/{vault}'\r\nAssignment: (not found)\r\n\
                 DenyAssignmentId: null\r\nDecisionReason: 'DeniedWithNoValidRBAC' \r\nVault: \
                 {vault};location=local\r\n",
                operation.action
            ),
            "ForbiddenByRbac",
        ),
        Forbidden::AccessPolicy => (
            format!(
                "The user, group or application '{CALLER}' does not have secrets {} permission on \
                 key vault '{vault};location=local'. For help resolving this issue, please see \
                 https://go.microsoft.com/fwlink/?linkid=2125287",
                operation.permission
            ),
            "AccessDenied",
        ),
        Forbidden::Firewall => (
            format!(
                "Client address is not authorized and caller is not a trusted service.\r\nClient \
                 address: {CLIENT_ADDRESS}\r\nCaller: {CALLER}\r\nVault: {vault};location=local"
            ),
            "ForbiddenByFirewall",
        ),
        Forbidden::PrivateLink => (
            format!(
                "Public network access is disabled and request is not from a trusted service nor \
                 via an approved private link.\r\nCaller: {CALLER}\r\nVault: \
                 {vault};location=local"
            ),
            "ForbiddenByConnection",
        ),
    };
    serde_json::json!({
        "error": {
            "code": "Forbidden",
            "message": message,
            "innererror": { "code": inner },
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_operation_names_its_action_and_permission() {
        let get = body(Forbidden::Rbac, "GET", &["secrets", "db", ""], "v");
        let message = get["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'\r\n"),
            "{message}"
        );
        let set = body(Forbidden::AccessPolicy, "PUT", &["secrets", "db"], "v");
        let message = set["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("does not have secrets set permission on key vault 'v;"),
            "{message}"
        );
        assert_eq!(set["error"]["innererror"]["code"], "AccessDenied");
    }
}
