//! Reading the expansions of a message ([`QueryExpansion`]) and what is read
//! ([`ExpansionPage`]), in both dialects.

use serde::{Deserialize, Serialize};

use crate::rongcloud::dialect::{Body, legacy_form};
use crate::rongcloud::form::FormBody;
use crate::rongcloud::json::{LenientInt, PairsInOrder};
use crate::rongcloud::reply;
use crate::rongcloud::{
    Dialect, Endpoint, ExpansionKey, ExpansionValue, MsgUid, RongCloudOperation,
};
use crate::{Effect, Limits, Operation, QuotaFamily, ResponseError, ValidationError};

use crate::rongcloud::declaration;
use crate::{Declaration, QuotaRule, V4Paths};
#[cfg(feature = "server")]
use {
    super::target::MESSAGE_ID,
    crate::rongcloud::dialect_decoding::DialectDecoding,
    crate::rongcloud::form::FormFields,
    crate::rongcloud::json::{JsonFields, ObjectInOrder},
    crate::rongcloud::reply_encoding::{ReplyEncoding, success_reply, v4_success_reply},
    crate::{DecodeError, ServerOperation},
};

/// Reads the expansions of a message, one page of 300 at a time:
/// `POST /message/expansion/query.json` (`docs/vendors/rongcloud.md#expansion-query`), in v4
/// `POST /v4/channel-type/message/metadata/list` (`docs/vendors/rongcloud.md#v4`).
///
/// The page is sent only when [`page`](Self::page) set one (`pageNo`, v4 `page`).
///
/// ```
/// use roomkv_core::rongcloud::{Dialect, MsgUid, QueryExpansion, RongCloudOperation};
/// use roomkv_core::{BaseUrl, Operation};
///
/// let op = QueryExpansion::new(MsgUid::parse("BRGM-DEN2-01E4-BN66")?).page(2);
/// let v4 = op.in_dialect(Dialect::V4)?;
/// let request = v4.encode(&BaseUrl::parse("https://api.nexconn.ai")?)?;
/// assert_eq!(request.body().as_slice(), br#"{"messageId":"BRGM-DEN2-01E4-BN66","page":2}"#);
///
/// let reply = br#"{"code":0,"result":{"metadata":[{"key":"likes","value":"3","updatedAt":1700000000000}]}}"#;
/// let page = v4.parse(http::Response::new(&reply[..]))?;
/// assert_eq!(page.get("likes").unwrap().version, 1_700_000_000_000);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryExpansion {
    msg_uid: MsgUid,
    page: Option<u32>,
}

impl QueryExpansion {
    /// The request path.
    pub const PATH: &'static str = Self::DECLARATION.paths.get(Dialect::Legacy);

    /// The v4 request path.
    pub const V4_PATH: &'static str = Self::DECLARATION.paths.get(Dialect::V4);

    /// Reads the first page of the expansions of `msg_uid`; no page is sent.
    pub fn new(msg_uid: MsgUid) -> Self {
        Self {
            msg_uid,
            page: None,
        }
    }

    /// Reads page `page_no` (`pageNo`, v4 `page`, from 1).
    pub fn page(mut self, page_no: u32) -> Self {
        self.page = Some(page_no);
        self
    }

    /// The message.
    pub fn msg_uid(&self) -> &MsgUid {
        &self.msg_uid
    }

    /// The page asked for, if one was.
    pub fn page_no(&self) -> Option<u32> {
        self.page
    }
}

impl RongCloudOperation for QueryExpansion {
    fn body(&self, dialect: Dialect) -> Body {
        #[derive(Serialize)]
        struct V4Body<'a> {
            #[serde(rename = "messageId")]
            msg_uid: &'a MsgUid,
            #[serde(skip_serializing_if = "Option::is_none")]
            page: Option<u32>,
        }
        match dialect {
            Dialect::Legacy => {
                let page = self.page.map(|p| p.to_string());
                Body::of_form(
                    FormBody::new()
                        .field("msgUID", self.msg_uid.as_str())
                        .field_opt("pageNo", page.as_deref()),
                )
            }
            Dialect::V4 => Body::json(&V4Body {
                msg_uid: &self.msg_uid,
                page: self.page,
            }),
        }
    }

    fn validate_in(&self, dialect: Dialect, limits: &Limits) -> Result<(), ValidationError> {
        self.msg_uid.validate(limits)?;
        match self.page {
            Some(0) => Err(ValidationError::OutOfRange {
                field: dialect.pick("pageNo", "page"),
                value: "0".to_owned(),
                allowed: "page numbers from 1",
            }),
            _ => self.body(dialect).check_size(limits),
        }
    }

    /// Legacy: reads `extraContent` (absent or `null` is an empty page) in the reply's order;
    /// `ts` may be a number as documented or a string of digits (the Java SDK's type), `v` must
    /// be a string. v4: reads `result.metadata` (absent or `null` is an empty page), an ordered
    /// list; each `updatedAt` (a number or a string of digits) becomes the entry's
    /// [`version`](ExpansionEntry::version). Texts are taken as sent, without client rules.
    fn parse_in(
        &self,
        dialect: Dialect,
        response: http::Response<&[u8]>,
    ) -> Result<ExpansionPage, ResponseError> {
        let entries = match dialect {
            Dialect::Legacy => {
                let reply: ExpansionReply = reply::parse(response)?;
                reply
                    .extra_content
                    .map(|pairs| pairs.0)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(key, wire)| ExpansionEntry {
                        key: ExpansionKey::non_validated(key),
                        value: ExpansionValue::non_validated(wire.v),
                        version: wire.ts.0,
                    })
                    .collect()
            }
            Dialect::V4 => {
                let reply: ListReply = reply::parse_v4(response)?;
                reply
                    .metadata
                    .unwrap_or_default()
                    .into_iter()
                    .map(|wire| ExpansionEntry {
                        key: ExpansionKey::non_validated(wire.key),
                        value: ExpansionValue::non_validated(wire.value),
                        version: wire.updated_at.0,
                    })
                    .collect()
            }
        };
        Ok(ExpansionPage { entries })
    }
}

impl Operation for QueryExpansion {
    type Endpoint = Endpoint;
    type Output = ExpansionPage;
    const DECLARATION: Declaration = declaration(
        "query_expansion",
        "/message/expansion/query.json",
        V4Paths::Own {
            path: "/v4/channel-type/message/metadata/list",
            alias: None,
        },
        QuotaRule::per_request(QuotaFamily::RongCloudExpansionQuery),
        Effect::Read,
    );

    legacy_form!();
}

#[cfg(feature = "server")]
impl ServerOperation for QueryExpansion {
    /// Reads `msgUID` (required) and `pageNo` (optional; a non-negative integer).
    fn decode(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
        let fields = FormFields::parse(request.body());
        let msg_uid = MsgUid::non_validated(fields.require("msgUID")?);
        let page = fields
            .get("pageNo")
            .map(|text| {
                text.parse::<u32>().map_err(|_| {
                    DecodeError::field("pageNo", format!("pageNo must be a number, got {text:?}"))
                })
            })
            .transpose()?;
        Ok(Self { msg_uid, page })
    }

    fn encode_reply(output: &ExpansionPage, request_id: Option<&str>) -> http::Response<Vec<u8>> {
        output.encode_reply(Dialect::Legacy, request_id)
    }
}

#[cfg(feature = "server")]
impl DialectDecoding for QueryExpansion {
    /// Reads `messageId` (a string, required; no other spelling, as no source documents one for
    /// this endpoint) and `page` (optional; a JSON number, a non-negative integer). Other
    /// members are ignored.
    fn decode_v4(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
        let fields = JsonFields::parse(request.body())?;
        let msg_uid = MsgUid::non_validated(fields.text(&[MESSAGE_ID])?);
        let page = fields.optional::<u32>(&["page"])?;
        Ok(Self { msg_uid, page })
    }
}

/// One page of a message's expansions, as [`QueryExpansion`] returns it.
///
/// The entries keep the order of the reply's `extraContent` object (v4: `metadata` list),
/// which is deterministic for a given reply (the official Go SDK loses it by going through a
/// map). Sort them if another order matters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExpansionPage {
    /// The expansions, in the reply's order.
    pub entries: Vec<ExpansionEntry>,
}

impl ExpansionPage {
    /// The expansion with `key`, if the page has it.
    pub fn get(&self, key: &str) -> Option<&ExpansionEntry> {
        self.entries.iter().find(|e| e.key.as_str() == key)
    }
}

/// One expansion of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpansionEntry {
    /// The key.
    pub key: ExpansionKey,
    /// The value (`v`).
    pub value: ExpansionValue,
    /// The version RongCloud gave the last change (`ts`; v4 `updatedAt`).
    pub version: i64,
}

#[derive(Deserialize)]
struct ExpansionReply {
    #[serde(rename = "extraContent", default)]
    extra_content: Option<PairsInOrder<ExtraWire>>,
}

#[derive(Deserialize)]
struct ExtraWire {
    v: String,
    ts: LenientInt<i64>,
}

#[derive(Deserialize, Default)]
struct ListReply {
    #[serde(default)]
    metadata: Option<Vec<ListEntryWire>>,
}

#[derive(Deserialize)]
struct ListEntryWire {
    key: String,
    value: String,
    #[serde(rename = "updatedAt")]
    updated_at: LenientInt<i64>,
}

/// Legacy: `{"code":200,"extraContent":{"k":{"v":"..","ts":N}}}`, keys in the page's order. v4:
/// `{"code":0,"result":{"metadata":[{"key","value","updatedAt"}]}}`, in the page's order.
#[cfg(feature = "server")]
impl ReplyEncoding for ExpansionPage {
    fn encode_reply(&self, dialect: Dialect, request_id: Option<&str>) -> http::Response<Vec<u8>> {
        match dialect {
            Dialect::Legacy => {
                let pairs: Vec<(&str, ExtraOut<'_>)> = self
                    .entries
                    .iter()
                    .map(|e| {
                        (
                            e.key.as_str(),
                            ExtraOut {
                                v: e.value.as_str(),
                                ts: e.version,
                            },
                        )
                    })
                    .collect();
                let reply = ExpansionReplyOut {
                    extra_content: ObjectInOrder(&pairs),
                };
                success_reply(&reply, request_id)
            }
            Dialect::V4 => {
                let metadata = self
                    .entries
                    .iter()
                    .map(|e| ListEntryOut {
                        key: e.key.as_str(),
                        value: e.value.as_str(),
                        updated_at: e.version,
                    })
                    .collect();
                v4_success_reply(Some(&ListReplyOut { metadata }), request_id)
            }
        }
    }
}

#[cfg(feature = "server")]
#[derive(Serialize)]
struct ExpansionReplyOut<'a> {
    #[serde(rename = "extraContent")]
    extra_content: ObjectInOrder<'a, &'a str, ExtraOut<'a>>,
}

#[cfg(feature = "server")]
#[derive(Serialize)]
struct ExtraOut<'a> {
    v: &'a str,
    ts: i64,
}

#[cfg(feature = "server")]
#[derive(Serialize)]
struct ListReplyOut<'a> {
    metadata: Vec<ListEntryOut<'a>>,
}

#[cfg(feature = "server")]
#[derive(Serialize)]
struct ListEntryOut<'a> {
    key: &'a str,
    value: &'a str,
    #[serde(rename = "updatedAt")]
    updated_at: i64,
}
