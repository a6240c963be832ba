//! `roomkv man --out-dir DIR`: a page per command, each rendered by `man -l` without a warning.

use std::process::Command;

use crate::process::Roomkv;
use crate::profiles::ConfigDir;
use crate::vendor::success;

#[test]
fn every_page_renders_without_warnings() {
    let dir = ConfigDir::new("man");
    let out_dir = dir.path().replace("config.toml", "man1");
    let out = success(&Roomkv::run(&["man", "--out-dir", &out_dir]));
    let pages: Vec<&str> = out["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .map(|page| page.as_str().expect("a name"))
        .collect();
    for page in [
        "roomkv.1",
        "roomkv-rongcloud-entry-set.1",
        "roomkv-tencent-metadata-import.1",
        "roomkv-tencent-room-update.1",
        "roomkv-tencent-room-list.1",
        "roomkv-config-check.1",
        "roomkv-completions.1",
        "roomkv-man.1",
        "roomkv-emulator.1",
        "roomkv-parity-record.1",
    ] {
        assert!(pages.contains(&page), "{page} missing from {pages:?}");
    }
    // roomkv, demo, emulator, rongcloud (+ entry: 7, expansion: 3), tencent (+ room: 5,
    // metadata: 5, usersig: 2), copy, config (+ 2), completions, man, parity (+ 2).
    assert_eq!(
        pages.len(),
        1 + 2 + 1 + 1 + 7 + 1 + 3 + 1 + 1 + 5 + 1 + 5 + 1 + 2 + 1 + 1 + 2 + 2 + 1 + 2,
        "{pages:?}"
    );
    for page in pages {
        let path = format!("{out_dir}/{page}");
        // lintian's check: every groff warning of the default set, on an 80-column page.
        let rendered = Command::new("man")
            .args(["--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z", &path])
            .env("LC_ALL", "C.UTF-8")
            .env("MANROFFSEQ", "")
            .env("MANWIDTH", "80")
            .output()
            .expect("man runs (install man-db)");
        assert!(rendered.status.success(), "{page}: {rendered:?}");
        let warnings = String::from_utf8_lossy(&rendered.stderr);
        assert!(warnings.is_empty(), "{page}:\n{warnings}");
        assert!(!rendered.stdout.is_empty(), "{page} rendered nothing");
        // As a reader sees it: the name, and the examples kept line by line.
        let text = Command::new("man")
            .args(["-l", &path])
            .env("MANWIDTH", "80")
            .env("MANPAGER", "cat")
            .output()
            .expect("man runs");
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(text.contains("NAME"), "{page}:\n{text}");
        if page == "roomkv-rongcloud-entry-set.1" {
            assert!(text.contains("EXAMPLES"), "{text}");
            assert!(
                text.contains("\n           roomkv rongcloud entry set --room room1 --user anchor --key stage --value quiz\n"),
                "{text}"
            );
        }
    }
}
