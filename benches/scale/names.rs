//! Secret names shaped like a real vault's, the same every run.

const TEAMS: [&str; 16] = [
    "payments",
    "orders",
    "identity",
    "search",
    "billing",
    "checkout",
    "ledger",
    "fraud",
    "shipping",
    "catalog",
    "reports",
    "mobile",
    "gateway",
    "notify",
    "analytics",
    "auth",
];
const ENVS: [&str; 4] = ["prod", "staging", "dev", "qa"];
const KINDS: [&str; 12] = [
    "db-password",
    "api-key",
    "connection-string",
    "client-secret",
    "signing-cert",
    "webhook-hmac",
    "storage-key",
    "sas-token",
    "jwt-key",
    "tls-cert",
    "redis-password",
    "smtp-password",
];

/// `count` distinct names shaped like a real vault's (`payments-prod-db-password-00042`).
pub fn names(count: usize) -> Vec<String> {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..count)
        .map(|i| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let team = TEAMS[(seed % 16) as usize];
            let env = ENVS[((seed >> 8) % 4) as usize];
            let kind = KINDS[((seed >> 16) % 12) as usize];
            format!("{team}-{env}-{kind}-{i:05}")
        })
        .collect()
}
