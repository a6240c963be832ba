//! The web console at `GET /_emulator/ui`: one self-contained page (HTML, CSS and JS embedded
//! in the binary; no CDN, works offline) that polls the control API once a second and shows the
//! state of both vendors, the request journal with its explanations, the event log, the quota
//! meters and the fault rules, with controls to add and clear faults and to reset.

use http::Response;

const PAGE: &str = include_str!("console/index.html");
const STYLE: &str = include_str!("console/console.css");
const SCRIPT: &str = include_str!("console/console.js");

/// The console's file at `path`, if it is one.
pub(crate) fn asset(path: &str) -> Option<Response<Vec<u8>>> {
    let (body, content_type) = match path {
        "/_emulator/ui" | "/_emulator/ui/" => (PAGE, "text/html; charset=utf-8"),
        "/_emulator/ui/console.css" => (STYLE, "text/css; charset=utf-8"),
        "/_emulator/ui/console.js" => (SCRIPT, "text/javascript; charset=utf-8"),
        _ => return None,
    };
    let mut response = Response::new(body.as_bytes().to_vec());
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static(content_type),
    );
    response.headers_mut().insert(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("no-store"),
    );
    Some(response)
}
