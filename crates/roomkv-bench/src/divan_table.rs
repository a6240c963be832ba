//! Reads the fastest and median times out of the table divan prints (divan has no
//! machine-readable output yet).
//!
//! A row looks like `├─ name   1.2 µs │ 3.4 µs │ 1.3 µs │ 1.31 µs │ 100 │ 1600`: name and
//! fastest, then slowest, median, mean, samples and iterations, after the tree glyphs.

/// One row of divan's table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    /// The benchmark's name.
    pub(crate) name: String,
    /// The fastest sample, per call, in nanoseconds.
    pub(crate) fastest_ns: f64,
    /// The median sample, per call, in nanoseconds.
    pub(crate) median_ns: f64,
}

/// Every benchmark row of divan's table.
pub(crate) fn rows(table: &str) -> Vec<Row> {
    table.lines().filter_map(row).collect()
}

fn row(line: &str) -> Option<Row> {
    let line = line.trim_start_matches(['│', '├', '╰', '─', ' ']);
    let columns: Vec<&str> = line.split('│').map(str::trim).collect();
    if columns.len() != 6 {
        return None;
    }
    let (name, fastest) = columns[0].split_once(char::is_whitespace)?;
    // The header row names the columns; its "median" is not a time.
    Some(Row {
        name: name.to_owned(),
        fastest_ns: duration_ns(fastest.trim())?,
        median_ns: duration_ns(columns[2])?,
    })
}

/// `1.234 µs` and the like, in nanoseconds.
fn duration_ns(text: &str) -> Option<f64> {
    let (number, unit) = text.split_once(' ')?;
    let number: f64 = number.parse().ok()?;
    let scale = match unit.trim() {
        "ps" => 1e-3,
        "ns" => 1.0,
        "µs" | "us" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        _ => return None,
    };
    Some(number * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
Timer precision: 20 ns
request_build                      fastest       │ slowest       │ median        │ mean          │ samples │ iters
├─ rongcloud_entry_set_build       1.187 µs      │ 5.874 µs      │ 1.224 µs      │ 1.3 µs        │ 100     │ 400
├─ tencent_parse_set_reply         98.12 ns      │ 120.5 ns      │ 99.3 ns       │ 101.2 ns      │ 100     │ 6400
╰─ usersig_generate                10.49 µs      │ 21.18 µs      │ 10.7 ms       │ 11.01 µs      │ 100     │ 100
";

    #[test]
    fn times_are_read_in_nanoseconds() {
        let rows = rows(SAMPLE);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].name, "rongcloud_entry_set_build");
        assert!((rows[0].fastest_ns - 1187.0).abs() < 1e-6);
        assert!((rows[0].median_ns - 1224.0).abs() < 1e-6);
        assert_eq!(rows[1].name, "tencent_parse_set_reply");
        assert!((rows[1].fastest_ns - 98.12).abs() < 1e-9);
        assert!((rows[1].median_ns - 99.3).abs() < 1e-9);
        assert!((rows[2].median_ns - 10_700_000.0).abs() < 1e-3);
    }

    #[test]
    fn nested_rows_and_odd_lines_are_handled() {
        let text = "group\n│  ├─ inner   1 ns │ 2 ns │ 3 ns │ 4 ns │ 5 │ 6\nnot a table\n";
        assert_eq!(
            rows(text),
            vec![Row {
                name: "inner".to_owned(),
                fastest_ns: 1.0,
                median_ns: 3.0
            }]
        );
        assert!(rows("a │ b │ c │ d │ e │ f").is_empty());
    }
}
