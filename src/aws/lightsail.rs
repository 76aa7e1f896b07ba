//! The Lightsail adapter: the only module that touches SDK types.
//!
//! It calls the API and turns each answer into the crate's own records ([`AccessKeyRecord`])
//! or error ([`Failure`]). The secret access key, which the API may send, is never copied.

use aws_config::sts::AssumeRoleProvider;
use aws_config::SdkConfig;
use aws_sdk_lightsail::config::http::HttpResponse;
use aws_sdk_lightsail::config::retry::{RetryPartition, TokenBucket};
use aws_sdk_lightsail::config::StalledStreamProtectionConfig;
use aws_sdk_lightsail::config::{ProvideCredentials, Region, SharedCredentialsProvider};
use aws_sdk_lightsail::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_lightsail::primitives::DateTime as SdkDateTime;
use aws_sdk_lightsail::types::{AccessKey, AccessType, Bucket, OperationStatus, StatusType};
use aws_sdk_lightsail::Client;
use chrono::{DateTime, Utc};

use super::error::{api_error, causes};
use crate::error::AuditError;
use crate::failure::{codes, Failure};
use crate::request::{AccountRole, BucketName};
use crate::rules::{
    AccessKeyRecord, AccessLogging, BucketAccess, BucketRecord, GetObject, KeyStatus, LastUse, ResourceAccess,
};

/// The placeholder Lightsail sends for the region and service of a never-used key.
const NOT_APPLICABLE: &str = "N/A";
/// The most regions whose clients a process keeps (Lightsail has 19 today); a region beyond
/// them gets a client for the call, built each time.
const CACHED_REGIONS: usize = 32;
/// The session name of every assumed role, so CloudTrail in member accounts shows who called.
pub(crate) const SESSION_NAME: &str = "lightsail-key-audit";

/// The Lightsail access of the function: its own credentials and region, from which a client
/// per (account, region) is derived. Built once in `main` and shared by every invocation.
#[derive(Debug, Clone)]
pub struct Lightsail {
    /// The function's own configuration; every client derives from it.
    base: aws_sdk_lightsail::Config,
    /// A client per region the function has called, with its own credentials: built at the
    /// first call there, which keeps about a millisecond off the cold start. A client per
    /// region, not one with the region set per call: a per-call override rebuilds the call's
    /// configuration and runtime components on every call. At most [`CACHED_REGIONS`].
    regions: std::sync::Arc<std::sync::Mutex<Vec<(String, Client)>>>,
    /// For STS and Organizations; absent when built from a bare client (tests), where roles
    /// cannot be assumed nor accounts listed.
    pub(super) sdk_config: Option<SdkConfig>,
    home_region: String,
    /// Built at the first organization-mode run, not at start-up.
    pub(super) organizations: std::sync::OnceLock<aws_sdk_organizations::Client>,
    /// The function's own account, asked of STS once per process when no ARN tells it.
    pub(super) caller_account: tokio::sync::OnceCell<String>,
}

/// The temporary credentials of a role assumed in a member account: a few hundred bytes, set
/// per call on the region's client (a client per account would hold about 20 KB of
/// configuration each: 100 MB at 5,000 accounts).
#[derive(Clone)]
pub(crate) struct AssumedRole(SharedCredentialsProvider);

impl AssumedRole {
    /// The credentials, for the other services called in that account.
    pub(super) fn provider(&self) -> &SharedCredentialsProvider {
        &self.0
    }

    /// A role holding `provider`'s credentials: for the tests of the services that sign
    /// with it.
    #[cfg(test)]
    pub(crate) fn for_tests(provider: SharedCredentialsProvider) -> Self {
        Self(provider)
    }
}

impl std::fmt::Debug for AssumedRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AssumedRole(..)")
    }
}

/// Lightsail in one account and region: the region's client, with a member account's
/// credentials set per call. A client per account would hold tens of megabytes of
/// configuration at a thousand accounts in every region.
#[derive(Debug, Clone)]
pub(crate) struct RegionClient {
    client: Client,
    /// `None`: the function's own.
    credentials: Option<AssumedRole>,
}

/// Sends `$request` (a fluent builder) with the scope's credentials: the function's own need
/// no per-call override, a member account's are set on the call.
macro_rules! send_in {
    ($scope:expr, $request:expr) => {
        match $scope.member_credentials() {
            Some(config) => $request.customize().config_override(config).send().await,
            None => $request.send().await,
        }
    };
}

/// One page of `GetBuckets`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BucketPage {
    pub(crate) buckets: Vec<BucketRecord>,
    pub(crate) next_page_token: Option<String>,
}

impl Lightsail {
    /// Builds the access from the shared AWS configuration (region, credentials, endpoint
    /// overrides `AWS_ENDPOINT_URL_LIGHTSAIL` and `AWS_ENDPOINT_URL_STS`, retries).
    pub fn new(sdk_config: &SdkConfig) -> Result<Self, AuditError> {
        // No retry quota: the SDK's default token bucket (500, shared by the process) gives up
        // retrying after about 100 throttles, so one throttled region would fail buckets that
        // one more attempt would audit. Load is bounded by MAX_CONCURRENCY and MAX_ATTEMPTS.
        let partition = RetryPartition::custom("lightsail-key-audit")
            .token_bucket(TokenBucket::unlimited())
            .build();
        // No stalled-stream protection: its per-call interceptor and body wrapper watch for a
        // download that stalls, and every answer here is a small JSON document that the
        // attempt timeout (ATTEMPT_TIMEOUT_MS) already bounds.
        let base = aws_sdk_lightsail::config::Builder::from(sdk_config)
            .retry_partition(partition)
            .stalled_stream_protection(StalledStreamProtectionConfig::disabled())
            .build();
        Self::from_parts(base, Some(sdk_config.clone()))
    }

    /// Derives every client from this one's configuration; fails if it has no region, since
    /// every call would. Roles cannot be assumed through it.
    pub fn from_client(client: Client) -> Result<Self, AuditError> {
        Self::from_parts(client.config().clone(), None)
    }

    fn from_parts(
        base: aws_sdk_lightsail::Config,
        sdk_config: Option<SdkConfig>,
    ) -> Result<Self, AuditError> {
        let home_region =
            base.region()
                .map(|r| r.as_ref().to_owned())
                .ok_or_else(|| AuditError::InvalidConfiguration {
                    variable: "AWS_REGION",
                    message: "no AWS region is configured; set AWS_REGION (Lambda sets it for you)"
                        .to_owned(),
                })?;
        Ok(Self {
            base,
            regions: std::sync::Arc::default(),
            sdk_config,
            home_region,
            organizations: std::sync::OnceLock::new(),
            caller_account: tokio::sync::OnceCell::new(),
        })
    }

    /// The function's own region.
    pub(crate) fn home_region(&self) -> &str {
        &self.home_region
    }

    /// Assumes `role` once; its credentials then serve every region of that account.
    pub(crate) async fn assume_role(&self, role: &AccountRole) -> Result<AssumedRole, Failure> {
        let Some(sdk_config) = &self.sdk_config else {
            return Err(Failure::new(
                codes::ASSUME_ROLE_FAILED,
                "this client was built without an AWS configuration for STS",
            ));
        };
        let mut builder = AssumeRoleProvider::builder(role.role_arn.clone())
            .session_name(SESSION_NAME)
            .configure(sdk_config);
        if let Some(external_id) = &role.external_id {
            builder = builder.external_id(external_id.clone());
        }
        // Resolved now, not at the first Lightsail call, so a role that cannot be assumed is
        // one clear error for the account rather than one per bucket.
        let credentials = builder
            .build()
            .await
            .provide_credentials()
            .await
            .map_err(|error| {
                let cause = sts_cause(&error);
                Failure::new(
                    codes::ASSUME_ROLE_FAILED,
                    format!("cannot assume {}: {cause}", role.role_arn),
                )
            })?;
        Ok(AssumedRole(SharedCredentialsProvider::new(credentials)))
    }

    /// Lightsail in `region`, with the role's credentials or the function's own.
    pub(crate) fn region_client(&self, role: Option<&AssumedRole>, region: &str) -> RegionClient {
        RegionClient {
            client: self.client_in(region),
            credentials: role.cloned(),
        }
    }

    /// The client of `region`, built at its first use. (A client is a handle: clones share it.)
    fn client_in(&self, region: &str) -> Client {
        // A poisoned lock only means a panic elsewhere while it was held: the list is whole.
        let mut regions = self
            .regions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, client)) = regions.iter().find(|(name, _)| name == region) {
            return client.clone();
        }
        let config = self
            .base
            .to_builder()
            .region(Region::new(region.to_owned()))
            .build();
        let client = Client::from_conf(config);
        // Requests name regions by pattern only: a warm process keeps no more clients than
        // Lightsail has regions, with room, however many names its callers make up.
        if regions.len() < CACHED_REGIONS {
            regions.push((region.to_owned(), client.clone()));
        }
        client
    }
}

impl RegionClient {
    /// The role's credentials this client calls with; `None`: the function's own.
    pub(crate) fn credentials(&self) -> Option<&AssumedRole> {
        self.credentials.as_ref()
    }

    /// The per-call override that signs a call with a member account's credentials.
    fn member_credentials(&self) -> Option<aws_sdk_lightsail::config::Builder> {
        let AssumedRole(credentials) = self.credentials.as_ref()?;
        Some(aws_sdk_lightsail::config::Builder::default().credentials_provider(credentials.clone()))
    }

    /// Every access key of `bucket`, in the order Lightsail lists them.
    pub(crate) async fn bucket_access_keys(
        &self,
        bucket: &BucketName,
    ) -> Result<Vec<AccessKeyRecord>, Failure> {
        let request = self.client.get_bucket_access_keys().bucket_name(bucket.as_str());
        let output = send_in!(self, request).map_err(api_error)?;
        Ok(output.access_keys().iter().map(key_record).collect())
    }

    /// Deletes one access key of `bucket`, which cannot be undone. An operation Lightsail
    /// answers as failed is an error too, with its code.
    pub(crate) async fn delete_bucket_access_key(
        &self,
        bucket: &BucketName,
        access_key_id: &str,
    ) -> Result<(), Failure> {
        let request = self
            .client
            .delete_bucket_access_key()
            .bucket_name(bucket.as_str())
            .access_key_id(access_key_id);
        let output = send_in!(self, request).map_err(api_error)?;
        let failed = output
            .operations()
            .iter()
            .find(|op| op.status() == Some(&OperationStatus::Failed));
        match failed {
            Some(op) => Err(Failure::new(
                op.error_code().unwrap_or(codes::OPERATION_FAILED),
                format!(
                    "Lightsail's operation failed: {}",
                    op.error_details().unwrap_or("no details given")
                ),
            )),
            None => Ok(()),
        }
    }

    /// One page of the region's buckets. The SDK has no paginator for `GetBuckets`.
    /// `with_resources` asks for the instances given access (`includeConnectedResources`),
    /// which Lightsail leaves out otherwise.
    pub(crate) async fn bucket_page(
        &self,
        page_token: Option<String>,
        with_resources: bool,
    ) -> Result<BucketPage, Failure> {
        let request = self
            .client
            .get_buckets()
            .set_page_token(page_token)
            .set_include_connected_resources(with_resources.then_some(true));
        let output = send_in!(self, request).map_err(api_error)?;
        Ok(BucketPage {
            buckets: output.buckets().iter().filter_map(bucket_record).collect(),
            next_page_token: output
                .next_page_token()
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
        })
    }

    /// One bucket, by name, with the instances given access; Lightsail's `NotFoundException`
    /// for a name it does not know.
    pub(crate) async fn bucket(&self, bucket: &BucketName) -> Result<BucketRecord, Failure> {
        let request = self
            .client
            .get_buckets()
            .bucket_name(bucket.as_str())
            .include_connected_resources(true);
        let output = send_in!(self, request).map_err(api_error)?;
        output
            .buckets()
            .iter()
            .filter_map(bucket_record)
            .find(|record| record.name == bucket.as_str())
            .ok_or_else(|| {
                Failure::new(
                    codes::NOT_FOUND,
                    "GetBuckets named this bucket but did not return it",
                )
            })
    }

    /// The names of every Lightsail region.
    pub(crate) async fn region_names(&self) -> Result<Vec<String>, Failure> {
        let output = send_in!(self, self.client.get_regions()).map_err(api_error)?;
        Ok(output
            .regions()
            .iter()
            .filter_map(|r| r.name().map(|n| n.as_str().to_owned()))
            .collect())
    }
}

/// The crate's record of a bucket; `None` for one without a name, which nothing can address.
fn bucket_record(bucket: &Bucket) -> Option<BucketRecord> {
    let rules = bucket.access_rules();
    let access = BucketAccess {
        get_object: rules.and_then(|r| r.get_object()).map(|kind| match kind {
            AccessType::Public => GetObject::Public,
            AccessType::Private => GetObject::Private,
            other => GetObject::Other(other.as_str().to_owned()),
        }),
        allow_public_overrides: rules.and_then(|r| r.allow_public_overrides()),
        readonly_access_accounts: bucket.readonly_access_accounts().to_vec(),
        resources_receiving_access: bucket
            .resources_receiving_access()
            .iter()
            .map(|r| ResourceAccess {
                name: r.name().map(str::to_owned),
                resource_type: r.resource_type().map(str::to_owned),
            })
            .collect(),
        access_logging: bucket
            .access_log_config()
            .map(|log| AccessLogging {
                enabled: Some(log.enabled()),
                destination: log.destination().map(str::to_owned),
            })
            .unwrap_or_default(),
    };
    Some(BucketRecord {
        name: bucket.name()?.to_owned(),
        arn: bucket.arn().map(str::to_owned),
        access,
    })
}

fn key_record(key: &AccessKey) -> AccessKeyRecord {
    let last_used = key.last_used().and_then(|used| {
        Some(LastUse {
            date: utc(used.last_used_date()?)?,
            region: meaningful(used.region()),
            service: meaningful(used.service_name()),
        })
    });
    AccessKeyRecord {
        access_key_id: key.access_key_id().map(str::to_owned),
        status: key.status().map(|status| match status {
            StatusType::Active => KeyStatus::Active,
            StatusType::Inactive => KeyStatus::Inactive,
            other => KeyStatus::Other(other.as_str().to_owned()),
        }),
        created_at: key.created_at().and_then(utc),
        last_used,
    }
}

/// `None` for an absent, empty or "N/A" value.
fn meaningful(value: Option<&str>) -> Option<String> {
    value
        .filter(|v| !v.is_empty() && *v != NOT_APPLICABLE)
        .map(str::to_owned)
}

/// The SDK timestamp as UTC; `None` if it lies outside what chrono can represent.
fn utc(time: &SdkDateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(time.secs(), time.subsec_nanos())
}

/// STS's own code and message where the chain holds them, else the whole chain.
fn sts_cause(error: &(dyn std::error::Error + 'static)) -> String {
    type StsError = SdkError<aws_sdk_sts::operation::assume_role::AssumeRoleError, HttpResponse>;
    let mut source = Some(error);
    while let Some(cause) = source {
        if let Some(SdkError::ServiceError(service)) = cause.downcast_ref::<StsError>() {
            let code = service.err().code().unwrap_or("UnknownError");
            return format!("{code}: {}", service.err().message().unwrap_or("no message"));
        }
        source = cause.source();
    }
    causes(error)
}

/// One `GetBuckets` answer of [`RegionClient::listing`]: a page's names and next page token,
/// or a Lightsail error code.
#[cfg(test)]
pub(crate) type PageAnswer = Result<(Vec<&'static str>, Option<&'static str>), &'static str>;

#[cfg(test)]
impl Lightsail {
    /// A Lightsail whose `GetBucketAccessKeys` answers `keys` (the JSON list of access keys)
    /// and whose deletions succeed, and a count of the (reads, deletions) it received: for the
    /// tests above this layer, without SDK types.
    pub(crate) fn holding_keys(keys: serde_json::Value) -> (Self, impl Fn() -> (usize, usize)) {
        use aws_smithy_mocks::{mock, mock_client, RuleMode};
        let body = serde_json::json!({ "accessKeys": keys }).to_string();
        let reads = mock!(Client::get_bucket_access_keys).then_http_response(move || tests::wire(200, &body));
        let deleted = serde_json::json!({"operations": [{"status": "Succeeded"}]}).to_string();
        let deletes =
            mock!(Client::delete_bucket_access_key).then_http_response(move || tests::wire(200, &deleted));
        let client = mock_client!(aws_sdk_lightsail, RuleMode::MatchAny, [&reads, &deletes]);
        let calls = move || (reads.num_calls(), deletes.num_calls());
        (
            Self::from_client(client).expect("test client has a region"),
            calls,
        )
    }
}

#[cfg(test)]
impl RegionClient {
    /// A client whose `GetBuckets` answers `page(pageToken)` (an error code as HTTP 400), and
    /// a count of the calls it received: for the tests above this layer, without SDK types.
    pub(crate) fn listing(
        page: impl Fn(Option<&str>) -> PageAnswer + Send + Sync + 'static,
    ) -> (Self, impl Fn() -> usize) {
        use aws_sdk_lightsail::operation::get_buckets::GetBucketsOutput;
        use aws_sdk_lightsail::types::Bucket;
        use aws_smithy_mocks::{mock, mock_client, MockResponse, RuleMode};
        let rule =
            mock!(Client::get_buckets).then_compute_response(move |req| match page(req.page_token()) {
                Ok((names, next)) => {
                    let buckets = names.into_iter().map(|n| Bucket::builder().name(n).build());
                    let output = GetBucketsOutput::builder()
                        .set_buckets(Some(buckets.collect()))
                        .set_next_page_token(next.map(str::to_owned));
                    MockResponse::Output(output.build())
                }
                Err(code) => {
                    let body = serde_json::json!({"__type": code, "message": "refused"}).to_string();
                    MockResponse::Http(tests::wire(400, &body))
                }
            });
        let client = mock_client!(aws_sdk_lightsail, RuleMode::MatchAny, [&rule]);
        let lightsail = Lightsail::from_client(client).expect("test client has a region");
        (lightsail.region_client(None, "eu-west-2"), move || {
            rule.num_calls()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_lightsail::config::retry::RetryConfig;
    use aws_sdk_lightsail::operation::get_bucket_access_keys::GetBucketAccessKeysOutput;
    use aws_sdk_lightsail::types::{AccessKey, AccessKeyLastUsed};
    use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;
    use std::time::Duration;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    #[test]
    fn each_region_gets_its_own_client_and_a_bounded_few_are_kept() {
        let rule = mock!(Client::get_regions)
            .then_output(|| aws_sdk_lightsail::operation::get_regions::GetRegionsOutput::builder().build());
        let lightsail = Lightsail::from_client(mock_client!(aws_sdk_lightsail, [&rule])).unwrap();
        let kept = || lightsail.regions.lock().unwrap().len();
        let west = lightsail.region_client(None, "eu-west-2");
        assert_eq!(
            west.client.config().region().map(|r| r.as_ref()),
            Some("eu-west-2")
        );
        lightsail.region_client(None, "eu-west-2");
        assert_eq!(kept(), 1, "a region's client is built once");
        for i in 0..2 * CACHED_REGIONS {
            let name = format!("xx-made-up-{i}");
            let client = lightsail.region_client(None, &name);
            assert_eq!(
                client.client.config().region().map(|r| r.as_ref()),
                Some(name.as_str())
            );
        }
        assert_eq!(kept(), CACHED_REGIONS);
    }

    /// A Lightsail wire response: awsJson1.1, errors typed by header and `__type`.
    pub(crate) fn wire(status: u16, body: &str) -> HttpResponse {
        let mut response = HttpResponse::new(
            StatusCode::try_from(status).expect("valid status"),
            SdkBody::from(body.to_owned()),
        );
        response
            .headers_mut()
            .insert("content-type", "application/x-amz-json-1.1");
        if let Some(kind) = serde_json::from_str::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v["__type"].as_str().map(str::to_owned))
        {
            response.headers_mut().insert("x-amzn-ErrorType", kind);
        }
        response
    }

    fn error_body(kind: &str, message: &str) -> String {
        serde_json::json!({"__type": kind, "code": kind.trim_end_matches("Exception"),
                           "message": message, "docs": "https://lightsail.aws.amazon.com/ls/docs",
                           "tip": "check the name"})
        .to_string()
    }

    fn lightsail(rules: &[&Rule]) -> RegionClient {
        let client = mock_client!(aws_sdk_lightsail, RuleMode::MatchAny, rules, |c| c.retry_config(
            RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(1))
        ));
        let lightsail = Lightsail::from_client(client).expect("test client has a region");
        lightsail.region_client(None, lightsail.home_region())
    }

    fn bucket(name: &str) -> BucketName {
        BucketName::parse(name).expect("valid test bucket name")
    }

    #[tokio::test]
    async fn keys_are_read_from_the_wire_as_lightsail_sends_them() {
        let body = serde_json::json!({"accessKeys": [
            {"accessKeyId": "AKIAUSEDKEY000000001", "secretAccessKey": SECRET, "status": "Active",
             "createdAt": 1.619209369E9,
             "lastUsed": {"lastUsedDate": 1764201600.5, "region": "us-east-1", "serviceName": "s3"}},
            {"accessKeyId": "AKIANEVERUSED0000002", "status": "Inactive", "createdAt": 1764201600,
             "lastUsed": {"region": "N/A", "serviceName": "N/A"}},
            {"accessKeyId": "AKIANOLASTUSED000003", "status": "Suspended", "createdAt": 1764201600}
        ]})
        .to_string();
        let rule = mock!(Client::get_bucket_access_keys)
            .match_requests(|req| req.bucket_name() == Some("media-prod"))
            .then_http_response(move || wire(200, &body));
        let keys = lightsail(&[&rule])
            .bucket_access_keys(&bucket("media-prod"))
            .await
            .unwrap();

        assert_eq!(rule.num_calls(), 1);
        assert_eq!(keys.len(), 3);
        assert_eq!(keys[0].access_key_id.as_deref(), Some("AKIAUSEDKEY000000001"));
        assert_eq!(keys[0].status, Some(KeyStatus::Active));
        assert_eq!(keys[0].created_at, DateTime::from_timestamp(1_619_209_369, 0));
        let used = keys[0].last_used.as_ref().unwrap();
        assert_eq!(
            used.date,
            DateTime::from_timestamp(1_764_201_600, 500_000_000).unwrap()
        );
        assert_eq!(used.region.as_deref(), Some("us-east-1"));
        assert_eq!(used.service.as_deref(), Some("s3"));

        assert_eq!(keys[1].status, Some(KeyStatus::Inactive));
        assert_eq!(
            keys[1].last_used, None,
            "never used: no date, N/A is not a region"
        );
        assert_eq!(keys[2].status, Some(KeyStatus::Other("Suspended".into())));
        assert_eq!(keys[2].last_used, None);
        assert!(
            !format!("{keys:?}").contains(SECRET),
            "the secret is never copied"
        );
    }

    #[tokio::test]
    async fn a_bucket_s_access_is_read_from_the_wire_as_lightsail_sends_it() {
        let body = serde_json::json!({"buckets": [
            {"name": "media-prod", "arn": "arn:aws:lightsail:us-east-1:123456789012:Bucket/abc",
             "accessRules": {"getObject": "public", "allowPublicOverrides": true},
             "readonlyAccessAccounts": ["444455556666"],
             "resourcesReceivingAccess": [{"name": "web-1", "resourceType": "Instance"}],
             "accessLogConfig": {"enabled": false}},
            {"name": "odd", "accessRules": {"getObject": "authenticated-read"}},
            {"arn": "arn:aws:lightsail:us-east-1:123456789012:Bucket/nameless"}
        ], "nextPageToken": ""})
        .to_string();
        let rule = mock!(Client::get_buckets)
            .match_requests(|req| req.include_connected_resources() == Some(true))
            .then_http_response(move || wire(200, &body));
        let page = lightsail(&[&rule]).bucket_page(None, true).await.unwrap();
        assert_eq!(rule.num_calls(), 1, "instances are asked for");
        assert_eq!(page.next_page_token, None, "an empty token ends the listing");
        assert_eq!(
            page.buckets.len(),
            2,
            "a bucket without a name cannot be addressed"
        );
        let media = &page.buckets[0];
        assert_eq!(
            media.arn.as_deref(),
            Some("arn:aws:lightsail:us-east-1:123456789012:Bucket/abc")
        );
        assert_eq!(
            media.access,
            BucketAccess {
                get_object: Some(GetObject::Public),
                allow_public_overrides: Some(true),
                readonly_access_accounts: vec!["444455556666".into()],
                resources_receiving_access: vec![ResourceAccess {
                    name: Some("web-1".into()),
                    resource_type: Some("Instance".into()),
                }],
                access_logging: AccessLogging {
                    enabled: Some(false),
                    destination: None,
                },
            }
        );
        let odd = &page.buckets[1].access;
        assert_eq!(
            odd.get_object,
            Some(GetObject::Other("authenticated-read".into()))
        );
        assert_eq!(odd.allow_public_overrides, None);
        assert_eq!(
            odd.access_logging.enabled, None,
            "no accessLogConfig: unknown, not off"
        );
    }

    #[tokio::test]
    async fn a_bucket_by_name_is_its_record_or_lightsail_s_error() {
        let rule = mock!(Client::get_buckets).then_compute_response(|req| {
            let body = match req.bucket_name() {
                Some("media-prod") => {
                    r#"{"buckets": [{"name": "media-prod", "accessRules": {"getObject": "private"}}]}"#
                        .to_owned()
                }
                Some("empty") => r#"{"buckets": []}"#.to_owned(),
                _ => error_body("NotFoundException", "no such bucket"),
            };
            let status = if body.contains("__type") { 400 } else { 200 };
            aws_smithy_mocks::MockResponse::Http(wire(status, &body))
        });
        let client = lightsail(&[&rule]);
        let record = client.bucket(&bucket("media-prod")).await.unwrap();
        assert_eq!(record.access.get_object, Some(GetObject::Private));
        let error = client.bucket(&bucket("ghost")).await.unwrap_err();
        assert_eq!(
            (error.code.as_str(), error.message.as_str()),
            ("NotFoundException", "no such bucket")
        );
        let error = client.bucket(&bucket("empty")).await.unwrap_err();
        assert_eq!(error.code, "NotFoundException");
    }

    #[tokio::test]
    async fn modeled_outputs_with_missing_fields_do_not_panic() {
        let rule = mock!(Client::get_bucket_access_keys).then_output(|| {
            GetBucketAccessKeysOutput::builder()
                .access_keys(AccessKey::builder().build())
                .access_keys(
                    AccessKey::builder()
                        .status(StatusType::Active)
                        .last_used(AccessKeyLastUsed::builder().region("N/A").build())
                        .created_at(SdkDateTime::from_secs(i64::MAX))
                        .build(),
                )
                .build()
        });
        let keys = lightsail(&[&rule])
            .bucket_access_keys(&bucket("media-prod"))
            .await
            .unwrap();
        assert_eq!(
            keys[0],
            AccessKeyRecord {
                access_key_id: None,
                status: None,
                created_at: None,
                last_used: None
            }
        );
        assert_eq!(keys[1].created_at, None, "out-of-range time is treated as absent");
        assert_eq!(keys[1].last_used, None);
    }

    #[tokio::test]
    async fn every_lightsail_error_keeps_its_code_and_message() {
        let cases = [
            (400, "NotFoundException", "The bucket does not exist"),
            (
                400,
                "AccessDeniedException",
                "not authorized to perform lightsail:GetBucketAccessKeys",
            ),
            (400, "UnauthenticatedException", "The security token is invalid"),
            (400, "InvalidInputException", "bad name"),
            (400, "RegionSetupInProgressException", "region is being set up"),
            (400, "SomeFutureException", "not in the model"),
        ];
        for (status, kind, message) in cases {
            let body = error_body(kind, message);
            let rule = mock!(Client::get_bucket_access_keys).then_http_response(move || wire(status, &body));
            let error = lightsail(&[&rule])
                .bucket_access_keys(&bucket("media-prod"))
                .await
                .unwrap_err();
            assert_eq!(error.code, kind);
            assert_eq!(error.message, message);
            assert_eq!(rule.num_calls(), 1, "{kind} is not retried");
        }
    }

    #[tokio::test]
    async fn a_key_is_deleted_by_name_and_its_errors_keep_their_codes() {
        let done = serde_json::json!({"operations": [{"id": "op-1", "resourceName": "media-prod",
            "resourceType": "Bucket", "operationType": "DeleteBucketAccessKey", "status": "Succeeded",
            "operationDetails": "AKIA1", "isTerminal": true}]})
        .to_string();
        let rule = mock!(Client::delete_bucket_access_key)
            .match_requests(|req| {
                req.bucket_name() == Some("media-prod") && req.access_key_id() == Some("AKIA1")
            })
            .then_http_response(move || wire(200, &done));
        let deleted = lightsail(&[&rule])
            .delete_bucket_access_key(&bucket("media-prod"), "AKIA1")
            .await;
        assert_eq!((deleted, rule.num_calls()), (Ok(()), 1));

        let failed = serde_json::json!({"operations": [{"id": "op-2", "status": "Failed",
            "errorCode": "InternalError", "errorDetails": "try again"}]})
        .to_string();
        let rule = mock!(Client::delete_bucket_access_key).then_http_response(move || wire(200, &failed));
        let error = lightsail(&[&rule])
            .delete_bucket_access_key(&bucket("media-prod"), "AKIA1")
            .await
            .unwrap_err();
        assert_eq!(
            (error.code.as_str(), error.message.as_str()),
            ("InternalError", "Lightsail's operation failed: try again")
        );

        let body = error_body("NotFoundException", "The access key does not exist");
        let rule = mock!(Client::delete_bucket_access_key).then_http_response(move || wire(400, &body));
        let error = lightsail(&[&rule])
            .delete_bucket_access_key(&bucket("media-prod"), "AKIA9")
            .await
            .unwrap_err();
        assert_eq!((error.code.as_str(), rule.num_calls()), ("NotFoundException", 1));
    }

    #[tokio::test]
    async fn throttling_and_server_errors_are_retried_to_success() {
        for (status, body) in [
            (400, error_body("ThrottlingException", "Rate exceeded")),
            (500, error_body("ServiceException", "internal")),
        ] {
            let rule = mock!(Client::get_bucket_access_keys)
                .sequence()
                .http_response(move || wire(status, &body))
                .times(2)
                .http_response(|| wire(200, r#"{"accessKeys": []}"#))
                .build();
            let keys = lightsail(&[&rule])
                .bucket_access_keys(&bucket("media-prod"))
                .await
                .unwrap();
            assert!(keys.is_empty());
            assert_eq!(rule.num_calls(), 3, "HTTP {status} retried twice");
        }
    }

    #[tokio::test]
    async fn persistent_throttling_ends_as_throttling_after_the_retries() {
        let rule = mock!(Client::get_bucket_access_keys)
            .then_http_response(|| wire(400, &error_body("ThrottlingException", "Rate exceeded")));
        let error = lightsail(&[&rule])
            .bucket_access_keys(&bucket("media-prod"))
            .await
            .unwrap_err();
        assert_eq!(error.code, "ThrottlingException");
        assert_eq!(error.message, "Rate exceeded");
        assert_eq!(rule.num_calls(), 3);
    }

    #[tokio::test]
    async fn unreadable_answers_get_codes_of_their_own() {
        let cases = [
            (200, "{\"accessKeys\": [{\"accessKeyId\": ", "MalformedResponse"),
            (200, "<html>gateway</html>", "MalformedResponse"),
            (200, "{\"accessKeys\": [{\"createdAt\": \"yesterday\"}]}", "MalformedResponse"),
            (
                200,
                "{\"accessKeys\": [{\"secretAccessKey\": \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\", \"status\": 7}]}",
                "MalformedResponse",
            ),
            (403, "", "UnknownServiceError"),
        ];
        for (status, body, code) in cases {
            let rule = mock!(Client::get_bucket_access_keys).then_http_response(move || wire(status, body));
            let error = lightsail(&[&rule])
                .bucket_access_keys(&bucket("media-prod"))
                .await
                .unwrap_err();
            assert_eq!(error.code, code, "{body}: {}", error.message);
            assert!(
                error.message.contains(&format!("HTTP {status}")),
                "{}",
                error.message
            );
            assert!(!error.message.contains(SECRET), "{}", error.message);
        }
    }

    #[test]
    fn a_client_without_a_region_is_refused_naming_aws_region() {
        let config = aws_sdk_lightsail::Config::builder()
            .behavior_version(aws_sdk_lightsail::config::BehaviorVersion::latest())
            .build();
        let error = Lightsail::from_client(Client::from_conf(config)).unwrap_err();
        assert!(error.to_string().contains("AWS_REGION"), "{error}");
    }
}
