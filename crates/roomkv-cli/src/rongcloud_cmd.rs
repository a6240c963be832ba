//! `roomkv rongcloud ...`: parses the arguments into the client's typed operation, sends it
//! with [`roomkv_rongcloud::Client::send`] and prints one JSON document.
//!
//! Everything is parsed before the client is built and anything is sent, so a bad id, key,
//! value or `KEY=VALUE` is refused (exit code 2) without a connection. The client validates the
//! whole request again (counts, duplicates, body size) before sending.

use roomkv_rongcloud::RongCloudSettings;
use roomkv_rongcloud::{
    AppKey, AppSecret, BatchRemoveEntries, BatchSetEntries, ChatroomId, Client, DeleteExpansion,
    Entry, EntryKey, EntryValue, Error, ExpansionEntry, ExpansionKey, ExpansionValue, MsgUid,
    Notification, QueryEntries, QueryExpansion, RemoveEntry, SetEntry, SetExpansion, TargetId,
    UserId,
};
use serde::Serialize;

use crate::cli::rongcloud::{
    Connection, EntryCommand, ExpansionCommand, ExpansionTarget, NotifyArgs, RongCloudArgs,
    RongCloudCommand,
};
use crate::config::Profile;
use crate::failure::Failure;
use crate::output::{self, VendorError, one_line, print_json, split_pair};

/// Runs a `roomkv rongcloud` command, with `profile`'s settings under the flags'.
pub(crate) async fn run(args: RongCloudArgs, profile: &Profile) -> Result<(), Failure> {
    let RongCloudArgs {
        connection,
        command,
    } = args;
    let connection = connection.with_profile(&profile.rongcloud)?;
    match command {
        RongCloudCommand::Entry(command) => entry(&connection, command).await,
        RongCloudCommand::Expansion(command) => expansion(&connection, command).await,
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

/// The client the connection flags describe. Missing credentials or an invalid `--base-url`
/// are refusals: nothing was sent.
pub(crate) fn client(connection: &Connection) -> Result<Client, Failure> {
    let app_key = connection.credentials.app_key.as_deref().ok_or_else(|| {
        Failure::refused(
            "the RongCloud App Key is missing: pass --app-key or set RONGCLOUD_APP_KEY",
        )
    })?;
    let app_secret = connection.credentials.app_secret.as_ref().ok_or_else(|| {
        Failure::refused(
            "the RongCloud App Secret is missing: pass --app-secret or set RONGCLOUD_APP_SECRET",
        )
    })?;
    let mut builder = Client::builder()
        .app_key(AppKey::new(app_key))
        .app_secret(AppSecret::new(app_secret.expose()));
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
    if let Some(dialect) = connection.dialect {
        builder = builder.dialect(dialect);
    }
    builder
        .build()
        .map_err(|err| Failure::refused(one_line(&format!("invalid client configuration: {err}"))))
}

/// `KEY=VALUE` arguments as entries.
fn entry_pairs(args: &[String]) -> Result<Vec<(EntryKey, EntryValue)>, Failure> {
    args.iter()
        .map(|arg| {
            let (key, value) = split_pair(arg)?;
            Ok((EntryKey::parse(key)?, EntryValue::parse(value)?))
        })
        .collect()
}

/// `KEY=VALUE` arguments as expansions.
fn expansion_pairs(args: &[String]) -> Result<Vec<(ExpansionKey, ExpansionValue)>, Failure> {
    args.iter()
        .map(|arg| {
            let (key, value) = split_pair(arg)?;
            Ok((ExpansionKey::parse(key)?, ExpansionValue::parse(value)?))
        })
        .collect()
}

/// Parses every text in `texts` with `parse`.
fn parse_all<T, E>(
    texts: Vec<String>,
    parse: impl Fn(String) -> Result<T, E>,
) -> Result<Vec<T>, Failure>
where
    Failure: From<E>,
{
    texts
        .into_iter()
        .map(|text| parse(text).map_err(Failure::from))
        .collect()
}

/// The notification `--notify [--notify-extra X]` asks for.
fn notification(args: &NotifyArgs) -> Option<Notification> {
    args.notify.then(|| match &args.notify_extra {
        Some(extra) => Notification::kv_change_with_extra(extra.as_str()),
        None => Notification::kv_change(),
    })
}

async fn entry(connection: &Connection, command: EntryCommand) -> Result<(), Failure> {
    match command {
        EntryCommand::Set(args) => {
            let mut op = SetEntry::new(
                ChatroomId::parse(args.room)?,
                UserId::parse(args.user)?,
                EntryKey::parse(args.key)?,
                EntryValue::parse(args.value)?,
            )
            .auto_delete(args.auto_delete);
            if let Some(notification) = notification(&args.notify) {
                op = op.notify(notification);
            }
            let done = EntrySetOut::of(&op, &args.notify);
            client(connection)?.send(&op).await?;
            print_json(&done)
        }
        EntryCommand::BatchSet(args) => {
            let op = BatchSetEntries::new(
                ChatroomId::parse(args.room)?,
                UserId::parse(args.owner)?,
                entry_pairs(&args.entries)?,
            )
            .auto_delete(args.auto_delete);
            let done = EntryBatchSetOut::of(&op);
            client(connection)?.send(&op).await?;
            print_json(&done)
        }
        EntryCommand::Remove(args) => {
            let mut op = RemoveEntry::new(
                ChatroomId::parse(args.room)?,
                UserId::parse(args.user)?,
                EntryKey::parse(args.key)?,
            );
            if let Some(notification) = notification(&args.notify) {
                op = op.notify(notification);
            }
            let done = EntryRemoveOut::of(&op, &args.notify);
            client(connection)?.send(&op).await?;
            print_json(&done)
        }
        EntryCommand::BatchRemove(args) => {
            let op = BatchRemoveEntries::new(
                ChatroomId::parse(args.room)?,
                UserId::parse(args.owner)?,
                parse_all(args.keys, EntryKey::parse)?,
            );
            let done = EntryBatchRemoveOut::of(&op);
            client(connection)?.send(&op).await?;
            print_json(&done)
        }
        EntryCommand::Query(args) => {
            let room = ChatroomId::parse(args.room)?;
            let op =
                QueryEntries::new(room.clone()).with_keys(parse_all(args.keys, EntryKey::parse)?);
            let entries = client(connection)?.send(&op).await?;
            print_json(&EntryQueryOut::of(&room, &entries))
        }
        EntryCommand::Export(args) => crate::bulk_cmd::export_entries(connection, args).await,
        EntryCommand::Import(args) => crate::bulk_cmd::import_entries(connection, args).await,
    }
}

async fn expansion(connection: &Connection, command: ExpansionCommand) -> Result<(), Failure> {
    match command {
        ExpansionCommand::Set(args) => {
            let target = Target::parse(args.target)?;
            let op = SetExpansion::new(
                target.msg_uid.clone(),
                target.user.clone(),
                target.conversation.to_type(),
                target.target.clone(),
                expansion_pairs(&args.entries)?,
            )
            .sync_sender(target.sync_sender);
            let done = ExpansionSetOut {
                ok: true,
                target: target.out(),
                entries: op.entries().iter().map(PairOut::of).collect(),
            };
            client(connection)?.send(&op).await?;
            print_json(&done)
        }
        ExpansionCommand::Delete(args) => {
            let target = Target::parse(args.target)?;
            let op = DeleteExpansion::new(
                target.msg_uid.clone(),
                target.user.clone(),
                target.conversation.to_type(),
                target.target.clone(),
                parse_all(args.keys, ExpansionKey::parse)?,
            )
            .sync_sender(target.sync_sender);
            let done = ExpansionDeleteOut {
                ok: true,
                target: target.out(),
                keys: op.keys().iter().map(ExpansionKey::as_str).collect(),
            };
            client(connection)?.send(&op).await?;
            print_json(&done)
        }
        ExpansionCommand::Query(args) => {
            let msg_uid = MsgUid::parse(args.msg_uid)?;
            let mut op = QueryExpansion::new(msg_uid.clone());
            if let Some(page) = args.page {
                op = op.page(page);
            }
            let page = client(connection)?.send(&op).await?;
            print_json(&ExpansionQueryOut::of(
                &msg_uid,
                args.page.unwrap_or(1),
                &page.entries,
            ))
        }
    }
}

/// [`ExpansionTarget`], parsed.
struct Target {
    msg_uid: MsgUid,
    user: UserId,
    conversation: crate::cli::rongcloud::Conversation,
    target: TargetId,
    sync_sender: bool,
}

impl Target {
    fn parse(args: ExpansionTarget) -> Result<Self, Failure> {
        Ok(Self {
            msg_uid: MsgUid::parse(args.msg_uid)?,
            user: UserId::parse(args.user)?,
            conversation: args.conversation,
            target: TargetId::parse(args.target)?,
            sync_sender: args.sync_sender,
        })
    }

    fn out(&self) -> TargetOut<'_> {
        TargetOut {
            msg_uid: self.msg_uid.as_str(),
            user: self.user.as_str(),
            conversation: self.conversation.name(),
            target: self.target.as_str(),
            sync_sender: self.sync_sender,
        }
    }
}

// The JSON documents. Field names are snake_case; flags are booleans, times are numbers.

/// `entry set`.
#[derive(Debug, Serialize)]
struct EntrySetOut<'a> {
    ok: bool,
    room: &'a str,
    user: &'a str,
    key: &'a str,
    value: &'a str,
    auto_delete: bool,
    notify: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    notify_extra: Option<&'a str>,
}

impl<'a> EntrySetOut<'a> {
    fn of(op: &'a SetEntry, notify: &'a NotifyArgs) -> Self {
        Self {
            ok: true,
            room: op.chatroom_id().as_str(),
            user: op.user_id().as_str(),
            key: op.key().as_str(),
            value: op.value().as_str(),
            auto_delete: op.is_auto_delete(),
            notify: notify.notify,
            notify_extra: notify.notify_extra.as_deref(),
        }
    }
}

/// One `{"key", "value"}` pair that was written.
#[derive(Debug, Serialize)]
struct PairOut<'a> {
    key: &'a str,
    value: &'a str,
}

impl<'a> PairOut<'a> {
    fn of<K: AsRef<str>, V: AsRef<str>>((key, value): &'a (K, V)) -> Self {
        Self {
            key: key.as_ref(),
            value: value.as_ref(),
        }
    }
}

/// `entry batch-set`.
#[derive(Debug, Serialize)]
struct EntryBatchSetOut<'a> {
    ok: bool,
    room: &'a str,
    owner: &'a str,
    auto_delete: bool,
    entries: Vec<PairOut<'a>>,
}

impl<'a> EntryBatchSetOut<'a> {
    fn of(op: &'a BatchSetEntries) -> Self {
        Self {
            ok: true,
            room: op.chatroom_id().as_str(),
            owner: op.owner().as_str(),
            auto_delete: op.is_auto_delete(),
            entries: op.entries().iter().map(PairOut::of).collect(),
        }
    }
}

/// `entry remove`.
#[derive(Debug, Serialize)]
struct EntryRemoveOut<'a> {
    ok: bool,
    room: &'a str,
    user: &'a str,
    key: &'a str,
    notify: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    notify_extra: Option<&'a str>,
}

impl<'a> EntryRemoveOut<'a> {
    fn of(op: &'a RemoveEntry, notify: &'a NotifyArgs) -> Self {
        Self {
            ok: true,
            room: op.chatroom_id().as_str(),
            user: op.user_id().as_str(),
            key: op.key().as_str(),
            notify: notify.notify,
            notify_extra: notify.notify_extra.as_deref(),
        }
    }
}

/// `entry batch-remove`.
#[derive(Debug, Serialize)]
struct EntryBatchRemoveOut<'a> {
    ok: bool,
    room: &'a str,
    owner: &'a str,
    keys: Vec<&'a str>,
}

impl<'a> EntryBatchRemoveOut<'a> {
    fn of(op: &'a BatchRemoveEntries) -> Self {
        Self {
            ok: true,
            room: op.chatroom_id().as_str(),
            owner: op.owner().as_str(),
            keys: op.keys().iter().map(EntryKey::as_str).collect(),
        }
    }
}

/// `entry query`.
#[derive(Debug, Serialize)]
struct EntryQueryOut<'a> {
    room: &'a str,
    entries: Vec<EntryOut<'a>>,
}

/// One entry as RongCloud returned it, typed.
#[derive(Debug, Serialize)]
struct EntryOut<'a> {
    key: &'a str,
    value: &'a str,
    user_id: &'a str,
    auto_delete: bool,
    last_set_time_ms: u64,
}

impl<'a> EntryQueryOut<'a> {
    fn of(room: &'a ChatroomId, entries: &'a [Entry]) -> Self {
        Self {
            room: room.as_str(),
            entries: entries
                .iter()
                .map(|entry| EntryOut {
                    key: entry.key.as_str(),
                    value: entry.value.as_str(),
                    user_id: entry.user_id.as_str(),
                    auto_delete: entry.auto_delete,
                    last_set_time_ms: entry.last_set_time_ms,
                })
                .collect(),
        }
    }
}

/// The message and the operator of an expansion write.
#[derive(Debug, Serialize)]
struct TargetOut<'a> {
    msg_uid: &'a str,
    user: &'a str,
    conversation: &'static str,
    target: &'a str,
    sync_sender: bool,
}

/// `expansion set`.
#[derive(Debug, Serialize)]
struct ExpansionSetOut<'a> {
    ok: bool,
    #[serde(flatten)]
    target: TargetOut<'a>,
    entries: Vec<PairOut<'a>>,
}

/// `expansion delete`.
#[derive(Debug, Serialize)]
struct ExpansionDeleteOut<'a> {
    ok: bool,
    #[serde(flatten)]
    target: TargetOut<'a>,
    keys: Vec<&'a str>,
}

/// `expansion query`.
#[derive(Debug, Serialize)]
struct ExpansionQueryOut<'a> {
    msg_uid: &'a str,
    page: u32,
    entries: Vec<ExpansionOut<'a>>,
}

/// One expansion as RongCloud returned it.
#[derive(Debug, Serialize)]
struct ExpansionOut<'a> {
    key: &'a str,
    value: &'a str,
    /// RongCloud's `ts`.
    version: i64,
}

impl<'a> ExpansionQueryOut<'a> {
    fn of(msg_uid: &'a MsgUid, page: u32, entries: &'a [ExpansionEntry]) -> Self {
        Self {
            msg_uid: msg_uid.as_str(),
            page,
            entries: entries
                .iter()
                .map(|entry| ExpansionOut {
                    key: entry.key.as_str(),
                    value: entry.value.as_str(),
                    version: entry.version,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use roomkv_rongcloud::ConversationType;

    use super::*;
    use crate::cli::rongcloud::{Conversation, Credentials};
    use crate::cli::shared::HostArgs;

    fn json<T: Serialize>(value: &T) -> String {
        serde_json::to_string(value).unwrap()
    }

    fn notify(notify: bool, extra: Option<&str>) -> NotifyArgs {
        NotifyArgs {
            notify,
            notify_extra: extra.map(str::to_owned),
        }
    }

    fn set_entry() -> SetEntry {
        SetEntry::new(
            ChatroomId::parse("room1").unwrap(),
            UserId::parse("anchor").unwrap(),
            EntryKey::parse("stage").unwrap(),
            EntryValue::parse("a \"quiz\"").unwrap(),
        )
    }

    #[test]
    fn entry_writes_say_what_was_done() {
        let plain = notify(false, None);
        assert_eq!(
            json(&EntrySetOut::of(&set_entry(), &plain)),
            r#"{"ok":true,"room":"room1","user":"anchor","key":"stage","value":"a \"quiz\"","auto_delete":false,"notify":false}"#
        );
        let loud = notify(true, Some("hi"));
        let op = set_entry().auto_delete(true);
        assert_eq!(
            json(&EntrySetOut::of(&op, &loud)),
            r#"{"ok":true,"room":"room1","user":"anchor","key":"stage","value":"a \"quiz\"","auto_delete":true,"notify":true,"notify_extra":"hi"}"#
        );

        let pairs = entry_pairs(&["b=2".to_owned(), "a=x=y".to_owned(), "c=".to_owned()]).unwrap();
        let batch = BatchSetEntries::new(
            ChatroomId::parse("room1").unwrap(),
            UserId::parse("o").unwrap(),
            pairs,
        );
        assert_eq!(
            json(&EntryBatchSetOut::of(&batch)),
            r#"{"ok":true,"room":"room1","owner":"o","auto_delete":false,"entries":[{"key":"b","value":"2"},{"key":"a","value":"x=y"},{"key":"c","value":""}]}"#
        );

        let remove = RemoveEntry::new(
            ChatroomId::parse("room1").unwrap(),
            UserId::parse("anchor").unwrap(),
            EntryKey::parse("stage").unwrap(),
        );
        assert_eq!(
            json(&EntryRemoveOut::of(&remove, &notify(true, None))),
            r#"{"ok":true,"room":"room1","user":"anchor","key":"stage","notify":true}"#
        );

        let batch = BatchRemoveEntries::new(
            ChatroomId::parse("room1").unwrap(),
            UserId::parse("o").unwrap(),
            [EntryKey::parse("b").unwrap(), EntryKey::parse("a").unwrap()],
        );
        assert_eq!(
            json(&EntryBatchRemoveOut::of(&batch)),
            r#"{"ok":true,"room":"room1","owner":"o","keys":["b","a"]}"#
        );
    }

    #[test]
    fn queries_have_typed_fields() {
        let room = ChatroomId::parse("room1").unwrap();
        let entries = [Entry {
            key: EntryKey::parse("stage").unwrap(),
            value: EntryValue::parse("quiz").unwrap(),
            user_id: UserId::parse("anchor").unwrap(),
            auto_delete: true,
            last_set_time_ms: 1_700_000_000_123,
        }];
        assert_eq!(
            json(&EntryQueryOut::of(&room, &entries)),
            r#"{"room":"room1","entries":[{"key":"stage","value":"quiz","user_id":"anchor","auto_delete":true,"last_set_time_ms":1700000000123}]}"#
        );
        assert_eq!(
            json(&EntryQueryOut::of(&room, &[])),
            r#"{"room":"room1","entries":[]}"#
        );

        let msg = MsgUid::parse("BRGM-DEN2").unwrap();
        let expansions = [ExpansionEntry {
            key: ExpansionKey::parse("likes").unwrap(),
            value: ExpansionValue::parse("3").unwrap(),
            version: 1_700_000_000_001,
        }];
        assert_eq!(
            json(&ExpansionQueryOut::of(&msg, 1, &expansions)),
            r#"{"msg_uid":"BRGM-DEN2","page":1,"entries":[{"key":"likes","value":"3","version":1700000000001}]}"#
        );
    }

    #[test]
    fn expansion_writes_name_the_message_and_conversation() {
        let target = Target::parse(ExpansionTarget {
            msg_uid: "M1".to_owned(),
            user: "alice".to_owned(),
            conversation: Conversation::Group,
            target: "group1".to_owned(),
            sync_sender: true,
        })
        .unwrap();
        assert_eq!(target.conversation.to_type(), ConversationType::Group);
        let pairs = expansion_pairs(&["likes=3".to_owned()]).unwrap();
        let out = ExpansionSetOut {
            ok: true,
            target: target.out(),
            entries: pairs.iter().map(PairOut::of).collect(),
        };
        assert_eq!(
            json(&out),
            r#"{"ok":true,"msg_uid":"M1","user":"alice","conversation":"group","target":"group1","sync_sender":true,"entries":[{"key":"likes","value":"3"}]}"#
        );
        let out = ExpansionDeleteOut {
            ok: true,
            target: target.out(),
            keys: vec!["likes"],
        };
        assert_eq!(
            json(&out),
            r#"{"ok":true,"msg_uid":"M1","user":"alice","conversation":"group","target":"group1","sync_sender":true,"keys":["likes"]}"#
        );
    }

    #[test]
    fn bad_pairs_are_refused_naming_the_field() {
        let refused = |args: &[&str]| {
            let args: Vec<String> = args.iter().map(|&arg| arg.to_owned()).collect();
            let failure = entry_pairs(&args).unwrap_err();
            assert_eq!(failure.exit_code, 2);
            failure.message
        };
        assert!(refused(&["=v"]).ends_with("key is empty, at least 1 character required"));
        assert!(refused(&["a=1", "no-equals"]).contains("\"no-equals\" is not KEY=VALUE"));
        assert!(
            refused(&["a b=1"]).contains("key contains ' ' at character 1"),
            "{}",
            refused(&["a b=1"])
        );
        let long_value = format!("k={}", "v".repeat(4097));
        assert!(
            refused(&[&long_value]).ends_with("value has 4097 characters, at most 4096 allowed")
        );

        let failure = expansion_pairs(&[format!("{}=v", "k".repeat(33))]).unwrap_err();
        assert!(
            failure
                .message
                .ends_with("extraKey has 33 characters, at most 32 allowed"),
            "{}",
            failure.message
        );
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
        let connection = Connection {
            credentials: Credentials {
                app_key: None,
                app_secret: None,
            },
            region: None,
            dialect: None,
            host: HostArgs::default(),
        };
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
}
