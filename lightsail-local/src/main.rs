//! `lightsail-local --fixture FILE [--port N] [--host ADDR] [--page-size N] [--tls [--tls-cert PEM
//! --tls-key PEM] [--tls-ca-out PATH]]`

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;

use lightsail_local::{Fixture, Server, Tls};

const USAGE: &str = "usage: lightsail-local --fixture FILE [--port N (default 4566, 0 = any)] \
                     [--host ADDR (default 127.0.0.1)] [--page-size N] \
                     [--tls [--tls-cert PEM --tls-key PEM] [--tls-ca-out PATH]]";

struct Args {
    fixture: PathBuf,
    addr: SocketAddr,
    page_size: Option<usize>,
    tls: Option<TlsArgs>,
}

/// `--tls` and its options: a given certificate and key, or where to write the generated CA.
#[derive(Default)]
struct TlsArgs {
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
    ca_out: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut fixture = None;
    let mut host = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let mut port = 4566u16;
    let mut page_size = None;
    let (mut tls, mut tls_args) = (false, TlsArgs::default());
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--fixture" => fixture = Some(value::<PathBuf>(&mut args, &arg, "a file")?),
            "--port" => port = value(&mut args, &arg, "0 to 65535")?,
            "--host" => host = value(&mut args, &arg, "an IP address")?,
            "--page-size" => {
                page_size = Some(value::<NonZeroUsize>(&mut args, &arg, "a whole number >= 1")?.get());
            }
            "--tls" => tls = true,
            "--tls-cert" => tls_args.cert = Some(value(&mut args, &arg, "a PEM file")?),
            "--tls-key" => tls_args.key = Some(value(&mut args, &arg, "a PEM file")?),
            "--tls-ca-out" => tls_args.ca_out = Some(value(&mut args, &arg, "a file to write")?),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Args {
        fixture: fixture.ok_or("--fixture is required (try fixtures/demo.json)")?,
        addr: SocketAddr::new(host, port),
        page_size,
        tls: tls_options(tls, tls_args)?,
    })
}

/// The TLS options if `--tls` was given; refuses them without it, or a half-given certificate.
fn tls_options(tls: bool, args: TlsArgs) -> Result<Option<TlsArgs>, String> {
    let given = [
        ("--tls-cert", &args.cert),
        ("--tls-key", &args.key),
        ("--tls-ca-out", &args.ca_out),
    ];
    if !tls {
        return match given.iter().find(|(_, path)| path.is_some()) {
            Some((flag, _)) => Err(format!("{flag} needs --tls")),
            None => Ok(None),
        };
    }
    match (&args.cert, &args.key, &args.ca_out) {
        (Some(_), None, _) | (None, Some(_), _) => Err("--tls-cert and --tls-key go together".into()),
        (Some(_), Some(_), Some(_)) => Err("--tls-ca-out writes a generated CA; with --tls-cert, \
                                            give clients the CA that signed it"
            .into()),
        _ => Ok(Some(args)),
    }
}

/// The value after `flag`, parsed; or what `flag` takes.
fn value<T: FromStr>(args: &mut impl Iterator<Item = String>, flag: &str, takes: &str) -> Result<T, String> {
    let raw = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
    raw.parse()
        .map_err(|_| format!("{flag} takes {takes}; got {raw:?}"))
}

#[tokio::main]
async fn main() -> ExitCode {
    init_logging();
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) if message.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("lightsail-local: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut fixture = match Fixture::load(&args.fixture) {
        Ok(fixture) => fixture,
        Err(message) => {
            eprintln!("lightsail-local: {message}");
            return ExitCode::from(2);
        }
    };
    if let Some(page_size) = args.page_size {
        fixture.page_size = page_size;
    }
    let (buckets, keys, accounts) = (
        fixture.buckets.len(),
        fixture.buckets.iter().map(|b| b.keys.len()).sum::<usize>(),
        fixture.organization.as_ref().map_or(0, |o| o.accounts.len()),
    );
    let tls = match args.tls.as_ref().map(certificate).transpose() {
        Ok(tls) => tls,
        Err(message) => {
            eprintln!("lightsail-local: {message}");
            return ExitCode::from(2);
        }
    };
    let started = match &tls {
        Some(tls) => Server::start_tls(fixture, args.addr, tls).await,
        None => Server::start(fixture, args.addr).await,
    };
    let server = match started {
        Ok(server) => server,
        Err(e) => {
            eprintln!(
                "lightsail-local: cannot listen on {}: {e} (is another server on that port? try --port 0)",
                args.addr
            );
            return ExitCode::from(1);
        }
    };
    // Scripts read this line for the address, so it is printed first and flushed.
    let organization = if accounts > 0 {
        format!(", {accounts} organization accounts")
    } else {
        String::new()
    };
    println!(
        "lightsail-local listening on {} ({buckets} buckets, {keys} keys{organization}, fixture {})",
        server.url(),
        args.fixture.display()
    );
    shutdown_signal().await;
    server.stop().await;
    ExitCode::SUCCESS
}

/// The certificate `--tls` serves: the one given, or a generated one whose CA is written to
/// `--tls-ca-out` (before the address is printed, so a script may read it once it has the line).
fn certificate(args: &TlsArgs) -> Result<Tls, String> {
    if let (Some(cert), Some(key)) = (&args.cert, &args.key) {
        return Tls::from_pem_files(cert, key).map_err(|e| e.to_string());
    }
    let tls = Tls::generate().map_err(|e| e.to_string())?;
    if let (Some(path), Some(pem)) = (&args.ca_out, tls.ca_pem()) {
        std::fs::write(path, pem).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(tls)
}

/// Logs to stderr at the level `RUST_LOG` names (`debug` shows failed TLS handshakes); warnings
/// otherwise.
fn init_logging() {
    let level = std::env::var("RUST_LOG")
        .ok()
        .and_then(|level| level.parse().ok())
        .unwrap_or(tracing::level_filters::LevelFilter::WARN);
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .try_init();
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
