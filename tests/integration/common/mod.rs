//! Helpers shared by the integration tests: the wire to `lightsail-local`, fixtures, the audit
//! call, log capture and readers of the report.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::{BehaviorVersion, ConfigLoader, SdkConfig};
use aws_sdk_lightsail::config::retry::RetryConfig;
use aws_sdk_lightsail::config::{Credentials, Region};
use chrono::Utc;
use lightsail_key_audit::{logging, run_audit, AuditError, Config, Invocation, Lightsail};
use lightsail_local::{BucketFixture, Fault, FaultKind, Fixture, KeyFixture, Server};
use serde_json::Value;
use tracing::subscriber::DefaultGuard;

pub mod gate;
pub mod moto;

pub const ACCESS_KEY: &str = "AKIDLOCALTESTKEY0001";
pub const CREDENTIAL_SECRET: &str = "local/credential/secret/key/for/tests00";
pub const SESSION_TOKEN: &str = "local-session-token-must-never-be-logged";
pub const HOME_ACCOUNT: &str = "123456789012";

// The wire.

pub fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// The function's AWS configuration, every service pointed at `endpoint` (Lightsail and STS).
pub async fn sdk_config(endpoint: &str, region: &str) -> SdkConfig {
    // Real backoff is seconds; the retry logic is the same at milliseconds.
    let retry = RetryConfig::standard().with_initial_backoff(Duration::from_millis(5));
    wire(
        aws_config::defaults(BehaviorVersion::latest()),
        endpoint,
        region,
        retry,
    )
    .await
}

/// `loader` with the test credentials, every service pointed at `endpoint`.
async fn wire(loader: ConfigLoader, endpoint: &str, region: &str, retry: RetryConfig) -> SdkConfig {
    loader
        .region(Region::new(region.to_owned()))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new(
            ACCESS_KEY,
            CREDENTIAL_SECRET,
            Some(SESSION_TOKEN.to_owned()),
            None,
            "tests",
        ))
        .retry_config(retry)
        .load()
        .await
}

pub async fn lightsail(server: &Server, region: &str) -> Lightsail {
    Lightsail::new(&sdk_config(&server.url(), region).await).unwrap()
}

/// The production AWS configuration (`Config::aws_loader`: retries, timeouts) pointed at the
/// stand-in in us-east-1, with millisecond backoff instead of seconds.
pub async fn production_like(server: &Server, config: &Config, max_attempts: u32) -> Lightsail {
    let retry = RetryConfig::standard()
        .with_max_attempts(max_attempts)
        .with_initial_backoff(Duration::from_millis(2));
    Lightsail::new(&wire(config.aws_loader(), &server.url(), "us-east-1", retry).await).unwrap()
}

/// `lightsail-local` serving a fixture, the function's client for it in us-east-1, and the
/// function's configuration.
pub struct Local {
    pub server: Server,
    pub lightsail: Lightsail,
    pub config: Config,
}

impl Local {
    /// Serves `fixture`; the client is the test one, `vars` the function's environment.
    pub async fn start(fixture: Fixture, vars: &[(&str, &str)]) -> Self {
        let server = Server::start(fixture, loopback()).await.unwrap();
        let lightsail = lightsail(&server, "us-east-1").await;
        Self {
            server,
            lightsail,
            config: config(vars),
        }
    }

    /// Serves `fixture`; the client is configured as in production (see [`production_like`]).
    pub async fn production_like(fixture: Fixture, vars: &[(&str, &str)], max_attempts: u32) -> Self {
        let server = Server::start(fixture, loopback()).await.unwrap();
        let config = config(vars);
        let lightsail = production_like(&server, &config, max_attempts).await;
        Self {
            server,
            lightsail,
            config,
        }
    }

    pub async fn audit(&self, event: Value) -> Result<Value, AuditError> {
        audit(&self.lightsail, &self.config, event).await
    }

    /// Calls received per operation, in the order of `lightsail_local::OPERATIONS`:
    /// `GetBuckets`, `GetBucketAccessKeys`, `GetRegions`, `AssumeRole`, `GetCallerIdentity`,
    /// `ListAccounts`, `DeleteBucketAccessKey`.
    pub fn calls(&self) -> [u64; 7] {
        self.server.stats().operations
    }
}

// The function.

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

/// Captures what this thread logs at TRACE, as text or JSON lines, until the guard is dropped.
pub fn capture_logs(json: bool) -> (Captured, DefaultGuard) {
    let captured = Captured::default();
    let writer = captured.clone();
    let guard = tracing::subscriber::set_default(logging::subscriber(Some("TRACE"), None, json, move || {
        writer.clone()
    }));
    (captured, guard)
}

// Fixtures.

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
        last_used_after_reads: None,
    }
}

/// One bucket, `leaky`, holding `key`, whose secret access key comes back on the wire.
pub fn leaky(mut key: KeyFixture, secret: &str) -> Fixture {
    key.secret_access_key = Some(secret.to_owned());
    fixture(vec![bucket("leaky", vec![key], vec![])])
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
        ..BucketFixture::default()
    }
}

/// `names` as buckets in us-east-1, each holding `keys`, the `i`th with the faults `faults(i)`.
pub fn buckets(names: &[String], keys: &[KeyFixture], faults: impl Fn(usize) -> Vec<Fault>) -> Fixture {
    fixture(
        names
            .iter()
            .enumerate()
            .map(|(i, name)| bucket(name, keys.to_vec(), faults(i)))
            .collect(),
    )
}

/// `{prefix}-{i}` for `i` in `0..count`, `i` zero-padded to `width` digits.
pub fn numbered(prefix: &str, count: usize, width: usize) -> Vec<String> {
    (0..count).map(|i| format!("{prefix}-{i:0width$}")).collect()
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

/// Every answer delayed by `ms`.
pub fn latency(ms: u64) -> Fault {
    Fault {
        latency_ms: Some(ms),
        ..fault(FaultKind::Latency, None)
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
        organization: None,
        generate: None,
    }
}

// Readers of the report.

/// The report's entries, one a bucket, in report order.
pub fn entries(report: &Value) -> &[Value] {
    report["buckets"].as_array().unwrap()
}

/// `field` of each element of the JSON array `list`.
pub fn each<'a>(list: &'a Value, field: &str) -> Vec<&'a str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| item[field].as_str().unwrap())
        .collect()
}

/// The name of each report entry, in report order.
pub fn bucket_names(report: &Value) -> Vec<&str> {
    each(&report["buckets"], "bucketName")
}

/// The status of each report entry.
pub fn statuses(report: &Value) -> Vec<&str> {
    each(&report["buckets"], "status")
}

/// Every finding the report counts, over all codes (`summary.findings`).
pub fn findings_total(report: &Value) -> u64 {
    report["summary"]["findings"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum()
}

/// The code of each finding in `findings`.
pub fn codes(findings: &Value) -> Vec<&str> {
    each(findings, "code")
}

/// `account/region/bucket` per report entry, `-` where the account or region is unknown.
pub fn located(report: &Value) -> Vec<String> {
    entries(report)
        .iter()
        .map(|b| {
            format!(
                "{}/{}/{}",
                b["accountId"].as_str().unwrap_or("-"),
                b["region"].as_str().unwrap_or("-"),
                b["bucketName"].as_str().unwrap()
            )
        })
        .collect()
}

/// (bucket name, status or error code) per report entry.
pub fn outcomes(report: &Value) -> Vec<(String, String)> {
    entries(report)
        .iter()
        .map(|b| {
            let code = b["error"]["code"]
                .as_str()
                .unwrap_or(b["status"].as_str().unwrap());
            (b["bucketName"].as_str().unwrap().to_owned(), code.to_owned())
        })
        .collect()
}
