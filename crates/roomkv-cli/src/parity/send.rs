//! [`Sender`]: turns a scenario step into a raw HTTP request, signs it the way the step says
//! (with `roomkv-sign`, afresh for every request), and sends it without any client-side
//! validation, so requests the typed clients would refuse reach the server too.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use roomkv_sign::rongcloud::{AppKey, AppSecret, HeaderAuth, signature};
use roomkv_sign::tencent::{SecretKey, generate};
use roomkv_transport::{
    HttpClient as _, HttpRequest, HyperClient, OsRandomSource, RandomSource as _,
};
use serde_json::Value;

use super::scenario::{Auth, Body, ControlCall, Step, Values, Vendor, encode_form};

/// A RongCloud app's credentials.
pub(crate) struct RongCloudApp {
    pub(crate) app_key: String,
    pub(crate) app_secret: AppSecret,
}

/// A Tencent app's credentials.
pub(crate) struct TencentApp {
    pub(crate) sdkappid: u64,
    pub(crate) secret_key: SecretKey,
    pub(crate) admin: String,
}

/// The secret of the wrong-secret and wrong-key steps: never the account's, so never a leak.
const WRONG_SECRET: &str = "roomkv-parity-wrong-secret";

/// What a server answered.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Bytes,
}

/// Sends the steps of a run to one server.
pub(crate) struct Sender {
    http: HyperClient,
    base: String,
    pub(crate) rongcloud: Option<RongCloudApp>,
    pub(crate) tencent: Option<TencentApp>,
    /// Only this vendor's steps are sent (`--vendor`).
    pub(crate) only: Option<Vendor>,
    /// Every signature and UserSig made, so the transcript writer can prove none is written.
    issued: Mutex<Vec<String>>,
}

impl Sender {
    /// A sender to `base_url` (`https://`, or `http://` to a loopback host, as every roomkv
    /// client requires).
    pub(crate) fn new(
        base_url: &str,
        timeout: Option<Duration>,
        rongcloud: Option<RongCloudApp>,
        tencent: Option<TencentApp>,
    ) -> Result<Self, String> {
        let uri: http::Uri = base_url
            .parse()
            .map_err(|err| format!("--base-url {base_url:?} is not a URL: {err}"))?;
        if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
            return Err(format!(
                "--base-url {base_url:?} is not an absolute http:// or https:// URL"
            ));
        }
        let mut builder = HyperClient::builder();
        if let Some(timeout) = timeout {
            builder = builder.timeout(timeout);
        }
        let http = builder
            .build()
            .map_err(|err| format!("cannot build the HTTP client: {err}"))?;
        Ok(Self {
            http,
            base: base_url.trim_end_matches('/').to_owned(),
            rongcloud,
            tencent,
            only: None,
            issued: Mutex::new(Vec::new()),
        })
    }

    /// The base URL, without a trailing `/`.
    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// Every credential text of the run that must never be written: the configured secrets,
    /// and every signature and UserSig made so far.
    pub(crate) fn secrets(&self) -> Vec<String> {
        let mut all = self
            .issued
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(app) = &self.rongcloud {
            all.push(app.app_secret.expose_secret().to_owned());
        }
        if let Some(app) = &self.tencent {
            all.push(String::from_utf8_lossy(app.secret_key.expose_secret()).into_owned());
        }
        all
    }

    fn issue(&self, credential: &str) {
        self.issued
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(credential.to_owned());
    }

    /// Whether the server is a roomkv emulator: `GET /_emulator/health` answers
    /// `{"ok": true}`. (To a vendor's host this is one unknown path, answered 404.)
    pub(crate) async fn is_emulator(&self) -> bool {
        self.control("/_emulator/health", None)
            .await
            .is_ok_and(|body| body["ok"] == Value::Bool(true))
    }

    /// A call to the emulator's control API: `POST` with a JSON body, or `GET` without one.
    /// Its JSON answer, which must be a 200.
    pub(crate) async fn control(&self, path: &str, body: Option<&Value>) -> Result<Value, String> {
        let builder = match body {
            Some(_) => http::Request::post(format!("{}{path}", self.base))
                .header(CONTENT_TYPE, "application/json"),
            None => http::Request::get(format!("{}{path}", self.base)),
        };
        let body = body.map_or_else(Vec::new, |body| body.to_string().into_bytes());
        let request = builder.body(body).map_err(|err| format!("{path}: {err}"))?;
        let response = self
            .http
            .send(request)
            .await
            .map_err(|err| format!("{path}: {err}"))?;
        if response.status() != 200 {
            return Err(format!(
                "{path} answered {}: {}",
                response.status(),
                String::from_utf8_lossy(response.body())
            ));
        }
        serde_json::from_slice(response.body()).map_err(|err| format!("{path}: {err}"))
    }

    /// A scenario's setup call, with `values` filled in.
    pub(crate) async fn setup(&self, call: &ControlCall, values: &Values) -> Result<(), String> {
        let path = values.render_str(&call.path)?;
        self.control(&path, Some(&values.render(&call.body)?))
            .await
            .map(drop)
    }

    /// The request of `step` with `values` filled in, signed afresh. `Err` when the step's
    /// templates do not render (a fault of the scenario).
    pub(crate) fn build(&self, step: &Step, values: &Values) -> Result<HttpRequest, String> {
        let path = values.render_str(&step.path)?;
        let (content_type, body) = match &step.body {
            None => (None, Vec::new()),
            Some(Body::Form(map)) => {
                let Value::Object(map) = values.render(&Value::Object(map.clone()))? else {
                    unreachable!("an object renders to an object")
                };
                (
                    Some("application/x-www-form-urlencoded"),
                    encode_form(&map).into_bytes(),
                )
            }
            Some(Body::Json(value)) => (
                Some("application/json"),
                serde_json::to_vec(&values.render(value)?).map_err(|e| e.to_string())?,
            ),
            Some(Body::Raw(text)) => (Some("text/plain"), values.render_str(text)?.into_bytes()),
        };
        let uri = match step.vendor {
            Vendor::RongCloud => format!("{}{path}", self.base),
            Vendor::Tencent => format!(
                "{}{path}?{}",
                self.base,
                self.tencent_query(step.auth, values)?
            ),
        };
        let mut builder = http::Request::builder()
            .method(step.method.as_str())
            .uri(uri);
        if let Some(content_type) = content_type {
            builder = builder.header(CONTENT_TYPE, content_type);
        }
        let request = builder.body(body).map_err(|err| err.to_string())?;
        let (mut parts, body) = request.into_parts();
        if step.vendor == Vendor::RongCloud {
            self.sign_rongcloud(step.auth, values, &mut parts)?;
        }
        Ok(http::Request::from_parts(parts, body))
    }

    /// Sends a request of [`build`](Self::build). `Err` when no complete answer came back (the
    /// transport's cause).
    pub(crate) async fn send(&self, request: HttpRequest) -> Result<Answer, String> {
        let response = self
            .http
            .send(request)
            .await
            .map_err(|err| err.to_string())?;
        Ok(Answer {
            status: response.status().as_u16(),
            body: response.into_body(),
        })
    }

    /// The RongCloud signature headers of `auth`.
    fn sign_rongcloud(
        &self,
        auth: Auth,
        values: &Values,
        parts: &mut http::request::Parts,
    ) -> Result<(), String> {
        let app = self.rongcloud.as_ref().ok_or("no RongCloud credentials")?;
        let nonce = (OsRandomSource.next_u64() % 1_000_000_000).to_string();
        let timestamp = unix_time().as_millis().to_string();
        let wrong = AppSecret::new(WRONG_SECRET);
        let unknown = AppKey::new(format!("{}-nokey", values.get("run").unwrap_or("roomkv")));
        let key = AppKey::new(&app.app_key);
        let (key, secret) = match auth {
            Auth::WrongSecret => (&key, &wrong),
            Auth::UnknownAppKey => (&unknown, &app.app_secret),
            _ => (&key, &app.app_secret),
        };
        self.issue(&signature(secret, &nonce, &timestamp));
        HeaderAuth::new(key, secret, &nonce, &timestamp)
            .apply(parts)
            .map_err(|err| err.to_string())?;
        if auth == Auth::NoSignature {
            parts.headers.remove("signature");
        }
        Ok(())
    }

    /// The Tencent query of `auth`: `sdkappid`, `identifier`, `usersig`, `random`,
    /// `contenttype`.
    fn tencent_query(&self, auth: Auth, values: &Values) -> Result<String, String> {
        let app = self.tencent.as_ref().ok_or("no Tencent credentials")?;
        let now = unix_time().as_secs();
        let user = format!("{}-user", values.get("run").unwrap_or("roomkv"));
        let wrong = SecretKey::new(WRONG_SECRET);
        let sig = |sdkappid: u64, identifier: &str, key: &SecretKey, expire: u64, time: u64| {
            let usersig = generate(sdkappid, identifier, key, expire, time);
            self.issue(usersig.expose_secret());
            usersig.expose_secret().to_owned()
        };
        let admin = app.admin.as_str();
        let (identifier, usersig) = match auth {
            Auth::WrongKey => (admin, sig(app.sdkappid, admin, &wrong, 86_400, now)),
            Auth::Expired => (
                admin,
                sig(app.sdkappid, admin, &app.secret_key, 60, now - 86_400),
            ),
            Auth::NoUsersig => (admin, String::new()),
            Auth::Malformed => (admin, "roomkv-parity-not-a-usersig".to_owned()),
            Auth::NotAdmin => (
                user.as_str(),
                sig(app.sdkappid, &user, &app.secret_key, 86_400, now),
            ),
            Auth::IdentifierMismatch => (
                admin,
                sig(app.sdkappid, &user, &app.secret_key, 86_400, now),
            ),
            Auth::SdkappidMismatch => (
                admin,
                sig(app.sdkappid + 1, admin, &app.secret_key, 86_400, now),
            ),
            _ => (
                admin,
                sig(app.sdkappid, admin, &app.secret_key, 86_400, now),
            ),
        };
        let mut query = form_urlencoded::Serializer::new(String::new());
        if auth != Auth::NoSdkappid {
            query.append_pair("sdkappid", &app.sdkappid.to_string());
        }
        query
            .append_pair("identifier", identifier)
            .append_pair("usersig", &usersig)
            .append_pair(
                "random",
                &(OsRandomSource.next_u64() % 4_294_967_296).to_string(),
            )
            .append_pair("contenttype", "json");
        Ok(query.finish())
    }
}

/// Time since the Unix epoch (zero for a clock before it).
fn unix_time() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}
