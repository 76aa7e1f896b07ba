//! HTTPS: the SDK's own Lightsail client, over rustls on aws-lc-rs, against `Server::start_tls`,
//! trusting only the generated CA; a client that does not trust it fails the handshake, and
//! the server goes on serving.
//!
//! One `cfg(test)` module, so clippy.toml's allowances for tests reach its helpers too.

#[cfg(test)]
mod https {
    use aws_sdk_lightsail::config::{BehaviorVersion, Credentials, Region};
    use aws_sdk_lightsail::Client;
    use aws_smithy_http_client::tls::{self, TlsContext, TrustStore};
    use aws_smithy_http_client::Builder;
    use lightsail_local::{Fixture, Server, Tls};

    const FIXTURE: &str = r#"{"buckets": [{"name": "media-prod", "region": "us-east-1", "keys": [
        {"accessKeyId": "AKIAMEDIAPROD0000OLD", "status": "Active", "createdDaysAgo": 200}]}]}"#;

    async fn server(tls: &Tls) -> Server {
        let fixture: Fixture = serde_json::from_str(FIXTURE).unwrap();
        Server::start_tls(fixture, "127.0.0.1:0".parse().unwrap(), tls)
            .await
            .unwrap()
    }

    /// A Lightsail client for `server` that trusts `trust` only, with no retries.
    fn client(server: &Server, trust: TrustStore) -> Client {
        let http =
            Builder::new().tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::AwsLc));
        let context = TlsContext::builder().with_trust_store(trust).build().unwrap();
        let config = aws_sdk_lightsail::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("AKIDTLS", "not-a-secret", None, None, "tests"))
            .endpoint_url(server.url())
            .http_client(http.tls_context(context).build_https())
            .retry_config(aws_sdk_lightsail::config::retry::RetryConfig::disabled())
            .build();
        Client::from_conf(config)
    }

    async fn access_keys(client: &Client) -> Result<Vec<String>, String> {
        let output = client
            .get_bucket_access_keys()
            .bucket_name("media-prod")
            .send()
            .await
            .map_err(|e| format!("{:?}", aws_sdk_lightsail::error::DisplayErrorContext(e)))?;
        Ok(output
            .access_keys()
            .iter()
            .filter_map(|key| key.access_key_id().map(String::from))
            .collect())
    }

    fn trusting_only(tls: &Tls) -> TrustStore {
        TrustStore::empty()
            .with_native_roots(false)
            .with_pem_certificate(tls.ca_pem().unwrap().as_bytes())
    }

    #[tokio::test]
    async fn a_client_trusting_the_generated_ca_is_answered_over_https() {
        let tls = Tls::generate().unwrap();
        let server = server(&tls).await;
        assert!(server.url().starts_with("https://127.0.0.1:"), "{}", server.url());

        let keys = access_keys(&client(&server, trusting_only(&tls))).await.unwrap();

        assert_eq!(keys, ["AKIAMEDIAPROD0000OLD"]);
        assert_eq!(server.stats().calls("GetBucketAccessKeys"), 1);
    }

    #[tokio::test]
    async fn a_client_not_trusting_the_ca_fails_the_handshake_and_the_server_goes_on() {
        let tls = Tls::generate().unwrap();
        let server = server(&tls).await;
        // Another CA's certificate: the server's chain does not lead to it.
        let other = Tls::generate().unwrap();

        let refused = access_keys(&client(&server, trusting_only(&other)))
            .await
            .unwrap_err();

        assert!(refused.contains("InvalidCertificate"), "{refused}");
        assert_eq!(server.stats().requests, 0);
        let keys = access_keys(&client(&server, trusting_only(&tls))).await.unwrap();
        assert_eq!(keys, ["AKIAMEDIAPROD0000OLD"]);
    }

    #[tokio::test]
    async fn a_plain_http_client_is_dropped_and_the_server_goes_on() {
        let tls = Tls::generate().unwrap();
        let server = server(&tls).await;
        let plain = server.url().replacen("https://", "http://", 1);
        let mut stream = tokio::net::TcpStream::connect(plain.trim_start_matches("http://"))
            .await
            .unwrap();
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        stream
            .write_all(b"POST / HTTP/1.1\r\nhost: x\r\n\r\n")
            .await
            .unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer).await;

        assert!(!answer.starts_with(b"HTTP/"), "a plain HTTP answer: {answer:?}");
        assert_eq!(server.stats().requests, 0);
        let keys = access_keys(&client(&server, trusting_only(&tls))).await.unwrap();
        assert_eq!(keys, ["AKIAMEDIAPROD0000OLD"]);
    }

    /// A CA and a server certificate it signs for 127.0.0.1, made here as another tool would: the
    /// CA's PEM, then the server's certificate and key files in `dir`.
    fn write_chain(dir: &std::path::Path) -> String {
        use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();
        let key = KeyPair::generate().unwrap();
        let leaf = CertificateParams::new(vec!["127.0.0.1".to_string()])
            .unwrap()
            .signed_by(&key, &ca)
            .unwrap();
        std::fs::write(dir.join("cert.pem"), leaf.pem()).unwrap();
        std::fs::write(dir.join("key.pem"), key.serialize_pem()).unwrap();
        ca.pem()
    }

    #[tokio::test]
    async fn a_certificate_and_key_read_from_pem_files_are_served() {
        let dir = std::env::temp_dir().join(format!("lightsail-local-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ca_pem = write_chain(&dir);
        let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));

        let tls = Tls::from_pem_files(&cert, &key).unwrap();
        // The certificate where the key should be: refused, naming the file.
        let refused = Tls::from_pem_files(&cert, &cert).unwrap_err();
        std::fs::remove_dir_all(&dir).unwrap();

        assert_eq!(tls.ca_pem(), None);
        assert!(refused.to_string().contains("cert.pem"), "{refused}");
        let server = server(&tls).await;
        let trust = TrustStore::empty()
            .with_native_roots(false)
            .with_pem_certificate(ca_pem.as_bytes());
        let keys = access_keys(&client(&server, trust)).await.unwrap();
        assert_eq!(keys, ["AKIAMEDIAPROD0000OLD"]);
    }
}
