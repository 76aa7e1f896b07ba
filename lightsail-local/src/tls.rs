//! HTTPS: the server's certificate, generated at start or read from PEM files, as a rustls
//! configuration on the aws-lc-rs provider (the one the SDK's HTTP client uses).

use std::io::{Error, ErrorKind};
use std::path::Path;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

/// The names a generated server certificate is valid for: clients connect to
/// `https://127.0.0.1:PORT`, or to `localhost`.
const SERVER_NAMES: [&str; 2] = ["127.0.0.1", "localhost"];

/// How a [`Server`](crate::Server) serves HTTPS: its certificate chain and key, and, when the
/// certificate was generated, the CA that signed it (what a client trusts).
///
/// HTTP/1.1 only (ALPN `http/1.1`), TLS 1.2 and 1.3, on rustls with the aws-lc-rs provider.
#[derive(Clone)]
pub struct Tls {
    config: Arc<ServerConfig>,
    ca_pem: Option<String>,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls")
            .field("generated", &self.ca_pem.is_some())
            .finish_non_exhaustive()
    }
}

impl Tls {
    /// Generates a self-signed CA and a server certificate it signs, valid for the IP address
    /// 127.0.0.1 and the DNS name `localhost`. Both keys are RSA 2048, as AWS endpoints present, and live only in
    /// memory; [`Tls::ca_pem`] gives the CA certificate to trust.
    pub fn generate() -> std::io::Result<Self> {
        let ca = generate_ca().map_err(certificate_error)?;
        let (leaf, key) = generate_leaf(&ca).map_err(certificate_error)?;
        let chain = vec![leaf, ca.der().clone()];
        Ok(Self {
            config: server_config(chain, key)?,
            ca_pem: Some(ca.pem()),
        })
    }

    /// Reads a certificate chain (leaf first) and its private key from PEM files.
    pub fn from_pem_files(cert: &Path, key: &Path) -> std::io::Result<Self> {
        let chain = CertificateDer::pem_file_iter(cert)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| Error::new(ErrorKind::InvalidData, format!("{}: {e}", cert.display())))?;
        let key = PrivateKeyDer::from_pem_file(key)
            .map_err(|e| Error::new(ErrorKind::InvalidData, format!("{}: {e}", key.display())))?;
        Ok(Self {
            config: server_config(chain, key)?,
            ca_pem: None,
        })
    }

    /// The PEM of the CA that signed a generated certificate (what a client puts in
    /// `SSL_CERT_FILE`); `None` for a certificate read from files.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    pub(crate) fn acceptor(&self) -> TlsAcceptor {
        TlsAcceptor::from(self.config.clone())
    }
}

/// A self-signed CA, allowed to sign server certificates only.
fn generate_ca() -> Result<CertifiedIssuer<'static, KeyPair>, rcgen::Error> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params
        .distinguished_name
        .push(DnType::CommonName, "lightsail-local test CA");
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    // RSA, as Amazon Root CA 1: the leaf's signature is then verified as AWS's chains are.
    let key = KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048)?;
    CertifiedIssuer::self_signed(params, key)
}

/// A server certificate for [`SERVER_NAMES`], signed by `ca`, and its key.
fn generate_leaf(
    ca: &CertifiedIssuer<'static, KeyPair>,
) -> Result<(CertificateDer<'static>, PrivateKeyDer<'static>), rcgen::Error> {
    let mut params = CertificateParams::new(SERVER_NAMES.map(String::from).to_vec())?;
    params
        .distinguished_name
        .push(DnType::CommonName, "lightsail-local");
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    // RSA 2048, as AWS's endpoints present (Amazon RSA 2048 intermediates): a client's
    // handshake then verifies what it verifies against AWS (RSA verification is several times
    // cheaper than ECDSA P-256), so the bench's TLS figures are not those of another key type.
    let key = KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048)?;
    let cert = params.signed_by(&key, ca)?;
    let key = PrivatePkcs8KeyDer::from(key.serialize_der());
    Ok((cert.der().clone(), key.into()))
}

fn certificate_error(e: rcgen::Error) -> Error {
    Error::other(format!("cannot generate a certificate: {e}"))
}

/// A server configuration on aws-lc-rs, HTTP/1.1 only, for `chain` and `key`.
fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> std::io::Result<Arc<ServerConfig>> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|builder| builder.with_no_client_auth().with_single_cert(chain, key))
        .map_err(|e| {
            Error::new(
                ErrorKind::InvalidInput,
                format!("unusable certificate or key: {e}"),
            )
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
