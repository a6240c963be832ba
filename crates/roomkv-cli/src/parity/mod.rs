//! `roomkv parity record | check`: parity snapshots, after LocalStack's snapshot tests.
//!
//! `record` runs a [`scenario`] against a base URL and writes a [`transcript`]; `check`
//! replays a transcript against another server (by default an emulator started in-process with
//! its default configuration) and prints the [`diff`] of every step.
//!
//! A run ([`Run`]):
//! 1. asks `GET /_emulator/health` whether the server is a roomkv emulator;
//! 2. makes a unique prefix for the run (`${run}`, such as `p3f9a1c07d2`) that every room,
//!    user and expansion key of the scenario starts with;
//! 3. gives each scenario variable its value: `--var NAME=VALUE`, else against the emulator
//!    its `emulator` template, made real by the scenario's `emulator_setup` calls to the
//!    control API (a message with expansion enabled, which no vendor API creates); against a
//!    real service a step that needs a variable without a value is skipped with a note, as is
//!    every step of a vendor without credentials;
//! 4. sends the steps in order, signed afresh by [`send::Sender`], one per `--pace` (1 s
//!    against a real service: far inside every quota; no throttling step is sent);
//! 5. cleans up whatever happened before: removes every entry of the scenario's chat rooms,
//!    destroys its Tencent rooms and deletes the expansions it may have set, through the typed
//!    clients.

mod args;
mod diff;
mod scenario;
mod send;
mod transcript;

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write as _};
use std::time::Duration;

use roomkv_emulator::{Emulator, EmulatorConfig};
use roomkv_rongcloud::{
    ConversationType, ExpansionKey, MsgUid, RongCloudSettings as _, RoomAttributes as _, TargetId,
    UserId,
};
use roomkv_sign::rongcloud::AppSecret;
use roomkv_sign::tencent::SecretKey;
use roomkv_tencent::TencentSettings as _;
use roomkv_transport::{OsRandomSource, RandomSource as _};
use serde::Serialize;
use serde_json::Value;

pub(crate) use self::args::ParityArgs;
use self::args::{CheckArgs, ParityCommand, RecordArgs, RunArgs};
use self::scenario::{Scenario, Step, Values, Vendor};
use self::send::{RongCloudApp, Sender, TencentApp};
use self::transcript::{Header, Normaliser, Outcome, Skipped, StepRecord, Target};
use crate::config::Profile;
use crate::failure::Failure;
use crate::output::{one_line, print_json};

/// The emulator's quota switch.
const QUOTAS: &str = "/_emulator/rate-limits";

/// The pause between two requests to a real service unless `--pace` says otherwise.
const SERVICE_PACE: Duration = Duration::from_secs(1);

impl ParityArgs {
    /// Runs `roomkv parity ...`.
    ///
    /// The credentials of `profile` fill those the flags and the environment left unset; its hosts
    /// and quota settings do not apply, since a parity run names its one `--base-url`.
    pub(crate) async fn run(self, profile: &Profile) -> Result<(), Failure> {
        let mut args = self;
        let run = match &mut args.command {
            ParityCommand::Record(args) => &mut args.run,
            ParityCommand::Check(args) => &mut args.run,
        };
        run.rongcloud.fill_from(&profile.rongcloud)?;
        run.tencent.fill_from(&profile.tencent)?;
        match args.command {
            ParityCommand::Record(args) => record(args).await,
            ParityCommand::Check(args) => check(args).await,
        }
    }
}

/// `roomkv parity record`.
async fn record(args: RecordArgs) -> Result<(), Failure> {
    let text = match &args.scenario {
        Some(path) => fs::read_to_string(path)
            .map_err(|err| Failure::refused(format!("cannot read {}: {err}", path.display())))?,
        None => scenario::DEFAULT.to_owned(),
    };
    let scenario = Scenario::parse(&text).map_err(|err| Failure::refused(one_line(&err)))?;
    let sender = sender(&args.base_url, &args.run)?;
    let run = Run::prepare(&scenario, sender, &args.run).await?;
    let records = run.execute(&scenario.steps).await;
    let cleanup = run.cleanup(&scenario).await;
    let records = records?;
    let header = Header::new(&scenario, run.target, run.skipped.clone());
    let mut text = serde_json::to_string(&header).expect("a header serialises");
    text.push('\n');
    for record in &records {
        text.push_str(&serde_json::to_string(record).expect("a record serialises"));
        text.push('\n');
    }
    let text = transcript::redact(&text, &run.sender.secrets());
    fs::write(&args.output, text).map_err(|err| {
        Failure::runtime(format!("cannot write {}: {err}", args.output.display()))
    })?;
    cleanup?;
    print_json(&RecordOut {
        ok: true,
        output: &args.output.display().to_string(),
        target: run.target,
        recorded: records.len(),
        skipped: run.skipped.len(),
    })
}

/// The JSON document of a successful `record`.
#[derive(Serialize)]
struct RecordOut<'a> {
    ok: bool,
    output: &'a str,
    target: Target,
    recorded: usize,
    skipped: usize,
}

/// `roomkv parity check`.
async fn check(args: CheckArgs) -> Result<(), Failure> {
    let text = fs::read_to_string(&args.transcript).map_err(|err| {
        Failure::refused(format!("cannot read {}: {err}", args.transcript.display()))
    })?;
    let (header, recorded) = transcript::read(&text).map_err(|err| {
        Failure::refused(one_line(&format!("{}: {err}", args.transcript.display())))
    })?;
    let scenario = Scenario {
        name: header.scenario,
        about: header.about,
        vars: header.vars,
        emulator_setup: header.emulator_setup,
        cleanup: header.cleanup,
        steps: recorded.iter().map(|r| r.request.clone()).collect(),
    };
    scenario.check().map_err(|err| {
        Failure::refused(one_line(&format!("{}: {err}", args.transcript.display())))
    })?;
    // Either the server named, or a fresh emulator of the default configuration.
    let (sender, _server) = match &args.base_url {
        Some(url) => (sender(url, &args.run)?, None),
        None => {
            let config = EmulatorConfig::default();
            let server = Emulator::new(config.clone())
                .serve("127.0.0.1:0")
                .await
                .map_err(|err| Failure::runtime(format!("cannot start the emulator: {err}")))?;
            let rc = &config.rongcloud_apps[0];
            let tc = &config.tencent_apps[0];
            let mut sender = Sender::new(
                &server.base_url(),
                args.run.timeout,
                Some(RongCloudApp {
                    app_key: rc.app_key.clone(),
                    app_secret: AppSecret::new(rc.app_secret.expose()),
                }),
                Some(TencentApp {
                    sdkappid: tc.sdkappid,
                    secret_key: SecretKey::new(tc.secret_key.expose()),
                    admin: tc.admin.clone(),
                }),
            )
            .map_err(Failure::refused)?;
            sender.only = args.run.vendor;
            (sender, Some(server))
        }
    };
    let run = Run::prepare(&scenario, sender, &args.run).await?;
    let replayed = run.execute(&scenario.steps).await;
    let cleanup = run.cleanup(&scenario).await;
    let replayed = replayed?;
    let report = Report::compare(&recorded, &replayed, &run.skipped);
    report.print();
    cleanup?;
    if report.differ + report.not_replayed == 0 {
        Ok(())
    } else {
        Err(Failure::runtime(format!(
            "parity check of {}: {} of {} steps differ, {} not replayed",
            args.transcript.display(),
            report.differ,
            recorded.len(),
            report.not_replayed
        )))
    }
}

/// A sender to `url` with the credentials of `args`; a vendor without them gets none.
fn sender(url: &str, args: &RunArgs) -> Result<Sender, Failure> {
    let rc = &args.rongcloud;
    let rongcloud = match (&rc.app_key, &rc.app_secret) {
        (Some(key), Some(secret)) => Some(RongCloudApp {
            app_key: key.clone(),
            app_secret: AppSecret::new(secret.expose()),
        }),
        _ => None,
    };
    let tc = &args.tencent;
    let tencent = match (tc.sdkappid, &tc.secret_key) {
        (Some(sdkappid), Some(key)) => Some(TencentApp {
            sdkappid,
            secret_key: SecretKey::new(key.expose()),
            admin: tc.admin().to_owned(),
        }),
        _ => None,
    };
    let mut sender =
        Sender::new(url, args.timeout, rongcloud, tencent).map_err(Failure::refused)?;
    sender.only = args.vendor;
    Ok(sender)
}

/// A note on stderr.
fn note(text: &str) {
    let _ = writeln!(io::stderr(), "roomkv: note: {}", one_line(text));
}

/// One run of a scenario against one server.
struct Run {
    sender: Sender,
    target: Target,
    /// Whether the emulator's quotas were on before the run switched them off.
    quotas_before: Option<bool>,
    values: Values,
    normaliser: Normaliser,
    pace: Duration,
    /// Steps not sent, with the reason.
    skipped: Vec<Skipped>,
    /// Every step name in `skipped`, by position in the scenario.
    skip: Vec<bool>,
}

impl Run {
    /// Finds out what the server is, gives every placeholder its value, sets the emulator up
    /// and decides which steps to skip.
    async fn prepare(scenario: &Scenario, sender: Sender, args: &RunArgs) -> Result<Self, Failure> {
        let target = if sender.is_emulator().await {
            Target::Emulator
        } else {
            Target::Service
        };
        if target == Target::Service
            && sender.only.is_none()
            && sender.rongcloud.is_some()
            && sender.tencent.is_some()
        {
            // Tencent's signed query would go to RongCloud's host, or the other way round.
            return Err(Failure::refused(
                "a real service is one vendor's host: with both vendors' credentials set, \
                 pass --vendor rongcloud or --vendor tencent (and that vendor's --base-url)",
            ));
        }
        let mut values = Values::default();
        values.set("run", format!("p{:010x}", OsRandomSource.next_u64() >> 24));
        if let Some(app) = &sender.rongcloud {
            values.set("app_key", app.app_key.clone());
        }
        if let Some(app) = &sender.tencent {
            values.set("sdkappid", app.sdkappid.to_string());
            values.set("admin", app.admin.clone());
        }
        for arg in &args.vars {
            let (name, value) = arg
                .split_once('=')
                .filter(|(name, _)| scenario.vars.contains_key(*name))
                .ok_or_else(|| {
                    Failure::refused(format!(
                        "--var {arg:?}: not NAME=VALUE with NAME one of the scenario's \
                         variables ({})",
                        scenario.vars.keys().cloned().collect::<Vec<_>>().join(", ")
                    ))
                })?;
            values.set(name, value);
        }
        if target == Target::Emulator {
            for (name, var) in &scenario.vars {
                if values.get(name).is_none() {
                    let value = values.render_str(&var.emulator).map_err(Failure::refused)?;
                    values.set(name, value);
                }
            }
        }
        let mut quotas_before = None;
        if target == Target::Emulator {
            // The run is paced only against real services: the emulator's quotas are off for
            // its duration, so no step is throttled by accident (and none on purpose).
            let quotas = |enabled: bool| serde_json::json!({ "enabled": enabled });
            let before = sender.control(QUOTAS, None).await;
            let before = before
                .and_then(|state| state["enabled"].as_bool().ok_or_else(|| state.to_string()))
                .map_err(|err| Failure::runtime(one_line(&format!("emulator quotas: {err}"))))?;
            sender
                .control(QUOTAS, Some(&quotas(false)))
                .await
                .map_err(|err| Failure::runtime(one_line(&format!("emulator quotas: {err}"))))?;
            quotas_before = Some(before);
            for call in &scenario.emulator_setup {
                // A call naming a value this run lacks (an app key without RongCloud
                // credentials) sets up steps that are skipped anyway.
                if let Err(err) = values.render(&call.body) {
                    note(&format!("emulator setup {} skipped: {err}", call.path));
                    continue;
                }
                if let Err(err) = sender.setup(call, &values).await {
                    // Leave the emulator's quotas as they were.
                    let _ = sender.control(QUOTAS, Some(&quotas(before))).await;
                    return Err(Failure::runtime(one_line(&format!(
                        "emulator setup failed: {err}"
                    ))));
                }
            }
        }
        let mut skipped = Vec::new();
        let mut skip = Vec::new();
        for vendor in [Vendor::RongCloud, Vendor::Tencent] {
            let sent = scenario.steps.iter().any(|s| s.vendor == vendor);
            if let Some(reason) = vendor_skip(&sender, vendor).filter(|_| sent) {
                note(&format!("{} steps skipped: {reason}", vendor.name()));
            }
        }
        let mut by_reason: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for step in &scenario.steps {
            let reason = skip_reason(scenario, step, &sender, &values);
            if let Some(reason) = &reason {
                if vendor_skip(&sender, step.vendor).is_none() {
                    by_reason
                        .entry(reason.clone())
                        .or_default()
                        .push(&step.name);
                }
                skipped.push(Skipped {
                    step: step.name.clone(),
                    reason: reason.clone(),
                });
            }
            skip.push(reason.is_some());
        }
        for (reason, steps) in by_reason {
            let more = match steps.len() {
                1 => String::new(),
                n => format!(" and {} more", n - 1),
            };
            note(&format!(
                "{} skipped ({}{more}): {reason}",
                plural(steps.len(), "step"),
                steps[0]
            ));
        }
        let normaliser = Normaliser::new(&values, scenario.vars.keys().cloned());
        let pace = args.pace.unwrap_or(match target {
            Target::Emulator => Duration::ZERO,
            Target::Service => SERVICE_PACE,
        });
        Ok(Self {
            sender,
            target,
            quotas_before,
            values,
            normaliser,
            pace,
            skipped,
            skip,
        })
    }

    /// Sends every step not skipped, in order, one per `pace`. `Err` when a step's templates
    /// do not render, which stops the run.
    async fn execute(&self, steps: &[Step]) -> Result<Vec<StepRecord>, Failure> {
        let mut records = Vec::new();
        for (step, skip) in steps.iter().zip(&self.skip) {
            if *skip {
                continue;
            }
            if !records.is_empty() && !self.pace.is_zero() {
                tokio::time::sleep(self.pace).await;
            }
            let request = self
                .sender
                .build(step, &self.values)
                .map_err(|err| Failure::refused(one_line(&format!("step {}: {err}", step.name))))?;
            let outcome = match self.sender.send(request).await {
                Ok(answer) => {
                    let body = self.normaliser.body(&answer.body);
                    Outcome::Answered {
                        status: answer.status,
                        code: transcript::vendor_code(step.vendor, &body),
                        body,
                    }
                }
                Err(err) => {
                    let err = transcript::redact(&err, &self.sender.secrets());
                    note(&format!("step {}: no answer: {err}", step.name));
                    Outcome::Failed {
                        error: "no answer".to_owned(),
                    }
                }
            };
            records.push(StepRecord {
                request: step.clone(),
                outcome,
            });
        }
        Ok(records)
    }

    /// Removes what the scenario may have left: every entry of its chat rooms, its Tencent
    /// rooms, the expansions it may have set. Runs whatever the steps did; a failure is
    /// reported after every part was tried.
    async fn cleanup(&self, scenario: &Scenario) -> Result<(), Failure> {
        let mut problems = Vec::new();
        let cleanup = &scenario.cleanup;
        let render = |text: &str| self.values.render_str(text);
        if let Some(client) = self.rongcloud_client()? {
            let attrs = client.room_attributes(UserId::non_validated("roomkv-parity"));
            for room in &cleanup.rongcloud_rooms {
                let room = render(room).map_err(Failure::refused)?;
                if let Err(err) = remove_all(&attrs, &room).await {
                    problems.push(format!("chat room {room}: {err}"));
                }
            }
            for expansion in &cleanup.expansions {
                let Ok(msg) = render(&expansion.msg_uid) else {
                    continue; // No message in this run: nothing was set.
                };
                let keys = self
                    .values
                    .render(&expansion.keys)
                    .map(|keys| flatten(&keys))
                    .map_err(Failure::refused)?;
                let conversation = ConversationType::from_code(i64::from(expansion.conversation))
                    .map_err(|err| Failure::refused(err.to_string()))?;
                let user = render(&expansion.user).map_err(Failure::refused)?;
                let target = render(&expansion.target).map_err(Failure::refused)?;
                let report = client
                    .delete_expansions(
                        &MsgUid::non_validated(msg.clone()),
                        &UserId::non_validated(user),
                        conversation,
                        &TargetId::non_validated(target),
                        keys.into_iter().map(ExpansionKey::non_validated),
                    )
                    .await;
                match report {
                    Ok(report) if report.failure.is_none() => {}
                    Ok(report) => problems.push(format!(
                        "expansions of {msg}: {}",
                        report
                            .failure
                            .map(|f| f.error.to_string())
                            .unwrap_or_default()
                    )),
                    Err(err) => problems.push(format!("expansions of {msg}: {err}")),
                }
            }
        }
        if let Some(client) = self.tencent_client()? {
            for room in &cleanup.tencent_rooms {
                let room = render(room).map_err(Failure::refused)?;
                match client
                    .destroy_room(&roomkv_tencent::RoomId::non_validated(room.clone()))
                    .await
                {
                    Ok(()) => {}
                    Err(err)
                        if err.api_code() == Some(roomkv_tencent::TencentCode::RoomNotFound) => {}
                    Err(err) => problems.push(format!("Tencent room {room}: {err}")),
                }
            }
        }
        if let Some(enabled) = self.quotas_before {
            let state = serde_json::json!({ "enabled": enabled });
            if let Err(err) = self.sender.control(QUOTAS, Some(&state)).await {
                problems.push(format!("emulator quotas not switched back on: {err}"));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Failure::runtime(one_line(&format!(
                "cleanup incomplete, remove by hand: {}",
                transcript::redact(&problems.join("; "), &self.sender.secrets())
            ))))
        }
    }

    /// The typed RongCloud client of the cleanup, if the run has RongCloud credentials.
    fn rongcloud_client(&self) -> Result<Option<roomkv_rongcloud::Client>, Failure> {
        let Some(app) = &self.sender.rongcloud else {
            return Ok(None);
        };
        roomkv_rongcloud::Client::builder()
            .app_key(roomkv_rongcloud::AppKey::new(app.app_key.clone()))
            .app_secret(AppSecret::new(app.app_secret.expose_secret()))
            .base_url(self.sender.base())
            .build()
            .map(Some)
            .map_err(|err| Failure::refused(one_line(&format!("cleanup client: {err}"))))
    }

    /// The typed Tencent client of the cleanup, if the run has Tencent credentials.
    fn tencent_client(&self) -> Result<Option<roomkv_tencent::Client>, Failure> {
        let Some(app) = &self.sender.tencent else {
            return Ok(None);
        };
        roomkv_tencent::Client::builder()
            .sdkappid(app.sdkappid)
            .secret_key(SecretKey::new(app.secret_key.expose_secret()))
            .admin(roomkv_tencent::Identifier::parse(app.admin.as_str())?)
            .base_url(self.sender.base())
            .build()
            .map(Some)
            .map_err(|err| Failure::refused(one_line(&format!("cleanup client: {err}"))))
    }
}

/// Why no step of `vendor` can be sent in this run, if none can.
fn vendor_skip(sender: &Sender, vendor: Vendor) -> Option<String> {
    let has_credentials = match vendor {
        Vendor::RongCloud => sender.rongcloud.is_some(),
        Vendor::Tencent => sender.tencent.is_some(),
    };
    match sender.only {
        Some(only) if only != vendor => Some(format!("--vendor {}", only.name())),
        _ if !has_credentials => Some(format!("no {} credentials", vendor.name())),
        _ => None,
    }
}

/// `1 step`, `2 steps`.
fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Why `step` cannot be sent in this run, if it cannot.
fn skip_reason(
    scenario: &Scenario,
    step: &Step,
    sender: &Sender,
    values: &Values,
) -> Option<String> {
    if let Some(reason) = vendor_skip(sender, step.vendor) {
        return Some(reason);
    }
    let missing: Vec<String> = scenario
        .vars_of(step)
        .into_iter()
        .filter(|name| values.get(name).is_none())
        .map(|name| format!("--var {name}=… ({})", scenario.vars[&name].about))
        .collect();
    (!missing.is_empty()).then(|| format!("needs {}", missing.join(", ")))
}

/// Removes every entry of a chat room, whoever owns it.
async fn remove_all(
    attrs: &roomkv_rongcloud::RoomAttributesView,
    room: &str,
) -> Result<(), roomkv_rongcloud::AttributeError> {
    let keys: Vec<String> = attrs.get_all(room).await?.into_keys().collect();
    if keys.is_empty() {
        return Ok(());
    }
    match attrs.remove_many(room, keys).await?.failure {
        None => Ok(()),
        Some(failure) => Err(failure.error),
    }
}

/// The strings of a rendered key list, nested arrays flattened.
fn flatten(keys: &Value) -> Vec<String> {
    match keys {
        Value::String(key) => vec![key.clone()],
        Value::Array(items) => items.iter().flat_map(flatten).collect(),
        _ => Vec::new(),
    }
}

/// The comparison of a transcript with its replay.
struct Report {
    lines: Vec<String>,
    same: usize,
    differ: usize,
    not_replayed: usize,
}

impl Report {
    /// Compares step by step, by name.
    fn compare(recorded: &[StepRecord], replayed: &[StepRecord], skipped: &[Skipped]) -> Self {
        let mut report = Self {
            lines: Vec::new(),
            same: 0,
            differ: 0,
            not_replayed: 0,
        };
        for record in recorded {
            let name = &record.request.name;
            let Some(again) = replayed.iter().find(|r| &r.request.name == name) else {
                let reason = skipped
                    .iter()
                    .find(|s| &s.step == name)
                    .map_or("not sent", |s| s.reason.as_str());
                report.lines.push(format!("SKIP  {name}: {reason}"));
                report.not_replayed += 1;
                continue;
            };
            let differences = diff::differences(&record.outcome, &again.outcome);
            if differences.is_empty() {
                report.lines.push(format!("same  {name}"));
                report.same += 1;
            } else {
                report.lines.push(format!("DIFF  {name}"));
                report
                    .lines
                    .extend(differences.iter().map(|d| format!("      {d}")));
                report.differ += 1;
            }
        }
        report.lines.push(format!(
            "{} steps: {} same, {} differ, {} not replayed",
            recorded.len(),
            report.same,
            report.differ,
            report.not_replayed
        ));
        report
    }

    /// Writes the report on stdout.
    fn print(&self) {
        let mut out = io::stdout().lock();
        for line in &self.lines {
            if writeln!(out, "{line}").is_err() {
                break;
            }
        }
        let _ = out.flush();
    }
}
