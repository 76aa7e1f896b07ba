//! moto in server mode: real S3, SNS and SQS APIs on loopback, for what a run writes and sends.
//!
//! [`Moto::start`] runs `.venv-moto/bin/moto_server` (install it with
//! `scripts/tools.sh .venv-moto requirements-moto.txt`) on 127.0.0.1, on a port the OS picks,
//! and stops it when the handle is dropped. One server per test: nothing is shared.
//!
//! moto runs under a small `sh` watchdog ([`WATCHDOG`]) that holds the read end of a pipe whose
//! write end only this test process holds: when the process ends in any way (a panic, an
//! abort, a stack overflow, `kill -9`), the kernel closes the pipe and the watchdog kills moto,
//! so no server outlives its test. Drop closes the pipe the same way.
//!
//! - S3 and SNS go through the AWS SDK clients, configured only with the server's URL as the
//!   endpoint: [`Moto::sdk_config`] is what the function's clients need too. With an IP address
//!   as the host, the S3 client addresses buckets path-style (`http://127.0.0.1:PORT/bucket/key`)
//!   with no `force_path_style`; `AWS_ENDPOINT_URL_S3` set to the same URL does the same (the
//!   SDK reads it when a client is built from the `SdkConfig`, not at `load()`). `localhost`
//!   is no IP address: the client would address `bucket.localhost`.
//! - SQS (no SDK crate here) goes over plain HTTP with its JSON protocol; moto routes a request by
//!   the service in its `Authorization` scope and checks no signature.
//! - What a topic was sent, `MessageStructure: json` included, is read from moto's own record
//!   (`/moto-api/data.json`): moto delivers nothing to `email` subscribers, so that record is
//!   the only place a test can see the `email` variant ([`Published::variant`]).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_config::SdkConfig;
use aws_sdk_s3::primitives::ByteStream;
use serde_json::{json, Value};

/// The region everything is created in.
pub const MOTO_REGION: &str = "us-east-1";

/// How long moto may take to start: importing it takes a second or more on a busy machine.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs `"$@"` (moto) in the background and kills it when stdin (a pipe from the test process)
/// reaches end of file, which happens when the test process closes it or dies; exits with
/// moto's status when moto stops by itself. Background jobs of a non-interactive shell get
/// /dev/null as stdin, so the pipe is kept on fd 3 for the watcher; moto gets neither.
const WATCHDOG: &str = r#"exec 3<&0
"$@" </dev/null 3<&- &
moto=$!
{ read -r _ <&3; kill -KILL "$moto" 2>/dev/null; } &
watcher=$!
exec 3<&-
wait "$moto"
status=$?
kill "$watcher" 2>/dev/null
exit "$status""#;

/// A running `moto_server`, stopped on drop, or when the test process dies.
pub struct Moto {
    /// The watchdog shell; moto is its child.
    child: Child,
    url: String,
    log: Arc<Mutex<String>>,
}

/// A topic whose messages an SQS queue receives as SNS envelopes (raw delivery off).
#[derive(Debug, Clone)]
pub struct Subscribed {
    pub topic_arn: String,
    pub queue_url: String,
}

/// One publish to a topic as moto recorded it: `message` exactly as published (with
/// `MessageStructure: json`, the JSON object of variants).
#[derive(Debug, Clone)]
pub struct Published {
    pub message: String,
}

impl Published {
    /// The variant a subscriber of `protocol` (`email`, `sqs`, ...) gets, as SNS picks it: when
    /// the message is a JSON object with a string `default` (a `MessageStructure: json`
    /// publish), its `protocol` key or else `default`; otherwise the message itself.
    pub fn variant(&self, protocol: &str) -> String {
        let Ok(Value::Object(variants)) = serde_json::from_str::<Value>(&self.message) else {
            return self.message.clone();
        };
        match (variants.get(protocol), variants.get("default")) {
            (Some(Value::String(v)), _) | (None, Some(Value::String(v))) => v.clone(),
            _ => self.message.clone(),
        }
    }

    /// What an email subscriber receives.
    pub fn email(&self) -> String {
        self.variant("email")
    }
}

fn moto_server() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.venv-moto/bin/moto_server"))
}

impl Moto {
    /// Starts moto and waits until it answers. Panics (never skips) when moto is not
    /// installed, naming the command that installs it.
    pub async fn start() -> Moto {
        let binary = moto_server();
        assert!(
            binary.exists(),
            "{} is missing: run `scripts/tools.sh .venv-moto requirements-moto.txt` \
             (from the project root) to install moto",
            binary.display()
        );
        let mut child = Command::new("/bin/sh")
            .args(["-c", WATCHDOG, "watchdog"])
            .arg(&binary)
            .args(["-H", "127.0.0.1", "-p", "0"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let log = Arc::new(Mutex::new(String::new()));
        collect(child.stderr.take().unwrap(), log.clone());
        let mut moto = Moto {
            child,
            url: String::new(),
            log,
        };
        moto.url = moto.wait_for_url().await;
        moto.wait_until_answering().await;
        moto
    }

    /// The server's endpoint URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// What moto has logged so far (its startup lines, one line a request, tracebacks).
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// The test credentials, us-east-1, every service's endpoint this server.
    pub async fn sdk_config(&self) -> SdkConfig {
        super::sdk_config(&self.url, MOTO_REGION).await
    }

    pub async fn s3(&self) -> aws_sdk_s3::Client {
        aws_sdk_s3::Client::new(&self.sdk_config().await)
    }

    pub async fn sns(&self) -> aws_sdk_sns::Client {
        aws_sdk_sns::Client::new(&self.sdk_config().await)
    }

    /// The server's first lines name its address: ` * Running on http://127.0.0.1:PORT`.
    async fn wait_for_url(&mut self) -> String {
        let started = Instant::now();
        loop {
            if let Some(url) = running_on(&self.log()) {
                return url;
            }
            self.still_starting(started);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn wait_until_answering(&mut self) {
        let started = Instant::now();
        loop {
            match http(&self.url, "GET", "/moto-api/config", &[], Vec::new()).await {
                // moto answers this GET with 201.
                Ok((status, _)) if (200..300).contains(&status) => return,
                _ => self.still_starting(started),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Panics with moto's log if it stopped or is taking too long.
    fn still_starting(&mut self, started: Instant) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!(
                "moto_server stopped ({status}) before it was ready:\n{}",
                self.log()
            );
        }
        if started.elapsed() > START_TIMEOUT {
            panic!(
                "moto_server was not ready within {START_TIMEOUT:?}:\n{}",
                self.log()
            );
        }
    }

    // S3.

    pub async fn create_bucket(&self, bucket: &str) {
        let s3 = self.s3().await;
        s3.create_bucket()
            .bucket(bucket)
            .send()
            .await
            .unwrap_or_else(|e| panic!("CreateBucket {bucket}: {:?}", e.into_service_error()));
    }

    /// Writes `body` at `key` (a test plants an object: say, an unreadable state).
    pub async fn put_object(&self, bucket: &str, key: &str, body: impl Into<Vec<u8>>) {
        let s3 = self.s3().await;
        let body = ByteStream::from(body.into());
        s3.put_object()
            .bucket(bucket)
            .key(key)
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("PutObject {bucket}/{key}: {:?}", e.into_service_error()));
    }

    /// The object's bytes; `None` if there is no such key.
    pub async fn object(&self, bucket: &str, key: &str) -> Option<Vec<u8>> {
        let s3 = self.s3().await;
        match s3.get_object().bucket(bucket).key(key).send().await {
            Ok(output) => Some(output.body.collect().await.unwrap().into_bytes().to_vec()),
            Err(e) => match e.into_service_error() {
                e if e.is_no_such_key() => None,
                e => panic!("GetObject {bucket}/{key}: {e:?}"),
            },
        }
    }

    /// The object parsed as JSON; panics if it is missing or not JSON.
    pub async fn object_json(&self, bucket: &str, key: &str) -> Value {
        let bytes = self
            .object(bucket, key)
            .await
            .unwrap_or_else(|| panic!("no object {bucket}/{key}"));
        serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            panic!(
                "{bucket}/{key} is not JSON ({e}): {}",
                String::from_utf8_lossy(&bytes)
            )
        })
    }

    // SNS and SQS.

    /// Creates topic `name` and queue `name`-queue, the queue subscribed to the topic with raw
    /// message delivery off: it receives SNS envelopes.
    pub async fn topic_with_queue(&self, name: &str) -> Subscribed {
        let sns = self.sns().await;
        let topic = sns.create_topic().name(name).send().await.unwrap();
        let topic_arn = topic.topic_arn().unwrap().to_owned();
        let queue_url = self.create_queue(&format!("{name}-queue")).await;
        let queue_arn = self
            .sqs(
                "GetQueueAttributes",
                json!({"QueueUrl": queue_url, "AttributeNames": ["QueueArn"]}),
            )
            .await["Attributes"]["QueueArn"]
            .as_str()
            .unwrap()
            .to_owned();
        sns.subscribe()
            .topic_arn(&topic_arn)
            .protocol("sqs")
            .endpoint(queue_arn)
            .attributes("RawMessageDelivery", "false")
            .send()
            .await
            .unwrap();
        Subscribed { topic_arn, queue_url }
    }

    /// Creates an SQS queue; its URL.
    pub async fn create_queue(&self, name: &str) -> String {
        let created = self.sqs("CreateQueue", json!({"QueueName": name})).await;
        created["QueueUrl"].as_str().unwrap().to_owned()
    }

    /// The SNS envelopes the queue received since the last call, oldest first (each is read and
    /// deleted). Each is the JSON object SNS sends (`Type`, `MessageId`, `TopicArn`, `Subject`,
    /// `Message`, `Timestamp`, ...).
    pub async fn envelopes(&self, queue_url: &str) -> Vec<Value> {
        let mut envelopes = Vec::new();
        loop {
            let request = json!({"QueueUrl": queue_url, "MaxNumberOfMessages": 10, "VisibilityTimeout": 60});
            let received = self.sqs("ReceiveMessage", request).await;
            let Some(messages) = received["Messages"].as_array().filter(|m| !m.is_empty()) else {
                return envelopes;
            };
            for message in messages {
                let body = message["Body"].as_str().unwrap();
                envelopes.push(
                    serde_json::from_str(body)
                        .unwrap_or_else(|e| panic!("not an SNS envelope ({e}): {body}")),
                );
                let handle = &message["ReceiptHandle"];
                self.sqs(
                    "DeleteMessage",
                    json!({"QueueUrl": queue_url, "ReceiptHandle": handle}),
                )
                .await;
            }
        }
    }

    /// The `Message` of each envelope the queue received since the last call, oldest first.
    pub async fn messages(&self, queue_url: &str) -> Vec<String> {
        let envelopes = self.envelopes(queue_url).await;
        envelopes
            .iter()
            .map(|e| e["Message"].as_str().unwrap().to_owned())
            .collect()
    }

    /// Every publish to the topic, oldest first, as moto recorded it (whatever its subscribers).
    pub async fn published(&self, topic_arn: &str) -> Vec<Published> {
        let data = self.moto_api("/moto-api/data.json").await;
        let topics = data["sns"]["Topic"].as_array().cloned().unwrap_or_default();
        let Some(topic) = topics.iter().find(|t| t["arn"] == topic_arn) else {
            panic!("moto has no topic {topic_arn}");
        };
        // Each is [message id, message, subject, message attributes, group id].
        let sent = topic["sent_notifications"].as_array().unwrap();
        sent.iter()
            .map(|n| Published {
                message: n[1].as_str().unwrap().to_owned(),
            })
            .collect()
    }

    /// An SQS action (JSON protocol); its answer. moto routes it by the `Authorization` scope.
    pub async fn sqs(&self, action: &str, request: Value) -> Value {
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential={}/20260101/{MOTO_REGION}/sqs/aws4_request, \
             SignedHeaders=host, Signature=0",
            super::ACCESS_KEY
        );
        let target = format!("AmazonSQS.{action}");
        let headers = [
            ("Authorization", auth.as_str()),
            ("X-Amz-Target", target.as_str()),
            ("Content-Type", "application/x-amz-json-1.0"),
        ];
        let body = request.to_string().into_bytes();
        let (status, answer) = http(&self.url, "POST", "/", &headers, body).await.unwrap();
        let text = String::from_utf8_lossy(&answer);
        assert!(
            (200..300).contains(&status),
            "SQS {action}: HTTP {status}: {text}"
        );
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("SQS {action}: not JSON ({e}): {text}"))
    }

    /// A GET of moto's own API (`/moto-api/...`), parsed as JSON.
    pub async fn moto_api(&self, path: &str) -> Value {
        let (status, answer) = http(&self.url, "GET", path, &[], Vec::new()).await.unwrap();
        assert!((200..300).contains(&status), "GET {path}: HTTP {status}");
        serde_json::from_slice(&answer).unwrap()
    }
}

impl Drop for Moto {
    /// Closes the watchdog's pipe, so it kills moto, then reaps the watchdog.
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// Appends each line of `stream` to `log` until it closes.
fn collect(stream: impl Read + Send + 'static, log: Arc<Mutex<String>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { return };
            let mut log = log.lock().unwrap();
            log.push_str(&line);
            log.push('\n');
        }
    });
}

/// The URL in werkzeug's ` * Running on http://127.0.0.1:PORT` line, if logged yet.
fn running_on(log: &str) -> Option<String> {
    let start = log.find("Running on http://")? + "Running on ".len();
    let url: String = log[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '.'))
        .collect();
    url.rsplit(':').next()?.parse::<u16>().ok()?;
    Some(url)
}

/// One request to `base` as given, and moto's status and body (the gate's forwarding).
pub async fn forward(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    body: Vec<u8>,
) -> std::io::Result<(u16, Vec<u8>)> {
    let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    http(base, method, path, &headers, body).await
}

/// One plain HTTP/1.1 request to `base` (`http://host:port`), the connection closed after it:
/// the status and body. Off the async threads, as it blocks.
async fn http(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> std::io::Result<(u16, Vec<u8>)> {
    let authority = base.strip_prefix("http://").expect("an http:// URL").to_owned();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    let mut request = request.into_bytes();
    request.extend(body);
    tokio::task::spawn_blocking(move || exchange(&authority, &request))
        .await
        .unwrap()
}

fn exchange(authority: &str, request: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect(authority)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    stream.write_all(request)?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let invalid = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned());
    let end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| invalid("no end of the response head"))?;
    let head = String::from_utf8_lossy(&response[..end]).to_ascii_lowercase();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| invalid("no status"))?;
    let body = response[end + 4..].to_vec();
    let chunked = head
        .lines()
        .any(|l| l.starts_with("transfer-encoding:") && l.contains("chunked"));
    Ok((
        status,
        if chunked {
            dechunk(&body).ok_or_else(|| invalid("bad chunks"))?
        } else {
            body
        },
    ))
}

/// A chunked transfer-encoded body's data.
fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut data = Vec::new();
    loop {
        let line_end = body.windows(2).position(|w| w == b"\r\n")?;
        let size = std::str::from_utf8(&body[..line_end]).ok()?;
        let size = usize::from_str_radix(size.split(';').next()?.trim(), 16).ok()?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Some(data);
        }
        data.extend_from_slice(body.get(..size)?);
        body = body.get(size + 2..)?;
    }
}
