//! The SDK's own Lightsail client against `Server::start` over HTTP: its models read
//! `DeleteBucketAccessKey`'s answer and refusal, and `Server::deletions` lists what was deleted.
//!
//! One `cfg(test)` module, so clippy.toml's allowances for tests reach its helpers too.

#[cfg(test)]
mod sdk {
    use aws_sdk_lightsail::config::{BehaviorVersion, Credentials, Region};
    use aws_sdk_lightsail::types::{OperationStatus, OperationType, ResourceType};
    use aws_sdk_lightsail::Client;
    use lightsail_local::{Deletion, Fixture, Server};

    const FIXTURE: &str = r#"{"buckets": [{"name": "media-prod", "region": "us-east-1", "keys": [
        {"accessKeyId": "AKIAMEDIAPROD0000OLD", "status": "Active", "createdDaysAgo": 200},
        {"accessKeyId": "AKIAMEDIAPROD0000NEW", "status": "Active", "createdDaysAgo": 10,
         "lastUsedAfterReads": {"reads": 1, "lastUsedDaysAgo": 0}}]}]}"#;

    /// A client for `server`, with no retries.
    fn client(server: &Server) -> Client {
        let config = aws_sdk_lightsail::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("AKIDSDK", "not-a-secret", None, None, "tests"))
            .endpoint_url(server.url())
            .retry_config(aws_sdk_lightsail::config::retry::RetryConfig::disabled())
            .build();
        Client::from_conf(config)
    }

    #[tokio::test]
    async fn the_sdk_deletes_a_key_and_reads_the_refusal_of_a_second_deletion() {
        let fixture: Fixture = serde_json::from_str(FIXTURE).unwrap();
        let server = Server::start(fixture, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let client = client(&server);
        let delete = || {
            client
                .delete_bucket_access_key()
                .bucket_name("media-prod")
                .access_key_id("AKIAMEDIAPROD0000OLD")
                .send()
        };

        let output = delete().await.unwrap();
        let [operation] = output.operations() else {
            panic!("one operation: {output:?}");
        };
        assert_eq!(operation.status(), Some(&OperationStatus::Succeeded));
        assert_eq!(
            operation.operation_type(),
            Some(&OperationType::DeleteBucketAccessKey)
        );
        assert_eq!(operation.resource_type(), Some(&ResourceType::Bucket));
        assert_eq!(operation.resource_name(), Some("media-prod"));
        assert_eq!(operation.operation_details(), Some("AKIAMEDIAPROD0000OLD"));
        assert_eq!(operation.is_terminal(), Some(true));
        assert!(operation.created_at().is_some() && operation.status_changed_at().is_some());

        let refused = delete().await.unwrap_err();
        assert!(
            refused
                .as_service_error()
                .is_some_and(|e| e.is_not_found_exception()),
            "{refused:?}"
        );
        let read = || client.get_bucket_access_keys().bucket_name("media-prod").send();
        let keys = read().await.unwrap();
        let [key] = keys.access_keys() else {
            panic!("one key left: {keys:?}");
        };
        assert_eq!(key.access_key_id(), Some("AKIAMEDIAPROD0000NEW"));
        let last_used = |key: &aws_sdk_lightsail::types::AccessKey| {
            key.last_used().and_then(|used| used.last_used_date()).copied()
        };
        assert_eq!(last_used(key), None, "the first read: not yet used");
        let keys = read().await.unwrap();
        assert!(
            keys.access_keys().first().and_then(last_used).is_some(),
            "the second read: used"
        );
        assert_eq!(
            server.deletions(),
            [Deletion {
                account_id: "123456789012".into(),
                region: "us-east-1".into(),
                bucket_name: "media-prod".into(),
                access_key_id: "AKIAMEDIAPROD0000OLD".into(),
            }]
        );
        assert_eq!(server.stats().calls("DeleteBucketAccessKey"), 2);
    }
}
