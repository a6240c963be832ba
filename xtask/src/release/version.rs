//! SemVer versions, as far as a release needs them: parse, compare, print.

use std::cmp::Ordering;
use std::fmt;

/// A pre-release identifier; numeric ones sort before alphanumeric ones (SemVer 2.0.0 §11).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Identifier {
    Numeric(u64),
    Alphanumeric(String),
}

/// A SemVer version without build metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: Vec<Identifier>,
}

fn numeric(part: &str, what: &str, text: &str) -> Result<u64, String> {
    if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "`{text}` is not a SemVer version: the {what} must be a number"
        ));
    }
    if part.len() > 1 && part.starts_with('0') {
        return Err(format!(
            "`{text}` is not a SemVer version: the {what} has a leading zero"
        ));
    }
    part.parse()
        .map_err(|_| format!("`{text}` is not a SemVer version: the {what} is too large"))
}

impl Version {
    /// Parses `MAJOR.MINOR.PATCH` with an optional `-PRE-RELEASE`.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        if text.starts_with(['v', 'V']) {
            return Err(format!(
                "`{text}` is not a SemVer version: write it without the `v`"
            ));
        }
        if text.contains('+') {
            return Err(format!(
                "`{text}`: build metadata (`+...`) is not supported; crates.io ignores it when \
                 telling versions apart"
            ));
        }
        let (core, pre) = match text.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (text, None),
        };
        let parts: Vec<&str> = core.split('.').collect();
        let [major, minor, patch] = parts[..] else {
            return Err(format!(
                "`{text}` is not a SemVer version: expected MAJOR.MINOR.PATCH, such as 0.2.0"
            ));
        };
        let mut identifiers = Vec::new();
        for part in pre.map(|pre| pre.split('.')).into_iter().flatten() {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return Err(format!(
                    "`{text}` is not a SemVer version: pre-release identifiers are non-empty \
                     runs of [0-9A-Za-z-] separated by dots"
                ));
            }
            identifiers.push(if part.bytes().all(|b| b.is_ascii_digit()) {
                Identifier::Numeric(numeric(part, "numeric pre-release identifier", text)?)
            } else {
                Identifier::Alphanumeric(part.to_owned())
            });
        }
        Ok(Self {
            major: numeric(major, "major version", text)?,
            minor: numeric(minor, "minor version", text)?,
            patch: numeric(patch, "patch version", text)?,
            pre: identifiers,
        })
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                // A pre-release sorts before the release itself.
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => self.pre.cmp(&other.pre),
            })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        for (index, identifier) in self.pre.iter().enumerate() {
            f.write_str(if index == 0 { "-" } else { "." })?;
            match identifier {
                Identifier::Numeric(number) => write!(f, "{number}")?,
                Identifier::Alphanumeric(text) => f.write_str(text)?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(in crate::release) fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn versions_parse_and_print() {
        for text in [
            "0.2.0",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-0.3.7",
            "1.0.0-x-y.7z.92",
            "10.20.30",
        ] {
            assert_eq!(v(text).to_string(), text);
        }
        assert_eq!(
            v("1.2.3-rc.1"),
            Version {
                major: 1,
                minor: 2,
                patch: 3,
                pre: vec![
                    Identifier::Alphanumeric("rc".into()),
                    Identifier::Numeric(1)
                ],
            }
        );
    }

    #[test]
    fn malformed_versions_are_refused() {
        for bad in [
            "",
            "1",
            "1.2",
            "1.2.3.4",
            "01.2.3",
            "1.02.3",
            "1.2.03",
            "a.b.c",
            "1.2.3-",
            "1.2.3-a..b",
            "1.2.3-01",
            "1.2.3-a_b",
            " 1.2.3",
            "1.2.-3",
            "99999999999999999999.0.0",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?} parsed");
        }
        assert!(
            Version::parse("v0.2.0")
                .unwrap_err()
                .contains("without the `v`")
        );
        assert!(
            Version::parse("1.0.0+build.5")
                .unwrap_err()
                .contains("build metadata")
        );
    }

    #[test]
    fn versions_compare_by_semver_precedence() {
        // The SemVer 2.0.0 §11 example chain, plus numeric (not textual) comparison.
        let chain = [
            "0.1.0",
            "0.1.1",
            "0.2.0",
            "0.10.0",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "2.0.0",
            "10.0.0",
        ];
        for pair in chain.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
            assert!(v(pair[1]) > v(pair[0]));
        }
        assert_eq!(v("1.0.0").cmp(&v("1.0.0")), Ordering::Equal);
    }
}
