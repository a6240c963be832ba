//! `roomkv emulator`: its flags ([`EmulatorArgs`]) and its run: builds an [`EmulatorConfig`]
//! from the flags ([`config_from`]), serves it, announces the address and credentials on stdout, and
//! stops gracefully on SIGINT or SIGTERM.

mod defaults;
mod signals;

use std::io::{self, Write};
use std::net::SocketAddr;
use std::time::Duration;

use clap::Args;
use clap::builder::NonEmptyStringValueParser;
use roomkv_emulator::config::{DEFAULT_LISTEN, RongCloudApp, TencentApp};
use roomkv_emulator::{Emulator, EmulatorConfig};

use self::signals::Signals;
use crate::failure::Failure;
use crate::shared::Secret;

/// How long a shutdown waits for requests in flight (a delay fault can hold one for minutes)
/// before the remaining connections are abandoned.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

const EMULATOR_EXAMPLES: &str = "\
Examples:
  Both vendors with the demo credentials on http://127.0.0.1:8787:
    roomkv emulator

  A free port (read it from the first line), strict signatures, ten times the vendor quotas:
    roomkv emulator --listen 127.0.0.1:0 --strict --rate-scale 10

  Your own RongCloud app key and secret (the secret is never printed), no quotas:
    roomkv emulator --rongcloud-app-key my-app --rongcloud-app-secret \"$SECRET\" --no-rate-limit

Output:
  roomkv emulator listening on http://127.0.0.1:8787
  rongcloud app key: demo-app-key
  rongcloud app secret: demo-app-secret (default)
  tencent sdkappid: 1400000000
  tencent secret key: demo-secret-key (default)
  tencent admin: administrator

The control API (health, events, reset, fault injection, switches) lives under /_emulator/ on the
same port; the roomkv-emulator crate's README documents it.";

/// Run the local emulator of RongCloud / Nexconn and Tencent Cloud Live over HTTP.
///
/// Serves both vendors' room-attribute APIs, and the control API under /_emulator/, on one port
/// until SIGINT (Ctrl-C) or SIGTERM, then shuts down gracefully and exits 0.
///
/// The first line on stdout is exactly `roomkv emulator listening on http://HOST:PORT`; the
/// credentials in effect follow, one per line. A secret given by flag is never printed, only
/// the built-in demo secrets are. If the address cannot be bound, one line on stderr and exit 1.
#[derive(Debug, Args)]
#[command(after_long_help = EMULATOR_EXAMPLES)]
pub(crate) struct EmulatorArgs {
    /// Address to listen on, as IP:PORT; port 0 picks a free port
    ///
    /// The emulator is a test double: anyone who can reach it can read and change its state. A
    /// non-loopback address is allowed, with a warning on stderr.
    #[arg(long, value_name = "ADDR", default_value_t = DEFAULT_LISTEN)]
    pub(crate) listen: SocketAddr,

    /// RongCloud / Nexconn app key, the `App-Key` header clients send
    #[arg(
        long,
        value_name = "KEY",
        default_value_t = defaults::rongcloud_app().app_key,
        value_parser = NonEmptyStringValueParser::new(),
        help_heading = "RongCloud / Nexconn"
    )]
    pub(crate) rongcloud_app_key: String,

    /// RongCloud / Nexconn app secret that signatures are computed with [default: demo-app-secret]
    ///
    /// Never printed when set here. Mind that other local users can see command lines.
    #[arg(
        long,
        value_name = "SECRET",
        value_parser = NonEmptyStringValueParser::new(),
        help_heading = "RongCloud / Nexconn"
    )]
    pub(crate) rongcloud_app_secret: Option<String>,

    /// Start with the chat-room KV service switched off: KV calls answer code 1009
    ///
    /// It can be switched on again at run time: POST /_emulator/rongcloud/kv-service
    /// {"enabled": true}.
    #[arg(long, help_heading = "RongCloud / Nexconn")]
    pub(crate) rongcloud_kv_disabled: bool,

    /// Do not register unknown msgUIDs on their first expansion set or delete
    ///
    /// Messages must then be registered first (POST /_emulator/rongcloud/messages); expansion
    /// calls on an unregistered message answer code 1002.
    #[arg(long, help_heading = "RongCloud / Nexconn")]
    pub(crate) no_expansion_auto_register: bool,

    /// Tencent SDKAppID
    #[arg(
        long,
        value_name = "ID",
        default_value_t = defaults::tencent_app().sdkappid,
        value_parser = clap::value_parser!(u64).range(1..),
        help_heading = "Tencent Cloud Live"
    )]
    pub(crate) tencent_sdkappid: u64,

    /// Tencent secret key that UserSigs are computed with [default: demo-secret-key]
    ///
    /// Never printed when set here. Mind that other local users can see command lines.
    #[arg(
        long,
        value_name = "KEY",
        value_parser = NonEmptyStringValueParser::new(),
        help_heading = "Tencent Cloud Live"
    )]
    pub(crate) tencent_secret_key: Option<String>,

    /// Tencent App admin account that requests must be sent as (`identifier`)
    #[arg(
        long,
        value_name = "USER",
        default_value_t = defaults::tencent_app().admin,
        value_parser = NonEmptyStringValueParser::new(),
        help_heading = "Tencent Cloud Live"
    )]
    pub(crate) tencent_admin: String,

    /// Strict RongCloud authentication: timestamp window and nonce replay check
    ///
    /// The `Timestamp` header must be within the window of the emulator's clock, the `Nonce` 1 to
    /// 18 characters and not used again within the window. Without it the emulator is as lenient
    /// as the real server.
    #[arg(long, help_heading = "Behaviour")]
    pub(crate) strict: bool,

    /// Strict mode's timestamp window and nonce memory, in seconds [default: 300]
    #[arg(
        long,
        value_name = "SECONDS",
        requires = "strict",
        value_parser = clap::value_parser!(u64).range(1..),
        help_heading = "Behaviour"
    )]
    pub(crate) strict_window: Option<u64>,

    /// Multiply every documented vendor rate limit by F (a number greater than 0)
    ///
    /// 0.5 halves the quotas, 10 allows ten times the documented rates.
    #[arg(
        long,
        value_name = "F",
        default_value_t = defaults::quota().rate_scale,
        value_parser = positive_finite,
        help_heading = "Behaviour"
    )]
    pub(crate) rate_scale: f64,

    /// Do not enforce vendor rate limits
    ///
    /// They can be switched on at run time (POST /_emulator/rate-limits {"enabled": true}), with
    /// --rate-scale applied.
    #[arg(long, help_heading = "Behaviour")]
    pub(crate) no_rate_limit: bool,

    /// How many requests the request journal keeps (GET /_emulator/requests, the console);
    /// older ones are dropped and counted
    #[arg(
        long,
        value_name = "N",
        default_value_t = defaults::config().journal_capacity,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..),
        help_heading = "Behaviour"
    )]
    pub(crate) journal_size: usize,

    /// How many events the event log keeps (GET /_emulator/events); older ones are dropped and
    /// counted
    #[arg(
        long,
        value_name = "N",
        default_value_t = defaults::config().event_capacity,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..),
        help_heading = "Behaviour"
    )]
    pub(crate) event_log_size: usize,

    /// Seed of the generator that decides probabilistic faults, so runs repeat
    #[arg(
        long,
        value_name = "N",
        default_value_t = defaults::config().fault_seed,
        help_heading = "Behaviour"
    )]
    pub(crate) fault_seed: u64,

    /// Keep the state (rooms, entries, expansions, metadata) in FILE across restarts
    ///
    /// Loaded at start (created if missing); a request is answered only after its changes are in
    /// FILE on disk, written atomically (temporary file, fsync, rename). A file that is not a
    /// valid state file stops the emulator instead of being overwritten.
    #[arg(long, value_name = "FILE", help_heading = "Behaviour")]
    pub(crate) state: Option<std::path::PathBuf>,

    /// Close a connection whose request head (first byte to end of headers) takes longer
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = defaults::connections().header_read_timeout.as_secs(),
        value_parser = clap::value_parser!(u64).range(1..),
        help_heading = "Connections"
    )]
    pub(crate) header_read_timeout: u64,

    /// Close a keep-alive connection that carries no byte and no request for this long
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = defaults::connections().idle_timeout.as_secs(),
        value_parser = clap::value_parser!(u64).range(1..),
        help_heading = "Connections"
    )]
    pub(crate) idle_timeout: u64,

    /// Answer 408 and close when a request body takes longer than this to arrive
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = defaults::connections().body_read_timeout.as_secs(),
        value_parser = clap::value_parser!(u64).range(1..),
        help_heading = "Connections"
    )]
    pub(crate) body_read_timeout: u64,

    /// Serve at most N connections at once
    ///
    /// Past N, --health-reserve more connections may ask GET /_emulator/health only (anything
    /// else is answered 503); past both, new connections are closed at once. Refusals are
    /// counted. Keep N + reserve well under the process's file-descriptor limit (ulimit -n).
    #[arg(
        long,
        value_name = "N",
        default_value_t = defaults::connections().max_connections,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..),
        help_heading = "Connections"
    )]
    pub(crate) max_connections: usize,

    /// Connections beyond --max-connections accepted for the health check only
    #[arg(
        long,
        value_name = "N",
        default_value_t = defaults::connections().health_reserve,
        help_heading = "Connections"
    )]
    pub(crate) health_reserve: usize,
    /// POST every RongCloud KV sync webhook to URL, signed with the app secret, with RongCloud's
    /// delivery rule (5 s timeout, 2 retries, then dropped)
    #[arg(long, value_name = "URL", value_parser = callback_url, help_heading = "Webhooks")]
    pub(crate) rongcloud_webhook_url: Option<String>,

    /// POST every Tencent Live metadata callback to URL (2 s timeout, no retry)
    #[arg(long, value_name = "URL", value_parser = callback_url, help_heading = "Webhooks")]
    pub(crate) tencent_callback_url: Option<String>,

    /// Sign Tencent callbacks with this callback authentication token (adds RequestTime and Sign)
    #[arg(
        long,
        value_name = "TOKEN",
        requires = "tencent_callback_url",
        help_heading = "Webhooks"
    )]
    pub(crate) tencent_callback_token: Option<Secret>,
}

/// Parses an absolute `http://` or `https://` URL.
fn callback_url(text: &str) -> Result<String, String> {
    let uri: http::Uri = text.parse().map_err(|e| format!("not a URL: {e}"))?;
    match (uri.scheme_str(), uri.host()) {
        (Some("http" | "https"), Some(_)) => Ok(text.to_owned()),
        _ => Err("expected an absolute http:// or https:// URL".to_owned()),
    }
}

/// Parses a finite number greater than 0.
fn positive_finite(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(format!(
            "{value} is not a finite number greater than 0 (--no-rate-limit switches quotas off)"
        ))
    }
}

impl EmulatorArgs {
    /// Runs the emulator until SIGINT or SIGTERM.
    pub(crate) async fn run(self) -> Result<(), Failure> {
        let args = self;
        let config = config_from(&args);
        let credentials = credential_lines(&args, &config);
        let listen = config.listen;
        tracing::debug!(?config, "emulator configuration");

        // Before the ready line: a parent that signals as soon as it has read it must not kill the
        // process with the default action.
        let mut signals = Signals::install()
            .map_err(|err| Failure::runtime(format!("cannot install signal handlers: {err}")))?;

        if !listen.ip().is_loopback() {
            let _ = writeln!(
                io::stderr(),
                "roomkv: warning: {listen} is not a loopback address; the emulator is a test double \
             and anyone who can reach it can read and change its state"
            );
        }

        let mut builder = Emulator::builder(config);
        if let Some(file) = &args.state {
            builder = builder
                .state_file(file)
                .map_err(|err| Failure::runtime(err.to_string()))?;
            for note in builder.state_file_notes() {
                let _ = writeln!(io::stderr(), "roomkv: note: {note}");
            }
        }
        // Kept until the end: dropping the last handle saves what is left to the state file.
        let emulator = builder.build();
        let server = emulator
            .serve_configured()
            .await
            .map_err(|err| Failure::runtime(format!("cannot listen on {listen}: {err}")))?;
        announce(&server.base_url(), &credentials);

        let signal = signals.recv().await;
        tracing::info!(signal, "shutting down");
        tokio::select! {
            finished = server.shutdown_within(SHUTDOWN_GRACE) => {
                if !finished {
                    tracing::warn!(
                        grace = ?SHUTDOWN_GRACE,
                        "requests still in flight after the grace period were abandoned"
                    );
                }
            }
            signal = signals.recv() => {
                tracing::warn!(signal, "second signal: requests in flight were abandoned");
            }
        }
        drop(emulator);
        Ok(())
    }
}

/// Prints the ready line, flushed at once, then the credentials. A closed stdout (a script that
/// read the first line and went away) does not stop the emulator.
fn announce(base_url: &str, credentials: &[String]) {
    let mut out = io::stdout().lock();
    let mut written =
        writeln!(out, "roomkv emulator listening on {base_url}").and_then(|()| out.flush());
    written = written.and_then(|()| writeln!(out, "{}", console_line(base_url)));
    for line in credentials {
        written = written.and_then(|()| writeln!(out, "{line}"));
    }
    if let Err(err) = written.and_then(|()| out.flush()) {
        tracing::debug!(error = %err, "stdout is closed; the banner was not printed in full");
    }
}

/// The second line of the banner: where the web console is.
fn console_line(base_url: &str) -> String {
    format!("console: {}/_emulator/ui", base_url.trim_end_matches('/'))
}

/// The configuration the flags ask for: the emulator's defaults with each given flag applied.
pub(crate) fn config_from(args: &EmulatorArgs) -> EmulatorConfig {
    let rongcloud_secret = match &args.rongcloud_app_secret {
        Some(secret) => secret.clone(),
        None => defaults::rongcloud_app().app_secret.expose().to_owned(),
    };
    let tencent_secret = match &args.tencent_secret_key {
        Some(secret) => secret.clone(),
        None => defaults::tencent_app().secret_key.expose().to_owned(),
    };
    let mut config = defaults::config();
    config.listen = args.listen;
    config.rongcloud_apps = vec![RongCloudApp::new(
        args.rongcloud_app_key.clone(),
        rongcloud_secret,
    )];
    config.tencent_apps = vec![TencentApp::new(
        args.tencent_sdkappid,
        tencent_secret,
        args.tencent_admin.clone(),
    )];
    config.kv_enabled = !args.rongcloud_kv_disabled;
    config.expansion_auto_register = !args.no_expansion_auto_register;
    config.strict = args.strict;
    if let Some(seconds) = args.strict_window {
        config.strict_window = Duration::from_secs(seconds);
    }
    config.quota.rate_scale = args.rate_scale;
    config.quota.enabled = !args.no_rate_limit;
    config.fault_seed = args.fault_seed;
    config.connections.header_read_timeout = Duration::from_secs(args.header_read_timeout);
    config.connections.idle_timeout = Duration::from_secs(args.idle_timeout);
    config.connections.body_read_timeout = Duration::from_secs(args.body_read_timeout);
    config.connections.max_connections = args.max_connections;
    config.connections.health_reserve = args.health_reserve;
    config.journal_capacity = args.journal_size;
    config.event_capacity = args.event_log_size;
    config.webhooks.rongcloud_url = args.rongcloud_webhook_url.clone();
    config.webhooks.tencent_url = args.tencent_callback_url.clone();
    config.webhooks.tencent_token = args
        .tencent_callback_token
        .as_ref()
        .map(|token| roomkv_emulator::config::Secret::new(token.expose()));
    config
}

/// The lines printed after the ready line: the credentials clients need, one per line. A secret
/// is shown only when it is the built-in demo default, never when it came from a flag.
pub(crate) fn credential_lines(args: &EmulatorArgs, config: &EmulatorConfig) -> Vec<String> {
    let mut lines = Vec::new();
    for app in &config.rongcloud_apps {
        lines.push(format!("rongcloud app key: {}", app.app_key));
        lines.push(secret_line(
            "rongcloud app secret",
            args.rongcloud_app_secret.is_some(),
            app.app_secret.expose(),
        ));
    }
    for app in &config.tencent_apps {
        lines.push(format!("tencent sdkappid: {}", app.sdkappid));
        lines.push(secret_line(
            "tencent secret key",
            args.tencent_secret_key.is_some(),
            app.secret_key.expose(),
        ));
        lines.push(format!("tencent admin: {}", app.admin));
    }
    lines
}

fn secret_line(label: &str, set_by_flag: bool, builtin: &str) -> String {
    if set_by_flag {
        format!("{label}: (set by flag)")
    } else {
        format!("{label}: {builtin} (default)")
    }
}

#[cfg(test)]
mod tests;
