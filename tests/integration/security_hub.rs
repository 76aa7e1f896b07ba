//! The Security Hub export with real parts, run after run: the function's Security Hub client
//! against moto in server mode (behind a gate that can refuse one account, as Security Hub
//! does where it is not enabled), its Lightsail and STS clients against lightsail-local.
//!
//! moto neither validates findings nor applies `GetFindings`' filters. So every finding the
//! function sent, as the gate recorded it, is checked against botocore's own
//! `AwsSecurityFinding` (scripts/asff_check.py), and the filters are asserted as sent.

use std::process::Command;

use crate::common::gate::Gate;
use crate::common::moto::{forward, Moto};
use crate::common::*;
use chrono::{DateTime, Duration, Utc};
use lightsail_key_audit::{invoke, ocsf_lines, Invocation, Outputs, SecurityHub};
use lightsail_local::{FaultKind, Fixture, KeyFixture, RoleFixture};
use serde_json::{json, Value};

const MEMBER: &str = "210987654321";
const MEMBER_ROLE: &str = "arn:aws:iam::210987654321:role/LightsailKeyAudit";
const STALE_KEY: &str = "AKIALOGS000000000001";

/// moto behind a gate that records every request.
struct Hub {
    moto: Moto,
    gate: Gate,
    /// Every run's findings as OCSF lines, for the OCSF validator.
    ocsf: std::sync::Mutex<String>,
}

/// One request the function sent, as the gate recorded it.
struct Sent {
    path: String,
    authorization: String,
    body: Value,
}

impl Hub {
    async fn start() -> Hub {
        let moto = Moto::start().await;
        let gate = Gate::start(moto.url()).await;
        Hub {
            moto,
            gate,
            ocsf: Default::default(),
        }
    }

    /// One whole invocation at `now` over `fixture`, with `SECURITY_HUB=on`.
    async fn run(&self, fixture: Fixture, event: Value, now: DateTime<Utc>) -> Value {
        self.run_with(fixture, event, now, &[]).await
    }

    /// As [`Hub::run`], with `vars` in the function's environment too.
    async fn run_with(
        &self,
        fixture: Fixture,
        event: Value,
        now: DateTime<Utc>,
        vars: &[(&str, &str)],
    ) -> Value {
        let mut vars = vars.to_vec();
        vars.push(("SECURITY_HUB", "on"));
        let local = Local::start(fixture, &vars).await;
        let hub = SecurityHub::new(&sdk_config(&self.gate.url, "us-east-1").await);
        let outputs = Outputs {
            security_hub: Some(&hub),
            ..Outputs::default()
        };
        let invocation = Invocation::at(now).in_account(HOME_ACCOUNT);
        let report = invoke(&local.lightsail, outputs, &local.config, &event, &invocation)
            .await
            .unwrap();
        self.ocsf.lock().unwrap().push_str(&ocsf_lines(&report));
        serde_json::to_value(report).unwrap()
    }

    /// Every request the function sent since the hub started, in order, as the gate saw it.
    fn sent(&self) -> Vec<Sent> {
        self.gate
            .passed()
            .into_iter()
            .map(|p| Sent {
                path: p.path,
                authorization: p.authorization,
                body: serde_json::from_slice(&p.body).unwrap_or(Value::Null),
            })
            .collect()
    }

    /// Every finding sent for import since request number `from`.
    fn imported_since(&self, from: usize) -> Vec<Value> {
        self.sent()
            .into_iter()
            .skip(from)
            .filter(|s| s.path == "/findings/import")
            .flat_map(|s| s.body["Findings"].as_array().unwrap().clone())
            .collect()
    }

    /// The findings sent as `ARCHIVED` since request number `from`.
    fn archived_since(&self, from: usize) -> Vec<Value> {
        self.imported_since(from)
            .into_iter()
            .filter(|f| f["RecordState"] == "ARCHIVED")
            .collect()
    }

    /// Security Hub's record of `id` now, as moto holds it (one per id), read as the home
    /// account in us-east-1 (moto reads the credential scope, not the signature).
    async fn held(&self, id: &str) -> Value {
        let body = json!({"MaxResults": 100}).to_string().into_bytes();
        let scope = format!(
            "AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/20261201/us-east-1/securityhub/aws4_request, \
             SignedHeaders=host, Signature=0"
        );
        let headers = [
            ("content-type".to_owned(), "application/json".to_owned()),
            ("authorization".to_owned(), scope),
        ];
        let (status, answer) = forward(self.moto.url(), "POST", "/findings", &headers, body)
            .await
            .unwrap();
        assert_eq!(status, 200);
        let answer: Value = serde_json::from_slice(&answer).unwrap();
        answer["Findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["Id"] == id)
            .cloned()
            .unwrap_or(Value::Null)
    }
}

/// Home: `logs` (a stale key) and `media` (a key overdue for rotation);
/// member: `member-data` (a never-used key). All in us-east-1.
fn estate(with_stale_key: bool, failing_logs: bool) -> Fixture {
    let logs_keys = if with_stale_key {
        vec![key(STALE_KEY, 60.0, Some(50.0))]
    } else {
        vec![]
    };
    let logs_faults = if failing_logs {
        vec![fault(FaultKind::AccessDenied, None)]
    } else {
        vec![]
    };
    let mut fixture = fixture(vec![
        bucket_in("logs", "us-east-1", None, logs_keys, logs_faults),
        bucket_in(
            "media",
            "us-east-1",
            None,
            vec![key("AKIAMEDIA00000000001", 200.0, Some(1.0))],
            vec![],
        ),
        bucket_in(
            "member-data",
            "us-east-1",
            Some(MEMBER),
            vec![key("AKIAMEMBER0000000001", 30.0, None)],
            vec![],
        ),
    ]);
    fixture.roles.insert(MEMBER_ROLE.into(), RoleFixture::default());
    fixture
}

fn event() -> Value {
    json!({"regions": ["us-east-1"], "accounts": [{"accountId": HOME_ACCOUNT}, {"roleArn": MEMBER_ROLE}]})
}

/// `n` days from now: lightsail-local's key ages count from its start, so runs stay in step.
fn day(n: u32) -> DateTime<Utc> {
    let now = Utc::now();
    now - Duration::nanoseconds(i64::from(now.timestamp_subsec_nanos())) + Duration::days(i64::from(n))
}

fn asff_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn stale_id() -> String {
    format!("lightsail-key-audit/{HOME_ACCOUNT}/us-east-1/logs/{STALE_KEY}/STALE")
}

/// Checks `findings` with botocore's model, as Security Hub would take them.
fn assert_valid_asff(findings: &[Value], name: &str) {
    let path = std::env::temp_dir().join(format!("lka-asff-{}-{name}.json", std::process::id()));
    std::fs::write(&path, serde_json::to_vec(findings).unwrap()).unwrap();
    let python = concat!(env!("CARGO_MANIFEST_DIR"), "/.venv-moto/bin/python");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/asff_check.py");
    let output = Command::new(python).arg(script).arg(&path).output().unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(
        output.status.success(),
        "ASFF check failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn hub_summary(report: &Value) -> &Value {
    &report["summary"]["securityHub"]
}

#[tokio::test]
async fn findings_live_and_die_in_security_hub_run_after_run() {
    let hub = Hub::start().await;

    // 1. First run: every finding imported, one GetFindings per account, with the filters.
    let first = hub.run(estate(true, false), event(), day(1)).await;
    let produced = findings_total(&first);
    assert_eq!(produced, 3, "STALE, ROTATION_DUE, NEVER_USED: {first}");
    assert_eq!(
        hub_summary(&first),
        &json!({"status": "SENT", "imported": 3, "archived": 0, "failed": 0, "errors": []})
    );
    let sent = hub.sent();
    let reads: Vec<&Sent> = sent.iter().filter(|s| s.path == "/findings").collect();
    assert_eq!(reads.len(), 2, "one GetFindings per account and Region");
    for account in [HOME_ACCOUNT, MEMBER] {
        let read = reads
            .iter()
            .find(|r| r.body["Filters"]["AwsAccountId"][0]["Value"] == account)
            .unwrap_or_else(|| panic!("no GetFindings for {account}"));
        assert_eq!(
            read.body["Filters"],
            json!({
                "ProductArn": [{"Value": format!("arn:aws:securityhub:us-east-1:{account}:product/{account}/default"), "Comparison": "EQUALS"}],
                "GeneratorId": [{"Value": "lightsail-key-audit/", "Comparison": "PREFIX"}],
                "AwsAccountId": [{"Value": account, "Comparison": "EQUALS"}],
                "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}],
            })
        );
    }
    // Each account's findings are imported with that account's credentials.
    let member_import = sent
        .iter()
        .find(|s| s.path == "/findings/import" && s.body["Findings"][0]["AwsAccountId"] == MEMBER)
        .unwrap();
    assert!(member_import
        .authorization
        .contains(&format!("Credential=ASIA{MEMBER}LCAL/")));
    assert_eq!(hub.held(&stale_id()).await["RecordState"], "ACTIVE");

    // 2. The stale key is deleted: its finding is archived, the rest stay active.
    let mark = hub.sent().len();
    let second_day = day(2);
    let second = hub.run(estate(false, false), event(), second_day).await;
    assert_eq!(hub_summary(&second)["archived"], 1, "{}", hub_summary(&second));
    assert_eq!(hub_summary(&second)["imported"], 2);
    let archived = hub.archived_since(mark);
    assert_eq!(archived.len(), 1);
    assert_eq!(archived[0]["Id"], stale_id());
    assert_eq!(archived[0]["Compliance"]["Status"], "PASSED");
    assert_eq!(archived[0]["UpdatedAt"], asff_time(second_day));
    assert_eq!(
        archived[0]["ProductFields"]["lightsail-key-audit/ArchivedBecause"],
        "RESOLVED"
    );
    assert_eq!(hub.held(&stale_id()).await["RecordState"], "ARCHIVED");

    // 3. The key is back: the same id is active again.
    let third = hub.run(estate(true, false), event(), day(3)).await;
    assert_eq!(hub_summary(&third)["status"], "SENT");
    assert_eq!(hub_summary(&third)["archived"], 0);
    assert_eq!(hub.held(&stale_id()).await["RecordState"], "ACTIVE");

    // 4. The bucket fails: nothing of it is archived, though none of its findings came.
    let mark = hub.sent().len();
    let fourth = hub.run(estate(true, true), event(), day(4)).await;
    assert_eq!(fourth["summary"]["bucketsFailed"], 1);
    assert_eq!(hub_summary(&fourth)["archived"], 0, "{}", hub_summary(&fourth));
    assert!(hub
        .imported_since(mark)
        .iter()
        .all(|f| f["RecordState"] == "ACTIVE"));
    assert_eq!(hub.held(&stale_id()).await["RecordState"], "ACTIVE");

    // 5. A suppression now covers the stale key (the function's own, as configured; a
    // request's other suppressions would not speak for the schedule): archived, with its reason.
    let mark = hub.sent().len();
    let suppressions = json!([{"accessKeyId": STALE_KEY, "codes": ["STALE"],
                               "reason": "break-glass key, reviewed monthly", "expires": "2099-06-30"}])
    .to_string();
    let configured = [("SUPPRESSIONS_JSON", suppressions.as_str())];
    let fifth = hub
        .run_with(estate(true, false), event(), day(5), &configured)
        .await;
    assert_eq!(hub_summary(&fifth)["archived"], 1, "{}", hub_summary(&fifth));
    let archived = hub.archived_since(mark);
    assert_eq!(archived.len(), 1);
    assert_eq!(
        archived[0]["ProductFields"]["lightsail-key-audit/ArchivedBecause"],
        "SUPPRESSED"
    );
    assert_eq!(
        archived[0]["ProductFields"]["lightsail-key-audit/SuppressionReason"],
        "break-glass key, reviewed monthly"
    );

    // An on-demand run with other suppressions (none) does not speak for the schedule: it
    // sends nothing, so the suppressed finding stays archived and its workflow is kept.
    let mark = hub.sent().len();
    let mut without_suppressions = event();
    without_suppressions["suppressions"] = json!([]);
    let on_demand = hub
        .run_with(estate(true, false), without_suppressions, day(5), &configured)
        .await;
    assert_eq!(hub_summary(&on_demand)["status"], "DISABLED");
    assert_eq!(
        hub_summary(&on_demand)["errors"][0]["code"],
        "ThresholdsOverridden"
    );
    assert_eq!(hub.sent().len(), mark, "not one call");
    assert_eq!(hub.held(&stale_id()).await["RecordState"], "ARCHIVED");

    // 6. Security Hub is not enabled in the member account: PARTIAL, the home account's
    // findings still go, and the member's failure names the account and Security Hub's code.
    hub.gate.close_to(MEMBER);
    let sixth = hub
        .run_with(estate(true, false), event(), day(6), &configured)
        .await;
    let summary = hub_summary(&sixth);
    assert_eq!(summary["status"], "PARTIAL", "{summary}");
    assert_eq!(
        summary["imported"], 1,
        "the rotation finding; the stale one is still suppressed"
    );
    assert_eq!(summary["failed"], 1);
    let error = &summary["errors"][0];
    assert_eq!(error["accountId"], MEMBER);
    assert_eq!(error["region"], "us-east-1");
    assert_eq!(error["code"], "InvalidAccessException");
    // The report is whole: the member's bucket is audited and its finding listed.
    assert_eq!(sixth["summary"]["findings"]["NEVER_USED"], 1);
    assert_eq!(sixth["summary"]["bucketsAudited"], 3);

    assert_valid_asff(&hub.imported_since(0), "lifecycle");
    crate::ocsf::checked("security-hub-runs", &hub.ocsf.lock().unwrap());
}

#[tokio::test]
async fn two_hundred_and_fifty_findings_go_in_three_calls_into_one_aggregation_region() {
    let hub = Hub::start().await;
    let keys = (0..250).map(|i| inactive(&format!("AKIABIG{i:013}"))).collect();
    let fixture = fixture(vec![bucket_in("big", "eu-west-2", None, keys, vec![])]);
    let local = Local::start(
        fixture,
        &[("SECURITY_HUB", "on"), ("SECURITY_HUB_REGION", "eu-west-1")],
    )
    .await;
    let security_hub = SecurityHub::new(&sdk_config(&hub.gate.url, "us-east-1").await);
    let outputs = Outputs {
        security_hub: Some(&security_hub),
        ..Outputs::default()
    };
    let invocation = Invocation::at(day(1)).in_account(HOME_ACCOUNT);
    let report = invoke(
        &local.lightsail,
        outputs,
        &local.config,
        &json!({"regions": ["eu-west-2"]}),
        &invocation,
    )
    .await
    .unwrap();
    let report = serde_json::to_value(report).unwrap();
    assert_eq!(report["summary"]["findings"]["INACTIVE"], 250);
    assert_eq!(hub_summary(&report)["imported"], 250, "{}", hub_summary(&report));
    let imports: Vec<Sent> = hub
        .sent()
        .into_iter()
        .filter(|s| s.path == "/findings/import")
        .collect();
    let sizes: Vec<usize> = imports
        .iter()
        .map(|s| s.body["Findings"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [100, 100, 50]);
    for import in &imports {
        assert!(import
            .authorization
            .contains("/eu-west-1/securityhub/aws4_request"));
        for finding in import.body["Findings"].as_array().unwrap() {
            assert_eq!(
                finding["ProductArn"],
                format!("arn:aws:securityhub:eu-west-1:{HOME_ACCOUNT}:product/{HOME_ACCOUNT}/default")
            );
            assert_eq!(
                finding["Resources"][0]["Region"], "eu-west-2",
                "the resource keeps its Region"
            );
        }
    }
    assert_valid_asff(&hub.imported_since(0), "batches");
}

/// An inactive key created a day ago: one `INACTIVE` finding and nothing else.
fn inactive(id: &str) -> KeyFixture {
    KeyFixture {
        status: "Inactive".into(),
        ..key(id, 1.0, None)
    }
}
