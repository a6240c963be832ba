//! What the campaign may observe: per key, the states that the acknowledged and
//! outcome-unknown writes allow; per notifying write, how many notifications it may have caused.
//!
//! Every write carries a unique marker (the value it sets, the `extra` of its notification, the
//! operator of an expansion change), so whatever the emulator reports names the one write that
//! caused it.
//!
//! A key's state is the effect of the last write applied to it: the last acknowledged write,
//! or a write whose outcome is unknown and that came after it. Nothing older: an acknowledged
//! write is never overwritten by an older value. That holds because the SDK never acknowledges
//! a write with an attempt that may still land (checked for every write), and because each
//! task, like a careful application, does not write a key again while a write of it whose
//! outcome is unknown may still land late (it waits until the server is done with the
//! timed-out attempt: see `harness::landed`).

use std::collections::HashMap;

/// A key's state: its value, or `None` when absent.
pub(crate) type Val = Option<String>;

/// How a write ended, as the caller learned it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fate {
    /// Acknowledged: applied exactly once.
    Acked,
    /// Failed with `is_outcome_unknown()`: applied once or not at all.
    Unknown,
    /// Failed without `is_outcome_unknown()`: the SDK says it was not applied.
    NotApplied,
}

/// One key.
#[derive(Debug, Default)]
pub(crate) struct Cell {
    acked: Val,
    since_ack: Vec<Val>,
}

impl Cell {
    pub(crate) fn allows(&self, v: &Val) -> bool {
        self.acked == *v || self.since_ack.contains(v)
    }

    fn allowed(&self) -> Vec<Val> {
        let mut all = vec![self.acked.clone()];
        all.extend(self.since_ack.iter().cloned());
        all
    }

    fn apply(&mut self, effect: Val, fate: Fate) {
        match fate {
            Fate::Acked => {
                self.acked = effect;
                self.since_ack.clear();
            }
            Fate::Unknown => self.since_ack.push(effect),
            Fate::NotApplied => {}
        }
    }
}

/// One task's keys, its notifying writes, and what went wrong.
#[derive(Debug, Default)]
pub(crate) struct Model {
    cells: HashMap<String, Cell>,
    /// Marker → fate of every notifying write.
    pub(crate) notifying: HashMap<String, Fate>,
    /// Markers of writes the SDK reported as not applied.
    pub(crate) not_applied: Vec<String>,
    pub(crate) violations: Vec<String>,
    /// Writes that waited for a late landing of an earlier outcome-unknown write.
    pub(crate) landings_awaited: u64,
}

impl Model {
    /// Records a write of `effects` (cell, new state) that ended with `fate`.
    pub(crate) fn write(&mut self, effects: &[(String, Val)], fate: Fate) {
        for (cell, effect) in effects {
            self.cells
                .entry(cell.clone())
                .or_default()
                .apply(effect.clone(), fate);
        }
    }

    /// Checks that `cell` may be in state `seen` now (a read, a refusal that says "absent", the
    /// final state).
    pub(crate) fn observe(&mut self, what: &str, cell: &str, seen: &Val) {
        let state = self.cells.entry(cell.to_owned()).or_default();
        if !state.allows(seen) {
            let allowed = state.allowed();
            self.violations.push(format!(
                "{what}: {cell} is {seen:?}, but only {allowed:?} are explained by the writes \
                 (an acknowledged write lost or overwritten by an older value)"
            ));
        }
    }
}
