//! The client rate limiter shared through Redis, whose URL carries a password
//! (`redis://:PASSWORD@HOST:PORT`): a Redis of the test's own that requires the password, used
//! by clients of both vendors; the wrong password and an unreachable Redis, falling back and
//! failing closed; and URLs that cannot be used. Builders, limiters, clients and every error
//! go into the corpus.

use roomkv_tencent::TencentSettings;
use std::error::Error as _;
use std::io::{Read as _, Write as _};
use std::time::Duration;

use roomkv_rongcloud::RateLimit;
use roomkv_tencent::{CreateRoom, SecretKey};
use roomkv_transport::limiter::{RedisLimiter, SharedRateLimiter, WhenUnavailable};
use roomkv_transport::test_util::RedisServer;

use super::rongcloud_run::{build, builder};
use super::{
    EXCHANGE_TIMEOUT, RC_SECRET, REDIS_PASSWORD, REDIS_WRONG_PASSWORD, Run, SDKAPPID, TC_SECRET,
};
use crate::support::{key, live, mkey, mvalue, refusing_port, room, user, value};

/// Makes `redis` require `password` (`CONFIG SET requirepass`, inline).
fn require_password(redis: &RedisServer, password: &str) {
    let addr = redis
        .url()
        .strip_prefix("redis://")
        .expect("a redis:// URL")
        .to_owned();
    let mut stream = std::net::TcpStream::connect(addr).expect("Redis answers");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("a socket option");
    stream
        .write_all(format!("CONFIG SET requirepass {password}\r\n").as_bytes())
        .expect("Redis takes the command");
    let mut reply = [0u8; 5];
    stream.read_exact(&mut reply).expect("Redis answers");
    assert_eq!(&reply, b"+OK\r\n", "Redis requires the password now");
}

/// `redis://:PASSWORD@HOST:PORT` for a `redis://HOST:PORT` URL.
fn with_password(url: &str, password: &str) -> String {
    url.replacen("redis://", &format!("redis://:{password}@"), 1)
}

/// A limiter on `url`, rendered as builder and limiter.
fn limiter(run: &mut Run, label: &str, url: &str, when: WhenUnavailable) -> RateLimit {
    let builder = RedisLimiter::builder(url)
        .when_unavailable(when)
        .timeout(Duration::from_secs(2));
    run.corpus
        .debug(&format!("{label} RedisLimiterBuilder"), &builder);
    let limiter = builder.build().expect("a valid Redis URL");
    run.corpus.debug(&format!("{label} RedisLimiter"), &limiter);
    let shared = SharedRateLimiter::new(limiter);
    run.corpus
        .debug(&format!("{label} SharedRateLimiter"), &shared);
    let rate_limit = RateLimit::With(shared);
    run.corpus.debug(&format!("{label} RateLimit"), &rate_limit);
    rate_limit
}

pub(crate) async fn run(run: &mut Run) {
    let redis = RedisServer::start();
    require_password(&redis, REDIS_PASSWORD);
    let url = run.main.url();
    let good = with_password(&redis.url(), REDIS_PASSWORD);
    let wrong = with_password(&redis.url(), REDIS_WRONG_PASSWORD);
    let (_socket, closed) = refusing_port();
    let unreachable = with_password(&format!("redis://{closed}"), REDIS_PASSWORD);

    // The right password: both clients are admitted through Redis.
    let shared = limiter(run, "redis", &good, WhenUnavailable::FailClosed);
    let rc = build(
        &mut run.corpus,
        "redis-limited",
        builder(&run.sent, RC_SECRET, EXCHANGE_TIMEOUT)
            .rate_limit(shared.clone())
            .base_url(&url),
    );
    rc.set_entry(&room("quota"), &user("u"), key("k"), value("v"))
        .await
        .expect("admitted through Redis");
    let tc_builder = roomkv_tencent::Client::builder()
        .sdkappid(SDKAPPID)
        .secret_key(SecretKey::new(TC_SECRET))
        .http_client(roomkv_tencent::SharedHttpClient::new(
            run.sent.client(EXCHANGE_TIMEOUT),
        ))
        .rate_limit(shared)
        .base_url(&url);
    run.corpus
        .debug("tencent redis-limited ClientBuilder", &tc_builder);
    let tc = tc_builder.build().expect("the client builds");
    tc.create_room(CreateRoom::new(live("quota")))
        .await
        .expect("admitted through Redis");
    tc.set_room_metadata(&live("quota"), [(mkey("k"), mvalue("v"))])
        .await
        .expect("admitted through Redis");
    run.corpus.debug("tencent redis-limited Client", &tc);

    // The wrong password, and no Redis at all: falling back (a warning) or failing closed
    // (an error with Redis's reason as its source).
    for (label, redis_url) in [("wrong password", &wrong), ("unreachable", &unreachable)] {
        let fallback = limiter(run, label, redis_url, WhenUnavailable::Fallback);
        let client = build(
            &mut run.corpus,
            &format!("{label} fallback"),
            builder(&run.sent, RC_SECRET, EXCHANGE_TIMEOUT)
                .rate_limit(fallback)
                .base_url(&url),
        );
        client
            .set_entry(&room("quota"), &user("u"), key("k2"), value("v"))
            .await
            .expect("admitted by the local fallback");
        let closed = limiter(run, label, redis_url, WhenUnavailable::FailClosed);
        let client = build(
            &mut run.corpus,
            &format!("{label} fail closed"),
            builder(&run.sent, RC_SECRET, EXCHANGE_TIMEOUT)
                .rate_limit(closed)
                .base_url(&url),
        );
        let err = run.failed(
            &format!("redis {label}, fail closed"),
            client.query_all_entries(&room("quota")).await,
        );
        // The client error names the limiter's refusal but does not chain it as a source:
        // scan the refusal and Redis's reason behind it as well.
        let (_, refused) = err.rate_limited().expect("refused by the limiter");
        assert!(refused.source().is_some(), "Redis's reason: {refused}");
        run.corpus
            .error(&format!("redis {label}, the limiter's refusal"), refused);
    }

    // URLs that cannot be used.
    for bad in [
        format!("http://:{REDIS_PASSWORD}@127.0.0.1:6379"),
        format!("redis://:{REDIS_PASSWORD}@127.0.0.1:port"),
        format!("redis://:{REDIS_PASSWORD}@[::1"),
        format!("redis://user:{REDIS_PASSWORD}@/db"),
        format!("rediss://:{REDIS_PASSWORD}@127.0.0.1:6379"),
    ] {
        let builder = RedisLimiter::builder(bad.as_str());
        run.corpus.debug("bad URL RedisLimiterBuilder", &builder);
        if let Err(err) = builder.build() {
            run.corpus.error("bad Redis URL", &err);
            run.errors += 1;
        }
    }
    drop(redis);
}
