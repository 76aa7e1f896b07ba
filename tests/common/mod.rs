//! Helpers shared by the integration tests that run against `lightsail-local`.
#![allow(dead_code)] // each test crate uses its own subset

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_sdk_lightsail::config::retry::RetryConfig;
use aws_sdk_lightsail::config::{Credentials, Region};
use chrono::Utc;
use lightsail_key_audit::{run_audit, AuditError, Config, Invocation, Lightsail};
use lightsail_local::{BucketFixture, Fault, FaultKind, Fixture, KeyFixture, Server};
use serde_json::Value;

pub const ACCESS_KEY: &str = "AKIDLOCALTESTKEY0001";
pub const CREDENTIAL_SECRET: &str = "local/credential/secret/key/for/tests00";
pub const SESSION_TOKEN: &str = "local-session-token-must-never-be-logged";
pub const HOME_ACCOUNT: &str = "123456789012";

pub fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// The function's AWS configuration, every service pointed at `endpoint` (Lightsail and STS).
pub async fn sdk_config(endpoint: &str, region: &str) -> aws_config::SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new(
            ACCESS_KEY,
            CREDENTIAL_SECRET,
            Some(SESSION_TOKEN.to_owned()),
            None,
            "tests",
        ))
        // Real backoff is seconds; the retry logic is the same at milliseconds.
        .retry_config(RetryConfig::standard().with_initial_backoff(Duration::from_millis(5)))
        .load()
        .await
}

pub async fn lightsail(server: &Server, region: &str) -> Lightsail {
    Lightsail::new(&sdk_config(&server.url(), region).await).unwrap()
}

pub fn config(vars: &[(&str, &str)]) -> Config {
    let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Config::from_lookup(|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())).unwrap()
}

pub async fn audit(lightsail: &Lightsail, config: &Config, event: Value) -> Result<Value, AuditError> {
    let invocation = Invocation::at(Utc::now()).in_account(HOME_ACCOUNT);
    run_audit(lightsail, config, &event, &invocation)
        .await
        .map(|r| serde_json::to_value(r).unwrap())
}

pub fn demo() -> Fixture {
    Fixture::load(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo.json").as_ref()).unwrap()
}

pub fn key(id: &str, created: f64, used: Option<f64>) -> KeyFixture {
    KeyFixture {
        access_key_id: id.to_owned(),
        status: "Active".to_owned(),
        created_days_ago: created,
        last_used_days_ago: used,
        last_used_service: None,
        last_used_region: None,
        secret_access_key: None,
    }
}

pub fn bucket(name: &str, keys: Vec<KeyFixture>, faults: Vec<Fault>) -> BucketFixture {
    bucket_in(name, "us-east-1", None, keys, faults)
}

pub fn bucket_in(
    name: &str,
    region: &str,
    account: Option<&str>,
    keys: Vec<KeyFixture>,
    faults: Vec<Fault>,
) -> BucketFixture {
    BucketFixture {
        name: name.to_owned(),
        region: region.to_owned(),
        account_id: account.map(str::to_owned),
        keys,
        faults,
    }
}

pub fn fault(kind: FaultKind, times: Option<u64>) -> Fault {
    Fault {
        kind,
        times,
        latency_ms: None,
        operations: None,
        regions: None,
    }
}

pub fn fixture(buckets: Vec<BucketFixture>) -> Fixture {
    Fixture {
        page_size: 50,
        regions: None,
        credentials: Default::default(),
        roles: Default::default(),
        faults: vec![],
        buckets,
    }
}

/// (bucket name, status or error code) per report entry.
pub fn outcomes(report: &Value) -> Vec<(String, String)> {
    report["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            let code = b["error"]["code"]
                .as_str()
                .unwrap_or(b["status"].as_str().unwrap());
            (b["bucketName"].as_str().unwrap().to_owned(), code.to_owned())
        })
        .collect()
}

/// Collects what a log subscriber writes.
#[derive(Clone, Default)]
pub struct Captured(pub Arc<Mutex<Vec<u8>>>);

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
