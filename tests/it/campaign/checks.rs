//! What the campaign checks after the run: the final state and the notifications against the
//! tasks' models, and the fault-free epilogue that crosses the failover cool-down exactly.

use std::collections::HashMap;
use std::time::Duration;

use roomkv_emulator::Emulator;
use roomkv_emulator::events::EventKind;
use roomkv_rongcloud::{QueryEntries, QueryExpansion};
use roomkv_tencent::GetRoomMetadata;

use super::harness::{End, Hosts, SteppedClock, recorded};
use super::model::{Fate, Model};
use super::{COOL_DOWN, Clients, EXP_KEYS, RC_KEYS, TC_KEYS, backup_port};
use crate::support::*;

// ------------------------------------------------------------------------------ after the run

/// The final state, read from the emulator, against every task's model.
pub(super) fn check_final_state(emulator: &Emulator, models: &mut [Model]) {
    let state = emulator.state();
    for (i, model) in models.iter_mut().enumerate() {
        let entries = state
            .entry_query(APP_KEY, &QueryEntries::new(room(&format!("c{i}"))))
            .expect("the KV service is on");
        let seen: HashMap<_, _> = entries
            .into_iter()
            .map(|e| (e.key.as_str().to_owned(), e.value.as_str().to_owned()))
            .collect();
        final_cells(model, i, "entry/", "k", RC_KEYS, &seen);

        let page = state
            .expansion_query(APP_KEY, &QueryExpansion::new(msg(&format!("M{i}"))).page(1))
            .map(|page| page.entries)
            .unwrap_or_default();
        let seen: HashMap<_, _> = page
            .into_iter()
            .map(|e| (e.key.as_str().to_owned(), e.value.as_str().to_owned()))
            .collect();
        final_cells(model, i, "expansion/", "e", EXP_KEYS, &seen);

        let items = state
            .metadata_get(SDKAPPID, &GetRoomMetadata::all(live(&format!("l{i}"))))
            .expect("the Tencent room exists");
        let seen: HashMap<_, _> = items
            .into_iter()
            .map(|m| (m.key.as_str().to_owned(), m.value.as_str().to_owned()))
            .collect();
        final_cells(model, i, "metadata/", "m", TC_KEYS, &seen);
    }
}

fn final_cells(
    model: &mut Model,
    task: usize,
    prefix: &str,
    name: &str,
    keys: usize,
    seen: &HashMap<String, String>,
) {
    for k in 0..keys {
        let key = format!("{name}{k}");
        model.observe(
            &format!("task {task} final state"),
            &format!("{prefix}{key}"),
            &seen.get(&key).cloned(),
        );
    }
    if seen.len()
        > (0..keys)
            .filter(|k| seen.contains_key(&format!("{name}{k}")))
            .count()
    {
        model.violations.push(format!(
            "task {task} final state: {prefix} keys nobody wrote: {:?}",
            seen.keys().collect::<Vec<_>>()
        ));
    }
}

/// Notifications (entry notifications by their `extra`, expansion changes by their operator)
/// against the fates of the notifying writes.
pub(super) fn check_notifications(
    emulator: &Emulator,
    models: &mut [Model],
    problems: &mut Vec<String>,
) {
    let page = emulator.state().events_since(0);
    if page.dropped > 0 {
        problems.push(format!("the event log dropped {} events", page.dropped));
    }
    let mut counts: HashMap<String, u64> = HashMap::new();
    for event in page.events {
        let marker = match event.kind {
            EventKind::RongCloudNotification { body, .. } => extra_of(&body.content),
            EventKind::RongCloudExpansion { body, .. } => Some(body.user_id),
            _ => continue,
        };
        match marker {
            Some(marker) => *counts.entry(marker).or_default() += 1,
            None => problems.push("a notification without a marker".to_owned()),
        }
    }
    let mut fates: HashMap<&str, Fate> = HashMap::new();
    for model in models.iter() {
        fates.extend(model.notifying.iter().map(|(m, f)| (m.as_str(), *f)));
    }
    for (marker, n) in &counts {
        match fates.get(marker.as_str()) {
            None => problems.push(format!(
                "{n} notification(s) of {marker}, which notified nothing"
            )),
            Some(Fate::Acked) if *n != 1 => {
                problems.push(format!("acknowledged {marker} notified {n} times"));
            }
            Some(Fate::Unknown) if *n > 1 => {
                problems.push(format!("outcome-unknown {marker} notified {n} times"));
            }
            Some(Fate::NotApplied) => {
                problems.push(format!(
                    "{marker}, reported as not applied, notified {n} times"
                ));
            }
            _ => {}
        }
    }
    for (marker, fate) in &fates {
        if *fate == Fate::Acked && !counts.contains_key(*marker) {
            problems.push(format!("acknowledged {marker} notified nobody"));
        }
    }
}

/// The `extra` of an `RC:chrmKVNotiMsg` content: `…,"extra":"MARKER"}`.
fn extra_of(content: &str) -> Option<String> {
    let rest = content.split_once(r#""extra":""#)?.1;
    Some(rest.split_once('"')?.0.to_owned())
}

// ------------------------------------------------------------------------------ the epilogue

/// Without faults and on a frozen clock: the primary goes down, every client moves to the
/// backup and stays there after the primary is back, until the cool-down has passed, to the
/// millisecond; then it returns to the primary, which serves it.
pub(super) async fn epilogue(
    hosts: &Hosts,
    clients: &Clients,
    clock: &SteppedClock,
) -> Vec<String> {
    let mut problems = Vec::new();
    let (primary, backup) = (hosts.primary_addr.port(), backup_port(hosts));
    let port = |uri: http::Uri| uri.port_u16().unwrap_or(0);
    clock.freeze();
    // Every client back on the primary, whatever the run left it on.
    clock.advance(COOL_DOWN);
    let held = hosts.take_primary_down().await;
    let reads = |clients: Clients| async move {
        let mut ports = Vec::new();
        for rc in &clients.rc {
            let (result, attempts) = recorded(rc.query_all_entries(&room("c0"))).await;
            ports.push((result.is_ok(), attempts, port(rc.active_host())));
        }
        for tc in &clients.tc {
            let (result, attempts) = recorded(tc.get_all_room_metadata(&live("l0"))).await;
            ports.push((result.is_ok(), attempts, port(tc.active_host())));
        }
        ports
    };
    for (n, (ok, attempts, active)) in reads(clients.clone()).await.into_iter().enumerate() {
        // The first attempt meets the closed primary: refused, or, on a pooled connection the
        // shutdown closed an instant before, reset; the answer comes from the backup.
        let tried_primary = attempts
            .first()
            .is_some_and(|a| a.port == primary && !matches!(a.end, End::Answered(_)));
        let last = attempts.last().map(|a| (a.port, a.end));
        if !ok || active != backup || !tried_primary || last != Some((backup, End::Answered(200))) {
            problems.push(format!(
                "epilogue client {n}: with the primary down, expected a failure there then the \
                 backup, got ok={ok}, attempts {attempts:?}, active port {active}"
            ));
        }
    }
    hosts.bring_primary_back(held);
    clock.advance(COOL_DOWN - Duration::from_millis(1));
    for (n, (ok, attempts, active)) in reads(clients.clone()).await.into_iter().enumerate() {
        if !ok || active != backup || attempts.iter().any(|a| a.port != backup) {
            problems.push(format!(
                "epilogue client {n}: before the cool-down passed, expected the backup, got \
                 ok={ok}, attempts {attempts:?}, active port {active}"
            ));
        }
    }
    clock.advance(Duration::from_millis(1));
    for (n, (ok, attempts, active)) in reads(clients.clone()).await.into_iter().enumerate() {
        let ends: Vec<_> = attempts.iter().map(|a| (a.port, a.end)).collect();
        if !ok || active != primary || ends != [(primary, End::Answered(200))] {
            problems.push(format!(
                "epilogue client {n}: after the cool-down, expected the primary, got ok={ok}, \
                 attempts {attempts:?}, active port {active}"
            ));
        }
    }
    problems
}
