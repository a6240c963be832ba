//! The corpus of everything a user can see (`Debug`, `Display`, errors with their sources, log
//! lines) and the secrets that must not be in it, in every encoding a leak could hide in.

use std::error::Error as StdError;
use std::fmt::{Debug, Display};
use std::io;
use std::sync::{Arc, Mutex, PoisonError};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use percent_encoding::{NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// The secrets of a run, each under a name for the report.
#[derive(Default)]
pub(crate) struct Secrets(Vec<(String, String)>);

impl Secrets {
    /// A secret as configured (an app secret, a key, a password): looked for raw,
    /// percent-encoded, form-encoded and base64-encoded.
    pub(crate) fn raw(&mut self, name: &str, value: &str) {
        self.push(name, "raw", value.to_owned());
        self.encoded(name, value);
        self.push(name, "base64", STANDARD.encode(value));
        self.push(name, "base64url", URL_SAFE_NO_PAD.encode(value));
    }

    /// A credential derived from a secret (a UserSig, a request signature): looked for raw and
    /// URL-encoded. Base64 is left out: the UserSig is base64 already.
    pub(crate) fn derived(&mut self, name: &str, value: &str) {
        self.push(name, "raw", value.to_owned());
        self.encoded(name, value);
    }

    fn encoded(&mut self, name: &str, value: &str) {
        self.push(
            name,
            "percent-encoded",
            utf8_percent_encode(value, NON_ALPHANUMERIC).to_string(),
        );
        self.push(
            name,
            "form-encoded",
            form_urlencoded::byte_serialize(value.as_bytes()).collect(),
        );
    }

    fn push(&mut self, name: &str, encoding: &str, needle: String) {
        assert!(needle.len() >= 12, "{name} is too short to be distinctive");
        let label = format!("{name} ({encoding})");
        if !self.0.iter().any(|(_, n)| *n == needle) {
            self.0.push((label, needle));
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}

/// Everything rendered during a run, one labelled section per value.
#[derive(Default)]
pub(crate) struct Corpus {
    text: String,
    sections: usize,
}

impl Corpus {
    fn section(&mut self, label: &str, kind: &str, rendered: impl Display) {
        self.text
            .push_str(&format!("\n=== {label} [{kind}]\n{rendered}\n"));
        self.sections += 1;
    }

    /// `{:?}` and `{:#?}` of a value.
    pub(crate) fn debug(&mut self, label: &str, value: &dyn Debug) {
        self.section(label, "Debug", format_args!("{value:?}"));
        self.section(label, "Debug #", format_args!("{value:#?}"));
    }

    /// `Debug` and `Display` of a value.
    pub(crate) fn shown<T: Debug + Display + ?Sized>(&mut self, label: &str, value: &T) {
        self.debug(label, &value);
        self.section(label, "Display", value);
    }

    /// `Debug`, `Display` and `{:#}` of an error, then the same of every error in its
    /// `source()` chain.
    pub(crate) fn error(&mut self, label: &str, err: &(dyn StdError + 'static)) {
        let mut next = Some(err);
        let mut depth = 0;
        while let Some(err) = next {
            let label = format!("{label} / source {depth}");
            self.shown(&label, err);
            self.section(&label, "Display #", format_args!("{err:#}"));
            next = err.source();
            depth += 1;
        }
    }

    /// The captured log output.
    pub(crate) fn logs(&mut self, logs: &str) {
        self.section("tracing output", "log", logs);
    }

    pub(crate) fn sections(&self) -> usize {
        self.sections
    }

    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// Every place a secret occurs, described with the text around it.
    ///
    /// The corpus is searched as rendered, percent-decoded and form-decoded (`+` as a space),
    /// so a secret is found whatever subset of its characters an encoder escaped; each needle
    /// is reported from the first view it occurs in.
    pub(crate) fn leaks(&self, secrets: &Secrets) -> Vec<String> {
        let form = self.text.replace('+', " ");
        let views = [
            ("as rendered", self.text.clone()),
            (
                "percent-decoded",
                percent_decode_str(&self.text)
                    .decode_utf8_lossy()
                    .into_owned(),
            ),
            (
                "form-decoded",
                percent_decode_str(&form).decode_utf8_lossy().into_owned(),
            ),
        ];
        let mut leaks = Vec::new();
        for (label, needle) in &secrets.0 {
            let Some((view, text)) = views
                .iter()
                .find(|(_, text)| text.contains(needle.as_str()))
            else {
                continue;
            };
            for (at, _) in text.match_indices(needle.as_str()) {
                let section = text[..at].rfind("\n=== ").map_or("", |start| {
                    let header = &text[start + 5..];
                    &header[..header.find('\n').unwrap_or(header.len())]
                });
                let from = floor(text, at.saturating_sub(120));
                let to = floor(text, (at + needle.len() + 120).min(text.len()));
                leaks.push(format!(
                    "{label} in {section}, {view}:\n    …{}…",
                    text[from..to].replace('\n', "⏎")
                ));
            }
        }
        leaks
    }
}

/// The largest char boundary of `text` at or before `at`.
fn floor(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// An in-memory sink for `tracing-subscriber`'s fmt layer, shared by every writer it makes.
#[derive(Clone, Default)]
pub(crate) struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl LogBuffer {
    pub(crate) fn contents(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogBuffer {
    type Writer = Self;

    fn make_writer(&'a self) -> Self {
        self.clone()
    }
}

/// The scan finds a secret planted in each encoding it claims to look for, and names the
/// section it is in.
#[test]
fn a_planted_secret_is_found_in_every_encoding() {
    let secret = "Pl/anted+S3cret&k=1 x";
    let mut secrets = Secrets::default();
    secrets.raw("planted", secret);
    for planted in [
        secret.to_owned(),
        utf8_percent_encode(secret, NON_ALPHANUMERIC).to_string(),
        form_urlencoded::byte_serialize(secret.as_bytes()).collect(),
        STANDARD.encode(secret),
        URL_SAFE_NO_PAD.encode(secret),
        // Encoders that escape only some characters.
        secret
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace(' ', "+"),
        secret.replace('&', "%26"),
    ] {
        let mut corpus = Corpus::default();
        corpus.debug("clean", &"nothing to see");
        corpus.logs(&format!("INFO sending query=a&b={planted}&c"));
        let leaks = corpus.leaks(&secrets);
        assert!(!leaks.is_empty(), "{planted} not found");
        assert!(leaks[0].contains("tracing output"), "{}", leaks[0]);
    }
    let mut clean = Corpus::default();
    clean.debug("clean", &"nothing to see");
    assert!(clean.leaks(&secrets).is_empty());
}
