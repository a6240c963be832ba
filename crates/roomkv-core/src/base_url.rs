//! [`BaseUrl`]: the scheme, host and optional path prefix every request path is appended to.

use crate::EncodeError;

/// The base URL of one vendor host, such as `https://api.rong-api.com` or the emulator's
/// `http://127.0.0.1:8787`.
///
/// ```
/// use roomkv_core::BaseUrl;
/// let base = BaseUrl::parse("https://api.rong-api.com/").unwrap();
/// assert_eq!(base.join("/chatroom/entry/set.json").unwrap(), "https://api.rong-api.com/chatroom/entry/set.json");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BaseUrl {
    /// Without a trailing slash.
    text: String,
    /// The scheme and host of `text`, parsed once, so that [`join`](Self::join) parses only
    /// the path of each request.
    scheme: http::uri::Scheme,
    authority: http::uri::Authority,
    /// The path of `text` (`""` or `/prefix`), which every request path follows.
    prefix: String,
}

impl std::fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BaseUrl").field("text", &self.text).finish()
    }
}

impl BaseUrl {
    /// Parses an absolute `http://` or `https://` URL with no query or fragment.
    pub fn parse(url: &str) -> Result<Self, EncodeError> {
        let uri: http::Uri = url
            .parse()
            .map_err(|e| EncodeError::new(format!("invalid base URL {url:?}: {e}")))?;
        match uri.scheme_str() {
            Some("http" | "https") => {}
            _ => {
                return Err(EncodeError::new(format!(
                    "base URL {url:?} must start with http:// or https://"
                )));
            }
        }
        let Some(authority) = uri.authority().cloned() else {
            return Err(EncodeError::new(format!("base URL {url:?} has no host")));
        };
        if uri.query().is_some() || url.contains('#') {
            return Err(EncodeError::new(format!(
                "base URL {url:?} must not have a query or fragment"
            )));
        }
        let scheme = uri.scheme().cloned().expect("checked above: http or https");
        Ok(Self {
            text: url.trim_end_matches('/').to_owned(),
            scheme,
            authority,
            prefix: uri.path().trim_end_matches('/').to_owned(),
        })
    }

    /// The URL of `path_and_query` (which starts with `/`) on this host.
    ///
    /// Only `path_and_query` is parsed: the scheme and host were parsed by
    /// [`parse`](Self::parse).
    pub fn join(&self, path_and_query: &str) -> Result<http::Uri, EncodeError> {
        let invalid = |e: &dyn std::fmt::Display| {
            EncodeError::new(format!(
                "invalid request URL \"{}{path_and_query}\": {e}",
                self.text.escape_debug()
            ))
        };
        if !path_and_query.starts_with('/') {
            return Err(invalid(&"the path does not start with /"));
        }
        let path_and_query = if self.prefix.is_empty() {
            http::uri::PathAndQuery::try_from(path_and_query)
        } else {
            http::uri::PathAndQuery::try_from([self.prefix.as_str(), path_and_query].concat())
        }
        .map_err(|e| invalid(&e))?;
        let mut parts = http::uri::Parts::default();
        parts.scheme = Some(self.scheme.clone());
        parts.authority = Some(self.authority.clone());
        parts.path_and_query = Some(path_and_query);
        http::Uri::from_parts(parts).map_err(|e| invalid(&e))
    }

    /// A `POST` of `body` (of `content_type`) to `path_and_query` on this host, its header map
    /// sized for the headers a client adds to sign and label it, so that signing does not grow
    /// it.
    pub(crate) fn post(
        &self,
        path_and_query: &str,
        content_type: &'static str,
        body: Vec<u8>,
    ) -> Result<http::Request<Vec<u8>>, EncodeError> {
        /// The content type, a vendor's signature headers (RongCloud's four), a request id and
        /// `User-Agent`.
        const HEADERS: usize = 8;
        let mut request = http::Request::new(body);
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = self.join(path_and_query)?;
        let headers = request.headers_mut();
        headers.reserve(HEADERS);
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(content_type),
        );
        Ok(request)
    }

    /// The URL as text, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl std::fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_path_prefix_comes_before_every_request_path() {
        let base = BaseUrl::parse("http://127.0.0.1:8787/api/").unwrap();
        assert_eq!(
            base.join("/chatroom/entry/set.json?x=1").unwrap(),
            "http://127.0.0.1:8787/api/chatroom/entry/set.json?x=1"
        );
        assert!(base.join("no-slash").is_err());
        let err = base.join("/a b").unwrap_err().to_string();
        assert!(err.contains("http://127.0.0.1:8787/api/a b"), "{err}");
    }

    proptest! {
        /// Joining parses only the path, and gives exactly the URI that parsing the whole
        /// concatenated URL gives (or refuses what that refuses).
        #[test]
        fn join_is_parsing_the_concatenation(
            base in prop::sample::select(vec![
                "https://api.rong-api.com",
                "http://127.0.0.1:8787/",
                "http://user@host.example:80/prefix/v1",
            ]),
            path in "/[a-zA-Z0-9/._~%?=&+ \"<>{}|^`#-]{0,40}",
        ) {
            let base = BaseUrl::parse(base).unwrap();
            let whole = format!("{}{path}", base.as_str()).parse::<http::Uri>();
            match (base.join(&path), whole) {
                (Ok(joined), Ok(whole)) => {
                    prop_assert_eq!(&joined, &whole);
                    prop_assert_eq!(joined.to_string(), whole.to_string());
                }
                (Err(_), Err(_)) => {}
                (joined, whole) => prop_assert!(false, "join {joined:?}, parse {whole:?}"),
            }
        }
    }
}
