//! `roomkv rongcloud expansion ...`: message expansions, their flags, runs and output
//! documents.

use clap::{Args, Subcommand, ValueEnum};
use roomkv_rongcloud::{
    ConversationType, DeleteExpansion, ExpansionEntry, ExpansionKey, ExpansionValue, MsgUid,
    QueryExpansion, SetExpansion, TargetId, UserId,
};
use serde::Serialize;

use super::client::{Connection, client};
use crate::failure::Failure;
use crate::output::{PairOut, parse_all, parse_pairs, print_json, print_when_sent};

pub(super) const EXPANSION_EXAMPLES: &str = "\
Examples:
  roomkv rongcloud expansion set --msg-uid BRGM-DEN2-01E4-BN66 --user alice \\
    --conversation group --target group1 likes=3
  roomkv rongcloud expansion query --msg-uid BRGM-DEN2-01E4-BN66
  roomkv rongcloud expansion delete --msg-uid BRGM-DEN2-01E4-BN66 --user alice \\
    --conversation group --target group1 likes";

const EXPANSION_SET_EXAMPLES: &str = "\
Examples:
  roomkv rongcloud expansion set --msg-uid BRGM-DEN2-01E4-BN66 --user alice \\
    --conversation group --target group1 likes=3 pinned=yes

Output:
  {\"ok\":true,\"msg_uid\":\"BRGM-DEN2-01E4-BN66\",\"user\":\"alice\",\"conversation\":\"group\",\"target\":\"group1\",\"sync_sender\":false,\"entries\":[{\"key\":\"likes\",\"value\":\"3\"},{\"key\":\"pinned\",\"value\":\"yes\"}]}";

const EXPANSION_DELETE_EXAMPLES: &str = "\
Examples:
  roomkv rongcloud expansion delete --msg-uid BRGM-DEN2-01E4-BN66 --user alice \\
    --conversation private --target bob --sync-sender likes

Output:
  {\"ok\":true,\"msg_uid\":\"BRGM-DEN2-01E4-BN66\",\"user\":\"alice\",\"conversation\":\"private\",\"target\":\"bob\",\"sync_sender\":true,\"keys\":[\"likes\"]}";

const EXPANSION_QUERY_EXAMPLES: &str = "\
Examples:
  roomkv rongcloud expansion query --msg-uid BRGM-DEN2-01E4-BN66
  roomkv rongcloud expansion query --msg-uid BRGM-DEN2-01E4-BN66 --page 2

Output (`version` is RongCloud's `ts` of the last change):
  {\"msg_uid\":\"BRGM-DEN2-01E4-BN66\",\"page\":1,\"entries\":[{\"key\":\"likes\",\"value\":\"3\",\"version\":1700000000001}]}";

/// `roomkv rongcloud expansion ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum ExpansionCommand {
    /// Set up to 100 expansions of a message (/message/expansion/set.json)
    ///
    /// Keys are 1 to 32 characters of A-Z a-z 0-9 + = - _; values at most 4096 characters.
    /// RongCloud posts an expansion message to the conversation, so a lost reply is never
    /// repeated: it fails with `outcome unknown` instead.
    #[command(after_long_help = EXPANSION_SET_EXAMPLES)]
    Set(ExpansionSetArgs),

    /// Delete up to 100 expansions of a message (/message/expansion/delete.json)
    #[command(after_long_help = EXPANSION_DELETE_EXAMPLES)]
    Delete(ExpansionDeleteArgs),

    /// Read a message's expansions, one page of up to 300 (/message/expansion/query.json)
    #[command(after_long_help = EXPANSION_QUERY_EXAMPLES)]
    Query(ExpansionQueryArgs),
}

/// The message an expansion write is about, and who writes.
#[derive(Debug, Args)]
pub(crate) struct ExpansionTarget {
    /// The message's UID (msgUID, 1 to 64 bytes)
    #[arg(long, value_name = "M")]
    pub(crate) msg_uid: String,

    /// User who makes the change
    #[arg(long, value_name = "USER")]
    pub(crate) user: String,

    /// The message's conversation
    #[arg(long, value_name = "TYPE")]
    pub(crate) conversation: Conversation,

    /// The conversation's target: the other user (private) or the group id (group)
    #[arg(long, value_name = "T")]
    pub(crate) target: String,

    /// Sync the change to the operator's own other devices too (isSyncSender)
    #[arg(long)]
    pub(crate) sync_sender: bool,
}

/// `--conversation private|group`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Conversation {
    /// One-to-one chat (conversationType 1)
    Private,
    /// Group chat (conversationType 3)
    Group,
}

impl Conversation {
    /// The client's type.
    pub(crate) fn to_type(self) -> ConversationType {
        match self {
            Self::Private => ConversationType::Private,
            Self::Group => ConversationType::Group,
        }
    }

    /// The name on the command line, which the output repeats.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Private => "private",
            Self::Group => "group",
        }
    }
}

/// `roomkv rongcloud expansion set`.
#[derive(Debug, Args)]
pub(crate) struct ExpansionSetArgs {
    #[command(flatten)]
    pub(crate) target: ExpansionTarget,

    /// Expansions to set, 1 to 100, each KEY=VALUE (split at the first `=`)
    #[arg(value_name = "KEY=VALUE", required = true)]
    pub(crate) entries: Vec<String>,
}

/// `roomkv rongcloud expansion delete`.
#[derive(Debug, Args)]
pub(crate) struct ExpansionDeleteArgs {
    #[command(flatten)]
    pub(crate) target: ExpansionTarget,

    /// Keys to delete, 1 to 100
    #[arg(value_name = "KEY", required = true)]
    pub(crate) keys: Vec<String>,
}

/// `roomkv rongcloud expansion query`.
#[derive(Debug, Args)]
pub(crate) struct ExpansionQueryArgs {
    /// The message's UID (msgUID)
    #[arg(long, value_name = "M")]
    pub(crate) msg_uid: String,

    /// Page number, from 1 [default: 1, which holds all of a message's at most 300 expansions]
    #[arg(long, value_name = "N")]
    pub(crate) page: Option<u32>,
}

/// `KEY=VALUE` arguments as expansions.
fn expansion_pairs(args: &[String]) -> Result<Vec<(ExpansionKey, ExpansionValue)>, Failure> {
    parse_pairs(args, ExpansionKey::parse, ExpansionValue::parse)
}

impl ExpansionCommand {
    /// Runs the command with the client `connection` describes.
    pub(crate) async fn run(self, connection: &Connection) -> Result<(), Failure> {
        match self {
            Self::Set(args) => {
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
                print_when_sent(client(connection)?.send(&op), done).await
            }
            Self::Delete(args) => {
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
                print_when_sent(client(connection)?.send(&op), done).await
            }
            Self::Query(args) => {
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
}

/// [`ExpansionTarget`], parsed.
struct Target {
    msg_uid: MsgUid,
    user: UserId,
    conversation: Conversation,
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
    use super::*;
    use crate::output::to_json as json;

    #[test]
    fn expansion_queries_have_typed_fields() {
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
    fn bad_expansion_pairs_are_refused_naming_the_field() {
        let failure = expansion_pairs(&[format!("{}=v", "k".repeat(33))]).unwrap_err();
        assert!(
            failure
                .message
                .ends_with("extraKey has 33 characters, at most 32 allowed"),
            "{}",
            failure.message
        );
    }
}
