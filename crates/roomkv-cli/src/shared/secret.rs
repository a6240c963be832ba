//! [`Secret`]: a secret taken from a flag, the environment or a profile.

use std::fmt;
use std::str::FromStr;

/// A secret taken from a flag or the environment (an App Secret, a secret key, a UserSig).
///
/// `Debug` prints `Secret(***)`, there is no `Display`, so a dump of the parsed arguments (a
/// `tracing` field, a test's panic message) never shows it. [`Secret::expose`] is the one way
/// to the text: keep its callers few.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(String);

impl Secret {
    /// The secret's text, for the one place that needs it (a client builder, a verifier).
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl FromStr for Secret {
    type Err = &'static str;

    /// Any non-empty text. The error never repeats the value (it is empty anyway).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            Err("the value is empty")
        } else {
            Ok(Self(s.to_owned()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_never_debug_printed() {
        let secret: Secret = "s3cr3t".parse().unwrap();
        assert_eq!(format!("{secret:?}"), "Secret(***)");
        assert_eq!(format!("{:?}", Some(secret.clone())), "Some(Secret(***))");
        assert_eq!(secret.expose(), "s3cr3t");
        assert_eq!("".parse::<Secret>(), Err("the value is empty"));
    }
}
