//! `application/x-www-form-urlencoded` bodies, both directions.

/// The content type of legacy RongCloud request bodies.
pub(crate) const CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// Builds a form body field by field.
pub(crate) struct FormBody(form_urlencoded::Serializer<'static, String>);

impl FormBody {
    pub(crate) fn new() -> Self {
        Self(form_urlencoded::Serializer::new(String::new()))
    }

    pub(crate) fn field(mut self, name: &str, value: &str) -> Self {
        self.0.append_pair(name, value);
        self
    }

    pub(crate) fn field_opt(self, name: &str, value: Option<&str>) -> Self {
        match value {
            Some(value) => self.field(name, value),
            None => self,
        }
    }

    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.0.finish().into_bytes()
    }
}

/// Builds a legacy form `POST` to `path` on `endpoint`.
pub(crate) fn post(
    endpoint: &super::Endpoint,
    path: &str,
    body: FormBody,
) -> Result<http::Request<Vec<u8>>, crate::EncodeError> {
    Ok(http::Request::post(endpoint.join(path)?)
        .header(http::header::CONTENT_TYPE, CONTENT_TYPE)
        .body(body.finish())?)
}

/// The fields of a decoded form body, in order, repeated names kept.
#[cfg(feature = "server")]
pub(crate) struct FormFields(Vec<(String, String)>);

#[cfg(feature = "server")]
impl FormFields {
    /// Decodes a body. Invalid UTF-8 after percent-decoding becomes U+FFFD, as most servers do.
    pub(crate) fn parse(body: &[u8]) -> Self {
        Self(
            form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, in order.
    pub(crate) fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name`, which must be present.
    pub(crate) fn require(&self, name: &'static str) -> Result<&str, crate::DecodeError> {
        self.get(name)
            .ok_or_else(|| crate::DecodeError::field(name, format!("{name} is required")))
    }

    /// An optional `0`/`1` flag.
    pub(crate) fn flag(&self, name: &'static str) -> Result<bool, crate::DecodeError> {
        match self.get(name) {
            None | Some("0") => Ok(false),
            Some("1") => Ok(true),
            Some(other) => Err(crate::DecodeError::field(
                name,
                format!("{name} must be 0 or 1, got {other:?}"),
            )),
        }
    }
}
