//! Quotas with a manual clock: exactly the documented rates, KV counting, the group sub-quota,
//! scaling and switching off. No real sleeping.

use std::time::Duration;

use roomkv_core::rongcloud::ConversationType;
use roomkv_core::tencent::Command;
use roomkv_core::{Limits, QuotaCost, QuotaFamily};
use roomkv_emulator::config::QuotaConfig;
use roomkv_emulator::quota::{AppQuota, QuotaEnforcer, expansion_write_cost};

use crate::common::T0;

fn quota_config(change: impl FnOnce(&mut QuotaConfig)) -> QuotaConfig {
    let mut config = QuotaConfig::default();
    change(&mut config);
    config
}

fn limiter(config: QuotaConfig) -> QuotaEnforcer {
    QuotaEnforcer::new(&Limits::default(), &config)
}

/// How many charges of `cost` are admitted in a row at `now`.
fn admitted(limiter: &QuotaEnforcer, app: &AppQuota, cost: QuotaCost, now: Duration) -> usize {
    (0..100_000)
        .take_while(|_| limiter.try_charge(app, cost, now).is_ok())
        .count()
}

#[test]
fn each_family_admits_exactly_its_documented_rate_per_second() {
    let limiter = limiter(QuotaConfig::default());
    let families = [
        (QuotaFamily::RongCloudEntrySet, 100),
        (QuotaFamily::RongCloudEntryRemove, 100),
        (QuotaFamily::RongCloudEntryQuery, 100),
        (QuotaFamily::RongCloudExpansionWrite, 100),
        (QuotaFamily::RongCloudExpansionGroupWrite, 20),
        (QuotaFamily::RongCloudExpansionQuery, 100),
        (QuotaFamily::Tencent(Command::CreateRoom), 200),
        (QuotaFamily::Tencent(Command::SetRoomMetadata), 200),
        (QuotaFamily::Tencent(Command::GetRoomMetadata), 200),
    ];
    for (family, rate) in families {
        let app = AppQuota::new();
        let cost = QuotaCost::one(family, 1);
        assert_eq!(admitted(&limiter, &app, cost, T0), rate, "{family:?} burst");
        // Then one per 1/rate seconds ...
        let interval = Duration::from_secs(1) / rate as u32;
        assert_eq!(
            admitted(&limiter, &app, cost, T0 + interval),
            1,
            "{family:?} refill"
        );
        // ... and a full second later exactly `rate` again, over and over.
        for second in 1..=5u32 {
            let now = T0 + interval + Duration::from_secs(u64::from(second));
            assert_eq!(
                admitted(&limiter, &app, cost, now),
                rate,
                "{family:?} second {second}"
            );
        }
    }
}

#[test]
fn families_and_apps_are_independent() {
    let limiter = limiter(QuotaConfig::default());
    let app = AppQuota::new();
    let other = AppQuota::new();
    let set = QuotaCost::one(QuotaFamily::RongCloudEntrySet, 1);
    let remove = QuotaCost::one(QuotaFamily::RongCloudEntryRemove, 1);
    assert_eq!(admitted(&limiter, &app, set, T0), 100);
    assert_eq!(admitted(&limiter, &app, remove, T0), 100);
    assert_eq!(admitted(&limiter, &other, set, T0), 100);
    let create = QuotaCost::one(QuotaFamily::Tencent(Command::CreateRoom), 1);
    let destroy = QuotaCost::one(QuotaFamily::Tencent(Command::DestroyRoom), 1);
    assert_eq!(admitted(&limiter, &app, create, T0), 200);
    assert_eq!(admitted(&limiter, &app, destroy, T0), 200);
}

#[test]
fn batches_are_counted_per_kv() {
    let limiter = limiter(QuotaConfig::default());
    let app = AppQuota::new();
    // 20 KV per batch set: 5 batches fill the 100 KV/s shared with single sets.
    let batch = QuotaCost::one(QuotaFamily::RongCloudEntrySet, 20);
    assert_eq!(admitted(&limiter, &app, batch, T0), 5);
    let single = QuotaCost::one(QuotaFamily::RongCloudEntrySet, 1);
    assert!(limiter.try_charge(&app, single, T0).is_err());
    // 100 ms later 10 KV are back: ten singles, or no batch of 20.
    let later = T0 + Duration::from_millis(100);
    assert!(limiter.try_charge(&app, batch, later).is_err());
    assert_eq!(admitted(&limiter, &app, single, later), 10);

    let app = AppQuota::new();
    let remove = QuotaCost::one(QuotaFamily::RongCloudEntryRemove, 7);
    assert_eq!(admitted(&limiter, &app, remove, T0), 14); // 98 KV; 105 would exceed 100
    assert!(
        limiter
            .try_charge(
                &app,
                QuotaCost::one(QuotaFamily::RongCloudEntryRemove, 2),
                T0
            )
            .is_ok()
    );
}

#[test]
fn at_most_20_group_expansion_writes_within_the_100() {
    let limiter = limiter(QuotaConfig::default());
    let app = AppQuota::new();
    let group = expansion_write_cost(ConversationType::Group);
    let private = expansion_write_cost(ConversationType::Private);
    assert_eq!(admitted(&limiter, &app, group, T0), 20);
    // The refused group writes took nothing from the shared 100: 80 private writes remain.
    assert_eq!(admitted(&limiter, &app, private, T0), 80);
    assert!(limiter.try_charge(&app, group, T0).is_err());

    // The other way round: private writes exhaust the 100 and group writes are refused too,
    // without consuming the group sub-quota.
    let app = AppQuota::new();
    assert_eq!(admitted(&limiter, &app, private, T0), 100);
    assert!(limiter.try_charge(&app, group, T0).is_err());
    let later = T0 + Duration::from_secs(1);
    assert_eq!(admitted(&limiter, &app, group, later), 20);
}

#[test]
fn rate_scale_multiplies_every_quota() {
    let scaled = |scale: f64| {
        let limiter = limiter(quota_config(|c| c.rate_scale = scale));
        let app = AppQuota::new();
        (
            admitted(
                &limiter,
                &app,
                QuotaCost::one(QuotaFamily::RongCloudEntryQuery, 1),
                T0,
            ),
            admitted(
                &limiter,
                &app,
                QuotaCost::one(QuotaFamily::RongCloudExpansionGroupWrite, 1),
                T0,
            ),
            admitted(
                &limiter,
                &app,
                QuotaCost::one(QuotaFamily::Tencent(Command::GetRoomInfo), 1),
                T0,
            ),
        )
    };
    assert_eq!(scaled(1.0), (100, 20, 200));
    assert_eq!(scaled(2.0), (200, 40, 400));
    assert_eq!(scaled(0.5), (50, 10, 100));
    assert_eq!(scaled(0.07), (7, 1, 14));
}

#[test]
fn a_request_bigger_than_the_burst_passes_only_when_the_bucket_is_full() {
    // 10 KV/s and a 20-KV batch: admitted from a full bucket, then the debt is paid over 2 s.
    let limiter = limiter(quota_config(|c| c.rate_scale = 0.1));
    let app = AppQuota::new();
    let batch = QuotaCost::one(QuotaFamily::RongCloudEntrySet, 20);
    assert!(limiter.try_charge(&app, batch, T0).is_ok());
    assert!(
        limiter
            .try_charge(&app, batch, T0 + Duration::from_millis(1999))
            .is_err()
    );
    assert!(
        limiter
            .try_charge(&app, batch, T0 + Duration::from_secs(2))
            .is_ok()
    );
}

#[test]
fn disabled_quotas_admit_everything_and_can_be_switched_at_run_time() {
    let cost = QuotaCost::one(QuotaFamily::RongCloudEntryQuery, 1);
    let off = limiter(quota_config(|c| c.enabled = false));
    let app = AppQuota::new();
    assert!((0..10_000).all(|_| off.try_charge(&app, cost, T0).is_ok()));

    let nonsense = limiter(quota_config(|c| c.rate_scale = f64::NAN));
    assert!(!nonsense.enabled());

    let on = limiter(QuotaConfig::default());
    let app = AppQuota::new();
    assert_eq!(admitted(&on, &app, cost, T0), 100);
    on.set_enabled(false);
    assert!(on.try_charge(&app, cost, T0).is_ok());
    on.restore();
    assert!(on.try_charge(&app, cost, T0).is_err());
    app.reset();
    assert!(on.try_charge(&app, cost, T0).is_ok());
}

#[test]
fn burst_tolerance_is_configurable() {
    let limiter = limiter(quota_config(|c| c.burst = Duration::from_millis(100)));
    let app = AppQuota::new();
    let cost = QuotaCost::one(QuotaFamily::RongCloudEntryQuery, 1);
    assert_eq!(admitted(&limiter, &app, cost, T0), 10);
    // Sustained: still 100 per second.
    let mut total = 0;
    for ms in (10..=1000).step_by(10) {
        total += admitted(&limiter, &app, cost, T0 + Duration::from_millis(ms));
    }
    assert_eq!(total, 100);
}
