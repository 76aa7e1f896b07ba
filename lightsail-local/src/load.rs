//! From a fixture to the state served: [`Fixture::load`] reads a file, [`Fixture::expand`]
//! turns its `generate` section into accounts, roles and buckets (see `generate`), and
//! `check` rejects what would make the stand-in answer nonsense.

use std::path::Path;

use crate::fixture::{is_account_id, FaultKind, Fixture, KeyFixture, OrganizationFixture};
use crate::generate;

impl Fixture {
    /// Reads a fixture file, expands its `generate` section and checks it.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut fixture: Self = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not a valid fixture: {e}", path.display()))?;
        fixture
            .expand()
            .and_then(|()| fixture.check())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(fixture)
    }

    /// Expands `generate`, if set, into organization accounts, member roles, buckets and
    /// regions, and clears it; see [`crate::GenerateFixture`]. Done by [`Fixture::load`] and
    /// `Server::start`, so a fixture built in code may set `generate` too.
    pub fn expand(&mut self) -> Result<(), String> {
        match self.generate.take() {
            Some(generate) => generate::expand(self, &generate),
            None => Ok(()),
        }
    }

    /// Rejects what would make the stand-in answer nonsense.
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.page_size == 0 {
            return Err("pageSize must be at least 1".into());
        }
        let all_faults = self
            .faults
            .iter()
            .chain(self.buckets.iter().flat_map(|b| &b.faults));
        for fault in all_faults {
            if fault.kind == FaultKind::Latency && fault.latency_ms.is_none() {
                return Err("a latency fault needs latencyMs".into());
            }
        }
        let mut seen = std::collections::HashSet::new();
        for bucket in &self.buckets {
            if !seen.insert((bucket.account(), bucket.region.as_str(), bucket.name.as_str())) {
                return Err(format!(
                    "bucket {:?} appears twice in one account and region",
                    bucket.name
                ));
            }
            if let Some(bad) = bucket
                .readonly_access_accounts
                .iter()
                .find(|id| !is_account_id(id))
            {
                return Err(format!(
                    "bucket {:?}: readonlyAccessAccounts holds {bad:?}, not a 12-digit account id",
                    bucket.name
                ));
            }
            bucket.keys.iter().try_for_each(check_last_used_change)?;
        }
        if self.generate.is_some() {
            return Err("generate must be expanded first (Fixture::expand)".into());
        }
        self.organization.as_ref().map_or(Ok(()), check_organization)
    }
}

/// Rejects a `lastUsedAfterReads` no real key could show: one due before any read (then it is
/// simply the key's `lastUsed`), or a last use that moves back in time or into the future.
fn check_last_used_change(key: &KeyFixture) -> Result<(), String> {
    let Some(change) = &key.last_used_after_reads else {
        return Ok(());
    };
    let id = &key.access_key_id;
    if change.reads == 0 {
        return Err(format!(
            "key {id}: lastUsedAfterReads.reads must be at least 1 (for a change from the first read, set lastUsedDaysAgo)"
        ));
    }
    let days = change.last_used_days_ago;
    if days.is_nan() || days < 0.0 {
        return Err(format!(
            "key {id}: lastUsedAfterReads.lastUsedDaysAgo must be 0 or more; got {days}"
        ));
    }
    if key.last_used_days_ago.is_some_and(|before| days >= before) {
        return Err(format!(
            "key {id}: lastUsedAfterReads.lastUsedDaysAgo ({days}) must be more recent than lastUsedDaysAgo"
        ));
    }
    Ok(())
}

/// Rejects organization ids the real service could not have, and accounts listed twice.
fn check_organization(organization: &OrganizationFixture) -> Result<(), String> {
    let suffix = organization.id.strip_prefix("o-").unwrap_or("");
    let id_ok = (10..=32).contains(&suffix.len())
        && suffix
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if !id_ok {
        return Err(format!(
            "organization id {:?} is not o- and 10 to 32 lowercase letters or digits",
            organization.id
        ));
    }
    let mut named =
        std::iter::once(&organization.management_account_id).chain(&organization.delegated_administrators);
    if let Some(bad) = named.find(|id| !is_account_id(id)) {
        return Err(format!("organization account id {bad:?} is not 12 digits"));
    }
    let mut seen = std::collections::HashSet::new();
    for account in &organization.accounts {
        if !is_account_id(&account.id) {
            return Err(format!(
                "organization account id {:?} is not 12 digits",
                account.id
            ));
        }
        if !seen.insert(account.id.as_str()) {
            return Err(format!("organization account {} is listed twice", account.id));
        }
        if account.name.is_empty() {
            return Err(format!("organization account {} has an empty name", account.id));
        }
        if account.email.as_deref().is_some_and(|e| !e.contains('@')) {
            return Err(format!(
                "organization account {} has no @ in its email",
                account.id
            ));
        }
    }
    Ok(())
}
