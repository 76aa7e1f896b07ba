//! `lightsail-local --fixture FILE [--port N] [--host ADDR] [--page-size N]`

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;

use lightsail_local::{Fixture, Server};

const USAGE: &str = "usage: lightsail-local --fixture FILE [--port N (default 4566, 0 = any)] \
                     [--host ADDR (default 127.0.0.1)] [--page-size N]";

struct Args {
    fixture: PathBuf,
    addr: SocketAddr,
    page_size: Option<usize>,
}

fn parse_args() -> Result<Args, String> {
    let mut fixture = None;
    let mut host = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let mut port = 4566u16;
    let mut page_size = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--fixture" => fixture = Some(value::<PathBuf>(&mut args, &arg, "a file")?),
            "--port" => port = value(&mut args, &arg, "0 to 65535")?,
            "--host" => host = value(&mut args, &arg, "an IP address")?,
            "--page-size" => {
                page_size = Some(value::<NonZeroUsize>(&mut args, &arg, "a whole number >= 1")?.get());
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Args {
        fixture: fixture.ok_or("--fixture is required (try fixtures/demo.json)")?,
        addr: SocketAddr::new(host, port),
        page_size,
    })
}

/// The value after `flag`, parsed; or what `flag` takes.
fn value<T: FromStr>(args: &mut impl Iterator<Item = String>, flag: &str, takes: &str) -> Result<T, String> {
    let raw = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
    raw.parse()
        .map_err(|_| format!("{flag} takes {takes}; got {raw:?}"))
}

#[tokio::main]
async fn main() -> ExitCode {
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
    let server = match Server::start(fixture, args.addr).await {
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
