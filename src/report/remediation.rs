//! The report's `remediation`: which keys' findings qualify for deletion, when each becomes
//! eligible (its finding's `firstSeen` plus `REMEDIATE_AFTER_DAYS`), and what was done about
//! each. Planning is pure: the audited buckets, the state before this run, the settings and
//! `now`. Deleting is the handler's; it records each outcome here.

use chrono::{DateTime, Days, Utc};
use serde::Serialize;

use super::bucket::{BucketReport, BucketStatus};
use super::changes::{History, Since};
use crate::coverage::Location;
use crate::request::{Remediation as Settings, RemediationMode};
use crate::rules::{FindingCode, Seen};

/// The only action remediation takes.
const DELETE: &str = "DeleteBucketAccessKey";

/// `remediation`: the mode and one action per key whose finding qualifies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Remediation {
    pub(crate) mode: RemediationMode,
    pub(crate) actions: Vec<Action>,
}

/// What became of one action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum ActionStatus {
    /// To be deleted at `eligibleAt` (or now, in `plan` mode), unless suppressed or used.
    Planned,
    Deleted,
    /// A check refused the deletion: `reason` says which.
    Skipped,
    /// Eligible, but left for the next run: `REMEDIATE_MAX_KEYS`, or the deadline.
    Deferred,
    /// `DeleteBucketAccessKey` failed: `reason` starts with the API's error code.
    Failed,
}

impl ActionStatus {
    pub(crate) const ALL: [Self; 5] = [
        Self::Planned,
        Self::Deleted,
        Self::Skipped,
        Self::Deferred,
        Self::Failed,
    ];

    /// The status as the report writes it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "PLANNED",
            Self::Deleted => "DELETED",
            Self::Skipped => "SKIPPED",
            Self::Deferred => "DEFERRED",
            Self::Failed => "FAILED",
        }
    }
}

/// One key's deletion, planned or attempted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Action {
    #[serde(flatten)]
    pub(crate) location: Location,
    pub(crate) bucket_name: String,
    pub(crate) access_key_id: String,
    pub(crate) code: FindingCode,
    pub(crate) action: &'static str,
    pub(crate) status: ActionStatus,
    pub(crate) reason: String,
    /// When the key may be deleted; `null` when when its finding was first seen is unknown.
    pub(crate) eligible_at: Option<DateTime<Utc>>,
    /// When the audit's read said the key was last used: a deletion re-checks it.
    #[serde(skip)]
    pub(crate) last_used: Option<DateTime<Utc>>,
}

impl Action {
    /// Due for deletion at `now`: planned, and its warning over.
    pub(crate) fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.status == ActionStatus::Planned && self.eligible_at.is_some_and(|at| at <= now)
    }

    /// What the audit saw of the key, for the checks at the fresh read.
    pub(crate) fn seen(&self) -> Seen<'_> {
        Seen {
            access_key_id: &self.access_key_id,
            code: self.code,
            last_used: self.last_used,
        }
    }

    /// Records the outcome.
    pub(crate) fn conclude(&mut self, status: ActionStatus, reason: impl Into<String>) {
        self.status = status;
        self.reason = reason.into();
    }
}

/// `summary.remediation`: actions per status, every status present.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ActionCounts {
    counts: [usize; ActionStatus::ALL.len()],
}

impl ActionCounts {
    pub(crate) fn of(actions: &[Action]) -> Self {
        let mut counts = Self::default();
        for action in actions {
            if let Some(slot) = ActionStatus::ALL
                .iter()
                .position(|s| *s == action.status)
                .and_then(|i| counts.counts.get_mut(i))
            {
                *slot += 1;
            }
        }
        counts
    }

    /// How many actions ended as `status`.
    pub(crate) fn get(&self, status: ActionStatus) -> usize {
        ActionStatus::ALL
            .iter()
            .position(|s| *s == status)
            .and_then(|i| self.counts.get(i))
            .copied()
            .unwrap_or(0)
    }
}

impl Serialize for ActionCounts {
    /// `{"PLANNED": n, "DELETED": n, ...}`.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(ActionStatus::ALL.len()))?;
        for status in ActionStatus::ALL {
            map.serialize_entry(status.as_str(), &self.get(status))?;
        }
        map.end()
    }
}

/// The plan: one action per key of an audited bucket with a finding of a code `settings`
/// names, oldest `eligibleAt` first. Suppressed findings are `SKIPPED`; with `barred` (this
/// run does not judge as the schedule does), every action is. Otherwise each is `PLANNED`,
/// with when it becomes eligible.
pub(crate) fn plan(
    buckets: &[BucketReport],
    history: &History,
    settings: &Settings,
    barred: Option<&str>,
    now: DateTime<Utc>,
) -> Vec<Action> {
    if settings.mode == RemediationMode::Off {
        return Vec::new();
    }
    let mut actions: Vec<Action> = buckets
        .iter()
        .filter(|b| b.status == BucketStatus::Audited)
        .flat_map(|bucket| {
            bucket.keys.iter().filter_map(move |key| {
                let id = key.access_key_id.as_deref()?;
                let finding = key.findings.iter().find(|f| settings.codes.contains(&f.code))?;
                let since = history.first_seen(&bucket.location, &bucket.bucket_name, id, finding.code);
                let eligible_at = eligible_at(since, now, settings.after_days);
                let (status, reason) = match (&finding.suppression, barred) {
                    (Some(note), _) => (
                        ActionStatus::Skipped,
                        format!(
                            "suppressed until {}: {}",
                            note.suppression_expires, note.suppression_reason
                        ),
                    ),
                    (None, Some(why)) => (
                        ActionStatus::Skipped,
                        format!("{why}: only a run that judges as the schedule does acts on keys"),
                    ),
                    (None, None) => (
                        ActionStatus::Planned,
                        planned_reason(since, eligible_at, settings.mode, now),
                    ),
                };
                Some(Action {
                    location: bucket.location.clone(),
                    bucket_name: bucket.bucket_name.clone(),
                    access_key_id: id.to_owned(),
                    code: finding.code,
                    action: DELETE,
                    status,
                    reason,
                    eligible_at,
                    last_used: key.last_used_date,
                })
            })
        })
        .collect();
    // Unknown dates last; then by place, so the order never depends on the listing's.
    actions.sort_by(|a, b| {
        (
            a.eligible_at.is_none(),
            a.eligible_at,
            &a.location,
            &a.bucket_name,
            &a.access_key_id,
        )
            .cmp(&(
                b.eligible_at.is_none(),
                b.eligible_at,
                &b.location,
                &b.bucket_name,
                &b.access_key_id,
            ))
    });
    actions
}

/// `firstSeen` plus the warning period; `None` when when it was first seen is unknown.
fn eligible_at(since: Since, now: DateTime<Utc>, after_days: u32) -> Option<DateTime<Utc>> {
    let first_seen = match since {
        Since::Then(at) => at,
        Since::Now => now,
        Since::Unknown => return None,
    };
    first_seen.checked_add_days(Days::new(u64::from(after_days)))
}

/// Why a planned action waits, or what it would do: the warning people read.
fn planned_reason(
    since: Since,
    eligible_at: Option<DateTime<Utc>>,
    mode: RemediationMode,
    now: DateTime<Utc>,
) -> String {
    let Some(at) = eligible_at.filter(|_| since != Since::Unknown) else {
        return "when this finding was first seen is unknown without the archive's change-tracking state (REPORT_BUCKET, or --report-bucket from the command line): it becomes eligible REMEDIATE_AFTER_DAYS after a run that tracks changes first sees it".into();
    };
    let date = at.date_naive();
    match mode {
        RemediationMode::Delete if at > now => format!("will be deleted on {date} unless suppressed or used"),
        RemediationMode::Delete => "eligible".into(),
        _ if at > now => {
            format!("would be deleted on {date} with REMEDIATION=delete, unless suppressed or used")
        }
        _ => format!("eligible since {date}: REMEDIATION=delete would delete it, unless suppressed or used"),
    }
}

impl Remediation {
    /// The warning for the finding of `code` on `access_key_id` in the bucket, when one of
    /// its actions is planned: when it will (or would) be deleted.
    pub(crate) fn warning(
        &self,
        location: &Location,
        bucket_name: &str,
        access_key_id: &str,
        code: FindingCode,
    ) -> Option<&str> {
        self.actions
            .iter()
            .find(|a| {
                a.status == ActionStatus::Planned
                    && a.eligible_at.is_some()
                    && a.code == code
                    && a.access_key_id == access_key_id
                    && a.bucket_name == bucket_name
                    && a.location == *location
            })
            .map(|a| a.reason.as_str())
    }

    /// The actions that ended as `status`.
    pub(crate) fn with_status(&self, status: ActionStatus) -> impl Iterator<Item = &Action> {
        self.actions.iter().filter(move |a| a.status == status)
    }
}

/// Three INACTIVE keys in `report`'s first bucket, remediated in `delete` mode: the first
/// planned (first seen now), the second deleted, the third failed with a message naming the
/// key in full.
#[cfg(test)]
pub(super) fn sample(report: &mut super::Report) {
    use crate::rules::KeyReport;
    let ids = [
        "AKIAPLANNED000000001",
        "AKIADELETED000000002",
        "AKIAFAILED0000000003",
    ];
    let mut buckets = report.buckets().to_vec();
    if let Some(bucket) = buckets.first_mut() {
        bucket.keys = ids
            .iter()
            .map(|id| KeyReport::sample(id, &[FindingCode::Inactive]))
            .collect();
    }
    *report = super::Report::new(report.generated_at(), *report.policy(), buckets, vec![], &[]);
    let settings = Settings {
        mode: RemediationMode::Delete,
        ..Settings::default()
    };
    let mut actions = report.plan_remediation(&History::FirstRun, &settings, None);
    for action in &mut actions {
        match action.access_key_id.as_str() {
            "AKIADELETED000000002" => action.conclude(ActionStatus::Deleted, "deleted"),
            "AKIAFAILED0000000003" => action.conclude(
                ActionStatus::Failed,
                "AccessDeniedException: not authorized to delete AKIAFAILED0000000003",
            ),
            _ => {}
        }
    }
    report.set_remediation(&settings, actions);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::changes::track;
    use crate::rules::{KeyReport, Policy};
    use chrono::TimeZone;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, 6, 0, 0).unwrap()
    }

    fn bucket(keys: &[(&str, &[FindingCode])]) -> BucketReport {
        let keys = keys
            .iter()
            .map(|(id, codes)| KeyReport::sample(id, codes))
            .collect();
        BucketReport::audited("media-prod".into(), Location::home(), vec![], keys)
    }

    fn settings(mode: RemediationMode) -> Settings {
        Settings {
            mode,
            after_days: 14,
            ..Settings::default()
        }
    }

    /// The history a run on `day` left for `buckets`.
    fn history_of(buckets: &[BucketReport], day: u32) -> History {
        let mut buckets = buckets.to_vec();
        let state = track(&mut buckets, History::FirstRun, &[], &Policy::default(), at(day)).state;
        History::Known(state.unwrap())
    }

    fn summary(actions: &[Action]) -> Vec<(&str, FindingCode, ActionStatus, Option<DateTime<Utc>>)> {
        actions
            .iter()
            .map(|a| (a.access_key_id.as_str(), a.code, a.status, a.eligible_at))
            .collect()
    }

    #[test]
    fn each_qualifying_key_is_planned_from_when_its_finding_was_first_seen() {
        let buckets = vec![bucket(&[
            ("AKIA1", &[FindingCode::Inactive]),
            ("AKIA2", &[FindingCode::Stale, FindingCode::RotationDue]),
            ("AKIA3", &[FindingCode::RotationDue]),
            ("AKIA4", &[FindingCode::NeverUsed]),
        ])];
        let history = history_of(&buckets[..1], 1);
        let actions = plan(
            &buckets,
            &history,
            &settings(RemediationMode::Delete),
            None,
            at(20),
        );
        let due = Utc.with_ymd_and_hms(2026, 11, 15, 6, 0, 0).unwrap();
        let later = Utc.with_ymd_and_hms(2026, 12, 4, 6, 0, 0).unwrap();
        // STALE is not among the default codes; ROTATION_DUE never is.
        assert_eq!(
            summary(&actions),
            [
                ("AKIA1", FindingCode::Inactive, ActionStatus::Planned, Some(due)),
                ("AKIA4", FindingCode::NeverUsed, ActionStatus::Planned, Some(due)),
            ]
        );
        assert!(actions.iter().all(|a| a.is_due(at(20)) && a.action == DELETE));
        // Seen first on day 20: warned until December 4.
        let fresh = plan(
            &buckets,
            &History::FirstRun,
            &settings(RemediationMode::Delete),
            None,
            at(20),
        );
        assert_eq!(fresh.first().and_then(|a| a.eligible_at), Some(later));
        assert!(fresh.iter().all(|a| !a.is_due(at(20))));
        let first = fresh.first().map(|a| a.reason.as_str()).unwrap_or_default();
        assert_eq!(first, "will be deleted on 2026-12-04 unless suppressed or used");
        let plan_mode = settings(RemediationMode::Plan);
        let planned = plan(&buckets, &History::FirstRun, &plan_mode, None, at(20));
        let first = planned.first().map(|a| a.reason.as_str()).unwrap_or_default();
        assert_eq!(
            first,
            "would be deleted on 2026-12-04 with REMEDIATION=delete, unless suppressed or used"
        );
    }

    #[test]
    fn suppressed_barred_and_undated_findings_are_never_due() {
        let mut buckets = vec![bucket(&[
            ("AKIA1", &[FindingCode::Inactive]),
            ("AKIA2", &[FindingCode::Inactive]),
        ])];
        let history = history_of(&buckets, 1);
        if let Some(finding) = buckets[0].keys[0].findings.first_mut() {
            finding.suppression = Some(crate::rules::SuppressionNote::new(
                "migration".into(),
                chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
            ));
        }
        let delete = settings(RemediationMode::Delete);
        let actions = plan(&buckets, &history, &delete, None, at(20));
        assert_eq!(actions[0].status, ActionStatus::Skipped);
        assert_eq!(actions[0].reason, "suppressed until 2027-01-01: migration");
        assert!(actions[1].is_due(at(20)));
        let barred = plan(&buckets, &history, &delete, Some("thresholds differ"), at(20));
        assert!(barred.iter().all(|a| a.status == ActionStatus::Skipped));
        let undated = plan(&buckets, &History::Disabled, &delete, None, at(20));
        assert!(undated
            .iter()
            .all(|a| a.eligible_at.is_none() && !a.is_due(at(20))));
        assert!(
            plan(&buckets, &history, &Settings::default(), None, at(20)).is_empty(),
            "off"
        );
    }

    #[test]
    fn counts_name_every_status() {
        let buckets = vec![bucket(&[("AKIA1", &[FindingCode::Inactive])])];
        let actions = plan(
            &buckets,
            &History::FirstRun,
            &settings(RemediationMode::Plan),
            None,
            at(1),
        );
        let counts = serde_json::to_value(ActionCounts::of(&actions)).unwrap();
        assert_eq!(
            counts,
            serde_json::json!({"PLANNED": 1, "DELETED": 0, "SKIPPED": 0, "DEFERRED": 0, "FAILED": 0})
        );
    }
}
