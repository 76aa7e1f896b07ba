//! The HTTP shell around [`Router`]: hyper on tokio, one task per connection, over plain TCP
//! or TLS.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use crate::access_keys::Deletion;
use crate::fixture::Fixture;
use crate::protocol::{Call, Reply};
use crate::router::{Router, Stats};
use crate::tls::Tls;

/// The largest request body read; requests here are a few hundred bytes.
const MAX_BODY_BYTES: usize = 1 << 20;

/// A running stand-in. Dropping it stops it.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    scheme: &'static str,
    service: Arc<Router>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds `addr` (port 0 for an ephemeral port) and serves `fixture` until stopped; its
    /// `generate` section, if any, is expanded first.
    pub async fn start(fixture: Fixture, addr: SocketAddr) -> std::io::Result<Self> {
        Self::launch(fixture, addr, None).await
    }

    /// As [`Server::start`], but serves HTTPS with `tls`'s certificate. A client that fails the
    /// handshake is logged at debug and dropped; the server goes on.
    pub async fn start_tls(fixture: Fixture, addr: SocketAddr, tls: &Tls) -> std::io::Result<Self> {
        Self::launch(fixture, addr, Some(tls.acceptor())).await
    }

    async fn launch(
        mut fixture: Fixture,
        addr: SocketAddr,
        tls: Option<TlsAcceptor>,
    ) -> std::io::Result<Self> {
        fixture
            .expand()
            .and_then(|()| fixture.check())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let service = Arc::new(Router::new(fixture));
        let (stop, stopped) = watch::channel(false);
        let scheme = if tls.is_some() { "https" } else { "http" };
        let task = tokio::spawn(accept(listener, tls, service.clone(), stopped));
        Ok(Self {
            addr,
            scheme,
            service,
            stop,
            task: Some(task),
        })
    }

    /// The endpoint URL to give a client, e.g. `http://127.0.0.1:4566`, or
    /// `https://127.0.0.1:4566` when serving TLS.
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    /// The counters over the calls served so far.
    pub fn stats(&self) -> Stats {
        self.service.stats()
    }

    /// Every access key deleted so far (`DeleteBucketAccessKey` calls that succeeded), in the
    /// order they were deleted.
    pub fn deletions(&self) -> Vec<Deletion> {
        self.service.deletions()
    }

    /// Stops accepting and closes every connection.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

async fn accept(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    service: Arc<Router>,
    mut stopped: watch::Receiver<bool>,
) {
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // E.g. too many open files: keep serving the connections already open.
                Err(_) => continue,
            },
            _ = stopped.changed() => return,
        };
        // Small request/response pairs: never wait for Nagle.
        let _ = stream.set_nodelay(true);
        let service = service.clone();
        let mut stopped = stopped.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = connection(stream, tls, service) => {}
                _ = stopped.changed() => {}
            }
        });
    }
}

/// Serves one connection, after its TLS handshake if `tls` is set.
async fn connection(stream: TcpStream, tls: Option<TlsAcceptor>, service: Arc<Router>) {
    let Some(acceptor) = tls else {
        return serve(stream, service).await;
    };
    let peer = stream.peer_addr().ok();
    match acceptor.accept(stream).await {
        Ok(stream) => serve(stream, service).await,
        // A client that does not trust the certificate, or speaks plain HTTP: its connection
        // alone ends.
        Err(e) => tracing::debug!(?peer, error = %e, "TLS handshake failed"),
    }
}

/// Answers HTTP/1.1 requests on `stream` until the client closes it.
async fn serve(stream: impl AsyncRead + AsyncWrite + Unpin + Send + 'static, service: Arc<Router>) {
    let handler = service_fn(move |request| {
        let service = service.clone();
        async move { Ok::<_, Infallible>(respond(&service, request).await) }
    });
    let _ = http1::Builder::new()
        .serve_connection(TokioIo::new(stream), handler)
        .await;
}

async fn respond(service: &Router, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let body = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => Bytes::new(),
    };
    let reply = service
        .answer(Call {
            method: parts.method.as_str(),
            target: header("x-amz-target"),
            authorization: header("authorization"),
            body: &body,
        })
        .await;
    http_response(reply)
}

fn http_response(reply: Reply) -> Response<Full<Bytes>> {
    let mut response = Response::builder()
        .status(reply.status)
        .header("content-type", reply.content_type)
        .header("x-amzn-requestid", "00000000-0000-4000-8000-lightsail-local");
    if let Some(kind) = reply.error_type {
        response = response.header("x-amzn-errortype", kind);
    }
    response
        .body(Full::new(Bytes::from(reply.body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}
