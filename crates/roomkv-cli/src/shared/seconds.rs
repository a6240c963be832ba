//! Durations in seconds, as `--timeout` and `--max-rate-wait` take them on the command line
//! and in a profile.

use std::time::Duration;

/// Parses `--timeout SECONDS`: a finite number of seconds greater than 0 (`0.5` is half a
/// second), at most a day.
pub(crate) fn timeout(text: &str) -> Result<Duration, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    seconds(secs).map_err(|_| {
        format!("`{text}` is not a number of seconds greater than 0 and at most {MAX_SECS}")
    })
}

/// The longest `--timeout` or `--max-rate-wait`: a day.
const MAX_SECS: f64 = 86_400.0;

/// A duration of `secs` seconds, finite, greater than 0 and at most a day: what `--timeout` and
/// `--max-rate-wait` take, on the command line or in a profile.
pub(crate) fn seconds(secs: f64) -> Result<Duration, String> {
    if secs.is_finite() && secs > 0.0 && secs <= MAX_SECS {
        Ok(Duration::from_secs_f64(secs))
    } else {
        Err(format!(
            "{secs} is not a number of seconds greater than 0 and at most {MAX_SECS}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_are_positive_seconds() {
        assert_eq!(timeout("5"), Ok(Duration::from_secs(5)));
        assert_eq!(timeout("0.25"), Ok(Duration::from_millis(250)));
        for bad in ["0", "-1", "NaN", "inf", "soon", "", "86401"] {
            assert!(timeout(bad).is_err(), "{bad}");
        }
    }
}
