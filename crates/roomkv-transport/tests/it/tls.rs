//! HTTPS through rustls (ring) against an in-process TLS server on 127.0.0.1 using a test CA
//! (`tests/fixtures/tls`). Certificates are always verified.

use std::sync::Arc;

use roomkv_transport::{HttpClient, HyperClient};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use crate::stub::Stub;

const CA_DER: &[u8] = include_bytes!("../fixtures/tls/ca.der");
const OTHER_CA_DER: &[u8] = include_bytes!("../fixtures/tls/other-ca.der");
const SERVER_PEM: &[u8] = include_bytes!("../fixtures/tls/server.pem");
const SERVER_KEY: &[u8] = include_bytes!("../fixtures/tls/server.key");

pub(crate) fn acceptor() -> TlsAcceptor {
    let certs = CertificateDer::pem_slice_iter(SERVER_PEM)
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(SERVER_KEY).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    TlsAcceptor::from(Arc::new(config))
}

/// A client whose only extra root is unrelated to the test server (so the result does not
/// depend on which roots features are on).
fn untrusting_client() -> HyperClient {
    HyperClient::builder()
        .add_root_certificate(OTHER_CA_DER)
        .build()
        .unwrap()
}

fn get(url: &str) -> http::Request<Vec<u8>> {
    http::Request::get(url).body(Vec::new()).unwrap()
}

#[tokio::test]
async fn https_works_with_a_trusted_root() {
    let stub = Stub::start_tls().await;
    let client = HyperClient::builder()
        .add_root_certificate(CA_DER)
        .build()
        .unwrap();
    for url in [
        stub.https_url("/x"),
        stub.https_url("/x").replace("127.0.0.1", "localhost"),
    ] {
        let resp = client.send(get(&url)).await.unwrap();
        assert_eq!(resp.status(), 200, "{url}");
        assert_eq!(resp.body().as_ref(), b"ok");
    }
}

#[tokio::test]
async fn an_untrusted_certificate_is_a_connect_error_that_was_not_sent() {
    let stub = Stub::start_tls().await;
    let err = untrusting_client()
        .send(get(&stub.https_url("/x")))
        .await
        .unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    assert!(!err.may_have_been_sent());
    assert_eq!(stub.requests(), 0);
    // The rustls verdict is reachable through the source chain.
    assert!(format!("{err:?}").contains("UnknownIssuer"), "{err:?}");
}

#[tokio::test]
async fn https_to_a_plain_http_server_fails_the_handshake() {
    let stub = Stub::start().await;
    let err = untrusting_client()
        .send(get(&stub.https_url("/x")))
        .await
        .unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    assert!(!err.may_have_been_sent());
}

#[test]
fn a_malformed_root_certificate_is_refused_at_build() {
    let err = HyperClient::builder()
        .add_root_certificate(b"not a certificate".to_vec())
        .build()
        .unwrap_err();
    assert!(err.is_invalid(), "{err:?}");
}
