//! `roomkv tencent ...`: parses the arguments into the client's typed operation, sends it with
//! [`roomkv_tencent::Client::send`] and prints one JSON document; `usersig` generates or
//! verifies a UserSig locally with [`roomkv_sign::tencent`].
//!
//! As for RongCloud, everything is parsed before the client is built, so a bad id, key, value or
//! `KEY=VALUE` is refused (exit code 2) without a connection.

use roomkv_tencent::TencentSettings;
use std::time::{SystemTime, UNIX_EPOCH};

use roomkv_sign::tencent::{Claims, VerifyError};
use roomkv_tencent::{
    Client, CreateRoom, DelRoomMetadata, DestroyRoom, Error, GetRoomInfo, GetRoomMetadata,
    Identifier, MetadataEntry, MetadataKey, MetadataValue, RoomId, SecretKey, SetRoomMetadata,
};
use serde::Serialize;

use crate::cli::shared::Secret;
use crate::cli::tencent::{
    Connection, MetadataCommand, RoomCommand, TencentArgs, TencentCommand, UsersigCommand,
};
use crate::config::Profile;
use crate::failure::Failure;
use crate::output::{self, VendorError, one_line, print_json, split_pair};

/// Runs a `roomkv tencent` command, with `profile`'s settings under the flags'.
pub(crate) async fn run(args: TencentArgs, profile: &Profile) -> Result<(), Failure> {
    let TencentArgs {
        connection,
        command,
    } = args;
    let connection = connection.with_profile(&profile.tencent)?;
    match command {
        TencentCommand::Room(command) => room(&connection, command).await,
        TencentCommand::Metadata(command) => metadata(&connection, command).await,
        TencentCommand::Usersig(command) => usersig(&connection, command, now_unix_secs()?),
    }
}

impl From<Error> for Failure {
    fn from(err: Error) -> Self {
        // A refusal of the client's own rate limiter is transient: exit code 1, not 2.
        let refused = err.is_refused_before_sending() && err.rate_limited().is_none();
        output::vendor_failure(VendorError {
            error: &err,
            refused,
            outcome_unknown: err.is_outcome_unknown(),
        })
    }
}

/// The app the connection flags name: SDKAppID, secret key, admin. Missing ones are refusals.
struct App<'a> {
    sdkappid: u64,
    secret_key: &'a Secret,
    admin: Identifier,
}

impl<'a> App<'a> {
    fn of(connection: &'a Connection) -> Result<Self, Failure> {
        let sdkappid = connection.credentials.sdkappid.ok_or_else(|| {
            Failure::refused(
                "the Tencent SDKAppID is missing: pass --sdkappid or set TENCENT_SDKAPPID",
            )
        })?;
        let secret_key = connection.credentials.secret_key.as_ref().ok_or_else(|| {
            Failure::refused(
                "the Tencent secret key is missing: pass --secret-key or set TENCENT_SECRET_KEY",
            )
        })?;
        Ok(Self {
            sdkappid,
            secret_key,
            admin: Identifier::parse(connection.credentials.admin())?,
        })
    }

    fn secret_key(&self) -> SecretKey {
        SecretKey::new(self.secret_key.expose())
    }
}

/// The client the connection flags describe. An invalid `--base-url` is a refusal.
pub(crate) fn client(connection: &Connection) -> Result<Client, Failure> {
    let app = App::of(connection)?;
    let mut builder = Client::builder()
        .sdkappid(app.sdkappid)
        .secret_key(app.secret_key())
        .admin(app.admin);
    if let Some(url) = &connection.host.base_url {
        builder = builder.base_url(url.as_str());
    } else if let Some(region) = connection.region {
        builder = builder.region(region);
    }
    if let Some(timeout) = connection.host.timeout {
        builder = builder.timeout(timeout);
    }
    let quota = &connection.host.quota;
    builder = builder.rate_limit(quota.rate_limit().map_err(Failure::refused)?);
    if let Some(max_wait) = quota.max_rate_wait {
        builder = builder.max_rate_wait(max_wait);
    }
    builder
        .build()
        .map_err(|err| Failure::refused(one_line(&format!("invalid client configuration: {err}"))))
}

async fn room(connection: &Connection, command: RoomCommand) -> Result<(), Failure> {
    match command {
        RoomCommand::Create(args) => {
            let room = RoomId::parse(args.room)?;
            client(connection)?
                .send(&CreateRoom::new(room.clone()))
                .await?;
            print_json(&RoomOut::of(&room))
        }
        RoomCommand::Destroy(args) => {
            let room = RoomId::parse(args.room)?;
            client(connection)?
                .send(&DestroyRoom::new(room.clone()))
                .await?;
            print_json(&RoomOut::of(&room))
        }
        RoomCommand::Info(args) => {
            let room = RoomId::parse(args.room)?;
            let info = client(connection)?.send(&GetRoomInfo::new(room)).await?;
            print_json(&info)
        }
    }
}

async fn metadata(connection: &Connection, command: MetadataCommand) -> Result<(), Failure> {
    match command {
        MetadataCommand::Set(args) => {
            let room = RoomId::parse(args.room)?;
            let pairs = args
                .entries
                .iter()
                .map(|arg| {
                    let (key, value) = split_pair(arg)?;
                    Ok((MetadataKey::parse(key)?, MetadataValue::parse(value)?))
                })
                .collect::<Result<Vec<_>, Failure>>()?;
            let op = SetRoomMetadata::new(room, pairs);
            let done = MetadataSetOut {
                ok: true,
                room: op.room_id().as_str(),
                entries: entries_out(op.entries()),
            };
            client(connection)?.send(&op).await?;
            print_json(&done)
        }
        MetadataCommand::Get(args) => {
            let room = RoomId::parse(args.room)?;
            let keys = parse_keys(args.keys)?;
            let entries = client(connection)?
                .send(&GetRoomMetadata::new(room.clone(), keys))
                .await?;
            print_json(&MetadataGetOut {
                room: room.as_str(),
                entries: entries_out(&entries),
            })
        }
        MetadataCommand::Delete(args) => {
            let room = RoomId::parse(args.room)?;
            let op = DelRoomMetadata::new(room, parse_keys(args.keys)?);
            let done = MetadataDeleteOut {
                ok: true,
                room: op.room_id().as_str(),
                keys: op.keys().iter().map(MetadataKey::as_str).collect(),
            };
            client(connection)?.send(&op).await?;
            print_json(&done)
        }
        MetadataCommand::Export(args) => crate::bulk_cmd::export_metadata(connection, args).await,
        MetadataCommand::Import(args) => crate::bulk_cmd::import_metadata(connection, args).await,
    }
}

fn parse_keys(keys: Vec<String>) -> Result<Vec<MetadataKey>, Failure> {
    keys.into_iter()
        .map(|key| MetadataKey::parse(key).map_err(Failure::from))
        .collect()
}

/// `usersig generate | verify`, at `now` (Unix seconds). Sends nothing.
fn usersig(connection: &Connection, command: UsersigCommand, now: u64) -> Result<(), Failure> {
    let app = App::of(connection)?;
    match command {
        UsersigCommand::Generate(args) => {
            let identifier = match args.identifier {
                Some(identifier) => Identifier::parse(identifier)?,
                None => app.admin.clone(),
            };
            let usersig = roomkv_sign::tencent::generate(
                app.sdkappid,
                identifier.as_str(),
                &app.secret_key(),
                args.expire,
                now,
            );
            // The UserSig is what was asked for: printing it is the point of the command.
            print_json(&GeneratedOut {
                usersig: usersig.expose_secret(),
                sdkappid: app.sdkappid,
                identifier: identifier.as_str(),
                expire: args.expire,
                time: now,
            })
        }
        UsersigCommand::Verify(args) => {
            let identifier = match args.identifier {
                Some(identifier) => Identifier::parse(identifier)?,
                None => app.admin.clone(),
            };
            let claims = roomkv_sign::tencent::verify(
                args.usersig.expose(),
                &app.secret_key(),
                app.sdkappid,
                identifier.as_str(),
                now,
            )
            .map_err(|err| rejected(&err))?;
            print_json(&ClaimsOut::of(&claims))
        }
    }
}

/// The one-word reason a UserSig was rejected: `expired`, `mismatch` or `malformed`.
fn reason(err: &VerifyError) -> &'static str {
    match err {
        VerifyError::Expired { .. } => "expired",
        VerifyError::Malformed { .. } => "malformed",
        // SDKAppID, identifier, signature (another secret key), and whatever comes later.
        _ => "mismatch",
    }
}

/// A rejected UserSig: exit code 1, the reason first, then the verifier's sentence (which never
/// contains the key, the UserSig or its signature).
fn rejected(err: &VerifyError) -> Failure {
    Failure::runtime(one_line(&format!(
        "UserSig rejected ({}): {err}",
        reason(err)
    )))
}

/// The current time in Unix seconds.
fn now_unix_secs() -> Result<u64, Failure> {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .map_err(|_| Failure::runtime("the system clock is before 1970"))
}

// The JSON documents. The CLI's own fields are snake_case; `room info` prints Tencent's
// `RoomInfo` as it is, with Tencent's field names.

/// `room create | destroy`.
#[derive(Debug, Serialize)]
struct RoomOut<'a> {
    ok: bool,
    room: &'a str,
}

impl<'a> RoomOut<'a> {
    fn of(room: &'a RoomId) -> Self {
        Self {
            ok: true,
            room: room.as_str(),
        }
    }
}

/// One metadata pair.
#[derive(Debug, Serialize)]
struct PairOut<'a> {
    key: &'a str,
    value: &'a str,
}

fn entries_out(entries: &[MetadataEntry]) -> Vec<PairOut<'_>> {
    entries
        .iter()
        .map(|entry| PairOut {
            key: entry.key.as_str(),
            value: entry.value.as_str(),
        })
        .collect()
}

/// `metadata set`.
#[derive(Debug, Serialize)]
struct MetadataSetOut<'a> {
    ok: bool,
    room: &'a str,
    entries: Vec<PairOut<'a>>,
}

/// `metadata get`.
#[derive(Debug, Serialize)]
struct MetadataGetOut<'a> {
    room: &'a str,
    entries: Vec<PairOut<'a>>,
}

/// `metadata delete`.
#[derive(Debug, Serialize)]
struct MetadataDeleteOut<'a> {
    ok: bool,
    room: &'a str,
    keys: Vec<&'a str>,
}

/// `usersig generate`.
#[derive(Serialize)]
struct GeneratedOut<'a> {
    usersig: &'a str,
    sdkappid: u64,
    identifier: &'a str,
    expire: u64,
    time: u64,
}

/// `usersig verify`: the claims of a valid UserSig.
#[derive(Debug, Serialize)]
struct ClaimsOut<'a> {
    valid: bool,
    sdkappid: u64,
    identifier: &'a str,
    time: u64,
    expire: u64,
    expires_at: u64,
}

impl<'a> ClaimsOut<'a> {
    fn of(claims: &'a Claims) -> Self {
        Self {
            valid: true,
            sdkappid: claims.sdkappid,
            identifier: &claims.identifier,
            time: claims.time,
            expire: claims.expire,
            expires_at: claims.expires_at(),
        }
    }
}

#[cfg(test)]
mod tests {
    use roomkv_sign::tencent::generate;
    use roomkv_tencent::RoomInfo;

    use super::*;
    use crate::cli::shared::HostArgs;
    use crate::cli::tencent::Credentials;

    fn json<T: Serialize>(value: &T) -> String {
        serde_json::to_string(value).unwrap()
    }

    fn connection(sdkappid: Option<u64>, secret: Option<&str>, admin: &str) -> Connection {
        Connection {
            credentials: Credentials {
                sdkappid,
                secret_key: secret.map(|s| s.parse().unwrap()),
                admin: Some(admin.to_owned()),
            },
            region: None,
            host: HostArgs::default(),
        }
    }

    #[test]
    fn outputs_have_their_shapes() {
        let room = RoomId::parse("live-room").unwrap();
        assert_eq!(
            json(&RoomOut::of(&room)),
            r#"{"ok":true,"room":"live-room"}"#
        );
        let op = SetRoomMetadata::new(
            room.clone(),
            [
                (
                    MetadataKey::parse("stage").unwrap(),
                    MetadataValue::parse("quiz").unwrap(),
                ),
                (
                    MetadataKey::parse("f").unwrap(),
                    MetadataValue::parse("a=b").unwrap(),
                ),
            ],
        );
        assert_eq!(
            json(&MetadataSetOut {
                ok: true,
                room: op.room_id().as_str(),
                entries: entries_out(op.entries()),
            }),
            r#"{"ok":true,"room":"live-room","entries":[{"key":"stage","value":"quiz"},{"key":"f","value":"a=b"}]}"#
        );
        assert_eq!(
            json(&MetadataGetOut {
                room: "live-room",
                entries: entries_out(&[]),
            }),
            r#"{"room":"live-room","entries":[]}"#
        );
        assert_eq!(
            json(&MetadataDeleteOut {
                ok: true,
                room: "live-room",
                keys: vec!["stage"],
            }),
            r#"{"ok":true,"room":"live-room","keys":["stage"]}"#
        );
        // `room info` prints the client's type as it serializes itself.
        assert_eq!(json(&RoomInfo::new(room)), r#"{"RoomId":"live-room"}"#);
        assert_eq!(
            json(&GeneratedOut {
                usersig: "eJx",
                sdkappid: 1_400_000_000,
                identifier: "alice",
                expire: 60,
                time: 1_700_000_000,
            }),
            r#"{"usersig":"eJx","sdkappid":1400000000,"identifier":"alice","expire":60,"time":1700000000}"#
        );
    }

    #[test]
    fn verification_failures_name_their_reason() {
        let key = SecretKey::new("k");
        let usersig = generate(1_400_000_000, "alice", &key, 60, 1_700_000_000);
        let usersig = usersig.expose_secret();
        let check = |key: &SecretKey, sdkappid, identifier, now| {
            roomkv_sign::tencent::verify(usersig, key, sdkappid, identifier, now)
        };

        let claims = check(&key, 1_400_000_000, "alice", 1_700_000_060).unwrap();
        assert_eq!(
            json(&ClaimsOut::of(&claims)),
            r#"{"valid":true,"sdkappid":1400000000,"identifier":"alice","time":1700000000,"expire":60,"expires_at":1700000060}"#
        );

        for (err, reason) in [
            (
                check(&key, 1_400_000_000, "alice", 1_700_000_061),
                "expired",
            ),
            (check(&key, 1_400_000_000, "bob", 1_700_000_000), "mismatch"),
            (
                check(&key, 1_400_000_001, "alice", 1_700_000_000),
                "mismatch",
            ),
            (
                check(
                    &SecretKey::new("other"),
                    1_400_000_000,
                    "alice",
                    1_700_000_000,
                ),
                "mismatch",
            ),
            (
                roomkv_sign::tencent::verify("not a usersig", &key, 1, "a", 0),
                "malformed",
            ),
        ] {
            let failure = rejected(&err.unwrap_err());
            assert_eq!(failure.exit_code, 1);
            assert!(
                failure
                    .message
                    .starts_with(&format!("UserSig rejected ({reason}): ")),
                "{}",
                failure.message
            );
            assert!(!failure.message.contains(usersig), "{}", failure.message);
        }
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
}
