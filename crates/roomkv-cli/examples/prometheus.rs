//! The roomkv clients' metrics (feature `metrics`) served to Prometheus at `/metrics`, while
//! both clients drive the embedded emulator with a little of every failure: throttling,
//! gateway errors on the primary host (failover), lost replies, a rejected UserSig.
//!
//! ```sh
//! cargo run -p roomkv-cli --example prometheus             # serves http://127.0.0.1:9898/metrics until Ctrl-C
//! cargo run -p roomkv-cli --example prometheus -- --once   # one round of traffic, the page on stdout
//! ```
//!
//! The library only records through the `metrics` facade; the application installs the
//! exporter. Here that is `metrics-exporter-prometheus` without its own HTTP listener: its
//! `render()` behind a small hyper handler, on the hyper stack the clients already use.

use roomkv_rongcloud::RongCloudSettings;
use roomkv_tencent::TencentSettings;
use std::convert::Infallible;
use std::io::{self, Write};
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use roomkv_emulator::faults::{FaultEffect, FaultRule};
use roomkv_emulator::{Emulator, EmulatorConfig, ServerHandle};
use roomkv_rongcloud::{AppKey, AppSecret, ChatroomId, EntryKey, EntryValue, UserId};
use roomkv_tencent::{CreateRoom, MetadataKey, MetadataValue, RoomId, SecretKey};
use tokio::net::TcpListener;

/// Where `/metrics` is served.
const LISTEN: &str = "127.0.0.1:9898";

/// Histogram buckets of the `*_seconds` metrics: 1 ms to 10 s.
const BUCKETS: &[f64] = &[
    0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

type Failure = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let once = std::env::args().any(|arg| arg == "--once");
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS)?
        .install_recorder()?;

    // Two emulator instances stand for a region's primary and backup host.
    let primary = emulator(true).await?;
    let backup = emulator(false).await?;
    let hosts = [primary.1.base_url(), backup.1.base_url()];
    let rongcloud = roomkv_rongcloud::Client::builder()
        .app_key(AppKey::new("demo-app-key"))
        .app_secret(AppSecret::new("demo-app-secret"))
        .hosts(hosts.to_vec())
        .failover_cool_down(Duration::from_secs(5))
        .build()?;
    let tencent = tencent_client(&hosts)?;
    // The room exists on both hosts, whichever is active.
    let live = RoomId::parse("live-room")?;
    for host in &hosts {
        tencent_client(std::slice::from_ref(host))?
            .create_room(CreateRoom::new(live.clone()))
            .await?;
    }

    if once {
        traffic(&rongcloud, &tencent, &live, 0).await?;
        handle.run_upkeep();
        io::stdout().write_all(handle.render().as_bytes())?;
        return Ok(());
    }

    let listener = TcpListener::bind(LISTEN).await?;
    writeln!(
        io::stderr(),
        "serving http://{LISTEN}/metrics; Ctrl-C to stop"
    )?;
    tokio::spawn(serve(listener, handle));
    let mut round = 0u64;
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => return Ok(()),
            done = traffic(&rongcloud, &tencent, &live, round) => done?,
        }
        round += 1;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A Tencent client of the emulator's demo app over `hosts`, primary first.
fn tencent_client(hosts: &[String]) -> Result<roomkv_tencent::Client, Failure> {
    Ok(roomkv_tencent::Client::builder()
        .sdkappid(1_400_000_000)
        .secret_key(SecretKey::new("demo-secret-key"))
        .hosts(hosts.to_vec())
        .failover_cool_down(Duration::from_secs(5))
        .build()?)
}

/// An emulator on a loopback port; the primary's faults make every metric move.
async fn emulator(primary: bool) -> Result<(Emulator, ServerHandle), Failure> {
    let emulator = Emulator::new(EmulatorConfig::default());
    let faults = [
        ("/chatroom/entry/set.json", throttled(1008), 0.1),
        (
            "/chatroom/entry/set.json",
            FaultEffect::CloseAfterProcessing,
            0.02,
        ),
        (
            "/chatroom/entry/query.json",
            FaultEffect::Status { status: 503 },
            0.05,
        ),
        (
            "/v4/live_engine_http_srv/set_room_metadata",
            throttled(70001),
            0.05,
        ),
    ];
    if primary {
        for (path, effect, probability) in faults {
            emulator.add_fault(FaultRule::new(path, effect).probability(probability))?;
        }
    }
    let server = emulator.serve_listener(TcpListener::bind("127.0.0.1:0").await?)?;
    Ok((emulator, server))
}

/// The emulator's answer with `code`, without processing the request.
fn throttled(code: i64) -> FaultEffect {
    FaultEffect::VendorError {
        code,
        message: None,
        http_status: None,
    }
}

/// One round: a few writes and reads of each vendor. Failures are what the metrics count, so
/// they are not errors here.
async fn traffic(
    rongcloud: &roomkv_rongcloud::Client,
    tencent: &roomkv_tencent::Client,
    live: &RoomId,
    round: u64,
) -> Result<(), Failure> {
    let room = ChatroomId::parse("room1")?;
    let owner = UserId::parse("anchor")?;
    let value = EntryValue::parse(round.to_string())?;
    for n in 0..10 {
        let key = EntryKey::parse(format!("score-{n}"))?;
        let _ = rongcloud.set_entry(&room, &owner, key, value.clone()).await;
    }
    let _ = rongcloud.query_all_entries(&room).await;
    let metadata = [(
        MetadataKey::parse("round")?,
        MetadataValue::parse(round.to_string())?,
    )];
    let _ = tencent.set_room_metadata(live, metadata).await;
    let _ = tencent.get_all_room_metadata(live).await;
    Ok(())
}

/// Serves `/metrics` (and 404 elsewhere) on `listener`, one task per connection.
async fn serve(listener: TcpListener, handle: PrometheusHandle) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let handle = handle.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request: Request<Incoming>| {
                let handle = handle.clone();
                async move { Ok::<_, Infallible>(page(&request, &handle)) }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn page(request: &Request<Incoming>, handle: &PrometheusHandle) -> Response<Full<Bytes>> {
    if request.uri().path() != "/metrics" {
        let mut response = Response::new(Full::new(Bytes::from_static(b"see /metrics\n")));
        *response.status_mut() = http::StatusCode::NOT_FOUND;
        return response;
    }
    handle.run_upkeep();
    let mut response = Response::new(Full::new(Bytes::from(handle.render())));
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    response
}
