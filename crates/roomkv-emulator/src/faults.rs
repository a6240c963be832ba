//! Fault injection: rules that make matching requests slow, fail with a gateway status, lose
//! their connection before or after being processed, land late, or fail with a forced vendor
//! code.
//!
//! Rules are set with the Rust API ([`crate::Emulator::add_fault`]) or `POST /_emulator/faults`,
//! and apply in the order they were added:
//!
//! ```json
//! {"path": "/chatroom/entry/*", "times": 2, "effect": {"kind": "status", "status": 502}}
//! {"path": "/v4/live_engine_http_srv/set_room_metadata", "probability": 0.1,
//!  "effect": {"kind": "vendor_error", "code": 100001}}
//! ```
//!
//! - `path`: an exact path, or a prefix ending with `*`. Rules match `/_emulator/…` paths only when
//!   their pattern itself starts with `/_emulator/`, and never `/_emulator/faults` or
//!   `/_emulator/reset`, so a broad rule cannot lock the controller out.
//! - `times`: fire for the next N matching requests, then the rule is removed.
//! - `probability`: fire for each matching request with this probability, drawn from a generator
//!   seeded by [`crate::EmulatorConfig::fault_seed`] (deterministic for a given request order).
//! - neither: fire for every matching request until the rules are cleared.
//!
//! Delays add up and let later rules fire too; the first other effect that fires ends the list.
//!
//! A *late landing* (`{"kind": "land_late", "ms": 3000}`) is the request that a gateway or a
//! queue holds while the client gives up: the emulator reads the whole request, answers
//! nothing, processes it `ms` later whatever became of the connection (a client that timed out
//! and closed it, a reset, a server shutdown), and only then closes the connection without a
//! reply. Writes the client made in between are overwritten by it, as they would be by the
//! vendor. [`crate::Emulator::reset`] does not cancel a landing that is on its way.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::rng::SplitMix64;
use crate::shards::lock;

/// One fault rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// An exact path, or a prefix ending with `*`.
    pub path: String,
    /// Fire for the next N matching requests only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
    /// Fire with this probability (0 to 1) per matching request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// What happens.
    pub effect: FaultEffect,
}

impl FaultRule {
    /// A rule firing on every request matching `path`.
    pub fn new(path: impl Into<String>, effect: FaultEffect) -> Self {
        Self {
            path: path.into(),
            times: None,
            probability: None,
            effect,
        }
    }

    /// The same rule, firing for the next `n` matching requests only.
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }

    /// The same rule, firing with probability `p` per matching request.
    pub fn probability(mut self, p: f64) -> Self {
        self.probability = Some(p);
        self
    }

    fn check(&self) -> Result<(), FaultRuleError> {
        if !self.path.starts_with('/') {
            return Err(FaultRuleError(format!(
                "path {:?} must start with /",
                self.path
            )));
        }
        if let Some(p) = self.probability
            && !(0.0..=1.0).contains(&p)
        {
            return Err(FaultRuleError(format!(
                "probability {p} must be between 0 and 1"
            )));
        }
        match &self.effect {
            FaultEffect::Status { status } if !(400..=599).contains(status) => Err(FaultRuleError(
                format!("status {status} must be between 400 and 599"),
            )),
            FaultEffect::VendorError {
                http_status: Some(status),
                ..
            } if !(200..=599).contains(status) => Err(FaultRuleError(format!(
                "http_status {status} must be between 200 and 599"
            ))),
            _ => Ok(()),
        }
    }

    fn matches(&self, path: &str) -> bool {
        if path == "/_emulator/faults" || path == "/_emulator/reset" {
            return false;
        }
        if path.starts_with("/_emulator/") && !self.path.starts_with("/_emulator/") {
            return false;
        }
        match self.path.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => path == self.path,
        }
    }
}

/// What a fault does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum FaultEffect {
    /// Wait this long before processing (`tokio::time::sleep`, so paused test time applies).
    Delay {
        /// Milliseconds.
        ms: u64,
    },
    /// Answer this HTTP status with an HTML gateway page, without processing the request.
    Status {
        /// 400 to 599, typically 502, 503 or 504.
        status: u16,
    },
    /// Close the connection without processing the request or answering.
    CloseBeforeProcessing,
    /// Process the request, then close the connection without answering: the write happens and
    /// the client cannot know.
    CloseAfterProcessing,
    /// Hold the request and answer nothing; process it this long after it arrived, whatever
    /// became of its connection, then close the connection (a late landing).
    LandLate {
        /// Milliseconds.
        ms: u64,
    },
    /// Answer with this vendor code, without processing the request.
    VendorError {
        /// The vendor code.
        code: i64,
        /// The message (default: the code's documented meaning).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
        /// The HTTP status (default: 200; 429 for RongCloud 1008; 401 for RongCloud 1004).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        http_status: Option<u16>,
    },
}

/// An invalid rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid fault rule: {0}")]
pub struct FaultRuleError(String);

/// What the faults decided for one request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FaultPlan {
    /// Wait this long first.
    pub delay: Duration,
    /// Then do this instead of (or, for close-after, in addition to) the normal processing.
    pub action: Option<FaultAction>,
}

/// The non-delay effect of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultAction {
    /// Answer an HTML gateway page with this status.
    Status(u16),
    /// Close without processing.
    CloseBeforeProcessing,
    /// Process, then close without answering.
    CloseAfterProcessing,
    /// Answer nothing, process after this long whatever becomes of the connection, then close.
    LandLate(Duration),
    /// Answer this vendor code.
    VendorError {
        /// The code.
        code: i64,
        /// The message.
        message: Option<String>,
        /// The HTTP status.
        http_status: Option<u16>,
    },
}

#[derive(Debug)]
struct Rules {
    rules: Vec<FaultRule>,
    rng: SplitMix64,
}

/// The active rules. Lock-free for requests while no rule is set.
#[derive(Debug)]
pub(crate) struct FaultInjector {
    armed: AtomicBool,
    seed: u64,
    rules: Mutex<Rules>,
}

impl FaultInjector {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            armed: AtomicBool::new(false),
            seed,
            rules: Mutex::new(Rules {
                rules: Vec::new(),
                rng: SplitMix64::new(seed),
            }),
        }
    }

    pub(crate) fn add(&self, rule: FaultRule) -> Result<(), FaultRuleError> {
        rule.check()?;
        let mut rules = lock(&self.rules);
        rules.rules.push(rule);
        self.armed.store(true, Ordering::Release);
        Ok(())
    }

    pub(crate) fn list(&self) -> Vec<FaultRule> {
        lock(&self.rules).rules.clone()
    }

    /// Removes every rule and reseeds the generator.
    pub(crate) fn clear(&self) {
        let mut rules = lock(&self.rules);
        rules.rules.clear();
        rules.rng = SplitMix64::new(self.seed);
        self.armed.store(false, Ordering::Release);
    }

    /// Decides the faults of one request to `path`, consuming `times` budgets.
    pub(crate) fn plan(&self, path: &str) -> FaultPlan {
        let mut plan = FaultPlan::default();
        if !self.armed.load(Ordering::Acquire) {
            return plan;
        }
        let mut guard = lock(&self.rules);
        let Rules { rules, rng } = &mut *guard;
        let mut index = 0;
        while index < rules.len() {
            let rule = &mut rules[index];
            let fires = rule.matches(path) && rule.probability.is_none_or(|p| rng.next_f64() < p);
            if !fires {
                index += 1;
                continue;
            }
            let effect = rule.effect.clone();
            if let Some(n) = rule.times.as_mut() {
                *n = n.saturating_sub(1);
            }
            if rule.times == Some(0) {
                rules.remove(index);
            } else {
                index += 1;
            }
            let action = match effect {
                FaultEffect::Delay { ms } => {
                    plan.delay += Duration::from_millis(ms);
                    continue;
                }
                FaultEffect::Status { status } => FaultAction::Status(status),
                FaultEffect::CloseBeforeProcessing => FaultAction::CloseBeforeProcessing,
                FaultEffect::CloseAfterProcessing => FaultAction::CloseAfterProcessing,
                FaultEffect::LandLate { ms } => FaultAction::LandLate(Duration::from_millis(ms)),
                FaultEffect::VendorError {
                    code,
                    message,
                    http_status,
                } => FaultAction::VendorError {
                    code,
                    message,
                    http_status,
                },
            };
            plan.action = Some(action);
            break;
        }
        self.armed.store(!rules.is_empty(), Ordering::Release);
        plan
    }
}

/// The HTML page a gateway answers with.
pub(crate) fn gateway_page(status: u16) -> String {
    let reason = http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error");
    format!(
        "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(s: u16) -> FaultEffect {
        FaultEffect::Status { status: s }
    }

    #[test]
    fn times_rules_fire_n_times_then_vanish() {
        let faults = FaultInjector::new(0);
        faults
            .add(FaultRule::new("/chatroom/entry/*", status(502)).times(2))
            .unwrap();
        assert_eq!(
            faults.plan("/message/expansion/set.json"),
            FaultPlan::default()
        );
        for _ in 0..2 {
            assert_eq!(
                faults.plan("/chatroom/entry/set.json").action,
                Some(FaultAction::Status(502))
            );
        }
        assert_eq!(faults.plan("/chatroom/entry/set.json").action, None);
        assert!(faults.list().is_empty());
    }

    #[test]
    fn delays_add_up_and_control_paths_are_protected() {
        let faults = FaultInjector::new(0);
        faults
            .add(FaultRule::new("/*", FaultEffect::Delay { ms: 5 }))
            .unwrap();
        faults
            .add(FaultRule::new("/x", FaultEffect::Delay { ms: 7 }))
            .unwrap();
        faults
            .add(FaultRule::new("/x", FaultEffect::CloseBeforeProcessing))
            .unwrap();
        let plan = faults.plan("/x");
        assert_eq!(plan.delay, Duration::from_millis(12));
        assert_eq!(plan.action, Some(FaultAction::CloseBeforeProcessing));
        assert_eq!(faults.plan("/_emulator/events"), FaultPlan::default());
        faults
            .add(FaultRule::new("/_emulator/*", status(503)))
            .unwrap();
        assert_eq!(
            faults.plan("/_emulator/events").action,
            Some(FaultAction::Status(503))
        );
        assert_eq!(faults.plan("/_emulator/faults").action, None);
    }

    #[test]
    fn probabilistic_rules_are_deterministic_per_seed() {
        let run = |seed| {
            let faults = FaultInjector::new(seed);
            faults
                .add(FaultRule::new("/p", status(503)).probability(0.3))
                .unwrap();
            (0..200)
                .map(|_| faults.plan("/p").action.is_some())
                .collect::<Vec<_>>()
        };
        let a = run(42);
        assert_eq!(a, run(42));
        let fired = a.iter().filter(|f| **f).count();
        assert!((30..=90).contains(&fired), "fired {fired} of 200");
        assert_ne!(a, run(43));
    }

    #[test]
    fn invalid_rules_are_refused() {
        let faults = FaultInjector::new(0);
        assert!(faults.add(FaultRule::new("x", status(502))).is_err());
        assert!(faults.add(FaultRule::new("/x", status(200))).is_err());
        assert!(
            faults
                .add(FaultRule::new("/x", status(502)).probability(1.5))
                .is_err()
        );
        let rule: FaultRule = serde_json::from_str(
            r#"{"path":"/a*","times":1,"effect":{"kind":"vendor_error","code":100001}}"#,
        )
        .unwrap();
        assert!(faults.add(rule).is_ok());
        let rule: FaultRule =
            serde_json::from_str(r#"{"path":"/b","effect":{"kind":"land_late","ms":2500}}"#)
                .unwrap();
        assert!(faults.add(rule).is_ok());
        assert_eq!(
            faults.plan("/b").action,
            Some(FaultAction::LandLate(Duration::from_millis(2500)))
        );
    }
}
