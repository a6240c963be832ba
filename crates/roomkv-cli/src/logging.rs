//! `-v`: `tracing` output on stderr, never on stdout.

use std::io;

use tracing::Level;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Installs the global subscriber for `verbosity` (the number of `-v`): none for 0 (nothing is
/// logged), then info, debug and trace for roomkv's own crates; dependencies stay at warn, info,
/// then trace too.
pub(crate) fn init(verbosity: u8) {
    let filter = match verbosity {
        0 => return,
        1 => Targets::new()
            .with_target("roomkv", Level::INFO)
            .with_default(Level::WARN),
        2 => Targets::new()
            .with_target("roomkv", Level::DEBUG)
            .with_default(Level::INFO),
        _ => Targets::new().with_default(Level::TRACE),
    };
    let output = tracing_subscriber::fmt::layer().with_writer(io::stderr);
    // Fails only if a subscriber is already installed, which `main` never does.
    let _ = tracing_subscriber::registry()
        .with(output)
        .with(filter)
        .try_init();
}
