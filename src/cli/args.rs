//! The command line: flags parsed with clap, then turned into exactly the request the Lambda
//! function takes, so that the request's own validation judges them.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};
use serde_json::{json, Map, Value};

/// What `--help` ends with: the exit codes a pipeline gates on.
const EXIT_CODES: &str = "\
Exit codes:
  0  audited: no unsuppressed findings, no failures
  1  unsuppressed findings
  2  invalid arguments or request: nothing audited
  3  a bucket, its access, an account or a region could not be audited, --security-hub
     could not send everything, or a --remediate delete deletion failed (takes precedence
     over 1)

Without AWS_LAMBDA_RUNTIME_API this binary is a command-line tool using the default AWS
credential chain (environment, profiles, SSO, instance roles); with it, the Lambda function.
The function's environment variables (AUDIT_REGIONS, STALE_AFTER_DAYS, ...) supply defaults;
flags override them.";

/// Audits the access keys of Amazon Lightsail object-storage buckets.
#[derive(Debug, Parser)]
#[command(name = "lightsail-key-audit", version, after_help = EXIT_CODES)]
pub(crate) struct Args {
    /// A bucket to audit (repeatable); none: discover every bucket.
    #[arg(long = "bucket", value_name = "NAME", conflicts_with = "event")]
    buckets: Vec<String>,
    /// A region to audit (repeatable), or `all`; none: AUDIT_REGIONS, else AWS_REGION.
    #[arg(long = "region", value_name = "NAME", conflicts_with = "event")]
    regions: Vec<String>,
    /// An account to audit, by id (through --member-role-name) or role ARN (repeatable).
    #[arg(long = "account", value_name = "ID|ROLE_ARN", conflicts_with_all = ["event", "organization"])]
    accounts: Vec<String>,
    /// Every ACTIVE account of the organization (Organizations ListAccounts).
    #[arg(long, conflicts_with = "event")]
    organization: bool,
    /// The role assumed in accounts given by id or listed by Organizations.
    #[arg(long, value_name = "NAME", conflicts_with = "event")]
    member_role_name: Option<String>,
    /// The external id presented to member roles.
    #[arg(long, value_name = "ID", conflicts_with = "event")]
    external_id: Option<String>,
    /// STALE: an Active key last used more than N days ago.
    #[arg(long, value_name = "N", allow_hyphen_values = true, conflicts_with = "event")]
    stale_after_days: Option<String>,
    /// NEVER_USED: an Active key never used and older than N days.
    #[arg(long, value_name = "N", allow_hyphen_values = true, conflicts_with = "event")]
    never_used_grace_days: Option<String>,
    /// ROTATION_DUE: a key older than N days.
    #[arg(long, value_name = "N", allow_hyphen_values = true, conflicts_with = "event")]
    max_key_age_days: Option<String>,
    /// Keys only: no bucket access read or judged (public, shared, instances, logging).
    #[arg(long, conflicts_with = "event")]
    no_access_checks: bool,
    /// An account a bucket may be shared with (repeatable); the organization's in --organization.
    #[arg(long = "trusted-account", value_name = "ID", conflicts_with = "event")]
    trusted_accounts: Vec<String>,
    /// The request's suppression list, as a JSON file.
    #[arg(long, value_name = "FILE", conflicts_with = "event")]
    suppressions: Option<PathBuf>,
    /// A request or EventBridge event as the function takes it (any events/*.json).
    #[arg(long, value_name = "FILE")]
    event: Option<PathBuf>,
    /// How the report is written.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
    /// Write the report to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Calls in flight at once, across accounts, regions and buckets.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub(crate) max_concurrency: Option<u16>,
    /// The AWS profile to use.
    #[arg(long, value_name = "NAME")]
    pub(crate) profile: Option<String>,
    /// Also import the findings into Security Hub with these credentials, and archive there
    /// the ones this run resolved or a suppression now covers (SECURITY_HUB_REGION: one
    /// Region for all).
    #[arg(long)]
    pub(crate) security_hub: bool,
    /// Remediation: `plan` lists the keys it would delete and when; `delete` deletes the due
    /// ones (REMEDIATE_CODES, REMEDIATE_AFTER_DAYS, REMEDIATE_MAX_KEYS), each after a fresh
    /// read, once confirmed. Needs --report-bucket to know when findings were first seen.
    #[arg(long, value_enum, value_name = "MODE")]
    pub(crate) remediate: Option<Remediate>,
    /// Delete without asking (--remediate delete); required without a terminal.
    #[arg(long, requires = "remediate")]
    pub(crate) yes: bool,
    /// The function's archive bucket, whose change-tracking state (read, never written) says
    /// when each finding was first seen; default REPORT_BUCKET.
    #[arg(long, value_name = "NAME")]
    pub(crate) report_bucket: Option<String>,
    /// The archive's key prefix; default REPORT_PREFIX.
    #[arg(long, value_name = "PREFIX")]
    pub(crate) report_prefix: Option<String>,
}

/// `--remediate`'s modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Remediate {
    /// List what would be deleted and when; delete nothing.
    Plan,
    /// Delete the due keys that pass every check.
    Delete,
}

/// The report's shape on the way out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// One row per finding and per failed bucket, then a summary line.
    Table,
    /// Exactly the report the function returns.
    Json,
    /// One row per key, bucket-level finding and failed bucket (RFC 4180).
    Csv,
    /// The findings as `BatchImportFindings` takes them: `{"Findings": [...]}` in ASFF.
    Asff,
    /// The findings as OCSF Detection Finding events, one JSON object a line.
    Ocsf,
}

impl Args {
    /// The request these flags stand for, as the function would receive it. `Err` names the
    /// file that could not be read.
    pub(crate) fn event(&self) -> Result<Value, String> {
        if let Some(path) = &self.event {
            return read_json(path, "--event");
        }
        let mut request = Map::new();
        if !self.buckets.is_empty() {
            request.insert("bucketNames".into(), json!(self.buckets));
        }
        match self.regions.as_slice() {
            [] => {}
            [one] if one == "all" => {
                request.insert("regions".into(), json!("all"));
            }
            many => {
                request.insert("regions".into(), json!(many));
            }
        }
        if self.organization {
            request.insert("accounts".into(), json!("organization"));
        } else if !self.accounts.is_empty() {
            request.insert(
                "accounts".into(),
                Value::Array(self.accounts.iter().map(|a| account(a)).collect()),
            );
        }
        let text = [
            ("memberRoleName", &self.member_role_name),
            ("externalId", &self.external_id),
        ];
        for (field, value) in text {
            if let Some(value) = value {
                request.insert(field.into(), json!(value));
            }
        }
        let days = [
            ("staleAfterDays", &self.stale_after_days),
            ("neverUsedGraceDays", &self.never_used_grace_days),
            ("maxKeyAgeDays", &self.max_key_age_days),
        ];
        for (field, value) in days {
            if let Some(raw) = value {
                // A number as JSON, anything else as text: the request's check names the field.
                let value = serde_json::from_str::<Value>(raw).unwrap_or_else(|_| json!(raw));
                request.insert(field.into(), value);
            }
        }
        if self.no_access_checks {
            request.insert("includeAccessChecks".into(), json!(false));
        }
        if !self.trusted_accounts.is_empty() {
            request.insert("trustedAccountIds".into(), json!(self.trusted_accounts));
        }
        if let Some(path) = &self.suppressions {
            request.insert("suppressions".into(), read_json(path, "--suppressions")?);
        }
        Ok(Value::Object(request))
    }
}

/// `--account`: a role ARN, or else an account id (checked by the request).
fn account(text: &str) -> Value {
    if text.starts_with("arn:") {
        json!({"roleArn": text})
    } else {
        json!({"accountId": text})
    }
}

fn read_json(path: &PathBuf, flag: &str) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{flag} {}: cannot read it: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{flag} {}: not JSON: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(args: &[&str]) -> Value {
        let args =
            Args::try_parse_from(std::iter::once("lightsail-key-audit").chain(args.iter().copied())).unwrap();
        args.event().unwrap()
    }

    #[test]
    fn flags_build_the_request_the_function_takes() {
        assert_eq!(event(&[]), json!({}));
        assert_eq!(
            event(&[
                "--bucket",
                "a-1",
                "--bucket",
                "b-2",
                "--region",
                "all",
                "--stale-after-days",
                "30",
                "--max-key-age-days",
                "x",
                "--account",
                "210987654321",
                "--account",
                "arn:aws:iam::111111111111:role/R",
                "--member-role-name",
                "M",
                "--external-id",
                "ext"
            ]),
            json!({"bucketNames": ["a-1", "b-2"], "regions": "all", "staleAfterDays": 30,
                   "maxKeyAgeDays": "x", "memberRoleName": "M", "externalId": "ext",
                   "accounts": [{"accountId": "210987654321"}, {"roleArn": "arn:aws:iam::111111111111:role/R"}]})
        );
        assert_eq!(
            event(&[
                "--organization",
                "--region",
                "us-east-1",
                "--region",
                "eu-west-2",
                "--never-used-grace-days",
                "-1"
            ]),
            json!({"accounts": "organization", "regions": ["us-east-1", "eu-west-2"], "neverUsedGraceDays": -1})
        );
        assert_eq!(
            event(&[
                "--no-access-checks",
                "--trusted-account",
                "444455556666",
                "--trusted-account",
                "x"
            ]),
            json!({"includeAccessChecks": false, "trustedAccountIds": ["444455556666", "x"]})
        );
    }

    #[test]
    fn clashing_or_bad_flags_are_refused_by_clap() {
        let parse = |args: &[&str]| Args::try_parse_from(std::iter::once("x").chain(args.iter().copied()));
        for bad in [
            &["--event", "e.json", "--bucket", "a"][..],
            &["--organization", "--account", "210987654321"],
            &["--format", "xml"],
            &["--max-concurrency", "65"],
            &["--bogus"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(parse(&["--format", "csv"]).unwrap().format, Format::Csv);
    }
}
