//! The command-line mode: the same audit from a terminal or a pipeline, with the default AWS
//! credential chain, a table, JSON or CSV, and exit codes to gate on.
//!
//! `main` comes here only without `AWS_LAMBDA_RUNTIME_API`; nothing is published, archived
//! or written as metrics.

mod args;
mod render;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use clap::Parser;
use serde_json::Value;

use crate::aws::Lightsail;
use crate::error::AuditError;
use crate::handler::{run_audit, Invocation, Progress};
use crate::request::Config;
use args::{Args, Format};

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
    let mut loader = config.aws_loader();
    if let Some(profile) = &args.profile {
        loader = loader.profile_name(profile);
    }
    let lightsail = Lightsail::new(&loader.load().await).map_err(|e| (INVALID, e.to_string()))?;
    let progress = Arc::new(Progress::default());
    let mut invocation = Invocation::at(Utc::now());
    invocation.progress = Some(progress.clone());
    let ticker = std::io::stderr()
        .is_terminal()
        .then(|| tokio::spawn(show_progress(progress)));
    let outcome = run_audit(&lightsail, &config, &event, &invocation).await;
    if let Some(ticker) = ticker {
        ticker.abort();
        eprint!("\r\u{1b}[2K");
    }
    let report = match outcome {
        Ok(report) => serde_json::to_value(report).map_err(|e| (INCOMPLETE, e.to_string()))?,
        Err(error @ AuditError::AuditFailed { .. }) => return Err((INCOMPLETE, error.to_string())),
        Err(error) => return Err((INVALID, error.to_string())),
    };
    write(args, &report).map_err(|m| (INVALID, m))?;
    Ok(exit_code(&report))
}

/// The function's configuration from the environment, `--max-concurrency` over it.
fn config(args: &Args) -> Result<Config, AuditError> {
    let concurrency = args.max_concurrency.map(|n| n.to_string());
    Config::from_lookup(|name| match (name, &concurrency) {
        ("MAX_CONCURRENCY", Some(n)) => Some(n.clone()),
        _ => std::env::var(name).ok(),
    })
}

/// After about a second, `audited N of M buckets` on one line of stderr, refreshed.
async fn show_progress(progress: Arc<Progress>) {
    tokio::time::sleep(Duration::from_secs(1)).await;
    loop {
        let (done, total) = progress.get();
        if total > 0 {
            eprint!("\r\u{1b}[2Kaudited {done} of {total} buckets");
            let _ = std::io::stderr().flush();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The report in the format asked, to `--output` or stdout.
fn write(args: &Args, report: &Value) -> Result<(), String> {
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let colour = to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let text = match args.format {
        Format::Json => report.to_string() + "\n",
        Format::Table => render::table(report, colour),
        Format::Csv => render::csv(report),
    };
    match &args.output {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| format!("--output {}: cannot write it: {e}", path.display())),
        None => std::io::stdout()
            .write_all(text.as_bytes())
            .map_err(|e| format!("cannot write the report to stdout: {e}")),
    }
}

/// 3 if anything could not be audited, else 1 for unsuppressed findings, else 0.
fn exit_code(report: &Value) -> u8 {
    let summary = &report["summary"];
    let count = |field: &str| summary[field].as_u64().unwrap_or(0);
    let findings: u64 = summary["findings"]
        .as_object()
        .map_or(0, |f| f.values().filter_map(Value::as_u64).sum());
    if count("bucketsFailed") + count("bucketsSkipped") + count("scopeErrors") > 0 {
        INCOMPLETE
    } else if findings > 0 {
        FINDINGS
    } else {
        CLEAN
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_failure_outranks_findings() {
        let report = |failed: u64, stale: u64| {
            json!({"summary": {"bucketsFailed": failed, "bucketsSkipped": 0, "scopeErrors": 0,
                               "findings": {"STALE": stale, "INACTIVE": 0}}})
        };
        assert_eq!(exit_code(&report(0, 0)), CLEAN);
        assert_eq!(exit_code(&report(0, 2)), FINDINGS);
        assert_eq!(exit_code(&report(1, 2)), INCOMPLETE);
        assert_eq!(exit_code(&json!({"summary": {"scopeErrors": 1}})), INCOMPLETE);
    }
}
