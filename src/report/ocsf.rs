//! The report's findings as OCSF Detection Finding events (class 2004, OCSF 1.5.0), the open
//! format SIEMs and Amazon Security Lake read (docs/ocsf.md).
//!
//! One event per unsuppressed finding: Create when this run first saw it (or changes are not
//! tracked), Update when a run before saw it; and one Close per finding resolved since the last
//! run. Pure: the events are made of the report alone, with the ids of [`exported`], so they
//! name the same findings Security Hub receives.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::bucket::BucketReport;
use super::changes::Resolved;
use super::contract::Report;
use super::exported::{self, Exported, FindingKey};
use crate::coverage::Location;
use crate::rules::{FindingCode, KeyReport};

/// The OCSF version the events follow: the one py-ocsf-models 0.10.0, the validator the tests
/// run, models.
pub(crate) const OCSF_VERSION: &str = "1.5.0";

/// Detection Finding.
const CLASS_UID: u32 = 2004;
/// Findings.
const CATEGORY_UID: u32 = 2;
/// The CloudFormation name of a Lightsail bucket, as resources are typed in AWS's findings.
const BUCKET_TYPE: &str = "AWS::Lightsail::Bucket";
/// OCSF's Account `type_id` for an AWS account.
const AWS_ACCOUNT: u32 = 10;

/// What an event says happened to its finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Activity {
    Create,
    Update,
    Close,
    /// Closed because a suppression covers it: a Close whose status says so.
    Suppress,
}

impl Activity {
    fn id(self) -> u32 {
        match self {
            Self::Create => 1,
            Self::Update => 2,
            Self::Close | Self::Suppress => 3,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Create => "Create",
            Self::Update => "Update",
            Self::Close | Self::Suppress => "Close",
        }
    }

    /// The finding's OCSF 1.5.0 status: New while open (In Progress means under review, which
    /// a scanner cannot know), Resolved once closed, Suppressed while a suppression covers it.
    fn status(self) -> (u32, &'static str) {
        match self {
            Self::Create | Self::Update => (1, "New"),
            Self::Close => (4, "Resolved"),
            Self::Suppress => (3, "Suppressed"),
        }
    }

    /// An open finding's activity, from whether this run is the one that first saw it.
    fn of_open(new: Option<bool>) -> Self {
        match new {
            Some(false) => Self::Update,
            Some(true) | None => Self::Create,
        }
    }
}

/// One finding, as an event tells of it.
struct Subject<'a> {
    id: String,
    code: FindingCode,
    activity: Activity,
    /// The finding's description, its place named.
    desc: String,
    first_seen: DateTime<Utc>,
    /// `None` for a closed finding: the state records no last sighting.
    last_seen: Option<DateTime<Utc>>,
    account_id: &'a str,
    region: &'a str,
    resource: Value,
}

/// Every event of `report`: its open findings, its suppressed ones (closed as suppressed,
/// as Security Hub archives them), then the findings it resolved.
pub(crate) fn events(report: &Report) -> Vec<Value> {
    let (open, _unplaced) = exported::exported(report);
    let suppressed = exported::suppressed(report);
    let opened = open
        .iter()
        .map(|found| event(report, &open_subject(report, found)))
        .chain(
            suppressed
                .iter()
                .map(|found| event(report, &suppressed_subject(report, found))),
        );
    let closed = report
        .summary()
        .resolved_findings
        .iter()
        .filter_map(|resolved| closed_subject(report, resolved))
        .map(|subject| event(report, &subject));
    opened.chain(closed).collect()
}

/// The events as JSON Lines: one compact object a line, each line ended.
pub(crate) fn json_lines(events: &[Value]) -> String {
    events.iter().map(|event| format!("{event}\n")).collect()
}

fn open_subject<'a>(report: &Report, found: &Exported<'a>) -> Subject<'a> {
    let bucket = found.bucket;
    let key_id = found.key.and_then(|k| k.access_key_id.as_deref());
    let place = place(key_id, &bucket.bucket_name, found.account_id, found.region);
    Subject {
        id: found.id.clone(),
        code: found.finding.code,
        activity: Activity::of_open(found.finding.new),
        desc: format!("{place}: {}.", found.finding.message.trim_end_matches('.')),
        first_seen: found.first_seen,
        last_seen: Some(report.generated_at()),
        account_id: found.account_id,
        region: found.region,
        resource: resource(
            bucket.bucket_arn.as_deref(),
            &bucket.bucket_name,
            found.region,
            found.key.map(key_data),
        ),
    }
}

/// A suppressed finding's Close event, the suppression's reason and expiry in its description.
fn suppressed_subject<'a>(report: &Report, found: &Exported<'a>) -> Subject<'a> {
    let mut subject = open_subject(report, found);
    subject.activity = Activity::Suppress;
    if let Some(note) = &found.finding.suppression {
        subject.desc = format!(
            "{} Suppressed until {}: {}",
            subject.desc, note.suppression_expires, note.suppression_reason
        );
    }
    subject
}

/// A resolved finding's Close event; `None` where its account or Region is unknown.
fn closed_subject<'a>(report: &'a Report, resolved: &'a Resolved) -> Option<Subject<'a>> {
    let account_id = resolved.location.account_id.as_deref()?;
    let region = resolved.location.region.as_deref()?;
    let key_id = resolved.access_key_id.as_deref();
    // The bucket and key as this run saw them, when it did: a stale key that was used again
    // is still there; a deleted key or bucket is not.
    let bucket = reported_bucket(report, &resolved.location, &resolved.bucket_name);
    let key = bucket
        .zip(key_id)
        .and_then(|(b, id)| b.keys.iter().find(|k| k.access_key_id.as_deref() == Some(id)));
    let id = FindingKey {
        account_id: account_id.to_owned(),
        region: region.to_owned(),
        bucket_name: resolved.bucket_name.clone(),
        access_key_id: resolved.access_key_id.clone(),
        code: resolved.code,
    }
    .id();
    let place = place(key_id, &resolved.bucket_name, account_id, region);
    // A key this run did not see is named by its id alone.
    let data = match (key, key_id) {
        (Some(key), _) => Some(key_data(key)),
        (None, Some(id)) => Some(Map::from_iter([("accessKeyId".to_owned(), Value::from(id))])),
        (None, None) => None,
    };
    let arn = bucket.and_then(|b| b.bucket_arn.as_deref());
    Some(Subject {
        id,
        code: resolved.code,
        activity: Activity::Close,
        desc: format!("{place}: {} is no longer found.", resolved.code.as_str()),
        first_seen: resolved.first_seen,
        last_seen: None,
        account_id,
        region,
        resource: resource(arn, &resolved.bucket_name, region, data),
    })
}

/// "Access key X of bucket Y (account A, region R)", or "Bucket Y (...)" for the bucket itself.
fn place(key_id: Option<&str>, bucket_name: &str, account_id: &str, region: &str) -> String {
    let subject = match key_id {
        Some(key_id) => format!("Access key {key_id} of bucket {bucket_name}"),
        None => format!("Bucket {bucket_name}"),
    };
    format!("{subject} (account {account_id}, region {region})")
}

/// The bucket of that name and place in this run's report, if it is there.
fn reported_bucket<'a>(report: &'a Report, location: &Location, name: &str) -> Option<&'a BucketReport> {
    report
        .buckets()
        .iter()
        .find(|b| b.bucket_name == name && b.location == *location)
}

/// The bucket as an OCSF resource: its ARN as the uid (its name where the ARN is unknown),
/// and the key, when the finding is a key's, in `data`.
fn resource(arn: Option<&str>, name: &str, region: &str, data: Option<Map<String, Value>>) -> Value {
    let mut resource = json!({
        "uid": arn.unwrap_or(name),
        "name": name,
        "type": BUCKET_TYPE,
        "region": region,
    });
    if let (Some(data), Some(fields)) = (data, resource.as_object_mut()) {
        fields.insert("data".into(), Value::Object(data));
    }
    resource
}

/// What the report says of a key, but never more than its id of the key itself.
fn key_data(key: &KeyReport) -> Map<String, Value> {
    let fields = [
        ("accessKeyId", key.access_key_id.clone().map(Value::from)),
        ("status", key.status.as_ref().map(|s| Value::from(s.as_str()))),
        ("ageDays", key.age_days.map(Value::from)),
        ("daysSinceLastUse", key.days_since_last_use.map(Value::from)),
        ("lastUsedService", key.last_used_service.clone().map(Value::from)),
        ("lastUsedRegion", key.last_used_region.clone().map(Value::from)),
    ];
    fields
        .into_iter()
        .filter_map(|(name, value)| Some((name.to_owned(), value?)))
        .collect()
}

/// OCSF's severity, from the report's (the ASFF labels): the id and its caption.
fn severity(code: FindingCode) -> (u32, &'static str) {
    match code.severity().as_str() {
        "CRITICAL" => (5, "Critical"),
        "HIGH" => (4, "High"),
        "MEDIUM" => (3, "Medium"),
        "LOW" => (2, "Low"),
        "INFORMATIONAL" => (1, "Informational"),
        _ => (0, "Unknown"),
    }
}

fn event(report: &Report, subject: &Subject<'_>) -> Value {
    let activity = subject.activity;
    let (status_id, status) = activity.status();
    let (severity_id, severity) = severity(subject.code);
    let mut finding_info = json!({
        "uid": subject.id,
        "title": exported::title(subject.code),
        "desc": subject.desc,
        "types": exported::types(subject.code),
        "created_time": subject.first_seen.timestamp_millis(),
        "first_seen_time": subject.first_seen.timestamp_millis(),
    });
    if let (Some(last), Some(fields)) = (subject.last_seen, finding_info.as_object_mut()) {
        fields.insert("last_seen_time".into(), last.timestamp_millis().into());
    }
    json!({
        "class_uid": CLASS_UID,
        "class_name": "Detection Finding",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "activity_id": activity.id(),
        "activity_name": activity.name(),
        "type_uid": CLASS_UID * 100 + activity.id(),
        "type_name": format!("Detection Finding: {}", activity.name()),
        "status_id": status_id,
        "status": status,
        "severity_id": severity_id,
        "severity": severity,
        "time": report.generated_at().timestamp_millis(),
        "finding_info": finding_info,
        "cloud": {
            "provider": "AWS",
            // OCSF's Account needs a name; the report knows none but the id.
            "account": {"uid": subject.account_id, "name": subject.account_id, "type_id": AWS_ACCOUNT, "type": "AWS Account"},
            "region": subject.region,
        },
        "resources": [subject.resource],
        "remediation": {
            "desc": subject.code.recommendation(),
            "references": [exported::doc_url(subject.code)],
        },
        "metadata": {
            "version": OCSF_VERSION,
            "profiles": ["cloud"],
            "product": {
                "name": exported::PRODUCT,
                "vendor_name": exported::PRODUCT,
                "version": exported::VERSION,
            },
        },
    })
}

/// The report's OCSF events as JSON Lines: what `--format ocsf` prints and the archive keeps.
pub fn ocsf_lines(report: &Report) -> String {
    json_lines(&events(report))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{BucketReport, History};
    use crate::rules::Policy;
    use chrono::TimeZone;

    const OLD: &str = "AKIAMEDIAPROD0000OLD";
    const KEPT: &str = "AKIAMEDIAPROD000KEPT";
    const FRESH: &str = "AKIAMEDIAPROD0000NEW";

    fn day(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, 6, 0, 0).unwrap()
    }

    fn bucket(keys: Vec<KeyReport>) -> BucketReport {
        let mut bucket = BucketReport::audited("media-prod".into(), Location::home(), vec![], keys);
        bucket.bucket_arn = Some("arn:aws:lightsail:us-east-1:123456789012:Bucket/media-prod-id".into());
        bucket
    }

    /// Day 1: OLD stale and KEPT overdue for rotation. Day 2, tracked against day 1: OLD is
    /// gone, KEPT is still overdue, FRESH is new and never used.
    fn second_run() -> Report {
        let first_keys = vec![
            KeyReport::sample(OLD, &[FindingCode::Stale]),
            KeyReport::sample(KEPT, &[FindingCode::RotationDue]),
        ];
        let mut first = Report::new(day(1), Policy::default(), vec![bucket(first_keys)], vec![], &[]);
        let state = first.track(History::FirstRun, &[]).unwrap();
        let second_keys = vec![
            KeyReport::sample(KEPT, &[FindingCode::RotationDue]),
            KeyReport::sample(FRESH, &[FindingCode::NeverUsed]),
        ];
        let mut second = Report::new(day(2), Policy::default(), vec![bucket(second_keys)], vec![], &[]);
        second.track(History::Known(state), &[]);
        second
    }

    fn by_uid<'a>(events: &'a [Value], uid: &str) -> &'a Value {
        events
            .iter()
            .find(|e| e["finding_info"]["uid"] == uid)
            .unwrap_or_else(|| panic!("no event for {uid}: {events:#?}"))
    }

    fn id(key: &str, code: &str) -> String {
        format!("lightsail-key-audit/123456789012/us-east-1/media-prod/{key}/{code}")
    }

    #[test]
    fn open_findings_are_created_or_updated_and_resolved_ones_closed() {
        let events = events(&second_run());
        assert_eq!(events.len(), 3, "{events:#?}");
        for (uid, activity, status) in [
            (id(KEPT, "ROTATION_DUE"), (2, "Update"), (1, "New")),
            (id(FRESH, "NEVER_USED"), (1, "Create"), (1, "New")),
            (id(OLD, "STALE"), (3, "Close"), (4, "Resolved")),
        ] {
            let event = by_uid(&events, &uid);
            assert_eq!(event["activity_id"], activity.0, "{uid}");
            assert_eq!(event["activity_name"], activity.1, "{uid}");
            assert_eq!(event["type_uid"], 200_400 + activity.0, "{uid}");
            assert_eq!(event["type_name"], format!("Detection Finding: {}", activity.1));
            assert_eq!(event["status_id"], status.0, "{uid}");
            assert_eq!(event["status"], status.1, "{uid}");
            assert_eq!(event["class_uid"], 2004);
            assert_eq!(event["category_uid"], 2);
            assert_eq!(event["time"], day(2).timestamp_millis());
            assert_eq!(event["metadata"]["version"], "1.5.0");
            assert_eq!(event["metadata"]["product"]["version"], env!("CARGO_PKG_VERSION"));
        }
    }

    #[test]
    fn times_are_epoch_milliseconds_and_a_closed_finding_has_no_last_sighting() {
        let events = events(&second_run());
        let kept = &by_uid(&events, &id(KEPT, "ROTATION_DUE"))["finding_info"];
        assert_eq!(
            kept["first_seen_time"], 1_793_512_800_000_i64,
            "2026-11-01T06:00:00Z"
        );
        assert_eq!(kept["created_time"], kept["first_seen_time"]);
        assert_eq!(
            kept["last_seen_time"], 1_793_599_200_000_i64,
            "2026-11-02T06:00:00Z"
        );
        let fresh = &by_uid(&events, &id(FRESH, "NEVER_USED"))["finding_info"];
        assert_eq!(fresh["first_seen_time"], day(2).timestamp_millis());
        let old = &by_uid(&events, &id(OLD, "STALE"))["finding_info"];
        assert_eq!(old["first_seen_time"], day(1).timestamp_millis());
        assert!(old.get("last_seen_time").is_none(), "{old}");
    }

    #[test]
    fn an_event_names_its_finding_bucket_and_key_and_how_to_fix_it() {
        let events = events(&second_run());
        let kept = by_uid(&events, &id(KEPT, "ROTATION_DUE"));
        assert_eq!(
            kept["finding_info"]["title"],
            "Lightsail bucket access key overdue for rotation"
        );
        assert_eq!(
            kept["finding_info"]["desc"],
            format!("Access key {KEPT} of bucket media-prod (account 123456789012, region us-east-1): m.")
        );
        assert_eq!(
            kept["finding_info"]["types"],
            json!(exported::types(FindingCode::RotationDue))
        );
        assert_eq!(kept["cloud"]["provider"], "AWS");
        assert_eq!(kept["cloud"]["account"]["uid"], "123456789012");
        assert_eq!(kept["cloud"]["region"], "us-east-1");
        assert_eq!(
            kept["resources"],
            json!([{
                "uid": "arn:aws:lightsail:us-east-1:123456789012:Bucket/media-prod-id",
                "name": "media-prod",
                "type": "AWS::Lightsail::Bucket",
                "region": "us-east-1",
                "data": {"accessKeyId": KEPT, "status": "Active", "ageDays": 200, "daysSinceLastUse": 100},
            }])
        );
        assert_eq!(
            kept["remediation"]["references"],
            json!([exported::doc_url(FindingCode::RotationDue)])
        );
        assert_eq!(
            kept["remediation"]["desc"],
            FindingCode::RotationDue.recommendation()
        );
        let old = by_uid(&events, &id(OLD, "STALE"));
        assert_eq!(
            old["resources"][0]["data"],
            json!({"accessKeyId": OLD}),
            "a deleted key: its id alone"
        );
        assert_eq!(
            old["finding_info"]["desc"],
            format!("Access key {OLD} of bucket media-prod (account 123456789012, region us-east-1): STALE is no longer found.")
        );
    }

    #[test]
    fn severities_map_to_ocsf_ids() {
        for (code, expected) in [
            (FindingCode::PublicRead, (5, "Critical")),
            (FindingCode::SharedOutsideOrganization, (4, "High")),
            (FindingCode::Stale, (3, "Medium")),
            (FindingCode::RotationDue, (2, "Low")),
            (FindingCode::InstanceAccess, (1, "Informational")),
        ] {
            assert_eq!(
                code.severity().as_str().to_lowercase(),
                expected.1.to_lowercase(),
                "{code:?}"
            );
            assert_eq!(severity(code), expected, "{code:?}");
        }
    }

    #[test]
    fn untracked_findings_are_created_and_bucket_findings_carry_no_key() {
        let finding =
            crate::rules::Finding::new(FindingCode::PublicRead, "objects readable by anyone".into());
        let mut open = bucket(vec![]);
        open.findings.push(finding);
        open.bucket_arn = None;
        let report = Report::new(day(3), Policy::default(), vec![open], vec![], &[]);
        let events = events(&report);
        let event = by_uid(&events, &id("bucket", "PUBLIC_READ"));
        assert_eq!(
            event["activity_id"], 1,
            "changes not tracked: every finding is created"
        );
        assert_eq!(
            event["finding_info"]["first_seen_time"],
            day(3).timestamp_millis()
        );
        assert_eq!(
            event["resources"],
            json!([{"uid": "media-prod", "name": "media-prod", "type": "AWS::Lightsail::Bucket", "region": "us-east-1"}])
        );
        assert_eq!(
            event["finding_info"]["desc"],
            "Bucket media-prod (account 123456789012, region us-east-1): objects readable by anyone."
        );
    }

    #[test]
    fn a_suppressed_finding_is_closed_as_suppressed_with_its_reason() {
        let mut open = bucket(vec![]);
        open.findings.push(crate::rules::Finding::new(
            FindingCode::PublicRead,
            "objects readable by anyone".into(),
        ));
        let suppression = crate::request::Suppression {
            access_key_id: None,
            bucket_name: Some("media-prod".into()),
            codes: Some(vec![FindingCode::PublicRead]),
            reason: "a public website".into(),
            expires: chrono::NaiveDate::from_ymd_opt(2099, 1, 31).unwrap(),
        };
        let report = Report::new(day(3), Policy::default(), vec![open], vec![], &[suppression]);
        let events = events(&report);
        let event = by_uid(&events, &id("bucket", "PUBLIC_READ"));
        assert_eq!(
            (
                &event["activity_id"],
                &event["status_id"],
                &event["status"],
                &event["type_uid"]
            ),
            (&json!(3), &json!(3), &json!("Suppressed"), &json!(200403))
        );
        assert!(
            event["finding_info"]["desc"]
                .as_str()
                .unwrap()
                .ends_with("Suppressed until 2099-01-31: a public website"),
            "{}",
            event["finding_info"]["desc"]
        );
    }

    #[test]
    fn json_lines_are_one_compact_event_a_line() {
        let events = events(&second_run());
        let lines = json_lines(&events);
        assert!(lines.ends_with('\n'));
        let parsed: Vec<Value> = lines.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(parsed, events);
        assert_eq!(json_lines(&[]), "");
    }
}
