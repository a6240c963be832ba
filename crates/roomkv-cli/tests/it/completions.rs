//! `roomkv completions SHELL` for every shell, and the bash script loaded by a real `bash`
//! that completes through `complete -p` and `COMP_WORDS` as it does on <TAB>.

use std::process::Command;

use crate::profiles::ConfigDir;

/// Profiles whose names the scripts complete.
const CONFIG: &str =
    "[profiles.staging.rongcloud]\napp_key = \"k\"\n\n[profiles.prod-eu.tencent]\nsdkappid = 1\n";

/// The script `roomkv completions SHELL` prints.
fn script(config: &ConfigDir, shell: &str) -> String {
    let out = config.run(&["completions", shell], &[]);
    assert_eq!(out.status.code(), Some(0), "{shell}: {out:?}");
    assert!(out.stderr.is_empty(), "{shell}: {}", out.stderr);
    out.stdout
}

#[test]
fn every_shell_gets_a_script_with_subcommands_and_flags() {
    let config = ConfigDir::new("completions");
    config.write(CONFIG, 0o600);
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = script(&config, shell);
        for word in [
            "rongcloud",
            "tencent",
            "entry",
            "batch-set",
            "metadata",
            "profile",
            "base-url",
            "completions",
        ] {
            assert!(script.contains(word), "{shell}: no {word}");
        }
    }
    // The shells whose clap_complete scripts complete values: regions, dialects, profiles.
    for shell in ["bash", "zsh", "fish"] {
        let script = script(&config, shell);
        for word in [
            "singapore-b",
            "silicon-valley",
            "legacy",
            "v4",
            "staging",
            "prod-eu",
        ] {
            assert!(script.contains(word), "{shell}: no {word}");
        }
    }
}

/// What bash completes for `line` (which ends in the word being completed), with the script
/// loaded and the completion function found the way bash finds it, through `complete -p`.
fn bash_complete(script: &str, line: &str) -> Vec<String> {
    let driver = r#"
source /dev/stdin
spec=$(complete -p roomkv) || exit 3
func=${spec#*-F }
func=${func%% *}
read -r -a COMP_WORDS <<< "$1"
[[ "$1" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE=$1
COMP_POINT=${#COMP_LINE}
prev=""
(( COMP_CWORD > 0 )) && prev=${COMP_WORDS[COMP_CWORD-1]}
"$func" roomkv "${COMP_WORDS[COMP_CWORD]}" "$prev"
printf '%s\n' "${COMPREPLY[@]}"
"#;
    let mut child = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", driver, "bash", line])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("bash runs");
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(script.as_bytes())
            .expect("write the script");
    }
    let out = child.wait_with_output().expect("bash ends");
    assert!(out.status.success(), "{line:?}: {out:?}");
    let mut words: Vec<String> = String::from_utf8(out.stdout)
        .expect("UTF-8")
        .lines()
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
        .collect();
    words.sort();
    words
}

#[test]
fn bash_completes_subcommands_flags_regions_dialects_and_profiles() {
    let config = ConfigDir::new("bash");
    config.write(CONFIG, 0o600);
    let script = script(&config, "bash");
    for (line, expected) in [
        ("roomkv rongcloud en", &["entry"][..]),
        (
            "roomkv rongcloud entry batch-",
            &["batch-remove", "batch-set"],
        ),
        ("roomkv te", &["tencent"]),
        (
            "roomkv tencent --region si",
            &["silicon-valley", "singapore"],
        ),
        (
            "roomkv rongcloud --region singapore",
            &["singapore", "singapore-b"],
        ),
        ("roomkv rongcloud --dialect ", &["legacy", "v4"]),
        ("roomkv --profile ", &["prod-eu", "staging"]),
        ("roomkv completions z", &["zsh"]),
        ("roomkv rongcloud entry query --ro", &["--room"]),
        ("roomkv tencent room u", &["update"]),
        ("roomkv tencent room l", &["list"]),
        (
            "roomkv tencent room update --take-seat-mode ",
            &["apply", "free"],
        ),
    ] {
        assert_eq!(bash_complete(&script, line), expected, "{line:?}");
    }
}

#[test]
fn a_config_file_that_cannot_be_used_leaves_the_profile_names_out() {
    let config = ConfigDir::new("broken");
    config.write("[profiles.p.rongcloud]\napp_secret = \"s\"\n", 0o644);
    let script = script(&config, "bash");
    assert_eq!(bash_complete(&script, "roomkv rongcloud en"), ["entry"]);
    // No names to offer: bash falls back to file names.
    let offered = bash_complete(&script, "roomkv --profile ");
    assert!(!offered.contains(&"p".to_owned()), "{offered:?}");
    assert!(!script.contains("compgen -W \"p\""), "{script}");
    // Without a config file at all, the same, silently.
    let out = crate::process::Roomkv::run_with_env(
        &["completions", "fish"],
        &[("ROOMKV_CONFIG", "/nonexistent/roomkv.toml")],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    assert!(out.stdout.contains("complete -c roomkv"), "{}", out.stdout);
}
