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
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BaseUrl {
    /// Without a trailing slash.
    text: String,
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
        if uri.authority().is_none() {
            return Err(EncodeError::new(format!("base URL {url:?} has no host")));
        }
        if uri.query().is_some() || url.contains('#') {
            return Err(EncodeError::new(format!(
                "base URL {url:?} must not have a query or fragment"
            )));
        }
        Ok(Self {
            text: url.trim_end_matches('/').to_owned(),
        })
    }

    /// The URL of `path_and_query` (which starts with `/`) on this host.
    pub fn join(&self, path_and_query: &str) -> Result<http::Uri, EncodeError> {
        let mut url = String::with_capacity(self.text.len() + path_and_query.len());
        url.push_str(&self.text);
        url.push_str(path_and_query);
        url.parse()
            .map_err(|e| EncodeError::new(format!("invalid request URL {url:?}: {e}")))
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
