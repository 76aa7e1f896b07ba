//! What changed since the last run: the archive's state of open findings, compared with this
//! run's, gives every finding its `firstSeen` and `new`, and lists what was resolved.
//!
//! Pure: the state comes in read and goes out to be written; `now` is the report's time. Only
//! buckets this run audited, and buckets a complete listing of their account and region no
//! longer shows, change: a partial run (two named buckets, a failed bucket, a region that could
//! not be listed) leaves every other bucket's history as it was.

use std::collections::BTreeMap;
#[cfg(test)]
use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::bucket::{BucketReport, BucketStatus};
use crate::coverage::{Listed, Location};
use crate::failure::{codes, Failure};
use crate::rules::{Finding, FindingCode, Policy};

/// The version of `state.json`'s shape.
const STATE_VERSION: u32 = 1;

/// What to do about a state that cannot be read: it is never overwritten, so someone must.
const FIX: &str = "It is left as it is: restore a previous version of it (the bucket is versioned), \
                   or delete it to start tracking afresh";

/// The archive's `state.json`: every bucket ever audited and its open findings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct State {
    version: u32,
    buckets: Vec<BucketState>,
    /// With remediation on: a digest of how the run that wrote it judged (thresholds, trusted
    /// accounts, suppressions in force, remediation's codes). The command line, which only
    /// reads the state, deletes only when it judges alike.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    judged_as: Option<String>,
}

/// One bucket's open findings, as the last run that audited it left them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct BucketState {
    account_id: Option<String>,
    region: Option<String>,
    bucket_name: String,
    findings: Vec<OpenFinding>,
}

/// An open finding: a key's (or the bucket's, without a key id) code, and when it was first seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OpenFinding {
    access_key_id: Option<String>,
    code: FindingCode,
    first_seen: DateTime<Utc>,
    /// The date remediation announced its key's deletion for (`eligibleAt`), while it is
    /// planned; absent otherwise, and in every state written with remediation off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    eligible_at: Option<DateTime<Utc>>,
}

impl State {
    /// A state holding `open` findings: what another store (Security Hub) holds open,
    /// compared as the archive's state is. When each was first seen does not matter there.
    pub(crate) fn holding(
        open: impl IntoIterator<Item = (Location, String, Option<String>, FindingCode)>,
    ) -> Self {
        let mut buckets: BTreeMap<BucketId, Vec<OpenFinding>> = BTreeMap::new();
        for (location, bucket_name, access_key_id, code) in open {
            buckets
                .entry(bucket_id(&location, &bucket_name))
                .or_default()
                .push(OpenFinding {
                    access_key_id,
                    code,
                    first_seen: DateTime::<Utc>::MIN_UTC,
                    eligible_at: None,
                });
        }
        Self::of(buckets)
    }

    /// The state of each bucket's open findings.
    fn of(buckets: BTreeMap<BucketId, Vec<OpenFinding>>) -> Self {
        Self {
            version: STATE_VERSION,
            judged_as: None,
            buckets: buckets
                .into_iter()
                .map(|((account_id, region, bucket_name), findings)| BucketState {
                    account_id,
                    region,
                    bucket_name,
                    findings,
                })
                .collect(),
        }
    }
}

/// What the run knows of the past, before it compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum History {
    /// No archive: nothing is tracked.
    Disabled,
    /// An archive without a state: everything is new.
    FirstRun,
    /// The state the last run wrote.
    Known(State),
    /// A state that exists but could not be read or parsed: nothing can be said, and the
    /// state must not be overwritten.
    Unknown(Failure),
}

impl History {
    /// The history a state object's bytes give; `None`: there is none yet.
    pub(crate) fn from_state(bytes: Option<&[u8]>) -> Self {
        let Some(bytes) = bytes else {
            return Self::FirstRun;
        };
        match serde_json::from_slice::<State>(bytes) {
            Ok(state) if state.version == STATE_VERSION => Self::Known(state),
            Ok(state) => Self::Unknown(Failure::new(
                codes::UNREADABLE_STATE,
                format!(
                    "state.json has version {}; this function reads version {STATE_VERSION}",
                    state.version
                ),
            )),
            Err(e) => Self::Unknown(Failure::new(
                codes::UNREADABLE_STATE,
                format!("state.json is not a state this function wrote: {e}. {FIX}"),
            )),
        }
    }
}

/// When a finding was first seen, as far as the history before this run tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Since {
    /// Open since `first_seen`, by an earlier run's state, with the deletion date an earlier
    /// run announced for its key, if one did.
    Then {
        first_seen: DateTime<Utc>,
        eligible_at: Option<DateTime<Utc>>,
    },
    /// Not open before: first seen by this run.
    Now,
    /// No state to tell: no archive, or one that could not be read.
    Unknown,
}

impl State {
    /// The state, recording how its run judged (see [`State`]'s `judged_as`).
    pub(crate) fn judged_as(self, digest: String) -> Self {
        Self {
            judged_as: Some(digest),
            ..self
        }
    }
}

impl History {
    /// How the run that wrote the state judged, if it recorded it.
    pub(crate) fn judged_as(&self) -> Option<&str> {
        match self {
            Self::Known(state) => state.judged_as.as_deref(),
            _ => None,
        }
    }

    /// When the finding of `code` on `access_key_id` in the bucket was first seen, by the
    /// state before this run.
    pub(crate) fn first_seen(
        &self,
        location: &Location,
        bucket_name: &str,
        access_key_id: &str,
        code: FindingCode,
    ) -> Since {
        let state = match self {
            Self::Disabled | Self::Unknown(_) => return Since::Unknown,
            Self::FirstRun => return Since::Now,
            Self::Known(state) => state,
        };
        let id = bucket_id(location, bucket_name);
        state
            .buckets
            .iter()
            .filter(|b| (&b.account_id, &b.region, &b.bucket_name) == (&id.0, &id.1, &id.2))
            .flat_map(|b| b.findings.iter())
            .find(|f| f.access_key_id.as_deref() == Some(access_key_id) && f.code == code)
            .map_or(Since::Now, |f| Since::Then {
                first_seen: f.first_seen,
                eligible_at: f.eligible_at,
            })
    }
}

/// `summary.changes`: whether `firstSeen`, `new` and `resolvedFindings` mean anything.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Changes {
    /// Compared with the last run's state.
    Tracked,
    /// No state yet: everything is new.
    FirstRun,
    /// No archive, so nothing is tracked.
    #[default]
    Disabled,
    /// The state could not be read: nothing is known, nothing was overwritten.
    Unknown,
}

impl Changes {
    /// True when this run knows what changed: what is new and what was resolved.
    pub(crate) fn is_tracked(self) -> bool {
        matches!(self, Self::Tracked | Self::FirstRun)
    }
}

/// A finding that was open and is gone: from a bucket this run audited, or with its bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Resolved {
    #[serde(flatten)]
    pub(crate) location: Location,
    pub(crate) bucket_name: String,
    pub(crate) access_key_id: Option<String>,
    pub(crate) code: FindingCode,
    pub(crate) first_seen: DateTime<Utc>,
    /// `"remediation"` when this run deleted the key; absent when the finding went by itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) resolved_by: Option<&'static str>,
}

/// The comparison's outcome: the summary's view of it, and the state to write (`None`: write
/// nothing, as for an unreadable state).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tracking {
    pub(crate) changes: Changes,
    pub(crate) resolved: Vec<Resolved>,
    pub(crate) state: Option<State>,
}

/// Which bucket, where.
type BucketId = (Option<String>, Option<String>, String);

/// The deletion dates remediation announced this run, by bucket, key and code: the state
/// keeps them, so the date people were told is the date that holds. A bucket not audited this
/// run keeps its dates of the codes remediation still acts on (none when it is off).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Announced {
    dates: BTreeMap<(BucketId, String, FindingCode), DateTime<Utc>>,
    carried: Vec<FindingCode>,
}

impl Announced {
    /// Announcements that keep, on buckets not audited, the dates of `codes`.
    pub(crate) fn carrying(codes: &[FindingCode]) -> Self {
        Self {
            dates: BTreeMap::new(),
            carried: codes.to_vec(),
        }
    }

    /// A finding of a bucket not audited this run, its date kept only for a code acted on.
    fn carry(&self, finding: OpenFinding) -> OpenFinding {
        let keep = self.carried.contains(&finding.code);
        OpenFinding {
            eligible_at: finding.eligible_at.filter(|_| keep),
            ..finding
        }
    }

    pub(crate) fn insert(
        &mut self,
        location: &Location,
        bucket_name: &str,
        access_key_id: &str,
        code: FindingCode,
        at: DateTime<Utc>,
    ) {
        self.dates.insert(
            (bucket_id(location, bucket_name), access_key_id.to_owned(), code),
            at,
        );
    }

    fn get(&self, id: &BucketId, access_key_id: Option<&str>, code: FindingCode) -> Option<DateTime<Utc>> {
        let key = (id.clone(), access_key_id?.to_owned(), code);
        self.dates.get(&key).copied()
    }
}

/// A finding's identity within its bucket: the key (none for a bucket-level finding) and code.
type FindingId = (Option<String>, FindingCode);

/// Compares this run's `buckets` with `history`, setting each finding's `firstSeen` and `new`.
/// A code `policy` did not judge on a bucket (access checks off, access unknown) is neither
/// resolved nor forgotten: it stays open as it was.
pub(crate) fn track(
    buckets: &mut [BucketReport],
    history: History,
    listed: &[Listed],
    policy: &Policy,
    announced: &Announced,
    now: DateTime<Utc>,
) -> Tracking {
    let (changes, previous) = match history {
        History::Disabled | History::Unknown(_) => {
            let changes = if history == History::Disabled {
                Changes::Disabled
            } else {
                Changes::Unknown
            };
            return Tracking {
                changes,
                resolved: Vec::new(),
                state: None,
            };
        }
        History::FirstRun => (Changes::FirstRun, State::default()),
        History::Known(state) => (Changes::Tracked, state),
    };
    let mut open: BTreeMap<BucketId, Vec<OpenFinding>> = previous
        .buckets
        .into_iter()
        .map(|b| ((b.account_id, b.region, b.bucket_name), b.findings))
        .collect();
    let mut resolved = Vec::new();
    let mut next = BTreeMap::new();
    for bucket in buckets.iter_mut().filter(|b| b.status == BucketStatus::Audited) {
        let id = bucket_id(&bucket.location, &bucket.bucket_name);
        let before = open.remove(&id).unwrap_or_default();
        let (findings, gone) = compare(bucket, before, policy, now);
        let findings = findings
            .into_iter()
            .map(|f| OpenFinding {
                eligible_at: announced.get(&id, f.access_key_id.as_deref(), f.code),
                ..f
            })
            .collect();
        resolved.extend(gone.into_iter().map(|f| resolution(&id, f)));
        next.insert(id, findings);
    }
    // Buckets not audited this run keep their history, unless a complete listing of their
    // account and region shows they no longer exist.
    for (id, findings) in open {
        if is_gone(&id, listed) {
            resolved.extend(findings.into_iter().map(|f| resolution(&id, f)));
        } else {
            next.insert(id, findings.into_iter().map(|f| announced.carry(f)).collect());
        }
    }
    Tracking {
        changes,
        resolved,
        state: Some(State::of(next)),
    }
}

fn bucket_id(location: &Location, name: &str) -> BucketId {
    (
        location.account_id.clone(),
        location.region.clone(),
        name.to_owned(),
    )
}

/// Marks the bucket's findings against its open ones: returns what is open now, and what was
/// open and is gone. An open finding of a code not judged this run stays open.
fn compare(
    bucket: &mut BucketReport,
    before: Vec<OpenFinding>,
    policy: &Policy,
    now: DateTime<Utc>,
) -> (Vec<OpenFinding>, Vec<OpenFinding>) {
    let mut before: BTreeMap<FindingId, OpenFinding> = before
        .into_iter()
        .map(|f| ((f.access_key_id.clone(), f.code), f))
        .collect();
    let mut open = Vec::new();
    let bucket_level = bucket.findings.iter_mut().map(|f| (None, f));
    let key_level = bucket
        .keys
        .iter_mut()
        .flat_map(|k| k.findings.iter_mut().map(|f| (k.access_key_id.clone(), f)));
    for (key, finding) in bucket_level.chain(key_level).collect::<Vec<_>>() {
        let first_seen = before
            .remove(&(key.clone(), finding.code))
            .map_or(now, |f| f.first_seen);
        mark(finding, first_seen, now);
        open.push(OpenFinding {
            access_key_id: key,
            code: finding.code,
            first_seen,
            eligible_at: None,
        });
    }
    let (gone, unjudged): (Vec<OpenFinding>, Vec<OpenFinding>) =
        before.into_values().partition(|f| bucket.judged(f.code, policy));
    open.extend(unjudged);
    (open, gone)
}

fn mark(finding: &mut Finding, first_seen: DateTime<Utc>, now: DateTime<Utc>) {
    finding.first_seen = Some(first_seen);
    finding.new = Some(first_seen == now);
}

fn is_gone(id: &BucketId, listed: &[Listed]) -> bool {
    let (account_id, region, name) = id;
    listed.iter().any(|l| {
        l.location.account_id == *account_id && l.location.region == *region && !l.names.contains(name)
    })
}

fn resolution(id: &BucketId, finding: OpenFinding) -> Resolved {
    let (account_id, region, bucket_name) = id.clone();
    Resolved {
        location: Location { account_id, region },
        bucket_name,
        access_key_id: finding.access_key_id,
        code: finding.code,
        first_seen: finding.first_seen,
        resolved_by: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{AccessLogging, BucketAccess, GetObject, KeyReport};
    use chrono::TimeZone;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, 6, 0, 0).unwrap()
    }

    /// An audited bucket in the home location whose keys carry `codes`.
    fn audited(name: &str, keys: &[(&str, &[FindingCode])]) -> BucketReport {
        let keys = keys
            .iter()
            .map(|(id, codes)| KeyReport::sample(id, codes))
            .collect();
        BucketReport::audited(name.into(), Location::home(), vec![], keys)
    }

    fn failed(name: &str) -> BucketReport {
        BucketReport::failed(
            name.into(),
            Location::home(),
            Failure::new("ServiceException", "down"),
        )
    }

    /// (key, code, firstSeen day, new) of every finding.
    fn marks(buckets: &[BucketReport]) -> Vec<(String, FindingCode, Option<u32>, Option<bool>)> {
        use chrono::Datelike;
        buckets
            .iter()
            .flat_map(|b| b.keys.iter())
            .flat_map(|k| {
                k.findings
                    .iter()
                    .map(move |f| (k.access_key_id.clone().unwrap_or_default(), f))
            })
            .map(|(k, f)| (k, f.code, f.first_seen.map(|t| t.day()), f.new))
            .collect()
    }

    fn run(buckets: &mut [BucketReport], history: History, listed: &[Listed], day: u32) -> Tracking {
        track(
            buckets,
            history,
            listed,
            &Policy::default(),
            &Announced::default(),
            at(day),
        )
    }

    #[test]
    fn a_first_run_sees_everything_new() {
        let mut buckets = vec![audited("media-prod", &[("AKIA1", &[FindingCode::Stale])])];
        let tracking = run(&mut buckets, History::FirstRun, &[], 1);
        assert_eq!(tracking.changes, Changes::FirstRun);
        assert_eq!(
            marks(&buckets),
            [("AKIA1".into(), FindingCode::Stale, Some(1), Some(true))]
        );
        assert!(tracking.resolved.is_empty());
        assert_eq!(tracking.state.unwrap().buckets.len(), 1);
    }

    #[test]
    fn a_finding_keeps_when_it_was_first_seen_and_a_gone_one_is_resolved() {
        let mut first = vec![audited(
            "media-prod",
            &[("AKIA1", &[FindingCode::Stale, FindingCode::RotationDue])],
        )];
        let state = run(&mut first, History::FirstRun, &[], 1).state.unwrap();
        // Day 2: the key is no longer stale, still overdue, and a second key is never used.
        let mut second = vec![audited(
            "media-prod",
            &[
                ("AKIA1", &[FindingCode::RotationDue]),
                ("AKIA2", &[FindingCode::NeverUsed]),
            ],
        )];
        let tracking = run(&mut second, History::Known(state), &[], 2);
        assert_eq!(tracking.changes, Changes::Tracked);
        assert_eq!(
            marks(&second),
            [
                ("AKIA1".into(), FindingCode::RotationDue, Some(1), Some(false)),
                ("AKIA2".into(), FindingCode::NeverUsed, Some(2), Some(true)),
            ]
        );
        assert_eq!(tracking.resolved.len(), 1);
        let resolved = &tracking.resolved[0];
        assert_eq!(
            (resolved.access_key_id.as_deref(), resolved.code),
            (Some("AKIA1"), FindingCode::Stale)
        );
        assert_eq!(
            (resolved.first_seen, resolved.bucket_name.as_str()),
            (at(1), "media-prod")
        );
    }

    /// An audited bucket whose access was read (`Some`) and drew `codes`, or could not be read.
    fn with_access(codes: &[FindingCode], access: Option<BucketAccess>) -> BucketReport {
        let findings = codes.iter().map(|c| Finding::new(*c, "m".into())).collect();
        audited("media-prod", &[]).with_access_read(access, findings)
    }

    /// (code, firstSeen day, new) of the bucket's own findings.
    fn own(bucket: &BucketReport) -> Vec<(FindingCode, Option<u32>, Option<bool>)> {
        use chrono::Datelike;
        let findings = bucket.findings.iter();
        findings
            .map(|f| (f.code, f.first_seen.map(|t| t.day()), f.new))
            .collect()
    }

    #[test]
    fn access_findings_are_tracked_and_unknown_or_unchecked_access_resolves_nothing() {
        let codes = [FindingCode::PublicRead, FindingCode::AccessLoggingOff];
        let mut first = vec![with_access(&codes, Some(BucketAccess::settled()))];
        let state = run(&mut first, History::FirstRun, &[], 1).state.unwrap();
        assert_eq!(
            own(&first[0]),
            [
                (FindingCode::PublicRead, Some(1), Some(true)),
                (FindingCode::AccessLoggingOff, Some(1), Some(true))
            ]
        );

        // Day 2: GetBuckets throttled. Nothing is resolved, nothing forgotten.
        let mut unknown = vec![with_access(&[], None)];
        let tracking = run(&mut unknown, History::Known(state.clone()), &[], 2);
        assert!(tracking.resolved.is_empty());
        assert_eq!(tracking.state.as_ref(), Some(&state));

        // Day 3: access checks switched off: the same.
        let mut off = vec![audited("media-prod", &[])];
        let policy = Policy {
            include_access_checks: false,
            ..Policy::default()
        };
        let tracking = track(
            &mut off,
            History::Known(state.clone()),
            &[],
            &policy,
            &Announced::default(),
            at(3),
        );
        assert!(tracking.resolved.is_empty());
        assert_eq!(tracking.state.as_ref(), Some(&state));

        // Day 3 too: getObject is a value this version does not know, accessLogConfig absent.
        let odd = BucketAccess {
            get_object: Some(GetObject::Other("authenticated-read".into())),
            access_logging: AccessLogging::default(),
            ..BucketAccess::settled()
        };
        let mut unknown = vec![with_access(&[], Some(odd))];
        let tracking = run(&mut unknown, History::Known(state.clone()), &[], 3);
        assert!(tracking.resolved.is_empty(), "{:?}", tracking.resolved);
        assert_eq!(tracking.state.as_ref(), Some(&state));

        // Day 3 too: ACCESS_LOGGING_OFF's rule switched off alone.
        let mut policy = Policy::default();
        policy.access_checks.set(FindingCode::AccessLoggingOff, false);
        let mut one_off = vec![with_access(
            &[FindingCode::PublicRead],
            Some(BucketAccess::settled()),
        )];
        let tracking = track(
            &mut one_off,
            History::Known(state.clone()),
            &[],
            &policy,
            &Announced::default(),
            at(3),
        );
        assert!(tracking.resolved.is_empty(), "{:?}", tracking.resolved);

        // Day 4: read again, logging on now: ACCESS_LOGGING_OFF is resolved, PUBLIC_READ kept.
        let mut fixed = vec![with_access(
            &[FindingCode::PublicRead],
            Some(BucketAccess::settled()),
        )];
        let tracking = run(&mut fixed, History::Known(state), &[], 4);
        assert_eq!(own(&fixed[0]), [(FindingCode::PublicRead, Some(1), Some(false))]);
        let resolved: Vec<_> = tracking
            .resolved
            .iter()
            .map(|r| (r.code, r.access_key_id.clone()))
            .collect();
        assert_eq!(resolved, [(FindingCode::AccessLoggingOff, None)]);
    }

    #[test]
    fn a_failed_bucket_resolves_nothing_and_keeps_its_history() {
        let mut first = vec![audited("media-prod", &[("AKIA1", &[FindingCode::Stale])])];
        let state = run(&mut first, History::FirstRun, &[], 1).state.unwrap();
        let mut second = vec![failed("media-prod")];
        let tracking = run(&mut second, History::Known(state.clone()), &[], 2);
        assert!(tracking.resolved.is_empty());
        assert_eq!(tracking.state, Some(state));
    }

    #[test]
    fn a_partial_run_leaves_other_buckets_alone() {
        let mut first = vec![
            audited("media-prod", &[("AKIA1", &[FindingCode::Stale])]),
            audited("backups", &[("AKIA2", &[FindingCode::NeverUsed])]),
        ];
        let state = run(&mut first, History::FirstRun, &[], 1).state.unwrap();
        let mut second = vec![audited("media-prod", &[])];
        let tracking = run(&mut second, History::Known(state), &[], 2);
        assert_eq!(tracking.resolved.len(), 1, "only media-prod's finding");
        let backups = tracking
            .state
            .unwrap()
            .buckets
            .into_iter()
            .find(|b| b.bucket_name == "backups")
            .unwrap();
        assert_eq!(backups.findings.len(), 1);
        assert_eq!(backups.findings[0].first_seen, at(1));
    }

    #[test]
    fn a_bucket_a_complete_listing_no_longer_shows_is_gone_with_its_findings() {
        let mut first = vec![
            audited("media-prod", &[("AKIA1", &[FindingCode::Stale])]),
            audited("old-bucket", &[("AKIA2", &[FindingCode::NeverUsed])]),
        ];
        let state = run(&mut first, History::FirstRun, &[], 1).state.unwrap();
        let listing = |names: &[&str]| Listed {
            location: Location::home(),
            names: names.iter().map(|n| (*n).to_owned()).collect(),
        };
        let mut second = vec![audited("media-prod", &[("AKIA1", &[FindingCode::Stale])])];
        // A listing elsewhere says nothing of this location: old-bucket stays.
        let elsewhere = Listed {
            location: Location::default(),
            names: HashSet::new(),
        };
        let kept = run(
            &mut second.clone(),
            History::Known(state.clone()),
            &[elsewhere],
            2,
        );
        assert!(kept.resolved.is_empty());
        assert_eq!(kept.state.unwrap().buckets.len(), 2);
        let gone = run(&mut second, History::Known(state), &[listing(&["media-prod"])], 2);
        assert_eq!(gone.resolved.len(), 1);
        assert_eq!(gone.resolved[0].bucket_name, "old-bucket");
        assert_eq!(gone.state.unwrap().buckets.len(), 1);
    }

    #[test]
    fn without_a_readable_state_nothing_is_marked_and_nothing_is_written() {
        for (history, changes) in [
            (History::Disabled, Changes::Disabled),
            (
                History::Unknown(Failure::new("AccessDenied", "no")),
                Changes::Unknown,
            ),
        ] {
            let mut buckets = vec![audited("media-prod", &[("AKIA1", &[FindingCode::Stale])])];
            let tracking = run(&mut buckets, history, &[], 1);
            assert_eq!(tracking.changes, changes);
            assert_eq!(tracking.state, None, "{changes:?}: the state is not overwritten");
            assert_eq!(marks(&buckets)[0].2, None);
            assert_eq!(marks(&buckets)[0].3, None);
        }
    }

    #[test]
    fn a_state_is_read_only_when_it_is_one_this_function_wrote() {
        assert_eq!(History::from_state(None), History::FirstRun);
        let mut buckets = vec![audited("media-prod", &[("AKIA1", &[FindingCode::Stale])])];
        let state = run(&mut buckets, History::FirstRun, &[], 1).state.unwrap();
        let bytes = serde_json::to_vec(&state).unwrap();
        assert_eq!(History::from_state(Some(&bytes)), History::Known(state));
        for garbage in [
            &b"{\"version\": 1"[..],
            b"<html>",
            b"{\"version\": 2, \"buckets\": []}",
            b"{\"version\": 1, \"buckets\": [], \"x\": 1}",
        ] {
            assert!(
                matches!(History::from_state(Some(garbage)), History::Unknown(_)),
                "{garbage:?}"
            );
        }
    }
}
