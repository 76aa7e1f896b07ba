//! The command-line mode: the same audit from a terminal or a pipeline, with the default AWS
//! credential chain, a table, JSON, CSV or ASFF, and exit codes to gate on.
//!
//! `main` comes here only without `AWS_LAMBDA_RUNTIME_API`; nothing is published, archived
//! or written as metrics. `--security-hub` imports the findings as the function does;
//! `--remediate` plans or deletes as the function's remediation does, reading (never
//! writing) the archive's change-tracking state.

mod args;
mod confirm;
mod progress;
mod render;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

use chrono::Utc;
use clap::Parser;

use crate::aws::{Archive, Lightsail, SecurityHub};
use crate::error::AuditError;
use crate::handler::{run_audit, run_audit_and_remediate, run_audit_to_security_hub, Invocation, Outputs};
use crate::report::{asff_document, ocsf_lines, ActionStatus, Digest, Report, Summary};
use crate::request::{Config, RemediationMode};
use args::{Args, Format, Remediate};
pub use progress::Progress;

/// Audited: nothing open, nothing failed.
const CLEAN: u8 = 0;
/// Unsuppressed findings.
const FINDINGS: u8 = 1;
/// Invalid arguments or request: nothing audited.
const INVALID: u8 = 2;
/// A bucket, account or region could not be audited.
const INCOMPLETE: u8 = 3;

/// Runs one audit from the command line and says how it went as an exit code.
pub async fn run() -> ExitCode {
    let args = Args::parse();
    crate::logging::init_terminal();
    match audit(&args).await {
        Ok(code) => ExitCode::from(code),
        Err((code, message)) => {
            eprintln!("lightsail-key-audit: {message}");
            ExitCode::from(code)
        }
    }
}

/// The audit `args` ask for, written where they say: the exit code, or why it failed.
async fn audit(args: &Args) -> Result<u8, (u8, String)> {
    let event = args.event().map_err(|m| (INVALID, m))?;
    let config = config(args).map_err(|e| (INVALID, e.to_string()))?;
    check_remediation(args, &config)?;
    let mut loader = config.aws_loader();
    if let Some(profile) = &args.profile {
        loader = loader.profile_name(profile);
    }
    let sdk_config = loader.load().await;
    let lightsail = Lightsail::new(&sdk_config).map_err(|e| (INVALID, e.to_string()))?;
    let hub = args.security_hub.then(|| SecurityHub::new(&sdk_config));
    let archive = config
        .report_archive()
        .filter(|_| args.remediate.is_some())
        .map(|(bucket, prefix)| Archive::new(&sdk_config, bucket, prefix));
    let progress = Arc::new(Progress::default());
    let mut invocation = Invocation::at(Utc::now()).reporting_to(progress.clone());
    if args.remediate == Some(Remediate::Delete) && !args.yes {
        invocation = invocation.confirming_with(Arc::new(confirm::AskAtTerminal));
    }
    let ticker = std::io::stderr()
        .is_terminal()
        .then(|| tokio::spawn(progress::show(progress)));
    let outcome = match (&hub, args.remediate) {
        (_, Some(_)) => {
            let outputs = Outputs {
                archive: archive.as_ref(),
                security_hub: hub.as_ref(),
                notifier: None,
            };
            run_audit_and_remediate(&lightsail, outputs, &config, &event, &invocation).await
        }
        (Some(hub), None) => run_audit_to_security_hub(&lightsail, hub, &config, &event, &invocation).await,
        (None, None) => run_audit(&lightsail, &config, &event, &invocation).await,
    };
    if let Some(ticker) = ticker {
        ticker.abort();
        eprint!("\r\u{1b}[2K");
    }
    let report = match outcome {
        Ok(report) => report,
        Err(error @ AuditError::AuditFailed { .. }) => return Err((INCOMPLETE, error.to_string())),
        Err(error) => return Err((INVALID, error.to_string())),
    };
    write(args, &config, &report)?;
    if hub.is_some() {
        eprintln!("{}", render::security_hub(&report.summary().security_hub));
    }
    if args.remediate.is_some() {
        eprintln!("{}", render::remediation(&report));
    }
    Ok(exit_code(report.summary()))
}

/// The function's configuration from the environment, the flags over it. `REMEDIATION` is
/// the function's: the command line remediates only with `--remediate`.
fn config(args: &Args) -> Result<Config, AuditError> {
    let flags = [
        ("MAX_CONCURRENCY", args.max_concurrency.map(|n| n.to_string())),
        ("REPORT_BUCKET", args.report_bucket.clone()),
        ("REPORT_PREFIX", args.report_prefix.clone()),
    ];
    let mut config = Config::from_lookup(|name| {
        if name == "REMEDIATION" {
            return None;
        }
        match flags.iter().find(|(flag, _)| *flag == name) {
            Some((_, Some(value))) => Some(value.clone()),
            _ => std::env::var(name).ok(),
        }
    })?;
    config.remediation.mode = match args.remediate {
        None => RemediationMode::Off,
        Some(Remediate::Plan) => RemediationMode::Plan,
        Some(Remediate::Delete) => RemediationMode::Delete,
    };
    Ok(config)
}

/// Refuses `--remediate delete` that could not be safe: without the archive's state (when
/// findings were first seen), or without a terminal to confirm at and without `--yes`.
fn check_remediation(args: &Args, config: &Config) -> Result<(), (u8, String)> {
    if args.remediate != Some(Remediate::Delete) {
        return Ok(());
    }
    if config.report_archive().is_none() {
        return Err((INVALID, "--remediate delete needs the function's archive to know when each finding was first seen: give --report-bucket (and --report-prefix), or set REPORT_BUCKET. --remediate plan works without it".into()));
    }
    if !args.yes && !std::io::stdin().is_terminal() {
        return Err((INVALID, "--remediate delete asks for confirmation at a terminal, and stdin is not one: pass --yes to delete without asking (a pipeline), or run it at a terminal".into()));
    }
    Ok(())
}

/// The report in the format asked, to `--output` or stdout; the exit code and why, if it
/// cannot be written.
fn write(args: &Args, config: &Config, report: &Report) -> Result<(), (u8, String)> {
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let colour = to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let text = match args.format {
        Format::Json => serde_json::to_string(report).map_err(|e| (INCOMPLETE, e.to_string()))? + "\n",
        Format::Table => render::table(&Digest::of(report), colour),
        Format::Csv => render::csv(&Digest::of(report)),
        Format::Asff => asff(report, config)?,
        Format::Ocsf => ocsf_lines(report),
    };
    let written = match &args.output {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| format!("--output {}: cannot write it: {e}", path.display())),
        None => std::io::stdout()
            .write_all(text.as_bytes())
            .map_err(|e| format!("cannot write the report to stdout: {e}")),
    };
    written.map_err(|m| (INVALID, m))
}

/// `--format asff`, saying on stderr what it leaves out.
fn asff(report: &Report, config: &Config) -> Result<String, (u8, String)> {
    let (text, unplaced) = asff_document(report, config.security_hub_region.as_deref())
        .map_err(|e| (INCOMPLETE, e.to_string()))?;
    if unplaced > 0 {
        eprintln!("lightsail-key-audit: {unplaced} findings have no known account, Region or key id, so no stable ASFF id: left out");
    }
    Ok(text)
}

/// 3 if anything could not be audited, else 1 for unsuppressed findings, else 0.
fn exit_code(summary: &Summary) -> u8 {
    if summary.not_audited() > 0
        || summary.security_hub.failures() > 0
        || summary.remediation.get(ActionStatus::Failed) > 0
    {
        INCOMPLETE
    } else if summary.findings.total() > 0 {
        FINDINGS
    } else {
        CLEAN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_outranks_findings() {
        let summary = |failed: usize, stale: usize, scopes: usize| {
            let mut summary = Summary::default();
            (summary.buckets_failed, summary.scope_errors) = (failed, scopes);
            for _ in 0..stale {
                summary.findings.add(crate::rules::FindingCode::Stale);
            }
            summary
        };
        assert_eq!(exit_code(&summary(0, 0, 0)), CLEAN);
        assert_eq!(exit_code(&summary(0, 2, 0)), FINDINGS);
        assert_eq!(exit_code(&summary(1, 2, 0)), INCOMPLETE);
        assert_eq!(exit_code(&summary(0, 0, 1)), INCOMPLETE);
        let access_unknown = Summary {
            access_unknown: 1,
            ..summary(0, 2, 0)
        };
        assert_eq!(
            exit_code(&access_unknown),
            INCOMPLETE,
            "a bucket whose access is unknown was not wholly audited"
        );
    }
}
