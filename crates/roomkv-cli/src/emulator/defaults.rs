//! The emulator's own defaults, so that the flags' defaults cannot drift from them.

use roomkv_emulator::EmulatorConfig;
use roomkv_emulator::config::{ConnectionConfig, QuotaConfig, RongCloudApp, TencentApp};

/// [`EmulatorConfig::default`].
pub(crate) fn config() -> EmulatorConfig {
    EmulatorConfig::default()
}

/// The default RongCloud app (`demo-app-key` / `demo-app-secret`).
pub(crate) fn rongcloud_app() -> RongCloudApp {
    config()
        .rongcloud_apps
        .into_iter()
        .next()
        .expect("the emulator's default configuration has a RongCloud app")
}

/// The default Tencent app (`1400000000` / `demo-secret-key` / `administrator`).
pub(crate) fn tencent_app() -> TencentApp {
    config()
        .tencent_apps
        .into_iter()
        .next()
        .expect("the emulator's default configuration has a Tencent app")
}

/// The default quotas (documented rates, enforced).
pub(crate) fn quota() -> QuotaConfig {
    config().quota
}

/// The default connection timeouts and cap.
pub(crate) fn connections() -> ConnectionConfig {
    config().connections
}
