//! The CHANGELOG's `## Unreleased` section moved under the new version, and the release date.

use std::time::{SystemTime, UNIX_EPOCH};

use super::version::Version;

/// Overrides the release date (`YYYY-MM-DD`), for reproducible tests.
const DATE_VAR: &str = "RELEASE_DATE";

fn is_unreleased_heading(line: &str) -> bool {
    line.trim_end().strip_prefix("## ").is_some_and(|title| {
        title.trim().eq_ignore_ascii_case("unreleased")
            || title.trim().eq_ignore_ascii_case("[unreleased]")
    })
}

/// Whether `line` is a level-2 heading for `version` (`## [0.2.0] ...` or `## 0.2.0 ...`).
fn is_version_heading(line: &str, version: &str) -> bool {
    line.strip_prefix("## ").is_some_and(|title| {
        let title = title.trim();
        let bare = title
            .strip_prefix('[')
            .and_then(|rest| rest.strip_prefix(version))
            .map(|rest| rest.starts_with(']'))
            .unwrap_or(false);
        bare || title
            .strip_prefix(version)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r']))
    })
}

/// Moves the body of `## Unreleased` under a new `## [VERSION] - DATE` heading right below it,
/// leaving `## Unreleased` empty. The body is kept byte for byte, minus its leading blank lines.
pub(crate) fn move_unreleased(
    changelog: &str,
    version: &Version,
    date: &str,
) -> Result<String, String> {
    let version_text = version.to_string();
    let mut lines = Vec::new(); // (start offset, line)
    let mut offset = 0;
    for line in changelog.split_inclusive('\n') {
        lines.push((offset, line));
        offset += line.len();
    }
    if let Some((_, line)) = lines
        .iter()
        .find(|(_, line)| is_version_heading(line, &version_text))
    {
        return Err(format!(
            "CHANGELOG.md already has a section for {version_text}: `{}`",
            line.trim_end()
        ));
    }
    let heading = lines
        .iter()
        .position(|(_, line)| is_unreleased_heading(line))
        .ok_or("CHANGELOG.md has no `## Unreleased` section")?;
    let (heading_start, heading_line) = lines[heading];
    let body_start = heading_start + heading_line.len();
    let body_end = lines[heading + 1..]
        .iter()
        .find(|(_, line)| line.starts_with("## ") || line.starts_with("# "))
        .map_or(changelog.len(), |(start, _)| *start);
    let body = &changelog[body_start..body_end];
    let has_entries = body
        .lines()
        .any(|line| !line.trim().is_empty() && !line.trim_start().starts_with('#'));
    if !has_entries {
        return Err(
            "the `## Unreleased` section of CHANGELOG.md is empty: nothing to release".to_owned(),
        );
    }
    let mut rest = body;
    while let Some(line) = rest.split_inclusive('\n').next() {
        if !line.trim().is_empty() {
            break;
        }
        rest = &rest[line.len()..];
    }
    let newline = if heading_line.ends_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    Ok(format!(
        "{}{newline}## [{version_text}] - {date}{newline}{newline}{rest}{}",
        &changelog[..body_start],
        &changelog[body_end..]
    ))
}

// ---------------------------------------------------------------------------------------------
// The date

/// The proleptic Gregorian date of `days` since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month as u32, day as u32)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `text` if it is a real `YYYY-MM-DD` date.
fn check_date(text: &str) -> Result<String, String> {
    let bad = || format!("{DATE_VAR}=`{text}` is not a YYYY-MM-DD date");
    let bytes = text.as_bytes();
    let shape = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(index, b)| index == 4 || index == 7 || b.is_ascii_digit());
    if !shape {
        return Err(bad());
    }
    let year: i64 = text[..4].parse().map_err(|_| bad())?;
    let month: u32 = text[5..7].parse().map_err(|_| bad())?;
    let day: u32 = text[8..].parse().map_err(|_| bad())?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return Err(bad());
    }
    Ok(text.to_owned())
}

/// Today in UTC, or `RELEASE_DATE`.
pub(super) fn release_date() -> Result<String, String> {
    match std::env::var(DATE_VAR) {
        Ok(date) => check_date(&date),
        Err(std::env::VarError::NotUnicode(_)) => Err(format!("{DATE_VAR} is not UTF-8")),
        Err(std::env::VarError::NotPresent) => today(),
    }
}

/// Today in UTC, `YYYY-MM-DD`.
pub(crate) fn today() -> Result<String, String> {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|_| "the system clock is before 1970".to_owned())?
        .as_secs();
    let (year, month, day) = civil_from_days(i64::try_from(seconds / 86_400).unwrap_or(0));
    Ok(format!("{year:04}-{month:02}-{day:02}"))
}

#[cfg(test)]
mod tests {
    use super::super::version::tests::v;
    use super::*;

    const CHANGELOG: &str = "# Changelog\n\nIntro.\n\n## Unreleased\n\n### Added\n- one\n- two\n\n\
                             ### Fixed\n- three\n\n## [0.1.0] - 2024-01-01\n\n- first\n";

    #[test]
    fn the_unreleased_entries_move_under_the_version() {
        let moved = move_unreleased(CHANGELOG, &v("0.2.0"), "2030-01-02").unwrap();
        assert_eq!(
            moved,
            "# Changelog\n\nIntro.\n\n## Unreleased\n\n## [0.2.0] - 2030-01-02\n\n### Added\n- one\n\
             - two\n\n### Fixed\n- three\n\n## [0.1.0] - 2024-01-01\n\n- first\n"
        );
        // Nothing lost or reordered: without the new heading it is the original.
        assert_eq!(moved.replace("## [0.2.0] - 2030-01-02\n\n", ""), CHANGELOG);
        // Releasing again finds the new, empty Unreleased.
        assert!(
            move_unreleased(&moved, &v("0.3.0"), "2030-01-03")
                .unwrap_err()
                .contains("empty")
        );
    }

    #[test]
    fn an_unreleased_section_at_the_end_and_crlf_work() {
        let text = "## [Unreleased]\r\n- only\r\n";
        assert_eq!(
            move_unreleased(text, &v("1.0.0"), "2030-01-02").unwrap(),
            "## [Unreleased]\r\n\r\n## [1.0.0] - 2030-01-02\r\n\r\n- only\r\n"
        );
        assert_eq!(
            move_unreleased("## Unreleased\n- x", &v("1.0.0"), "2030-01-02").unwrap(),
            "## Unreleased\n\n## [1.0.0] - 2030-01-02\n\n- x"
        );
    }

    #[test]
    fn empty_missing_or_already_released_sections_are_refused() {
        for empty in [
            "## Unreleased\n\n## [0.1.0] - 2024-01-01\n- first\n",
            "## Unreleased\n",
            "## Unreleased",
            "## Unreleased\n\n### Added\n\n### Fixed\n   \n## [0.1.0]\n- first\n",
        ] {
            let err = move_unreleased(empty, &v("0.2.0"), "2030-01-02").unwrap_err();
            assert!(err.contains("is empty"), "{empty:?}: {err}");
        }
        let err = move_unreleased("# Changelog\n- x\n", &v("0.2.0"), "2030-01-02").unwrap_err();
        assert!(err.contains("no `## Unreleased`"), "{err}");
        let released = "## Unreleased\n- x\n## [0.2.0] - 2024-01-01\n- y\n";
        let err = move_unreleased(released, &v("0.2.0"), "2030-01-02").unwrap_err();
        assert!(err.contains("already has a section for 0.2.0"), "{err}");
        // 0.2.0 is not 0.2.0-rc.1 nor 0.2.01.
        assert!(move_unreleased("## Unreleased\n- x\n## 0.2.0-rc.1\n", &v("0.2.0"), "d").is_ok());
        assert!(is_version_heading("## 0.2.0 (2024-01-01)", "0.2.0"));
        assert!(!is_version_heading("## [0.2.01]", "0.2.0"));
    }

    #[test]
    fn dates_are_civil_utc_and_checked() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(check_date("2024-02-29").unwrap(), "2024-02-29");
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-1-01",
            "24-01-01",
            "2024/01/01",
            "today",
        ] {
            assert!(check_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn today_is_a_date() {
        let today = today().unwrap();
        assert_eq!(today.len(), 10);
        assert_eq!(&today[4..5], "-");
    }
}
