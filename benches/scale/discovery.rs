//! Discovery at scale: 50 subscriptions of 4 vaults each behind a Resource Manager that answers
//! every request 40 ms after it arrives (a far region), listed by kvtui's discovery (what the
//! picker and `vault list` run) in process; the peer is the same listing made one request after
//! another. Figures are in round trips (elapsed / 40 ms). The floor for the first vaults is 3
//! (tenants, then subscriptions, then vaults); for every vault it is 4 with 32 lists in flight
//! (50 subscriptions take two rounds). A second peer makes the listing the other way issue 15
//! named, Azure Resource Graph: the tenants, then one `Resources` query per tenant for every
//! vault in it (floor 2), paged by `$skipToken` at 1,000 rows; the stub answers that query with
//! the rows it asks for (it does not evaluate KQL). `KVTUI_BENCH_TRACE=1` prints when each
//! request of the last run reached the server.

use super::support::net::{StubResponse, StubServer, TestCa};
use super::table::{Table, Target, median};
use azure_core::credentials::{AccessToken, Secret};
use kvtui::auth::{ChallengedCredential, TokenAsk};
use kvtui::discovery::arm::Arm;
use kvtui::discovery::{Discovery, Found, Via};
use kvtui::vault::TrustRoots;
use kvtui::vault::retry::RetryPolicy;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

const LATENCY: Duration = Duration::from_millis(40);
const SUBSCRIPTIONS: usize = 50;
const VAULTS_EACH: usize = 4;
const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

/// The bench signs in as no one: the server takes any bearer.
#[derive(Debug)]
struct FixedToken;

kvtui::challenged_credentials!(FixedToken);

#[async_trait::async_trait]
impl ChallengedCredential for FixedToken {
    async fn token(&self, _: TokenAsk<'_>) -> azure_core::Result<AccessToken> {
        Ok(AccessToken::new(
            Secret::new("bench-token".to_owned()),
            time::OffsetDateTime::now_utc() + time::Duration::hours(1),
        ))
    }
}

fn subscription_id(index: usize) -> String {
    format!("5f1e0c8a-0000-4000-8000-{index:012}")
}

/// The server, offering HTTP/2 (one connection, every request on it) or only HTTP/1.1 (a
/// connection, and a TLS handshake on the server's one thread, per request in flight).
fn resource_manager(http2: bool) -> (TestCa, StubServer) {
    let ca = TestCa::new();
    let mut tls = (*ca.server_config(&["localhost"])).clone();
    if http2 {
        tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    }
    let server = StubServer::https_after(Arc::new(tls), LATENCY, |request| {
        let path = request.path();
        let body = if path == RESOURCE_GRAPH {
            resource_graph_page(&request.json())
        } else if path == "/tenants" {
            json!({"value": [{"tenantId": TENANT, "displayName": "Contoso"}]})
        } else if path == "/subscriptions" {
            json!({"value": (0..SUBSCRIPTIONS).map(|i| json!({
                "subscriptionId": subscription_id(i),
                "displayName": format!("sub-{i:02}"),
                "state": "Enabled",
                "tenantId": TENANT,
            })).collect::<Vec<_>>()})
        } else {
            let subscription = path.split('/').nth(2).unwrap_or_default().to_owned();
            json!({"value": (0..VAULTS_EACH).map(|v| json!({
                "id": format!("/subscriptions/{subscription}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-{}-{v}", &subscription[24..]),
                "name": format!("kv-{}-{v}", &subscription[24..]),
                "location": "westeurope",
                "properties": {"vaultUri": format!("https://kv-{}-{v}.vault.azure.net/", &subscription[24..]), "enableRbacAuthorization": true},
            })).collect::<Vec<_>>()})
        };
        StubResponse::json(200, &body)
    });
    (ca, server)
}

/// Azure Resource Graph's query operation (`Resources`, api-version 2024-04-01).
const RESOURCE_GRAPH: &str = "/providers/Microsoft.ResourceGraph/resources";

/// The query a Graph-based discovery would send: every vault the caller may read in the tenant,
/// with what the picker shows, and its subscription's name joined in.
const VAULTS_QUERY: &str = "resources | where type =~ 'microsoft.keyvault/vaults' \
    | project id, name, location, resourceGroup, subscriptionId, tenantId, \
      vaultUri = tostring(properties.vaultUri), \
      rbac = tobool(properties.enableRbacAuthorization) \
    | join kind=leftouter (resourcecontainers \
        | where type =~ 'microsoft.resources/subscriptions' \
        | project subscriptionId, subscriptionName = name) on subscriptionId \
    | order by id asc";

/// Graph's most rows a page.
const GRAPH_PAGE: usize = 1000;

/// One page of the vaults query's rows, shaped as `ResourcesFirstPageQuery.json` in the
/// Resource Graph spec's examples (objectArray, `$skipToken` while rows are left).
fn resource_graph_page(request: &serde_json::Value) -> serde_json::Value {
    let options = &request["options"];
    let skip: usize = options["$skipToken"]
        .as_str()
        .and_then(|token| token.parse().ok())
        .unwrap_or(0);
    let top = options["$top"]
        .as_u64()
        .map_or(100, |top| top as usize)
        .min(GRAPH_PAGE);
    let total = SUBSCRIPTIONS * VAULTS_EACH;
    let rows: Vec<_> = (skip..total.min(skip + top))
        .map(|row| {
            let (subscription, v) = (subscription_id(row / VAULTS_EACH), row % VAULTS_EACH);
            let name = format!("kv-{}-{v}", &subscription[24..]);
            json!({
                "id": format!("/subscriptions/{subscription}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/{name}"),
                "name": name,
                "location": "westeurope",
                "resourceGroup": "rg",
                "subscriptionId": subscription,
                "tenantId": TENANT,
                "vaultUri": format!("https://{name}.vault.azure.net/"),
                "rbac": true,
                "subscriptionName": format!("sub-{}", row / VAULTS_EACH),
            })
        })
        .collect();
    let next = skip + rows.len();
    let mut page = json!({
        "totalRecords": total,
        "count": rows.len(),
        "resultTruncated": "false",
        "facets": [],
        "data": rows,
    });
    if next < total {
        page["$skipToken"] = json!(next.to_string());
    }
    page
}

/// `GET url` from the stub, with the bench's token: its JSON.
async fn get_json(client: &reqwest::Client, url: String) -> serde_json::Value {
    let answer = client.get(url).bearer_auth("bench-token").send().await;
    answer.unwrap().json().await.unwrap()
}

/// Round trips to the last vault listed through Resource Graph: the tenants, then each tenant's
/// query and its further pages (each page waits for the one before it, for its token).
async fn through_resource_graph(url: &str, trust: &TrustRoots) -> (f64, usize) {
    let client = trust.client_builder().unwrap().no_proxy().build().unwrap();
    let started = Instant::now();
    let tenants = get_json(&client, format!("{url}/tenants?api-version=2022-12-01")).await;
    let mut vaults = 0;
    for tenant in tenants["value"].as_array().unwrap() {
        let mut options = json!({"resultFormat": "objectArray", "$top": GRAPH_PAGE});
        loop {
            let page: serde_json::Value = client
                .post(format!("{url}{RESOURCE_GRAPH}?api-version=2024-04-01"))
                .bearer_auth(format!("bench-token-for-{}", tenant["tenantId"]))
                .json(&json!({"query": VAULTS_QUERY, "options": options}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            vaults += page["data"].as_array().unwrap().len();
            match page["$skipToken"].as_str() {
                Some(token) => options["$skipToken"] = json!(token),
                None => break,
            }
        }
    }
    (
        started.elapsed().as_secs_f64() / LATENCY.as_secs_f64(),
        vaults,
    )
}

/// Round trips to the first vaults, to the last, and to the end of the search, in one run of
/// kvtui's discovery.
async fn discover(url: &str, trust: &TrustRoots) -> (f64, f64, f64, usize) {
    let arm = Arm::new(url, Arc::new(FixedToken), trust, RetryPolicy::default()).unwrap();
    let discovery = Discovery {
        arm: Arc::new(arm),
        only_tenant: None,
        via: Via::Profile,
        vault_suffix: Some("vault.azure.net".into()),
    };
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
    let started = Instant::now();
    let run = tokio::spawn(discovery.run(sender));
    let (mut first, mut last, mut vaults) = (None, Duration::ZERO, 0);
    while let Some(found) = receiver.recv().await {
        if let Found::Vaults(page) = found {
            first.get_or_insert_with(|| started.elapsed());
            last = started.elapsed();
            vaults += page.len();
        }
    }
    run.await.unwrap().unwrap();
    let trips = |elapsed: Duration| elapsed.as_secs_f64() / LATENCY.as_secs_f64();
    let first = trips(first.unwrap_or_default());
    (first, trips(last), trips(started.elapsed()), vaults)
}

/// The same listing one request after another, as a loop over `az keyvault list --subscription`
/// would make it.
async fn sequentially(url: &str, trust: &TrustRoots) -> f64 {
    let client = trust.client_builder().unwrap().no_proxy().build().unwrap();
    let get = |path: String| get_json(&client, format!("{url}{path}"));
    let started = Instant::now();
    get("/tenants?api-version=2022-12-01".into()).await;
    get("/subscriptions?api-version=2022-12-01".into()).await;
    for index in 0..SUBSCRIPTIONS {
        get(format!(
            "/subscriptions/{}/providers/Microsoft.KeyVault/vaults?api-version=2026-02-01",
            subscription_id(index)
        ))
        .await;
    }
    started.elapsed().as_secs_f64() / LATENCY.as_secs_f64()
}

pub fn discovery_rows(runtime: &tokio::runtime::Runtime, table: &mut Table, runs: usize) {
    for http2 in [true, false] {
        let (ca, server) = resource_manager(http2);
        let url = format!("https://localhost:{}", server.addr.port());
        let trust = TrustRoots::Only(ca.pem_file.clone());
        let (mut firsts, mut alls, mut ends, mut peers, mut graphs) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for _ in 0..runs {
            let (first, all, end, vaults) = runtime.block_on(discover(&url, &trust));
            assert_eq!(vaults, SUBSCRIPTIONS * VAULTS_EACH, "every vault found");
            firsts.push(first);
            alls.push(all);
            ends.push(end);
            peers.push(runtime.block_on(sequentially(&url, &trust)));
            let (graph, vaults) = runtime.block_on(through_resource_graph(&url, &trust));
            assert_eq!(
                vaults,
                SUBSCRIPTIONS * VAULTS_EACH,
                "Graph listed every vault"
            );
            graphs.push(graph);
        }
        let over = if http2 { "HTTP/2" } else { "HTTP/1.1" };
        if std::env::var("KVTUI_BENCH_TRACE").is_ok() {
            let seen = server.seen();
            // The last run's discovery: its 52 requests, then the peer's 52 and Graph's 2.
            let ours = &seen[seen.len() - 106..seen.len() - 54];
            let start = ours[0].at;
            let offsets: Vec<String> = ours
                .iter()
                .map(|r| format!("{:.2}", r.at.duration_since(start).as_secs_f64() / 0.04))
                .collect();
            println!(
                "arrivals (round trips after the tenants list arrived): {}",
                offsets.join(" ")
            );
        }
        println!(
            "discovery over {over}: first vaults {firsts:.2?} round trips, all {alls:.2?}, search over {ends:.2?}, one at a time {peers:.2?}, Resource Graph {graphs:.2?}"
        );
        let what = |row: &str| {
            format!("discovery, 50 subscriptions × 4 vaults, 40 ms each, {over}: {row}")
        };
        // The floors hold over HTTP/2; over HTTP/1.1 the figures are shown, not judged.
        let at_most = |limit| {
            if http2 {
                Target::AtMost(limit)
            } else {
                Target::Info
            }
        };
        table.value(
            &what("first vaults shown (floor 3)"),
            median(&firsts),
            "round trips",
            at_most(3.5),
        );
        table.value(
            &what("every vault (floor 4 with 32 lists in flight)"),
            median(&alls),
            "round trips",
            at_most(5.0),
        );
        table.ratio(
            &what("every vault, against Resource Graph (one query per tenant, floor 2)"),
            median(&alls),
            "Resource Graph",
            median(&graphs),
            "round trips",
            f64::INFINITY,
        );
        table.ratio(
            &what("every vault, against one request at a time"),
            median(&alls),
            "one request at a time",
            median(&peers),
            "round trips",
            if http2 { 0.12 } else { f64::INFINITY },
        );
    }
}
