//! What the vendor commands print, and how their failures become a [`Failure`].
//!
//! - Success: exactly one JSON document on stdout ([`print_json`]), compact, on one line.
//! - Refused before sending (a broken limit, a bad `KEY=VALUE`, missing credentials, an invalid
//!   `--base-url`): exit code 2 ([`Failure::refused`]).
//! - A vendor error or a transport failure: exit code 1 ([`vendor_failure`]), with the vendor
//!   code, message and request id or the transport cause, and `outcome unknown` when a write may
//!   or may not have been applied.
//!
//! Every message is one line: line breaks in a vendor's message are replaced.

use std::error::Error as StdError;
use std::io::{self, Write};

use roomkv_rongcloud::ValidationError;
use serde::Serialize;

use crate::failure::Failure;

/// Waits for `sent`, a write, and prints `done`, the document saying what it did.
pub(crate) async fn print_when_sent<T, E>(
    sent: impl Future<Output = Result<T, E>>,
    done: impl Serialize,
) -> Result<(), Failure>
where
    Failure: From<E>,
{
    sent.await?;
    print_json(&done)
}

/// Writes `value` as one line of JSON on stdout. A closed stdout (`roomkv ... | head -c0`)
/// is not a failure of the command, which has already happened.
pub(crate) fn print_json<T: Serialize>(value: &T) -> Result<(), Failure> {
    let mut json = serde_json::to_string(value)
        .map_err(|err| Failure::runtime(format!("cannot write the output as JSON: {err}")))?;
    json.push('\n');
    print_text(&json)
}

/// Writes `text` on stdout as it is (a completion script); a closed stdout is not a failure.
pub(crate) fn print_text(text: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(err) if err.kind() != io::ErrorKind::BrokenPipe => {
            Err(Failure::runtime(format!("cannot write to stdout: {err}")))
        }
        _ => Ok(()),
    }
}

/// `text` on one line: every line break or other control character becomes a space.
pub(crate) fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The words of every refusal before sending, as the clients write them.
const REFUSED: &str = "request refused before sending";

impl From<ValidationError> for Failure {
    fn from(err: ValidationError) -> Self {
        Self::refused(one_line(&format!("{REFUSED}: {err}")))
    }
}

/// Splits a `KEY=VALUE` argument at its first `=`, so the value may contain `=` and the key
/// cannot. (Both vendors allow `=` in keys; such a key can be set with `entry set --key`, not
/// with a `KEY=VALUE` argument.) An empty key is left to the key's own validation.
pub(crate) fn split_pair(arg: &str) -> Result<(&str, &str), Failure> {
    arg.split_once('=').ok_or_else(|| {
        Failure::refused(one_line(&format!(
            "{REFUSED}: argument {} is not KEY=VALUE (no `=`)",
            shorten(arg)
        )))
    })
}

/// `KEY=VALUE` arguments, each split at its first `=` ([`split_pair`]) and parsed with `key`
/// and `value`.
pub(crate) fn parse_pairs<K, V, KE, VE>(
    args: &[String],
    key: impl Fn(String) -> Result<K, KE>,
    value: impl Fn(String) -> Result<V, VE>,
) -> Result<Vec<(K, V)>, Failure>
where
    Failure: From<KE> + From<VE>,
{
    args.iter()
        .map(|arg| {
            let (k, v) = split_pair(arg)?;
            Ok((key(k.to_owned())?, value(v.to_owned())?))
        })
        .collect()
}

/// Parses every text in `texts` with `parse`.
pub(crate) fn parse_all<T, E>(
    texts: Vec<String>,
    parse: impl Fn(String) -> Result<T, E>,
) -> Result<Vec<T>, Failure>
where
    Failure: From<E>,
{
    texts
        .into_iter()
        .map(|text| parse(text).map_err(Failure::from))
        .collect()
}

/// One `{"key", "value"}` pair in an output document.
#[derive(Debug, Serialize)]
pub(crate) struct PairOut<'a> {
    key: &'a str,
    value: &'a str,
}

impl<'a> PairOut<'a> {
    /// The pair `key`, `value`.
    pub(crate) fn new(key: &'a str, value: &'a str) -> Self {
        Self { key, value }
    }

    /// A parsed `(key, value)` pair.
    pub(crate) fn of<K: AsRef<str>, V: AsRef<str>>((key, value): &'a (K, V)) -> Self {
        Self::new(key.as_ref(), value.as_ref())
    }
}

/// `text` quoted, cut after 40 characters: enough to find the argument, not a screenful.
fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        format!("{text:?}")
    } else {
        let head: String = text.chars().take(MAX).collect();
        format!("{head:?}...")
    }
}

/// How a client error tells the CLI what happened, whichever vendor's it is.
pub(crate) struct VendorError<'a> {
    /// The error; its `Display` is one sentence with the code, message and request id, or the
    /// transport cause.
    pub(crate) error: &'a (dyn StdError + 'static),
    /// Nothing was sent (validation, configuration, encoding).
    pub(crate) refused: bool,
    /// A write that may or may not have been applied.
    pub(crate) outcome_unknown: bool,
}

/// The [`Failure`] for a client error: exit code 2 when nothing was sent, else 1. The message is
/// the error's sentence, its underlying causes (which the sentence does not repeat), and
/// `outcome unknown` when that is so.
pub(crate) fn vendor_failure(err: VendorError<'_>) -> Failure {
    let mut message = err.error.to_string();
    let mut cause = err.error.source();
    let mut causes = Vec::new();
    while let Some(inner) = cause {
        causes.push(inner.to_string());
        cause = inner.source();
    }
    if !causes.is_empty() {
        message.push_str(&format!(" (cause: {})", causes.join(": ")));
    }
    if err.outcome_unknown {
        message.push_str(" (outcome unknown: read the state back before repeating the write)");
    }
    let message = one_line(&message);
    if err.refused {
        Failure::refused(message)
    } else {
        Failure::runtime(message)
    }
}

/// `From<Error> for Failure` for each client's error: exit code 2 when the client refused
/// the request before sending it (validation, configuration, signing, encoding), else 1.
macro_rules! failure_from_client_errors {
    ($($error:ident),* $(,)?) => {$(
        impl From<$error::Error> for Failure {
            fn from(err: $error::Error) -> Self {
                // A refusal of the client's own rate limiter is transient: exit code 1, not 2.
                let refused = err.is_refused_before_sending() && err.rate_limited().is_none();
                vendor_failure(VendorError {
                    error: &err,
                    refused,
                    outcome_unknown: err.is_outcome_unknown(),
                })
            }
        }
    )*};
}

failure_from_client_errors!(roomkv_rongcloud, roomkv_tencent);

/// `value` as the JSON its command prints, for the tests of the output documents.
#[cfg(test)]
pub(crate) fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("an output document serializes")
}

#[cfg(test)]
mod tests {
    use std::fmt;

    use roomkv_rongcloud::EntryKey;

    use super::*;

    #[test]
    fn pairs_split_at_the_first_equals_sign() {
        assert_eq!(split_pair("k=v").unwrap(), ("k", "v"));
        assert_eq!(split_pair("k=").unwrap(), ("k", ""));
        assert_eq!(split_pair("k=a=b==c").unwrap(), ("k", "a=b==c"));
        assert_eq!(split_pair("=v").unwrap(), ("", "v"));
        assert_eq!(split_pair("==").unwrap(), ("", "="));
        assert_eq!(split_pair("k = v").unwrap(), ("k ", " v"));
    }

    #[test]
    fn an_argument_without_equals_sign_is_refused_on_one_line() {
        let failure = split_pair("novalue").unwrap_err();
        assert_eq!(failure.exit_code, 2);
        assert_eq!(
            failure.message,
            "request refused before sending: argument \"novalue\" is not KEY=VALUE (no `=`)"
        );
        let failure = split_pair(&"x".repeat(5000)).unwrap_err();
        assert!(failure.message.len() < 120, "{}", failure.message);
        let failure = split_pair("line\nbreak").unwrap_err();
        assert!(!failure.message.contains('\n'), "{}", failure.message);
    }

    #[test]
    fn validation_errors_name_the_field_and_the_limit() {
        let failure = Failure::from(EntryKey::parse("k".repeat(129)).unwrap_err());
        assert_eq!(failure.exit_code, 2);
        assert_eq!(
            failure.message,
            "request refused before sending: key has 129 characters, at most 128 allowed"
        );
        let failure = Failure::from(EntryKey::parse("").unwrap_err());
        assert_eq!(
            failure.message,
            "request refused before sending: key is empty, at least 1 character required"
        );
    }

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Self>>);

    impl fmt::Display for Layer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl StdError for Layer {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            self.1.as_deref().map(|inner| inner as _)
        }
    }

    #[test]
    fn vendor_failures_are_one_line_with_causes_and_outcome() {
        let plain = Layer(
            "RongCloud error 1015 (x): gone\n[HTTP 200, request id r]",
            None,
        );
        let failure = vendor_failure(VendorError {
            error: &plain,
            refused: false,
            outcome_unknown: false,
        });
        assert_eq!(failure.exit_code, 1);
        assert_eq!(
            failure.message,
            "RongCloud error 1015 (x): gone [HTTP 200, request id r]"
        );

        let deep = Layer(
            "request failed",
            Some(Box::new(Layer(
                "io",
                Some(Box::new(Layer("refused", None))),
            ))),
        );
        let failure = vendor_failure(VendorError {
            error: &deep,
            refused: false,
            outcome_unknown: true,
        });
        assert_eq!(
            failure.message,
            "request failed (cause: io: refused) (outcome unknown: read the state back before \
             repeating the write)"
        );

        let failure = vendor_failure(VendorError {
            error: &Layer("request refused before sending: x", None),
            refused: true,
            outcome_unknown: false,
        });
        assert_eq!(failure.exit_code, 2);
    }
}
