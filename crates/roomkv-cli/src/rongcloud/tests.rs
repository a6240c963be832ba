use clap::Parser;
use clap::error::ErrorKind;
use roomkv_rongcloud::{EntryKey, Error};

use super::entry::EntryCommand;
use super::expansion::{Conversation, ExpansionCommand};
use super::*;
use crate::cli::{Cli, Command, vendor_command};
use crate::shared::{HostArgs, Secret};

fn parse(args: &[&str]) -> RongCloudArgs {
    match vendor_command("rongcloud", args) {
        Command::RongCloud(args) => args,
        other => panic!("{args:?} parsed as {other:?}"),
    }
}

fn error_kind(args: &[&str]) -> ErrorKind {
    crate::cli::usage_error_kind("rongcloud", args)
}

const SET: &[&str] = &[
    "entry", "set", "--room", "r", "--user", "u", "--key", "k", "--value", "v",
];

#[test]
fn connection_flags_go_before_or_after_the_subcommand() {
    let before = parse(
        &[
            &[
                "--app-key",
                "key",
                "--app-secret",
                "secret",
                "--region",
                "sg",
            ][..],
            SET,
        ]
        .concat(),
    );
    let after = parse(
        &[
            SET,
            &[
                "--app-key",
                "key",
                "--app-secret",
                "secret",
                "--region",
                "sg",
            ],
        ]
        .concat(),
    );
    for args in [before, after] {
        assert_eq!(args.connection.credentials.app_key.as_deref(), Some("key"));
        assert_eq!(
            args.connection
                .credentials
                .app_secret
                .as_ref()
                .map(Secret::expose),
            Some("secret")
        );
        assert_eq!(args.connection.region, Some(Region::Singapore));
        assert_eq!(args.connection.host.base_url, None);
    }
    let args = parse(
        &[
            SET,
            &["--base-url", "http://127.0.0.1:1", "--timeout", "0.5"],
        ]
        .concat(),
    );
    assert_eq!(
        args.connection.host.base_url.as_deref(),
        Some("http://127.0.0.1:1")
    );
    assert_eq!(
        args.connection.host.timeout,
        Some(std::time::Duration::from_millis(500))
    );
}

#[test]
fn entry_set_takes_its_flags_and_hyphenated_values() {
    let args = parse(&[SET, &["--auto-delete", "--notify", "--notify-extra", "-x-"]].concat());
    let RongCloudCommand::Entry(EntryCommand::Set(set)) = args.command else {
        panic!("{:?}", args.command);
    };
    assert_eq!((set.room.as_str(), set.user.as_str()), ("r", "u"));
    assert_eq!((set.key.as_str(), set.value.as_str()), ("k", "v"));
    assert!(set.auto_delete);
    assert!(set.notify.notify);
    assert_eq!(set.notify.notify_extra.as_deref(), Some("-x-"));

    let args = parse(&[
        "entry", "set", "--room", "r", "--user", "u", "--key", "-k", "--value", "-5",
    ]);
    let RongCloudCommand::Entry(EntryCommand::Set(set)) = args.command else {
        panic!("{:?}", args.command);
    };
    assert_eq!((set.key.as_str(), set.value.as_str()), ("-k", "-5"));
    assert!(!set.auto_delete && !set.notify.notify);
}

#[test]
fn lists_keep_their_order_and_text() {
    let args = parse(&[
        "entry",
        "batch-set",
        "--room",
        "r",
        "--owner",
        "o",
        "b=2",
        "a=x=y",
        "c=",
    ]);
    let RongCloudCommand::Entry(EntryCommand::BatchSet(batch)) = args.command else {
        panic!("{:?}", args.command);
    };
    assert_eq!(batch.entries, ["b=2", "a=x=y", "c="]);

    let args = parse(&["entry", "query", "--room", "r"]);
    let RongCloudCommand::Entry(EntryCommand::Query(query)) = args.command else {
        panic!("{:?}", args.command);
    };
    assert!(query.keys.is_empty());
}

#[test]
fn conversations_are_named() {
    for (name, conversation) in [
        ("private", Conversation::Private),
        ("group", Conversation::Group),
    ] {
        let args = parse(&[
            "expansion",
            "set",
            "--msg-uid",
            "m",
            "--user",
            "u",
            "--conversation",
            name,
            "--target",
            "t",
            "k=v",
        ]);
        let RongCloudCommand::Expansion(ExpansionCommand::Set(set)) = args.command else {
            panic!("{:?}", args.command);
        };
        assert_eq!(set.target.conversation, conversation);
        assert_eq!(conversation.name(), name);
        assert_eq!(conversation.to_type(), name.parse().unwrap());
    }
    for bad in ["1", "3", "Group", "chatroom", ""] {
        assert_eq!(
            error_kind(&[
                "expansion",
                "delete",
                "--msg-uid",
                "m",
                "--user",
                "u",
                "--conversation",
                bad,
                "--target",
                "t",
                "k",
            ]),
            ErrorKind::InvalidValue,
            "{bad}"
        );
    }
}

#[test]
fn usage_errors() {
    for (args, kind) in [
        (
            &["entry"][..],
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand,
        ),
        (
            &["entry", "set", "--room", "r"],
            ErrorKind::MissingRequiredArgument,
        ),
        (
            &["entry", "batch-set", "--room", "r", "--owner", "o"],
            ErrorKind::MissingRequiredArgument,
        ),
        (
            &["entry", "batch-remove", "--room", "r", "--owner", "o"],
            ErrorKind::MissingRequiredArgument,
        ),
        (
            &[
                "entry",
                "remove",
                "--room",
                "r",
                "--user",
                "u",
                "--key",
                "k",
                "--notify-extra",
                "x",
            ],
            ErrorKind::MissingRequiredArgument,
        ),
        (
            &["entry", "query", "--room", "r", "--region", "mars"],
            ErrorKind::ValueValidation,
        ),
        (
            &[
                "entry",
                "query",
                "--room",
                "r",
                "--region",
                "sg",
                "--base-url",
                "http://127.0.0.1:1",
            ],
            ErrorKind::ArgumentConflict,
        ),
        (
            &["entry", "query", "--room", "r", "--timeout", "0"],
            ErrorKind::ValueValidation,
        ),
        (
            &["entry", "query", "--room", "r", "--app-secret", ""],
            ErrorKind::ValueValidation,
        ),
        (
            &["expansion", "query", "--msg-uid", "m", "--page", "x"],
            ErrorKind::ValueValidation,
        ),
    ] {
        assert_eq!(error_kind(args), kind, "{args:?}");
    }
}

#[test]
fn the_app_secret_is_not_in_the_debug_dump() {
    let argv = [
        &[
            "roomkv",
            "-vvv",
            "rongcloud",
            "--app-secret",
            "Sup3r-s3cret",
        ][..],
        SET,
    ]
    .concat();
    let cli = Cli::try_parse_from(argv).unwrap();
    let dump = format!("{cli:?} {cli:#?}");
    assert!(!dump.contains("Sup3r-s3cret"), "{dump}");
    assert!(dump.contains("Secret(***)"), "{dump}");
}

#[test]
fn client_errors_map_to_exit_codes() {
    let refused = Failure::from(Error::from(EntryKey::parse("").unwrap_err()));
    assert_eq!(refused.exit_code, 2);
    assert_eq!(
        refused.message,
        "request refused before sending: key is empty, at least 1 character required"
    );
    // Vendor errors (exit code 1) cannot be built outside the client crate; the
    // end-to-end tests cover them.
}

#[test]
fn missing_credentials_are_refused() {
    let connection = Connection::new(Credentials::default(), HostArgs::default());
    let failure = client(&connection).unwrap_err();
    assert_eq!(failure.exit_code, 2);
    assert!(
        failure.message.contains("RONGCLOUD_APP_KEY"),
        "{}",
        failure.message
    );
    let connection = Connection {
        credentials: Credentials {
            app_key: Some("k".to_owned()),
            ..connection.credentials
        },
        ..connection
    };
    let failure = client(&connection).unwrap_err();
    assert!(
        failure.message.contains("RONGCLOUD_APP_SECRET"),
        "{}",
        failure.message
    );
    let connection = Connection {
        credentials: Credentials {
            app_secret: Some("s".parse().unwrap()),
            ..connection.credentials
        },
        host: HostArgs {
            base_url: Some("http://example.com".to_owned()),
            timeout: None,
            ..HostArgs::default()
        },
        ..connection
    };
    let failure = client(&connection).unwrap_err();
    assert_eq!(failure.exit_code, 2);
    assert!(
        failure
            .message
            .starts_with("invalid client configuration: "),
        "{}",
        failure.message
    );
    let connection = Connection {
        host: HostArgs {
            base_url: Some("http://127.0.0.1:1".to_owned()),
            timeout: None,
            ..HostArgs::default()
        },
        ..connection
    };
    assert!(client(&connection).is_ok());
}
