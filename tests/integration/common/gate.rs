//! A gate in front of moto's Security Hub: it records every request as the function sent it,
//! answers for chosen accounts as Security Hub answers where it is not enabled
//! (`InvalidAccessException`), and forwards everything else.
//!
//! moto 5.2.5 raises `InvalidAccessException` only from `DescribeHub` and `DisableSecurityHub`,
//! so "not enabled in one account" cannot be set up in moto itself. The account is read from
//! the request's SigV4 credential: lightsail-local issues `ASIA<account>LCAL` for a member
//! role, and the function's own key stands for the home account.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use super::moto::forward;

/// A running gate; it stops with the test's runtime.
pub struct Gate {
    pub url: String,
    closed: Arc<Mutex<Vec<String>>>,
    passed: Arc<Mutex<Vec<Passed>>>,
}

/// One request the gate saw, in the order it arrived: what the function sent, as sent.
#[derive(Debug, Clone)]
pub struct Passed {
    pub path: String,
    pub authorization: String,
    pub body: Vec<u8>,
}

/// What every connection's service shares.
#[derive(Clone)]
struct Shared {
    target: String,
    closed: Arc<Mutex<Vec<String>>>,
    passed: Arc<Mutex<Vec<Passed>>>,
}

impl Gate {
    /// A gate to the moto at `moto_url`, open to every account until [`Gate::close_to`].
    pub async fn start(moto_url: &str) -> Gate {
        let listener = TcpListener::bind(super::loopback()).await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let shared = Shared {
            target: moto_url.to_owned(),
            closed: Arc::new(Mutex::new(Vec::new())),
            passed: Arc::new(Mutex::new(Vec::new())),
        };
        let (closed, passed) = (shared.closed.clone(), shared.passed.clone());
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let shared = shared.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request| pass(request, shared.clone()));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Gate { url, closed, passed }
    }

    /// Every request that reached the gate so far, refused ones included.
    pub fn passed(&self) -> Vec<Passed> {
        self.passed.lock().unwrap().clone()
    }

    /// From now on, Security Hub is "not enabled" for `account_id`: every call signed with a
    /// key lightsail-local issued for that account is refused.
    pub fn close_to(&self, account_id: &str) {
        self.closed
            .lock()
            .unwrap()
            .push(format!("Credential=ASIA{account_id}LCAL/"));
    }
}

async fn pass(request: Request<Incoming>, shared: Shared) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let authorization = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/")
        .to_owned();
    shared.passed.lock().unwrap().push(Passed {
        path: path.clone(),
        authorization: authorization.clone(),
        body: body.to_vec(),
    });
    if shared
        .closed
        .lock()
        .unwrap()
        .iter()
        .any(|c| authorization.contains(c.as_str()))
    {
        let account = authorization
            .split("Credential=ASIA")
            .nth(1)
            .map(|rest| rest.chars().take(12).collect::<String>())
            .unwrap_or_default();
        let body = format!(
            r#"{{"Code":"InvalidAccessException","Message":"Account {account} is not subscribed to AWS Security Hub"}}"#
        );
        let response = Response::builder()
            .status(401)
            .header("x-amzn-ErrorType", "InvalidAccessException")
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body)))
            .unwrap();
        return Ok(response);
    }
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        // The forwarding helper sends its own length and closes the connection.
        .filter(|(name, _)| {
            !matches!(
                name.as_str(),
                "host" | "content-length" | "connection" | "transfer-encoding" | "expect"
            )
        })
        .filter_map(|(name, value)| Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned())))
        .collect();
    let (status, answer) = forward(
        &shared.target,
        parts.method.as_str(),
        &path,
        &headers,
        body.to_vec(),
    )
    .await
    .unwrap();
    Ok(Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(answer)))
        .unwrap())
}
