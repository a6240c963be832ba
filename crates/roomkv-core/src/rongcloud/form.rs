//! `application/x-www-form-urlencoded` bodies, both directions.

/// The content type of legacy RongCloud request bodies.
pub(crate) const CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// Builds a form body field by field, byte for byte as `form_urlencoded::Serializer` does
/// (which the tests check), but writing each byte in place: the crate's encoder copies every
/// run of unchanged bytes and every escape as a slice of its own, a `memcpy` call each.
pub(crate) struct FormBody(Vec<u8>);

impl FormBody {
    /// Room for a typical body (a single-key set with a notification is about 200 bytes), so
    /// building one does not grow it field by field.
    const INITIAL_CAPACITY: usize = 256;

    pub(crate) fn new() -> Self {
        Self(Vec::with_capacity(Self::INITIAL_CAPACITY))
    }

    pub(crate) fn field(mut self, name: &str, value: &str) -> Self {
        if !self.0.is_empty() {
            self.0.push(b'&');
        }
        encode_into(&mut self.0, name);
        self.0.push(b'=');
        encode_into(&mut self.0, value);
        self
    }

    pub(crate) fn field_opt(self, name: &str, value: Option<&str>) -> Self {
        match value {
            Some(value) => self.field(name, value),
            None => self,
        }
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        self.0
    }
}

/// Appends `text` form-urlencoded: ASCII letters, digits and `*-._` as they are (each run of
/// them copied at once), a space as `+`, every other byte as `%XX` (uppercase hex).
fn encode_into(out: &mut Vec<u8>, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let unchanged = |byte: &u8| matches!(byte, b'*' | b'-' | b'.' | b'0'..=b'9' | b'A'..=b'Z' | b'_' | b'a'..=b'z');
    out.reserve(text.len());
    let mut rest = text.as_bytes();
    loop {
        let run = rest
            .iter()
            .position(|b| !unchanged(b))
            .unwrap_or(rest.len());
        out.extend_from_slice(&rest[..run]);
        let Some((&byte, tail)) = rest[run..].split_first() else {
            return;
        };
        if byte == b' ' {
            out.push(b'+');
        } else {
            out.extend_from_slice(&[
                b'%',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 0x0f)],
            ]);
        }
        rest = tail;
    }
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

#[cfg(test)]
mod encoding_tests {
    use proptest::prelude::*;

    use super::FormBody;

    proptest! {
        /// Exactly the bytes `form_urlencoded::Serializer` writes, for any fields.
        #[test]
        fn bodies_are_what_form_urlencoded_writes(
            fields in prop::collection::vec((any::<String>(), any::<String>()), 0..6),
        ) {
            let mut expected = form_urlencoded::Serializer::new(String::new());
            let mut body = FormBody::new();
            for (name, value) in &fields {
                expected.append_pair(name, value);
                body = body.field(name, value);
            }
            prop_assert_eq!(String::from_utf8(body.finish()).unwrap(), expected.finish());
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rongcloud::{
        BatchRemoveEntries, BatchSetEntries, ChatroomId, ConversationType, DeleteExpansion,
        EntryKey, EntryValue, ExpansionKey, ExpansionValue, MsgUid, QueryEntries, QueryExpansion,
        RemoveEntry, SetEntry, SetExpansion, TargetId, UserId,
    };
    use crate::{BaseUrl, Limits, Operation, Unit, ValidationError};

    /// The exact body `encode` sends.
    fn body_len<O: Operation<Endpoint = BaseUrl>>(op: &O) -> usize {
        let base = BaseUrl::parse("https://api.rong-api.com").unwrap();
        op.encode(&base).unwrap().body().len()
    }

    fn with_body_max(max: usize) -> Limits {
        let mut limits = Limits::default();
        limits.rongcloud.request_body_max_bytes = max;
        limits
    }

    /// Passes with the limit at the encoded length, fails one byte below it, naming the body,
    /// its size and the limit.
    fn assert_boundary<O: Operation<Endpoint = BaseUrl>>(op: &O) {
        let len = body_len(op);
        assert_eq!(op.validate(&with_body_max(len)), Ok(()));
        let err = op.validate(&with_body_max(len - 1)).unwrap_err();
        assert_eq!(
            err,
            ValidationError::TooLong {
                field: "request body",
                len,
                max: len - 1,
                unit: Unit::Bytes,
            }
        );
        assert_eq!(
            err.to_string(),
            format!("request body has {len} bytes, at most {} allowed", len - 1)
        );
    }

    fn room() -> ChatroomId {
        ChatroomId::parse("room1").unwrap()
    }

    fn user() -> UserId {
        UserId::parse("anchor").unwrap()
    }

    fn msg() -> MsgUid {
        MsgUid::parse("BRGM-DEN2-01E4-BN66").unwrap()
    }

    fn target() -> TargetId {
        TargetId::parse("group1").unwrap()
    }

    #[test]
    fn every_operation_checks_its_encoded_body_at_the_exact_limit() {
        let key = EntryKey::parse("score").unwrap();
        let value = EntryValue::parse("中文 & =").unwrap();
        let xkey = ExpansionKey::parse("likes").unwrap();
        let xvalue = ExpansionValue::parse("3 & 中").unwrap();
        assert_boundary(&SetEntry::new(room(), user(), key.clone(), value.clone()));
        assert_boundary(&BatchSetEntries::new(
            room(),
            user(),
            [(key.clone(), value)],
        ));
        assert_boundary(&RemoveEntry::new(room(), user(), key.clone()));
        assert_boundary(&BatchRemoveEntries::new(room(), user(), [key.clone()]));
        assert_boundary(&QueryEntries::new(room()).with_keys([key]));
        assert_boundary(&QueryEntries::new(room()));
        assert_boundary(&SetExpansion::new(
            msg(),
            user(),
            ConversationType::Group,
            target(),
            [(xkey.clone(), xvalue)],
        ));
        assert_boundary(&DeleteExpansion::new(
            msg(),
            user(),
            ConversationType::Private,
            target(),
            [xkey],
        ));
        assert_boundary(&QueryExpansion::new(msg()).page(2));
    }

    #[test]
    fn a_batch_within_every_field_limit_can_still_be_too_large_for_the_vendor() {
        // 20 values of 4096 three-byte characters: each percent-encodes to 9 bytes.
        let value = EntryValue::parse("中".repeat(4096)).unwrap();
        let entries: Vec<_> = (0..20)
            .map(|i| (EntryKey::parse(format!("k{i}")).unwrap(), value.clone()))
            .collect();
        let op = BatchSetEntries::new(room(), user(), entries);
        let len = body_len(&op);
        assert!(len > 100 * 1024, "{len}");
        assert_eq!(
            op.validate(&Limits::default()),
            Err(ValidationError::TooLong {
                field: "request body",
                len,
                max: 100 * 1024 - 1,
                unit: Unit::Bytes,
            })
        );
        // Two such pairs fit.
        let small = BatchSetEntries::new(room(), user(), op.entries()[..2].to_vec());
        assert_eq!(small.validate(&Limits::default()), Ok(()));
    }
}
