//! `roomkv-bench bare-server`: the physical limit the emulator is compared with. A hyper
//! HTTP/1.1 server configured as the emulator's (same runtime, `TCP_NODELAY`, one task per
//! connection) that reads each request's body and answers RongCloud's `{"code":200}`, or
//! Tencent's success envelope to a Tencent path (`/v4/…`).

use std::convert::Infallible;
use std::io::{self, BufRead, Write};

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderValue, Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// The first line the server prints, followed by `http://HOST:PORT`.
pub(crate) const READY: &str = "bare server listening on ";

/// Serves on a free loopback port until standard input closes (the parent went away).
pub(crate) async fn run() -> Result<(), String> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|err| format!("cannot listen: {err}"))?;
    let addr = listener.local_addr().map_err(|err| err.to_string())?;
    {
        let mut out = io::stdout().lock();
        writeln!(out, "{READY}http://{addr}")
            .and_then(|()| out.flush())
            .map_err(|err| err.to_string())?;
    }
    std::thread::spawn(|| {
        // Ends the process when the parent closes our stdin, so no server outlives a bench run.
        for _ in io::stdin().lock().lines() {}
        std::process::exit(0);
    });
    serve(listener).await
}

/// Answers every connection `listener` accepts, forever.
pub(crate) async fn serve(listener: TcpListener) -> Result<(), String> {
    loop {
        let Ok((stream, _peer)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service_fn(answer))
                .await;
        });
    }
}

/// Tencent's success envelope, with a `RequestId` of the emulator's length.
const TENCENT_OK: &[u8] = br#"{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"RequestId":"Id-00000000000000000000000000000000-O-Seq-1"}"#;

async fn answer(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let body: &'static [u8] = if request.uri().path().starts_with("/v4/") {
        TENCENT_OK
    } else {
        br#"{"code":200}"#
    };
    // Read the body, as the emulator does, so that both servers do the same I/O.
    let _ = request.into_body().collect().await;
    let mut response = Response::new(Full::new(Bytes::from_static(body)));
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    Ok(response)
}
