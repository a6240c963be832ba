//! `roomkv tencent usersig ...`: a UserSig generated or verified locally with
//! [`roomkv_sign::tencent`]; sends nothing.

use std::time::{SystemTime, UNIX_EPOCH};

use clap::{Args, Subcommand};
use roomkv_sign::tencent::{Claims, VerifyError};
use roomkv_tencent::Identifier;
use serde::Serialize;

use super::client::{App, Connection};
use crate::failure::Failure;
use crate::output::{one_line, print_json};
use crate::shared::Secret;

/// `usersig generate`'s default lifetime: one day, the shortest Tencent recommends.
pub(crate) const DEFAULT_USERSIG_EXPIRE_SECS: u64 = 86_400;

pub(super) const USERSIG_EXAMPLES: &str = "\
Examples:
  roomkv tencent usersig generate --identifier alice --expire 3600
  roomkv tencent usersig verify \"$USERSIG\" --identifier alice";

const USERSIG_GENERATE_EXAMPLES: &str = "\
Examples:
  A UserSig for the admin, valid for a day:
    roomkv tencent usersig generate

  One for user alice, valid for an hour:
    roomkv tencent usersig generate --identifier alice --expire 3600

Output:
  {\"usersig\":\"eJyrVgrxCdYrSy1Ssl...\",\"sdkappid\":1400000000,\"identifier\":\"alice\",\"expire\":3600,\"time\":1700000000}

The UserSig is printed because it is what was asked for. It is a bearer credential: whoever has
it can act as the identifier until it expires. The secret key itself is never printed.";

const USERSIG_VERIFY_EXAMPLES: &str = "\
Examples:
  roomkv tencent usersig verify \"$USERSIG\"
  roomkv tencent usersig verify \"$USERSIG\" --identifier alice

Output, for a valid UserSig (times in Unix seconds):
  {\"valid\":true,\"sdkappid\":1400000000,\"identifier\":\"alice\",\"time\":1700000000,\"expire\":3600,\"expires_at\":1700003600}

An invalid one: exit code 1 and one line on stderr naming the reason, `expired`, `mismatch` (of
the SDKAppID, the identifier, or the signature: another secret key) or `malformed`.";

/// `roomkv tencent usersig ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum UsersigCommand {
    /// Generate a UserSig and print it with its claims
    ///
    /// The UserSig is the output asked for, so it is printed; the secret key is not.
    #[command(after_long_help = USERSIG_GENERATE_EXAMPLES)]
    Generate(UsersigGenerateArgs),

    /// Check a UserSig against the secret key, the SDKAppID and an identifier
    #[command(after_long_help = USERSIG_VERIFY_EXAMPLES)]
    Verify(UsersigVerifyArgs),
}

/// `roomkv tencent usersig generate`.
#[derive(Debug, Args)]
pub(crate) struct UsersigGenerateArgs {
    /// Account the UserSig is for (1 to 32 bytes) [default: the admin, --admin]
    #[arg(long, value_name = "ID")]
    pub(crate) identifier: Option<String>,

    /// How long the UserSig is valid, in seconds from now
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = DEFAULT_USERSIG_EXPIRE_SECS,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub(crate) expire: u64,
}

/// `roomkv tencent usersig verify`.
#[derive(Debug, Args)]
pub(crate) struct UsersigVerifyArgs {
    /// The UserSig to check
    #[arg(value_name = "USERSIG")]
    pub(crate) usersig: Secret,

    /// Account the UserSig must be for [default: the admin, --admin]
    #[arg(long, value_name = "ID")]
    pub(crate) identifier: Option<String>,
}

impl UsersigCommand {
    /// `usersig generate | verify`, at `now` (Unix seconds). Sends nothing.
    pub(crate) fn run(self, connection: &Connection, now: u64) -> Result<(), Failure> {
        let app = App::of(connection)?;
        match self {
            Self::Generate(args) => {
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
            Self::Verify(args) => {
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
pub(crate) fn now_unix_secs() -> Result<u64, Failure> {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .map_err(|_| Failure::runtime("the system clock is before 1970"))
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
    use roomkv_tencent::SecretKey;

    use super::*;
    use crate::output::to_json as json;

    #[test]
    fn outputs_have_their_shapes() {
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
}
