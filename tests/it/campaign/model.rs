//! What the campaign may observe: per key, the states that the acknowledged and
//! outcome-unknown writes allow; per notifying write, how many notifications it may have caused.
//!
//! Every write carries a unique marker (the value it sets, the `extra` of its notification, the
//! operator of an expansion change), so whatever the emulator reports names the one write that
//! caused it.
//!
//! A key's state is the effect of the last write applied to it. That is the last acknowledged
//! write, unless a write whose outcome is unknown was applied after it: one that came later, or
//! a *straggler*, an attempt that timed out and that the server may still apply at any later
//! moment (the delay fault). A reset or a gateway answer ends the server's part before the
//! client learns of it, so those writes land before the task's next operation or not at all.

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
    /// Effects of writes with a timed-out attempt, and whether the write was acknowledged.
    stragglers: Vec<(Val, bool)>,
}

impl Cell {
    pub(crate) fn allows(&self, v: &Val) -> bool {
        self.acked == *v || self.since_ack.contains(v) || self.late(v).is_some()
    }

    /// Whether `v` can only be a straggler's effect landing late, and if so whether that write
    /// was acknowledged (a repeat that succeeded while its first attempt was still on its way).
    fn late(&self, v: &Val) -> Option<bool> {
        if self.acked == *v || self.since_ack.contains(v) {
            return None;
        }
        self.stragglers
            .iter()
            .find(|(effect, _)| effect == v)
            .map(|(_, acked)| *acked)
    }

    fn allowed(&self) -> Vec<Val> {
        let mut all = vec![self.acked.clone()];
        all.extend(self.since_ack.iter().cloned());
        all.extend(self.stragglers.iter().map(|(effect, _)| effect.clone()));
        all
    }

    fn apply(&mut self, effect: Val, fate: Fate, straggler: bool) {
        if straggler && fate != Fate::NotApplied {
            self.stragglers.push((effect.clone(), fate == Fate::Acked));
        }
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
    /// Observations explained only by a late-landing write: (unknown, acknowledged) ones.
    pub(crate) late: (u64, u64),
}

impl Model {
    /// Records a write of `effects` (cell, new state) that ended with `fate`.
    pub(crate) fn write(&mut self, effects: &[(String, Val)], fate: Fate, straggler: bool) {
        for (cell, effect) in effects {
            self.cells
                .entry(cell.clone())
                .or_default()
                .apply(effect.clone(), fate, straggler);
        }
    }

    /// Checks that `cell` may be in state `seen` now (a read, a refusal that says "absent", the
    /// final state).
    pub(crate) fn observe(&mut self, what: &str, cell: &str, seen: &Val) {
        let state = self.cells.entry(cell.to_owned()).or_default();
        match state.late(seen) {
            Some(true) => self.late.1 += 1,
            Some(false) => self.late.0 += 1,
            None => {}
        }
        if !state.allows(seen) {
            let allowed = state.allowed();
            self.violations.push(format!(
                "{what}: {cell} is {seen:?}, but only {allowed:?} are explained by the writes"
            ));
        }
    }
}
