use clap::error::ErrorKind;
use clap::{CommandFactory as _, Parser};
use roomkv_tencent::{Error, MetadataValue};

use super::client::App;
use super::metadata::MetadataCommand;
use super::room::{RoomArgs, RoomCommand, RoomListArgs, RoomUpdateArgs, SeatMode};
use super::usersig::{DEFAULT_USERSIG_EXPIRE_SECS, UsersigCommand};
use super::*;
use crate::cli::{Cli, Command, vendor_command};
use crate::shared::{HostArgs, Secret};

fn parse(args: &[&str]) -> TencentArgs {
    match vendor_command("tencent", args) {
        Command::Tencent(args) => args,
        other => panic!("{args:?} parsed as {other:?}"),
    }
}

fn error_kind(args: &[&str]) -> ErrorKind {
    crate::cli::usage_error_kind("tencent", args)
}

#[test]
fn connection_flags_go_before_or_after_the_subcommand() {
    let flags = [
        "--sdkappid",
        "1400000001",
        "--secret-key",
        "key",
        "--admin",
        "ops",
        "--region",
        "frankfurt",
    ];
    let room = ["room", "info", "--room", "r"];
    for argv in [[&flags[..], &room].concat(), [&room[..], &flags].concat()] {
        let args = parse(&argv);
        assert_eq!(args.connection.credentials.sdkappid, Some(1_400_000_001));
        assert_eq!(
            args.connection
                .credentials
                .secret_key
                .as_ref()
                .map(Secret::expose),
            Some("key")
        );
        assert_eq!(args.connection.credentials.admin.as_deref(), Some("ops"));
        assert_eq!(args.connection.region, Some(Region::Frankfurt));
        assert!(matches!(
            args.command,
            TencentCommand::Room(RoomCommand::Info(RoomArgs { ref room })) if room == "r"
        ));
    }
}

#[test]
fn subcommands_parse() {
    for (command, expected) in [
        ("create", "Create"),
        ("destroy", "Destroy"),
        ("info", "Info"),
    ] {
        let args = parse(&["room", command, "--room", "r"]);
        assert!(format!("{:?}", args.command).contains(expected));
    }
    let args = parse(&["metadata", "set", "--room", "r", "a=1", "b=x=y"]);
    let TencentCommand::Metadata(MetadataCommand::Set(set)) = args.command else {
        panic!("{:?}", args.command);
    };
    assert_eq!(set.entries, ["a=1", "b=x=y"]);
    let args = parse(&["metadata", "get", "--room", "r"]);
    let TencentCommand::Metadata(MetadataCommand::Get(get)) = args.command else {
        panic!("{:?}", args.command);
    };
    assert!(get.keys.is_empty());

    let args = parse(&["usersig", "generate"]);
    let TencentCommand::Usersig(UsersigCommand::Generate(generate)) = args.command else {
        panic!("{:?}", args.command);
    };
    assert_eq!(generate.expire, DEFAULT_USERSIG_EXPIRE_SECS);
    assert_eq!(generate.identifier, None);

    let args = parse(&["usersig", "verify", "eJx", "--identifier", "alice"]);
    let TencentCommand::Usersig(UsersigCommand::Verify(verify)) = args.command else {
        panic!("{:?}", args.command);
    };
    assert_eq!(verify.usersig.expose(), "eJx");
    assert_eq!(verify.identifier.as_deref(), Some("alice"));
}

#[test]
fn room_update_takes_each_setting_and_at_least_one() {
    let args = parse(&[
        "room",
        "update",
        "--room",
        "r",
        "--category",
        "1,2",
        "--message-disabled",
        "false",
        "--take-seat-mode",
        "ApplyToTake",
    ]);
    let TencentCommand::Room(RoomCommand::Update(update)) = args.command else {
        panic!("{:?}", args.command);
    };
    let RoomUpdateArgs {
        category,
        message_disabled,
        take_seat_mode,
        name,
        ..
    } = update;
    assert_eq!(category, Some(vec![1, 2]));
    assert_eq!(message_disabled, Some(false));
    assert_eq!(take_seat_mode, Some(SeatMode::Apply));
    assert_eq!(name, None);
    for (mode, expected) in [
        ("free", SeatMode::Free),
        ("FreeToTake", SeatMode::Free),
        ("apply", SeatMode::Apply),
    ] {
        let args = parse(&["room", "update", "--room", "r", "--take-seat-mode", mode]);
        let TencentCommand::Room(RoomCommand::Update(update)) = args.command else {
            panic!("{:?}", args.command);
        };
        assert_eq!(update.take_seat_mode, Some(expected), "{mode}");
    }
    // A room and nothing to change: refused (exit 2) naming the settings.
    let args = parse(&["room", "update", "--room", "r"]);
    let TencentCommand::Room(RoomCommand::Update(update)) = args.command else {
        panic!("{:?}", args.command);
    };
    let failure = update.operation().unwrap_err();
    assert_eq!(failure.exit_code, 2);
    assert!(
        failure
            .message
            .starts_with("nothing to change: give at least one of --name, --notice"),
        "{}",
        failure.message
    );
}

#[test]
fn room_list_defaults_to_one_page_of_twenty() {
    let args = parse(&["room", "list"]);
    let TencentCommand::Room(RoomCommand::List(RoomListArgs { count, next, all })) = args.command
    else {
        panic!("{:?}", args.command);
    };
    assert_eq!((count, next, all), (20, None, false));
    let args = parse(&["room", "list", "--count", "5", "--next", "c-1"]);
    let TencentCommand::Room(RoomCommand::List(list)) = args.command else {
        panic!("{:?}", args.command);
    };
    assert_eq!((list.count, list.next.as_deref()), (5, Some("c-1")));
    assert_eq!(
        error_kind(&["room", "list", "--all", "--next", "c-1"]),
        ErrorKind::ArgumentConflict
    );
}

#[test]
fn usage_errors() {
    for (args, kind) in [
        (
            &["room"][..],
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand,
        ),
        (&["room", "create"], ErrorKind::MissingRequiredArgument),
        (
            &["room", "update", "--room", "r", "--public-visible", "yes"],
            ErrorKind::InvalidValue,
        ),
        (
            &["room", "update", "--room", "r", "--take-seat-mode", "queue"],
            ErrorKind::InvalidValue,
        ),
        (
            &["room", "update", "--room", "r", "--category", "a"],
            ErrorKind::ValueValidation,
        ),
        (
            &["metadata", "set", "--room", "r"],
            ErrorKind::MissingRequiredArgument,
        ),
        (
            &["metadata", "delete", "--room", "r"],
            ErrorKind::MissingRequiredArgument,
        ),
        (&["usersig", "verify"], ErrorKind::MissingRequiredArgument),
        (
            &["usersig", "generate", "--expire", "0"],
            ErrorKind::ValueValidation,
        ),
        (
            &["usersig", "generate", "--sdkappid", "0"],
            ErrorKind::ValueValidation,
        ),
        (
            &["usersig", "generate", "--sdkappid", "app"],
            ErrorKind::ValueValidation,
        ),
        (
            &["usersig", "generate", "--admin", ""],
            ErrorKind::InvalidValue,
        ),
        (
            &["room", "info", "--room", "r", "--region", "bj"],
            ErrorKind::ValueValidation,
        ),
        (
            &[
                "room",
                "info",
                "--room",
                "r",
                "--region",
                "seoul",
                "--base-url",
                "x",
            ],
            ErrorKind::ArgumentConflict,
        ),
    ] {
        assert_eq!(error_kind(args), kind, "{args:?}");
    }
}

#[test]
fn the_documented_admin_default_is_the_clients() {
    let help = Cli::command()
        .find_subcommand_mut("tencent")
        .unwrap()
        .render_long_help()
        .to_string();
    let documented = format!("[default: {}]", roomkv_tencent::DEFAULT_ADMIN);
    assert!(
        help.contains(&documented),
        "{documented} missing from:\n{help}"
    );
}

#[test]
fn the_secret_key_and_usersig_are_not_in_the_debug_dump() {
    let cli = Cli::try_parse_from([
        "roomkv",
        "tencent",
        "--secret-key",
        "T3ncent-s3cret",
        "usersig",
        "verify",
        "eJwUserSigText",
    ])
    .unwrap();
    let dump = format!("{cli:?} {cli:#?}");
    for secret in ["T3ncent-s3cret", "eJwUserSigText"] {
        assert!(!dump.contains(secret), "{dump}");
    }
}

fn connection(sdkappid: Option<u64>, secret: Option<&str>, admin: &str) -> Connection {
    let credentials = Credentials {
        sdkappid,
        secret_key: secret.map(|s| s.parse().unwrap()),
        admin: Some(admin.to_owned()),
    };
    Connection::new(credentials, HostArgs::default())
}

#[test]
fn missing_or_bad_credentials_are_refused() {
    for (connection, needle) in [
        (
            connection(None, Some("s"), "administrator"),
            "TENCENT_SDKAPPID",
        ),
        (
            connection(Some(1), None, "administrator"),
            "TENCENT_SECRET_KEY",
        ),
        (
            connection(Some(1), Some("s"), &"a".repeat(33)),
            "identifier has 33 bytes, at most 32 allowed",
        ),
    ] {
        let Err(failure) = App::of(&connection) else {
            panic!("{connection:?} was accepted");
        };
        assert_eq!(failure.exit_code, 2);
        assert!(failure.message.contains(needle), "{}", failure.message);
    }
    let mut bad_url = connection(Some(1), Some("s"), "administrator");
    bad_url.host.base_url = Some("ftp://127.0.0.1".to_owned());
    let failure = client(&bad_url).unwrap_err();
    assert_eq!(failure.exit_code, 2);
    assert!(
        failure
            .message
            .starts_with("invalid client configuration: "),
        "{}",
        failure.message
    );
}

#[test]
fn client_errors_map_to_exit_codes() {
    let refused = Failure::from(Error::from(
        MetadataValue::parse("v".repeat(2049)).unwrap_err(),
    ));
    assert_eq!(refused.exit_code, 2);
    assert_eq!(
        refused.message,
        "request refused before sending: Value has 2049 bytes, at most 2048 allowed"
    );
}
