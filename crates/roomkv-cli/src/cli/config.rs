//! `roomkv config ...`, `roomkv completions SHELL` and `roomkv man --out-dir DIR`: the
//! operator's tooling around the vendor commands, run by [`crate::config_cmd`],
//! [`crate::completions_cmd`] and [`crate::man_cmd`].

use std::path::PathBuf;

use clap::{Args, Subcommand};

const CONFIG_EXAMPLES: &str = "\
Examples:
  The profiles of the config file, secrets masked:
    roomkv config list

  Check the file, then make one harmless read per vendor with the staging profile:
    roomkv config check --profile staging --ping

  Use a profile (or set ROOMKV_PROFILE=staging):
    roomkv --profile staging rongcloud entry query --room room1

The file ($ROOMKV_CONFIG, else $XDG_CONFIG_HOME/roomkv/config.toml, else
~/.config/roomkv/config.toml):

  [profiles.staging.rongcloud]
  app_key = \"your-app-key\"
  app_secret_env = \"STAGING_RC_SECRET\"   # or app_secret_file = \"...\", or app_secret = \"...\" (0600 only)
  region = \"singapore\"                   # or base_url = \"http://127.0.0.1:8787\"
  dialect = \"legacy\"

  [profiles.staging.tencent]
  sdkappid = 1400000000
  secret_key_file = \"~/.config/roomkv/staging.key\"
  admin = \"administrator\"

Both vendors also take timeout, no_rate_limit, max_rate_wait, redis_url (or redis_url_env,
redis_url_file), fleet_size and redis_fail_closed, named like the flags. A flag or an environment
variable wins over the profile, which wins over the built-in default.";

const CONFIG_LIST_EXAMPLES: &str = "\
Examples:
  roomkv config list

Output (inline secrets as ***, others by where they are):
  {\"path\":\"/home/op/.config/roomkv/config.toml\",\"profiles\":[{\"name\":\"staging\",\"rongcloud\":{\"app_key\":\"your-app-key\",\"app_secret\":\"$STAGING_RC_SECRET\",\"region\":\"singapore\",\"dialect\":\"legacy\"}}]}";

const CONFIG_CHECK_EXAMPLES: &str = "\
Examples:
  Every profile's keys, values and secrets:
    roomkv config check

  One profile, and one read per vendor it configures (RongCloud: the entries of the chat room
  roomkv-ping; Tencent: the settings of the room roomkv-ping, which need not exist):
    roomkv config check --profile staging --ping

Output:
  {\"ok\":true,\"path\":\"/home/op/.config/roomkv/config.toml\",\"profiles\":[\"staging\"],\"pinged\":[{\"profile\":\"staging\",\"vendor\":\"rongcloud\"}]}

A mistake is one line on stderr naming the file, the line and the key, exit code 2; a failed
ping is one line with the vendor's error, exit code 1.";

const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  bash:        roomkv completions bash > ~/.local/share/bash-completion/completions/roomkv
  zsh:         roomkv completions zsh > \"${fpath[1]}/_roomkv\"
  fish:        roomkv completions fish > ~/.config/fish/completions/roomkv.fish
  PowerShell:  roomkv completions powershell | Out-String | Invoke-Expression
  elvish:      roomkv completions elvish >> ~/.config/elvish/rc.elv

Profile names are those of the config file when the script is written: write it again after
adding a profile.";

const MAN_EXAMPLES: &str = "\
Examples:
  roomkv man --out-dir ~/.local/share/man/man1
  man roomkv-rongcloud-entry-set";

/// Named profiles: list them, check the config file
#[derive(Debug, Args)]
#[command(
    subcommand_required = true,
    arg_required_else_help = true,
    after_long_help = CONFIG_EXAMPLES
)]
pub(crate) struct ConfigArgs {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: ConfigCommand,
}

/// The `config` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Show the config file's profiles, with secrets masked
    #[command(after_long_help = CONFIG_LIST_EXAMPLES)]
    List,

    /// Check the config file: keys, values, secrets (of --profile, else of every profile)
    #[command(after_long_help = CONFIG_CHECK_EXAMPLES)]
    Check(CheckArgs),
}

/// `roomkv config check`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Also make one harmless read per vendor each checked profile configures
    #[arg(long)]
    pub(crate) ping: bool,
}

/// Print a shell completion script on stdout
///
/// Completes subcommands, flags, region names, dialects and the config file's profile names.
#[derive(Debug, Args)]
#[command(after_long_help = COMPLETIONS_EXAMPLES)]
pub(crate) struct CompletionsArgs {
    /// The shell
    #[arg(value_name = "SHELL")]
    pub(crate) shell: clap_complete::Shell,
}

/// Write the man pages: roomkv(1) and one per subcommand
#[derive(Debug, Args)]
#[command(after_long_help = MAN_EXAMPLES)]
pub(crate) struct ManArgs {
    /// Directory to write roomkv.1, roomkv-rongcloud.1, ... into (created if missing)
    #[arg(long, value_name = "DIR")]
    pub(crate) out_dir: PathBuf,
}
