//! `RedisLimiter` against a real `redis-server` of its own: two limiters stand for two
//! processes of a fleet. Redis keeps its own time, so these tests run on real time; they assert
//! on what was admitted and refused, never on how fast.

use std::time::Duration;

use roomkv_transport::limiter::{
    Charge, RateLimitReason, RateLimiter, RedisLimiter, WhenUnavailable,
};
use roomkv_transport::test_util::RedisServer;

fn charge(bucket: &str, rate_per_sec: u32, units: u32) -> Charge {
    Charge {
        bucket: bucket.into(),
        rate_per_sec,
        units,
    }
}

/// A limiter whose buckets hold five seconds of a 1/s quota: what one process spends, another
/// cannot have for seconds.
fn limiter(redis: &RedisServer, when: WhenUnavailable) -> RedisLimiter {
    RedisLimiter::builder(redis.url())
        .burst(Duration::from_secs(5))
        .fleet_size(2)
        .when_unavailable(when)
        .build()
        .expect("the URL is valid")
}

#[tokio::test]
async fn processes_share_one_quota_and_a_refusal_reserves_nothing() {
    let redis = RedisServer::start();
    let a = limiter(&redis, WhenUnavailable::FailClosed);
    let b = limiter(&redis, WhenUnavailable::FailClosed);
    let five = [charge("app:set", 1, 5)];
    a.admit(&five, Duration::ZERO).await.expect("a full bucket");
    let refused = tokio::time::timeout(
        Duration::from_secs(10),
        b.admit(&five, Duration::from_secs(1)),
    )
    .await
    .expect("a refusal is immediate")
    .expect_err("the other process spent the quota");
    assert_eq!(refused.bucket.as_ref(), "app:set");
    assert!(
        refused.wait().unwrap() > Duration::from_secs(1),
        "{refused}"
    );
    // The refused five units were not reserved: one unit fits within about a second, where it
    // would need six seconds had the refusal taken anything.
    tokio::time::timeout(
        Duration::from_secs(10),
        b.admit(&[charge("app:set", 1, 1)], Duration::from_secs(3)),
    )
    .await
    .expect("bounded")
    .expect("one unit refills within the wait");
}

#[tokio::test]
async fn charges_are_reserved_all_or_nothing_in_one_script() {
    let redis = RedisServer::start();
    let a = limiter(&redis, WhenUnavailable::FailClosed);
    a.admit(&[charge("app:group", 1, 5)], Duration::ZERO)
        .await
        .unwrap();
    let both = [charge("app:write", 1, 5), charge("app:group", 1, 1)];
    let refused = a.admit(&both, Duration::ZERO).await.unwrap_err();
    assert_eq!(refused.charge, 1, "the group sub-quota has no room");
    // The wider family was left untouched.
    a.admit(&[charge("app:write", 1, 5)], Duration::ZERO)
        .await
        .expect("nothing was taken from app:write");
}

#[tokio::test]
async fn without_redis_the_fallback_admits_the_fleet_share_and_fail_closed_refuses() {
    let mut redis = RedisServer::start();
    let fallback = limiter(&redis, WhenUnavailable::Fallback);
    let closed = limiter(&redis, WhenUnavailable::FailClosed);
    let one = [charge("app:set", 10, 1)];
    fallback.admit(&one, Duration::ZERO).await.unwrap();
    closed.admit(&one, Duration::ZERO).await.unwrap();
    redis.kill();

    let refused = closed
        .admit(&one, Duration::from_secs(1))
        .await
        .unwrap_err();
    assert!(
        matches!(refused.reason, RateLimitReason::Unavailable(_)),
        "{refused}"
    );
    assert!(refused.to_string().contains("unavailable"), "{refused}");

    // The fallback runs at 10 / 2 = 5 per second with five seconds of burst: 25 units at once,
    // and not one more without waiting.
    for n in 0..25 {
        fallback
            .admit(&one, Duration::ZERO)
            .await
            .unwrap_or_else(|err| panic!("unit {n}: {err}"));
    }
    let refused = fallback.admit(&one, Duration::ZERO).await.unwrap_err();
    assert_eq!(refused.rate_per_sec, 5, "the fleet share of 10/s");
}
