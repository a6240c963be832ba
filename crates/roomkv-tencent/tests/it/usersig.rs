//! The admin UserSig cache: generated once, renewed after 80 % of its lifetime, generated once
//! under concurrency.

use roomkv_tencent::TencentSettings;
use std::sync::Arc;
use std::time::Duration;

use roomkv_transport::test_util::{CaptureClient, ManualClock};
use roomkv_transport::{HttpClient, HttpRequest, HttpResponse, SharedHttpClient, TransportError};

use crate::support::*;

#[tokio::test]
async fn one_usersig_serves_many_requests() {
    let capture = CaptureClient::new().with_fallback(|_| Ok(ok()));
    // A clock that moves on every reading: each generation would give a different string.
    let client = builder(&capture)
        .clock(TickingClock::default())
        .build()
        .unwrap();
    for _ in 0..10 {
        client.destroy_room(&room("r")).await.unwrap();
    }
    let requests = capture.requests();
    assert_eq!(requests.len(), 10);
    assert_eq!(distinct_usersigs(&requests), 1);
    let claims = verify_usersig(&requests[9], NOW + 100);
    assert_eq!(claims.expire, LIFETIME);
}

#[tokio::test]
async fn the_usersig_is_renewed_after_eighty_percent_of_its_lifetime() {
    let capture = CaptureClient::new().with_fallback(|_| Ok(ok()));
    let clock = ManualClock::from_unix_secs(NOW);
    let client = builder(&capture)
        .clock(clock.clone())
        .usersig_lifetime(Duration::from_secs(3600))
        .build()
        .unwrap();
    client.destroy_room(&room("r")).await.unwrap();
    clock.advance(Duration::from_secs(2879)); // 80 % is 2880 s
    client.destroy_room(&room("r")).await.unwrap();
    clock.advance(Duration::from_secs(1));
    client.destroy_room(&room("r")).await.unwrap();

    let requests = capture.requests();
    let times: Vec<u64> = requests
        .iter()
        .map(|r| verify_usersig(r, NOW).time)
        .collect();
    assert_eq!(times, [NOW, NOW, NOW + 2880]);
    let claims = verify_usersig(&requests[2], NOW + 2880 + 3600);
    assert_eq!(claims.expire, 3600);
    assert!(
        roomkv_sign::tencent::verify(
            &usersig(&requests[1]),
            &secret_key(),
            SDKAPPID,
            "administrator",
            NOW + 3601
        )
        .is_err(),
        "the old one would have expired"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_requests_generate_one_usersig() {
    let capture = CaptureClient::new().with_fallback(|_| Ok(ok()));
    let client = builder(&capture)
        .clock(Arc::new(TickingClock::default()))
        .build()
        .unwrap();
    let tasks: Vec<_> = (0..32)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .set_room_metadata(&room("r"), [(key("k"), value(&i.to_string()))])
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let requests = capture.requests();
    assert_eq!(requests.len(), 32);
    assert_eq!(distinct_usersigs(&requests), 1);
}

/// Answers after a delay, so several requests are in flight at once.
#[derive(Debug)]
struct Slow(CaptureClient);

impl HttpClient for Slow {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        tokio::time::sleep(Duration::from_secs(1)).await;
        self.0.send(request).await
    }
}

#[tokio::test(start_paused = true)]
async fn concurrent_rejections_renew_once() {
    let capture = CaptureClient::new();
    let client = builder(&capture)
        .http_client(SharedHttpClient::new(Slow(capture.clone())))
        .clock(TickingClock::default())
        .build()
        .unwrap();
    // Both requests are signed with the first UserSig before Tencent rejects it for both.
    capture
        .push_response(fail(70001, "expired"))
        .push_response(fail(70001, "expired"))
        .push_response(ok())
        .push_response(ok());
    let (room_a, room_b) = (room("a"), room("b"));
    let (a, b) = tokio::join!(client.destroy_room(&room_a), client.destroy_room(&room_b));
    a.unwrap();
    b.unwrap();
    let requests = capture.requests();
    assert_eq!(requests.len(), 4);
    assert_eq!(distinct_usersigs(&requests[..2]), 1);
    assert_eq!(
        distinct_usersigs(&requests),
        2,
        "two rejections of the same UserSig renew it once"
    );
}
