//! Section 5, the flat-memory figure: the emulator's resident memory sampled every second over
//! [`SAMPLED`] of sustained writes, once its logs are full.
//!
//! The emulator runs with an event log of [`EVENT_LOG`] events and a journal of [`JOURNAL`]
//! requests; [`WRITERS`] clients overwrite one key each in a room of their own, so the stored
//! state does not grow and every request adds one event and one journal entry. Sampling starts
//! once more requests have succeeded than both logs hold (each has dropped its oldest entries
//! since), so a leak, or a log or cache that grows without bound, shows as a spread between the
//! smallest and the largest sample.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use roomkv_rongcloud::{ChatroomId, EntryKey, EntryValue, UserId};
use serde::Serialize;

use crate::process::Server;

/// The emulator's event log bound (`--event-log-size`).
pub(crate) const EVENT_LOG: usize = 10_000;
/// The emulator's journal bound (`--journal-size`, the default).
pub(crate) const JOURNAL: usize = 1_000;
/// How long memory is sampled.
pub(crate) const SAMPLED: Duration = Duration::from_secs(60);
/// How often.
const EVERY: Duration = Duration::from_secs(1);
/// The longest wait for the logs to fill before sampling.
const FILL_TIMEOUT: Duration = Duration::from_secs(60);
/// Concurrent writers.
const WRITERS: usize = 16;

/// What section 5's flat-memory run measured.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FlatMemory {
    /// The event log bound of the emulator.
    pub(crate) event_log: usize,
    /// The journal bound of the emulator.
    pub(crate) journal: usize,
    /// Writes that succeeded before the first sample (more than both logs hold).
    pub(crate) writes_before: u64,
    /// Writes that succeeded while sampling.
    pub(crate) writes_sampled: u64,
    /// Seconds sampled.
    pub(crate) seconds: f64,
    /// Resident memory, in bytes, once per second.
    pub(crate) samples: Vec<u64>,
}

impl FlatMemory {
    /// The smallest sample.
    pub(crate) fn min(&self) -> u64 {
        self.samples.iter().copied().min().unwrap_or(0)
    }

    /// The largest sample.
    pub(crate) fn max(&self) -> u64 {
        self.samples.iter().copied().max().unwrap_or(0)
    }

    /// `(max − min) / min`: how far memory moved while sampling.
    pub(crate) fn spread(&self) -> f64 {
        (self.max() - self.min()) as f64 / self.min().max(1) as f64
    }
}

/// Runs the measurement against a fresh `roomkv emulator`.
pub(crate) async fn measure(roomkv: &std::path::Path) -> Result<FlatMemory, String> {
    let (event_log, journal) = (EVENT_LOG.to_string(), JOURNAL.to_string());
    let emulator = Server::emulator(
        roomkv,
        &[
            "--no-rate-limit",
            "--event-log-size",
            &event_log,
            "--journal-size",
            &journal,
        ],
    )?;
    let client = crate::scenarios::load_client(&emulator.base_url())?;
    let writes = Arc::new(AtomicU64::new(0));
    let failures = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..WRITERS)
        .map(|worker| {
            let (client, writes, failures, stop) = (
                client.clone(),
                Arc::clone(&writes),
                Arc::clone(&failures),
                Arc::clone(&stop),
            );
            tokio::spawn(async move {
                let room = ChatroomId::parse(format!("flat-{worker}")).expect("a valid room id");
                let user = UserId::parse("bench").expect("a valid user id");
                let key = EntryKey::parse("stage").expect("a valid key");
                let value = EntryValue::parse("quiz round 3").expect("a valid value");
                while !stop.load(Ordering::Relaxed) {
                    let counter = match client
                        .set_entry(&room, &user, key.clone(), value.clone())
                        .await
                    {
                        Ok(()) => &writes,
                        Err(_) => &failures,
                    };
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    let result = sample(&emulator, &writes, &failures).await;
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.map_err(|err| format!("writer task: {err}"))?;
    }
    result
}

/// Waits for the logs to fill, then samples the emulator's memory.
async fn sample(
    emulator: &Server,
    writes: &AtomicU64,
    failures: &AtomicU64,
) -> Result<FlatMemory, String> {
    let filled = (EVENT_LOG + JOURNAL) as u64;
    let started = Instant::now();
    while writes.load(Ordering::Relaxed) <= filled {
        if started.elapsed() > FILL_TIMEOUT {
            return Err(format!(
                "flat memory: {} writes in {} s did not fill the logs ({filled})",
                writes.load(Ordering::Relaxed),
                FILL_TIMEOUT.as_secs()
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let writes_before = writes.load(Ordering::Relaxed);
    let first = Instant::now();
    let mut samples = vec![emulator.rss_bytes()?];
    let mut next = first + EVERY;
    while next <= first + SAMPLED {
        tokio::time::sleep_until(next.into()).await;
        samples.push(emulator.rss_bytes()?);
        next += EVERY;
    }
    let failed = failures.load(Ordering::Relaxed);
    if failed > 0 {
        return Err(format!("flat memory: {failed} writes failed"));
    }
    Ok(FlatMemory {
        event_log: EVENT_LOG,
        journal: JOURNAL,
        writes_before,
        writes_sampled: writes.load(Ordering::Relaxed) - writes_before,
        seconds: first.elapsed().as_secs_f64(),
        samples,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spread_is_relative_to_the_smallest_sample() {
        let flat = FlatMemory {
            event_log: EVENT_LOG,
            journal: JOURNAL,
            writes_before: 20_000,
            writes_sampled: 600_000,
            seconds: 60.0,
            samples: vec![110, 100, 105],
        };
        assert_eq!((flat.min(), flat.max()), (100, 110));
        assert!((flat.spread() - 0.1).abs() < 1e-12);
    }
}
