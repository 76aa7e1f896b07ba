//! Log set-up: Lambda's logging controls, with the AWS SDK held to INFO.
//!
//! This follows `lambda_runtime::tracing::init_default_subscriber` (same variables: JSON when
//! `AWS_LAMBDA_LOG_FORMAT=JSON`, level from `AWS_LAMBDA_LOG_LEVEL` then `RUST_LOG`, default
//! INFO) with one difference: the SDK's DEBUG and TRACE events never pass, whatever the level.
//! At TRACE the SDK logs whole responses, and `AccessKey`'s `Debug` prints the secret access
//! key in clear; signed requests carry session tokens. A security tool must not log those.

use std::str::FromStr;

use tracing::subscriber::Interest;
use tracing::{Level, Metadata, Subscriber};
use tracing_subscriber::filter::{EnvFilter, LevelFilter};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::Context;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer;

/// Target prefixes of the SDK and its HTTP stack, whose detailed events may carry request or
/// response contents.
const SDK_TARGETS: [&str; 5] = ["aws_", "hyper", "h2", "rustls", "tower"];

/// Installs the global subscriber, writing to stdout as Lambda expects.
pub fn init() {
    let env = |name: &str| std::env::var(name).ok();
    let json = env("AWS_LAMBDA_LOG_FORMAT").is_some_and(|f| f.eq_ignore_ascii_case("json"));
    let rust_log = env("RUST_LOG");
    let level = env("AWS_LAMBDA_LOG_LEVEL").or_else(|| rust_log.clone());
    subscriber(level.as_deref(), rust_log.as_deref(), json, std::io::stdout).init();
}

/// Installs the global subscriber of the command-line mode: human-readable lines on stderr
/// (stdout carries the report), WARN and above unless `RUST_LOG` says otherwise.
pub fn init_terminal() {
    let rust_log = std::env::var("RUST_LOG").ok();
    subscriber(Some("warn"), rust_log.as_deref(), false, std::io::stderr).init();
}

/// The subscriber: `level` is a level name (`DEBUG`; Lambda's `FATAL` means ERROR; anything
/// else means INFO) and `directives` are `RUST_LOG`-style per-target directives on top of it.
pub fn subscriber<W>(
    level: Option<&str>,
    directives: Option<&str>,
    json: bool,
    writer: W,
) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let level = level
        .and_then(|l| {
            // Lambda's FATAL has no tracing twin: ERROR is the nearest that Lambda still keeps.
            let l = if l.eq_ignore_ascii_case("fatal") {
                "error"
            } else {
                l
            };
            LevelFilter::from_str(l).ok()
        })
        .unwrap_or(LevelFilter::INFO);
    let filter = EnvFilter::builder()
        .with_default_directive(level.into())
        .parse_lossy(directives.unwrap_or_default());
    let format = tracing_subscriber::fmt::layer()
        .with_target(false)
        .with_ansi(false)
        .with_writer(writer);
    let format = if json {
        // Lambda's log-level filter takes a JSON line without a valid `level` and RFC 3339
        // `timestamp` as INFO, and drops it at WARN and above: even an ERROR line. The default
        // timer writes RFC 3339 in UTC.
        format.json().boxed()
    } else {
        // Lambda stamps text lines itself.
        format.without_time().boxed()
    };
    tracing_subscriber::registry()
        .with(format)
        .with(filter)
        .with(SdkCap)
}

/// Holds the SDK to INFO. The decision depends on the call site alone, so it is made once per
/// call site and cached: the SDK's many DEBUG and TRACE call sites then cost nothing per call.
struct SdkCap;

impl<S: Subscriber> Layer<S> for SdkCap {
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        if allowed(metadata) {
            Interest::always()
        } else {
            Interest::never()
        }
    }

    fn enabled(&self, metadata: &Metadata<'_>, _: Context<'_, S>) -> bool {
        allowed(metadata)
    }
}

/// False for the SDK's DEBUG and TRACE events.
fn allowed(metadata: &Metadata<'_>) -> bool {
    *metadata.level() <= Level::INFO || !SDK_TARGETS.iter().any(|t| metadata.target().starts_with(t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// A fresh file for a subscriber to write to (`Arc<File>` is a writer maker of its own),
    /// and its path, to read back.
    fn capture() -> (PathBuf, Arc<std::fs::File>) {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("lightsail-key-audit-log-{}-{n}", std::process::id()));
        (path.clone(), Arc::new(std::fs::File::create(path).unwrap()))
    }

    fn text(path: &PathBuf) -> String {
        let text = std::fs::read_to_string(path).unwrap();
        let _ = std::fs::remove_file(path);
        text
    }

    fn emit(level: Option<&str>, directives: Option<&str>, json: bool) -> String {
        let (captured, writer) = capture();
        let subscriber = subscriber(level, directives, json, writer);
        tracing::subscriber::with_default(subscriber, || {
            tracing::trace!(target: "aws_smithy_runtime::client::orchestrator", "sdk-trace");
            tracing::debug!(target: "aws_sigv4::http_request", "sdk-debug");
            tracing::info!(target: "aws_config::meta", "sdk-info");
            tracing::trace!("own-trace");
            tracing::debug!("own-debug");
            tracing::info!("own-info");
        });
        text(&captured)
    }

    #[test]
    fn the_sdk_never_logs_below_info_whatever_the_level() {
        let cases = [
            (Some("TRACE"), None),
            (Some("trace"), None),
            (Some("debug"), None),
            (None, Some("aws_smithy_runtime=trace,aws_sigv4=trace,debug")),
        ];
        for (level, directives) in cases {
            let text = emit(level, directives, false);
            assert!(
                !text.contains("sdk-trace") && !text.contains("sdk-debug"),
                "{level:?}: {text}"
            );
            assert!(text.contains("sdk-info"), "{level:?}: {text}");
            assert!(text.contains("own-debug"), "{level:?}: {text}");
        }
        assert!(emit(Some("TRACE"), None, false).contains("own-trace"));
    }

    #[test]
    fn the_default_level_is_info_and_json_is_one_object_a_line() {
        let text = emit(None, None, true);
        assert!(!text.contains("own-debug"));
        let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert_eq!(lines[1]["fields"]["message"], "own-info");
        assert_eq!(lines[1]["level"], "INFO");
    }

    #[test]
    fn every_json_line_has_the_level_and_rfc3339_timestamp_lambda_filters_on() {
        let text = emit(Some("TRACE"), None, true);
        for line in text.lines() {
            let line: serde_json::Value = serde_json::from_str(line).unwrap();
            let level = line["level"].as_str().unwrap();
            assert!(
                ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"].contains(&level),
                "{line}"
            );
            let timestamp = line["timestamp"].as_str().unwrap();
            assert!(
                chrono::DateTime::parse_from_rfc3339(timestamp).is_ok(),
                "{timestamp} is not RFC 3339"
            );
        }
    }

    #[test]
    fn lambdas_fatal_level_keeps_errors_only() {
        let (captured, writer) = capture();
        let subscriber = subscriber(Some("FATAL"), None, true, writer);
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!("own-warn");
            tracing::error!("own-error");
        });
        let text = text(&captured);
        assert!(text.contains("own-error") && !text.contains("own-warn"), "{text}");
    }

    #[test]
    fn an_unparseable_level_falls_back_to_info() {
        let text = emit(Some("LOUD"), None, false);
        assert!(text.contains("own-info") && !text.contains("own-debug"), "{text}");
    }
}
