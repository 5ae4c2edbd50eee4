//! The Rust SDK peer: this bench binary re-run as a child (`--peer-rust OPERATION [NAME]`), so
//! it is a one-shot process as `kvtui secret …` is. It prints a count or a name for the check.

use futures_util::{TryStream, TryStreamExt};
use std::path::PathBuf;
use std::sync::Arc;

pub fn run(args: &[String]) {
    use azure_core::http::{ClientOptions, Transport};
    use azure_security_keyvault_secrets::{SecretClient, SecretClientOptions};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let url = std::env::var("KVTUI_VAULT_URL").unwrap();
        let ca = std::fs::read(std::env::var("KVTUI_VAULT_CA").unwrap()).unwrap();
        let data_dir = PathBuf::from(std::env::var("KVTUI_VAULT_DATA").unwrap());
        let http = reqwest::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(&ca).unwrap()])
            .build()
            .unwrap();
        let options = SecretClientOptions {
            client_options: ClientOptions {
                transport: Some(Transport::new(Arc::new(http))),
                ..Default::default()
            },
            verify_challenge_resource: Some(false),
            ..Default::default()
        };
        let credential = Arc::new(kvtui::auth::LocalVaultCredential::new(
            data_dir.join("token"),
        ));
        let client = SecretClient::new(&url, credential, Some(options)).unwrap();
        match args[0].as_str() {
            "list" => println!(
                "{}",
                count(client.list_secret_properties(None).unwrap()).await
            ),
            "versions" => println!(
                "{}",
                count(
                    client
                        .list_secret_properties_versions(&args[1], None)
                        .unwrap()
                )
                .await
            ),
            "show" => {
                let secret = client
                    .get_secret(&args[1], None)
                    .await
                    .unwrap()
                    .into_model()
                    .unwrap();
                use azure_security_keyvault_secrets::ResourceExt;
                println!("{}", secret.resource_id().unwrap().name);
            }
            other => panic!("unknown peer operation {other}"),
        }
    });
}

/// How many items a pager yields, every page fetched.
async fn count<S>(mut items: S) -> usize
where
    S: TryStream + Unpin,
    S::Error: std::fmt::Debug,
{
    let mut count = 0;
    while items.try_next().await.unwrap().is_some() {
        count += 1;
    }
    count
}
