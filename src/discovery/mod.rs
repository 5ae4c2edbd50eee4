//! Vault discovery: every Key Vault the signed-in account can see, across the tenants it can sign
//! in to and their subscriptions, read from Azure Resource Manager and handed over as it arrives
//! (the first subscription's vaults before the last subscription is asked). A tenant or a
//! subscription that refuses is reported by name with the service's reason; the rest go on.
//!
//! Resource Manager is asked per subscription, concurrently, rather than through Azure Resource
//! Graph, measured against each other in `benches/scale/discovery.rs` (50 subscriptions of 4
//! vaults, 40 ms a request): Graph, one query per tenant after the tenants, lists every vault in
//! 2.2 round trips; Resource Manager shows the first vaults after 3.2 and the last after 4.3,
//! with up to [`arm::CONCURRENT_REQUESTS`] lists in flight. Graph is faster by about two round
//! trips (more with hundreds of subscriptions: each 32 more is a round trip here, while a Graph
//! page holds 1,000 vaults). It is not used because what it cannot do is what the picker
//! promises: it leaves out a subscription it cannot read without naming it, where Resource
//! Manager's refusal is reported with the service's reason; it allows a user about 15 queries
//! in 5 seconds, which a picker reopened and a `vault list` in a loop would use up; and it is a
//! second API (provider, query language, result shapes) for the same rows.

pub mod arm;
pub mod models;

use crate::auth::{Identity, credential_for, no_prompts};
use crate::cloud::Cloud;
use crate::config::{AuthMethod, Profile};
use crate::session::Session;
use crate::vault::TrustRoots;
use crate::vault::retry::RetryPolicy;
use arm::Arm;
use models::{
    KEY_VAULT_API_VERSION, RESOURCES_API_VERSION, Subscription, Tenant, VaultResource,
    resource_group,
};
use serde::Serialize;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinSet;

/// A subscription id is a GUID; whatever else Resource Manager sends cannot change the path.
const ID_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC.remove(b'-');

/// A vault as the picker and `vault list` show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FoundVault {
    pub name: String,
    pub vault_url: String,
    pub tenant_id: String,
    pub tenant: String,
    pub subscription_id: String,
    pub subscription: String,
    pub resource_group: Option<String>,
    pub location: Option<String>,
    /// `true`: Azure RBAC decides who may read secrets; `false`: the vault's access policies.
    pub rbac: bool,
    /// Whose sign-in found it, and so can open it.
    #[serde(skip)]
    pub via: Via,
}

/// The account a vault was found through.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Via {
    /// The profile discovery ran as.
    #[default]
    Profile,
    /// Whoever `az` or `azd` is signed in as, in the public cloud.
    SignedIn,
}

/// What discovery reports, in the order it learns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    Vaults(Vec<FoundVault>),
    /// A tenant or subscription that could not be read, by name, and the service's reason.
    Unreadable {
        scope: String,
        reason: String,
    },
    /// Who an account is signed in as (from its token's claims).
    SignedIn {
        account: String,
        identity: Identity,
    },
}

/// What to list: everything the credential can reach, or one tenant (a profile's `tenant_id`).
pub struct Discovery {
    pub arm: Arc<Arm>,
    pub only_tenant: Option<String>,
    pub via: Via,
    /// The cloud's vault host suffix: a vault whose URL is elsewhere is not listed (`None`: a
    /// local vault, which lists itself at its own address).
    pub vault_suffix: Option<String>,
}

/// Where vaults are looked for, named for messages.
pub struct Account {
    pub label: String,
    pub discovery: Discovery,
}

impl Account {
    /// Discovery as an open profile: a local vault's own Resource Manager for a local profile,
    /// else its cloud's, with its credential, trust and pinned tenant.
    pub fn of_session(session: &Session) -> Result<Self, String> {
        let profile = &session.profile;
        let resource_manager = if profile.auth == AuthMethod::Local {
            session.client.vault_url().to_owned()
        } else {
            profile.effective_cloud().resource_manager().to_owned()
        };
        let arm = Arm::new(
            &resource_manager,
            Arc::clone(&session.credential),
            &session.trust,
            RetryPolicy::default(),
        )?;
        Ok(Self {
            label: format!("profile {} (auth = {})", profile.name, profile.auth),
            discovery: Discovery {
                arm: Arc::new(arm),
                only_tenant: profile.tenant_id.clone(),
                via: Via::Profile,
                vault_suffix: (profile.auth != AuthMethod::Local)
                    .then(|| profile.effective_cloud().vault_suffix().to_owned()),
            },
        })
    }

    /// Whoever `az` (else `azd`) is signed in as, in the public cloud: what a jump box with
    /// `az login` done and no profile yet can see.
    pub fn signed_in() -> Result<Self, String> {
        let trust = TrustRoots::System;
        let credential = credential_for(&Profile::signed_in(), &trust, None, no_prompts())
            .map_err(|e| e.to_string())?;
        let arm = Arm::new(
            Cloud::Public.resource_manager(),
            credential,
            &trust,
            RetryPolicy::default(),
        )?;
        Ok(Self {
            label: "Azure (az or azd sign-in)".to_owned(),
            discovery: Discovery {
                arm: Arc::new(arm),
                only_tenant: None,
                via: Via::SignedIn,
                vault_suffix: Some(Cloud::Public.vault_suffix().to_owned()),
            },
        })
    }
}

/// Lists every account's vaults into `found`, all at once. An account that cannot be read at all
/// is reported by its label.
pub async fn discover(accounts: Vec<Account>, found: UnboundedSender<Found>) {
    let mut tasks = JoinSet::new();
    for account in accounts {
        let found = found.clone();
        tasks.spawn(async move {
            let arm = Arc::clone(&account.discovery.arm);
            let listed = account.discovery.run(found.clone()).await;
            if let Some(identity) = arm.identity() {
                let account = account.label.clone();
                let _ = found.send(Found::SignedIn { account, identity });
            }
            if let Err(reason) = listed {
                let _ = found.send(Found::Unreadable {
                    scope: account.label,
                    reason,
                });
            }
        });
    }
    while tasks.join_next().await.is_some() {}
}

/// What to list for an open profile: its own account, and for a local profile also whoever
/// `az` or `azd` is signed in as, so a first run on a jump box sees its Azure vaults too. An
/// account that cannot even be set up is reported in `found` instead.
pub fn accounts(session: &Session, found: &UnboundedSender<Found>) -> Vec<Account> {
    let mut made = vec![
        Account::of_session(session).map_err(|reason| Found::Unreadable {
            scope: format!("profile {}", session.profile.name),
            reason,
        }),
    ];
    if session.profile.auth == AuthMethod::Local {
        made.push(Account::signed_in().map_err(|reason| Found::Unreadable {
            scope: "Azure (az or azd sign-in)".to_owned(),
            reason,
        }));
    }
    made.into_iter()
        .filter_map(|account| {
            account
                .map_err(|unreadable| {
                    let _ = found.send(unreadable);
                })
                .ok()
        })
        .collect()
}

impl Discovery {
    /// Lists every vault into `found`. Fails only when not even the tenants can be listed (the
    /// credential gives no token, Resource Manager cannot be reached); anything later that fails
    /// is reported in `found` and the rest carry on.
    pub async fn run(self, found: UnboundedSender<Found>) -> Result<(), String> {
        let tenants = match &self.only_tenant {
            Some(tenant) => vec![Tenant {
                tenant_id: tenant.clone(),
                display_name: None,
                default_domain: None,
            }],
            None => {
                let mut tenants = Vec::new();
                let path = format!("/tenants?api-version={RESOURCES_API_VERSION}");
                self.arm
                    .list(None, &path, |page| tenants.extend(page))
                    .await?;
                tenants
            }
        };
        let search = Arc::new(Search {
            tenants: tenants
                .iter()
                .map(|t| t.tenant_id.to_ascii_lowercase())
                .collect(),
            seen: Mutex::default(),
            arm: self.arm,
            found,
            via: self.via,
            vault_suffix: self.vault_suffix,
        });
        let mut tasks = JoinSet::new();
        for tenant in tenants {
            let search = Arc::clone(&search);
            tasks.spawn(async move { search.in_tenant(tenant).await });
        }
        while tasks.join_next().await.is_some() {}
        Ok(())
    }
}

/// What every tenant's and subscription's task of one discovery shares.
struct Search {
    arm: Arc<Arm>,
    found: UnboundedSender<Found>,
    via: Via,
    vault_suffix: Option<String>,
    /// The tenants being listed, lowercase.
    tenants: HashSet<String>,
    /// The subscriptions listed so far, lowercase.
    seen: Mutex<HashSet<String>>,
}

impl Search {
    fn report(&self, scope: String, reason: String) {
        let _ = self.found.send(Found::Unreadable { scope, reason });
    }

    async fn in_tenant(self: Arc<Self>, tenant: Tenant) {
        let mut subscriptions = Vec::new();
        let path = format!("/subscriptions?api-version={RESOURCES_API_VERSION}");
        let listed = self
            .arm
            .list::<Subscription>(Some(&tenant.tenant_id), &path, |page| {
                subscriptions.extend(page)
            })
            .await;
        if let Err(reason) = listed {
            self.report(
                format!("tenant {} ({})", tenant.label(), tenant.tenant_id),
                reason,
            );
            return;
        }
        let mut tasks = JoinSet::new();
        for subscription in subscriptions {
            if !self.lists_here(&subscription, &tenant) {
                continue;
            }
            if !subscription.is_usable() {
                self.report(
                    subscription_scope(&subscription),
                    format!(
                        "the subscription is {}",
                        subscription.state.as_deref().unwrap_or_default()
                    ),
                );
                continue;
            }
            let (search, tenant) = (Arc::clone(&self), tenant.clone());
            tasks.spawn(async move { search.in_subscription(tenant, subscription).await });
        }
        while tasks.join_next().await.is_some() {}
    }

    /// A subscription shows up under every tenant that can see it (a guest's, say): it is listed
    /// in its own tenant when that is being listed too, else in the first that sees it.
    fn lists_here(&self, subscription: &Subscription, tenant: &Tenant) -> bool {
        let home = subscription
            .tenant_id
            .as_deref()
            .map(str::to_ascii_lowercase);
        if home.as_ref().is_some_and(|home| {
            *home != tenant.tenant_id.to_ascii_lowercase() && self.tenants.contains(home)
        }) {
            return false;
        }
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(subscription.subscription_id.to_ascii_lowercase())
    }

    async fn in_subscription(&self, tenant: Tenant, subscription: Subscription) {
        let path = format!(
            "/subscriptions/{}/providers/Microsoft.KeyVault/vaults?api-version={KEY_VAULT_API_VERSION}",
            percent_encoding::utf8_percent_encode(&subscription.subscription_id, ID_SEGMENT)
        );
        let listed = self
            .arm
            .list::<VaultResource>(Some(&tenant.tenant_id), &path, |page| {
                let mut vaults = Vec::new();
                for vault in page {
                    match found_vault(vault, &tenant, &subscription, self.via) {
                        Ok(found) if self.in_this_cloud(&found.vault_url) => vaults.push(found),
                        Ok(found) => self.report(
                            format!("vault {}", found.name),
                            format!(
                                "its vaultUri {} is not a vault of this cloud ({}): not listed",
                                crate::quoting::quoted_up_to(&found.vault_url, 80),
                                self.vault_suffix.as_deref().unwrap_or_default()
                            ),
                        ),
                        Err(name) => self.report(
                            format!("vault {name}"),
                            "Resource Manager gives it no https:// vaultUri: not listed".into(),
                        ),
                    }
                }
                if !vaults.is_empty() {
                    let _ = self.found.send(Found::Vaults(vaults));
                }
            })
            .await;
        if let Err(reason) = listed {
            self.report(subscription_scope(&subscription), reason);
        }
    }

    /// Whether a vault URL Resource Manager gave is one of this cloud's vaults: opening it
    /// sends a token there.
    fn in_this_cloud(&self, url: &str) -> bool {
        let Some(suffix) = &self.vault_suffix else {
            return true;
        };
        url::Url::parse(url)
            .ok()
            .and_then(|url| url.host_str().map(str::to_ascii_lowercase))
            .is_some_and(|host| host.ends_with(&format!(".{suffix}")))
    }
}

fn subscription_scope(subscription: &Subscription) -> String {
    format!(
        "subscription {} ({})",
        subscription.label(),
        subscription.subscription_id
    )
}

/// A listed vault, if it has a URL kvtui can open; else its name.
fn found_vault(
    vault: VaultResource,
    tenant: &Tenant,
    subscription: &Subscription,
    via: Via,
) -> Result<FoundVault, String> {
    let Some(url) = vault
        .properties
        .vault_uri
        .as_deref()
        .map(|url| url.trim_end_matches('/'))
        .filter(|url| url.starts_with("https://"))
        .map(str::to_owned)
    else {
        return Err(vault.name);
    };
    Ok(FoundVault {
        resource_group: resource_group(&vault.id).map(str::to_owned),
        name: vault.name,
        vault_url: url,
        tenant_id: tenant.tenant_id.clone(),
        tenant: tenant.label().to_owned(),
        subscription_id: subscription.subscription_id.clone(),
        subscription: subscription.label().to_owned(),
        location: vault.location,
        rbac: vault.properties.enable_rbac_authorization.unwrap_or(false),
        via,
    })
}
