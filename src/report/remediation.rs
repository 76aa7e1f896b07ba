//! The report's `remediation`: which keys' findings qualify for deletion, when each becomes
//! eligible, and what was done about each. A deletion date is announced to people by the
//! run that first plans it, `REMEDIATE_AFTER_DAYS` ahead, and kept in the change-tracking
//! state until the finding goes, is suppressed or remediation is switched off: the date
//! people were told is the date that holds. Planning is pure: the audited buckets, the state
//! before this run, the settings and `now`. Deleting is the handler's; it records each
//! outcome here.

use chrono::{DateTime, Days, Utc};
use serde::Serialize;

use super::bucket::{BucketReport, BucketStatus};
use super::changes::{History, Since};
use crate::coverage::Location;
use crate::request::{Remediation as Settings, RemediationMode};
use crate::rules::{FindingCode, Seen};

/// The only action remediation takes.
const DELETE: &str = "DeleteBucketAccessKey";

/// The most deletion dates one run announces: the summary carries every announcement (each
/// a short line), and the state keeps a date only because people were told it.
pub(crate) const MAX_NEW_ANNOUNCEMENTS: usize = 200;

/// `remediation`: the mode and one action per key whose finding qualifies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Remediation {
    pub(crate) mode: RemediationMode,
    /// The codes acted on (`REMEDIATE_CODES`): the state keeps the dates of these only.
    #[serde(skip)]
    pub(crate) codes: Vec<FindingCode>,
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
    /// When the key may be deleted, as announced to people; `null` when no date is known or
    /// announced.
    pub(crate) eligible_at: Option<DateTime<Utc>>,
    /// When the audit's read said the key was last used: a deletion re-checks it.
    #[serde(skip)]
    pub(crate) last_used: Option<DateTime<Utc>>,
    /// Whether the state keeps `eligibleAt` as the date announced, and since when.
    #[serde(skip)]
    pub(crate) announced: Announcement,
}

/// Whether an action's `eligibleAt` is a date announced to people, which the state keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Announcement {
    /// No date announced: none is kept.
    None,
    /// Announced by an earlier run, and kept.
    Kept,
    /// Announced by this run: news for people, whatever `NOTIFY_WHEN` says.
    New,
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

/// How this run's plan is drawn: whether it may act on keys (`barred`: why not), and whether
/// it announces deletion dates, which only a run that writes the change-tracking state can:
/// the function with its archive, not the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Standing<'a> {
    pub(crate) barred: Option<&'a str>,
    pub(crate) announces: bool,
}

/// The plan: one action per key of an audited bucket with a finding of a code `settings`
/// names, oldest `eligibleAt` first. Suppressed findings are `SKIPPED`, and so is every
/// action of a barred run (keeping the dates announced before). Otherwise each is `PLANNED`
/// for the date announced before, or, announced by this run, `REMEDIATE_AFTER_DAYS` from now.
pub(crate) fn plan(
    buckets: &[BucketReport],
    history: &History,
    settings: &Settings,
    standing: Standing<'_>,
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
                let mut action = Action {
                    location: bucket.location.clone(),
                    bucket_name: bucket.bucket_name.clone(),
                    access_key_id: id.to_owned(),
                    code: finding.code,
                    action: DELETE,
                    status: ActionStatus::Planned,
                    reason: String::new(),
                    eligible_at: None,
                    last_used: key.last_used_date,
                    announced: Announcement::None,
                };
                match (&finding.suppression, standing.barred) {
                    (Some(note), _) => action.conclude(
                        ActionStatus::Skipped,
                        format!(
                            "suppressed until {}: {}",
                            note.suppression_expires, note.suppression_reason
                        ),
                    ),
                    (None, Some(why)) => {
                        // The schedule's dates stand, untouched by a run that is not the schedule's.
                        action.eligible_at = announced_before(since);
                        action.announced = action
                            .eligible_at
                            .map_or(Announcement::None, |_| Announcement::Kept);
                        action.conclude(
                            ActionStatus::Skipped,
                            format!("{why}: only a run that judges as the schedule does acts on keys"),
                        );
                    }
                    (None, None) => schedule(&mut action, since, settings, standing.announces, now),
                }
                Some(action)
            })
        })
        .collect();
    in_order(&mut actions);
    for action in actions
        .iter_mut()
        .filter(|a| a.announced == Announcement::New)
        .skip(MAX_NEW_ANNOUNCEMENTS)
    {
        action.eligible_at = None;
        action.announced = Announcement::None;
        action.reason = format!("not announced yet: a run announces at most {MAX_NEW_ANNOUNCEMENTS} deletion dates, so that its summary carries every warning; a later run announces this one");
    }
    in_order(&mut actions);
    actions
}

/// Oldest date first, unknown dates last; then by place, so the order never depends on the
/// listing's.
fn in_order(actions: &mut [Action]) {
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
}

/// The deletion date an earlier run announced for the finding, if one did.
fn announced_before(since: Since) -> Option<DateTime<Utc>> {
    match since {
        Since::Then { eligible_at, .. } => eligible_at,
        Since::Now | Since::Unknown => None,
    }
}

/// Dates a planned action: the date announced before (never earlier than `firstSeen` plus
/// the warning period), else, when this run announces, the warning period from now; with
/// no state to tell, or a run that cannot announce and finds nothing announced, no date.
fn schedule(action: &mut Action, since: Since, settings: &Settings, announces: bool, now: DateTime<Utc>) {
    let after = |at: DateTime<Utc>| at.checked_add_days(Days::new(u64::from(settings.after_days)));
    let (eligible_at, announced) = match since {
        Since::Unknown => (None, Announcement::None),
        Since::Then {
            first_seen,
            eligible_at: Some(at),
        } => (after(first_seen).map(|floor| at.max(floor)), Announcement::Kept),
        Since::Then { .. } | Since::Now if announces => (after(now), Announcement::New),
        Since::Then { .. } | Since::Now => (None, Announcement::None),
    };
    action.eligible_at = eligible_at;
    action.announced = if eligible_at.is_some() {
        announced
    } else {
        Announcement::None
    };
    let reason = planned_reason(eligible_at, settings.mode, since == Since::Unknown, now);
    action.conclude(ActionStatus::Planned, reason);
}

/// Why a planned action waits, or what it would do: the warning people read.
fn planned_reason(
    eligible_at: Option<DateTime<Utc>>,
    mode: RemediationMode,
    unknown: bool,
    now: DateTime<Utc>,
) -> String {
    let Some(at) = eligible_at else {
        return if unknown {
            "no date: when this finding was first seen is unknown without the archive's change-tracking state (REPORT_BUCKET, or --report-bucket from the command line)".into()
        } else {
            "no date: the function's schedule has not announced this deletion (it announces the date when it first plans it, with REMEDIATION=plan or delete), and only an announced deletion is made".into()
        };
    };
    let date = at.date_naive();
    match mode {
        RemediationMode::Delete if at > now => format!("will be deleted on {date} unless suppressed or used"),
        RemediationMode::Delete => "eligible".into(),
        _ if at > now => format!(
            "will be deleted on {date} unless suppressed or used, once REMEDIATION=delete (plan deletes nothing)"
        ),
        _ => format!(
            "eligible since {date}: will be deleted unless suppressed or used, once REMEDIATION=delete (plan deletes nothing)"
        ),
    }
}

impl Remediation {
    /// The warning for the finding of `code` on `access_key_id` in the bucket, when its key's
    /// deletion is announced and not yet made: when it will be deleted.
    pub(crate) fn warning(
        &self,
        location: &Location,
        bucket_name: &str,
        access_key_id: &str,
        code: FindingCode,
        now: DateTime<Utc>,
    ) -> Option<String> {
        let action = self.actions.iter().find(|a| {
            a.announced != Announcement::None
                && a.code == code
                && a.access_key_id == access_key_id
                && a.bucket_name == bucket_name
                && a.location == *location
        })?;
        match action.status {
            ActionStatus::Planned => Some(action.reason.clone()),
            ActionStatus::Deleted => None,
            _ => action.eligible_at.map(|at| match at > now {
                true => format!("will be deleted on {} unless suppressed or used", at.date_naive()),
                false => format!(
                    "due for deletion since {}: will be deleted at a later run unless suppressed or used",
                    at.date_naive()
                ),
            }),
        }
    }

    /// Whether this run announced a deletion date no earlier run had: news for people.
    pub(crate) fn announces_news(&self) -> bool {
        self.newly_announced().next().is_some()
    }

    /// The actions whose deletion date this run announced.
    pub(crate) fn newly_announced(&self) -> impl Iterator<Item = &Action> {
        self.actions
            .iter()
            .filter(|a| a.announced == Announcement::New && a.status == ActionStatus::Planned)
    }

    /// The dates the state keeps: every announced deletion not made.
    pub(crate) fn announced(&self) -> impl Iterator<Item = &Action> {
        self.actions
            .iter()
            .filter(|a| a.announced != Announcement::None && a.status != ActionStatus::Deleted)
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
    let standing = Standing {
        barred: None,
        announces: true,
    };
    let mut actions = report.plan_remediation(&History::FirstRun, &settings, standing);
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
    use crate::report::Report;
    use crate::rules::{KeyReport, Policy, SuppressionNote};
    use chrono::TimeZone;

    const SCHEDULE: Standing<'static> = Standing {
        barred: None,
        announces: true,
    };

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

    /// The history a scheduled run on `day` leaves for `buckets`, remediating as `settings`
    /// says after `history`.
    fn run(buckets: &[BucketReport], history: History, settings: &Settings, day: u32) -> History {
        let mut report = Report::new(at(day), Policy::default(), buckets.to_vec(), vec![], &[]);
        let actions = report.plan_remediation(&history, settings, SCHEDULE);
        report.set_remediation(settings, actions);
        History::Known(report.track(history, &[]).unwrap())
    }

    fn summary(actions: &[Action]) -> Vec<(&str, FindingCode, ActionStatus, Option<DateTime<Utc>>)> {
        actions
            .iter()
            .map(|a| (a.access_key_id.as_str(), a.code, a.status, a.eligible_at))
            .collect()
    }

    fn suppress(bucket: &mut BucketReport, key: usize) {
        if let Some(finding) = bucket.keys.get_mut(key).and_then(|k| k.findings.first_mut()) {
            let expires = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
            finding.suppression = Some(SuppressionNote::new("migration".into(), expires));
        }
    }

    #[test]
    fn a_deletion_date_is_announced_once_and_kept_until_it_is_due() {
        let buckets = vec![bucket(&[
            ("AKIA1", &[FindingCode::Inactive]),
            ("AKIA2", &[FindingCode::Stale, FindingCode::RotationDue]),
            ("AKIA3", &[FindingCode::RotationDue]),
            ("AKIA4", &[FindingCode::NeverUsed]),
        ])];
        let delete = settings(RemediationMode::Delete);
        let first = plan(&buckets, &History::FirstRun, &delete, SCHEDULE, at(1));
        // STALE is not among the default codes; ROTATION_DUE never is.
        assert_eq!(
            summary(&first),
            [
                (
                    "AKIA1",
                    FindingCode::Inactive,
                    ActionStatus::Planned,
                    Some(at(15))
                ),
                (
                    "AKIA4",
                    FindingCode::NeverUsed,
                    ActionStatus::Planned,
                    Some(at(15))
                ),
            ]
        );
        assert!(first
            .iter()
            .all(|a| a.announced == Announcement::New && !a.is_due(at(1))));
        assert_eq!(
            first[0].reason,
            "will be deleted on 2026-11-15 unless suppressed or used"
        );
        let history = run(&buckets, History::FirstRun, &delete, 1);
        let later = plan(&buckets, &history, &delete, SCHEDULE, at(14));
        assert!(later
            .iter()
            .all(|a| a.announced == Announcement::Kept && a.eligible_at == Some(at(15))));
        assert!(!later[0].is_due(at(14)), "a day before the date announced");
        let due = plan(&buckets, &history, &delete, SCHEDULE, at(15));
        assert!(due.iter().all(|a| a.is_due(at(15)) && a.action == DELETE));
        let planned = plan(
            &buckets,
            &History::FirstRun,
            &settings(RemediationMode::Plan),
            SCHEDULE,
            at(1),
        );
        assert_eq!(
            planned[0].reason,
            "will be deleted on 2026-11-15 unless suppressed or used, once REMEDIATION=delete (plan deletes nothing)"
        );
    }

    #[test]
    fn a_finding_seen_long_before_is_warned_about_from_when_remediation_first_plans_it() {
        let buckets = vec![bucket(&[("AKIA1", &[FindingCode::Inactive])])];
        // Open since day 1 with remediation off: no date was announced.
        let history = run(&buckets, History::FirstRun, &Settings::default(), 1);
        let delete = settings(RemediationMode::Delete);
        let actions = plan(&buckets, &history, &delete, SCHEDULE, at(20));
        let december = Utc.with_ymd_and_hms(2026, 12, 4, 6, 0, 0).unwrap();
        assert_eq!(
            summary(&actions),
            [(
                "AKIA1",
                FindingCode::Inactive,
                ActionStatus::Planned,
                Some(december)
            )]
        );
        // The command line announces nothing: without the schedule's date, no date.
        let cli = Standing {
            barred: None,
            announces: false,
        };
        let actions = plan(&buckets, &history, &delete, cli, at(20));
        assert_eq!(actions[0].eligible_at, None);
        assert!(
            actions[0].reason.contains("has not announced"),
            "{}",
            actions[0].reason
        );
    }

    #[test]
    fn a_suppression_clears_the_date_and_its_end_announces_a_new_one() {
        let mut suppressed = vec![bucket(&[("AKIA1", &[FindingCode::Inactive])])];
        let clear = suppressed.clone();
        let delete = settings(RemediationMode::Delete);
        let history = run(&clear, History::FirstRun, &delete, 1);
        suppress(&mut suppressed[0], 0);
        let actions = plan(&suppressed, &history, &delete, SCHEDULE, at(5));
        assert_eq!(
            (actions[0].status, actions[0].eligible_at),
            (ActionStatus::Skipped, None)
        );
        assert_eq!(actions[0].reason, "suppressed until 2027-01-01: migration");
        let history = run(&suppressed, history, &delete, 5);
        // Day 20: past day 1's date, but warned afresh from today.
        let actions = plan(&clear, &history, &delete, SCHEDULE, at(20));
        assert_eq!(actions[0].announced, Announcement::New);
        assert!(!actions[0].is_due(at(20)));
    }

    #[test]
    fn barred_and_undated_findings_are_never_due() {
        let buckets = vec![bucket(&[("AKIA1", &[FindingCode::Inactive])])];
        let delete = settings(RemediationMode::Delete);
        let history = run(&buckets, History::FirstRun, &delete, 1);
        let barred = Standing {
            barred: Some("thresholds differ"),
            announces: true,
        };
        let actions = plan(&buckets, &history, &delete, barred, at(20));
        assert_eq!(actions[0].status, ActionStatus::Skipped);
        assert_eq!(
            (actions[0].eligible_at, actions[0].announced),
            (Some(at(15)), Announcement::Kept),
            "the schedule's date stands"
        );
        let undated = plan(&buckets, &History::Disabled, &delete, SCHEDULE, at(20));
        assert!(undated
            .iter()
            .all(|a| a.eligible_at.is_none() && !a.is_due(at(20))));
        assert!(
            plan(&buckets, &history, &Settings::default(), SCHEDULE, at(20)).is_empty(),
            "off"
        );
    }

    #[test]
    fn remediation_off_forgets_the_dates_of_buckets_it_did_not_audit_too() {
        let audited = vec![bucket(&[("AKIA1", &[FindingCode::Inactive])])];
        let delete = settings(RemediationMode::Delete);
        let history = run(&audited, History::FirstRun, &delete, 1);
        // Day 2: the bucket fails, and remediation is off; day 3, on again.
        let failed = vec![BucketReport::failed(
            "media-prod".into(),
            Location::home(),
            crate::failure::Failure::new("ThrottlingException", "slow down"),
        )];
        let kept = run(&failed, history.clone(), &delete, 2);
        let forgotten = run(&failed, history, &Settings::default(), 2);
        let kept = plan(&audited, &kept, &delete, SCHEDULE, at(16));
        assert!(kept[0].is_due(at(16)), "a failed bucket keeps its date");
        let fresh = plan(&audited, &forgotten, &delete, SCHEDULE, at(16));
        assert_eq!(fresh[0].announced, Announcement::New, "warned afresh");
        assert!(!fresh[0].is_due(at(16)));
    }

    #[test]
    fn a_run_announces_at_most_two_hundred_dates() {
        let ids: Vec<String> = (0..MAX_NEW_ANNOUNCEMENTS + 1)
            .map(|i| format!("AKIA{i:016}"))
            .collect();
        let keys: Vec<(&str, &[FindingCode])> = ids
            .iter()
            .map(|id| (id.as_str(), &[FindingCode::Inactive][..]))
            .collect();
        let buckets = vec![bucket(&keys)];
        let actions = plan(
            &buckets,
            &History::FirstRun,
            &settings(RemediationMode::Delete),
            SCHEDULE,
            at(1),
        );
        let announced = actions
            .iter()
            .filter(|a| a.announced == Announcement::New)
            .count();
        assert_eq!(announced, MAX_NEW_ANNOUNCEMENTS);
        let last = actions.last().unwrap();
        assert_eq!(
            (last.access_key_id.as_str(), last.eligible_at),
            (ids[MAX_NEW_ANNOUNCEMENTS].as_str(), None)
        );
        assert!(last.reason.starts_with("not announced yet"), "{}", last.reason);
    }

    #[test]
    fn counts_name_every_status() {
        let buckets = vec![bucket(&[("AKIA1", &[FindingCode::Inactive])])];
        let actions = plan(
            &buckets,
            &History::FirstRun,
            &settings(RemediationMode::Plan),
            SCHEDULE,
            at(1),
        );
        let counts = serde_json::to_value(ActionCounts::of(&actions)).unwrap();
        assert_eq!(
            counts,
            serde_json::json!({"PLANNED": 1, "DELETED": 0, "SKIPPED": 0, "DEFERRED": 0, "FAILED": 0})
        );
    }
}
