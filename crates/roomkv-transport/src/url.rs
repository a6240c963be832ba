//! Which URLs may be used at all: `https://` anywhere, `http://` only on loopback.

use std::net::IpAddr;

use http::Uri;

use crate::TransportError;

/// Checks that `uri` is an absolute `https://` URL, or an `http://` URL whose host is loopback
/// (`127.0.0.0/8`, `::1` or `localhost`).
///
/// TLS is always verified, and plain http is refused for every other host so credentials and
/// signatures never travel unencrypted over a network. [`HyperClient`](crate::HyperClient) and
/// [`HostSet`](crate::HostSet) call this; custom clients should too.
///
/// ```
/// use roomkv_transport::check_url;
///
/// assert!(check_url(&"https://api.example.com/x".parse().unwrap()).is_ok());
/// assert!(check_url(&"http://127.0.0.1:8080/x".parse().unwrap()).is_ok());
/// assert!(check_url(&"http://[::1]:8080/x".parse().unwrap()).is_ok());
/// assert!(check_url(&"http://localhost/x".parse().unwrap()).is_ok());
///
/// let err = check_url(&"http://api.example.com/x".parse().unwrap()).unwrap_err();
/// assert!(err.is_invalid());
/// assert_eq!(
///     err.to_string(),
///     "request refused before sending: plain http:// is only allowed to a loopback host, \
///      not to api.example.com; use https://"
/// );
/// ```
pub fn check_url(uri: &Uri) -> Result<(), TransportError> {
    let Some(host) = uri.host() else {
        return Err(TransportError::invalid(format!(
            "URL `{uri}` has no host; an absolute http(s) URL is required"
        )));
    };
    match uri.scheme_str() {
        Some("https") => Ok(()),
        Some("http") if is_loopback_host(host) => Ok(()),
        Some("http") => Err(TransportError::invalid(format!(
            "plain http:// is only allowed to a loopback host, not to {host}; use https://"
        ))),
        Some(other) => Err(TransportError::invalid(format!(
            "URL scheme `{other}` is not supported; use https://"
        ))),
        None => Err(TransportError::invalid(format!(
            "URL `{uri}` has no scheme; an absolute http(s) URL is required"
        ))),
    }
}

/// `localhost`, `127.0.0.0/8` or `::1` (IPv6 hosts may carry brackets, as in a URI).
pub(crate) fn is_loopback_host(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    bare.parse::<IpAddr>().is_ok_and(|ip| match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for h in [
            "localhost",
            "LOCALHOST",
            "127.0.0.1",
            "127.1.2.3",
            "[::1]",
            "::1",
            "[::ffff:127.0.0.1]",
        ] {
            assert!(is_loopback_host(h), "{h}");
        }
        for h in [
            "example.com",
            "localhost.example.com",
            "10.0.0.1",
            "192.168.1.1",
            "0.0.0.0",
            "[::]",
            "[fe80::1]",
            "128.0.0.1",
            "127.0.0.1.nip.io",
        ] {
            assert!(!is_loopback_host(h), "{h}");
        }
    }

    #[test]
    fn schemes() {
        let ok = |s: &str| check_url(&s.parse().unwrap()).is_ok();
        assert!(ok("https://10.0.0.1/"));
        assert!(ok("http://127.0.0.1:1/"));
        assert!(!ok("http://10.0.0.1/"));
        assert!(!ok("ftp://127.0.0.1/"));
        assert!(!ok("/relative/path"));
    }
}
