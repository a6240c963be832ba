//! The request-level metrics (feature `metrics`): [`names::REQUESTS`] by outcome and
//! [`names::REQUEST_DURATION`]; transport records the attempts, quota waits, retries and host
//! switches (`roomkv_transport::metrics`).
//!
//! Every handle is resolved once per client: the first request of an operation (with an
//! outcome) looks it up in the installed recorder, the following ones only increment it. See
//! [`ClientMeters`] for why the recorder must be installed before the client is built.

use std::sync::OnceLock;

use metrics::{Counter, Histogram};
use roomkv_core::{Operation, QuotaCost};
use roomkv_transport::HostSet;
use roomkv_transport::metrics::{
    AttemptMeters, ClientMeters, HandleTable, Kept, RequestClock, RequestMeter, names,
};

use crate::{Error, Vendor};

/// How many operations a client keeps handles for (more than any vendor has; an operation
/// beyond it is resolved at every request).
const OPERATION_SLOTS: usize = 64;
/// How many failed outcomes an operation keeps a request counter for: every value of
/// [`Error::outcome`], with room to spare.
const OUTCOME_SLOTS: usize = 16;

/// One client's metric handles.
#[derive(Debug)]
pub(crate) struct EngineMeters {
    client: ClientMeters,
    operations: HandleTable<OperationMeters>,
}

/// The handles of one operation of a client.
#[derive(Debug)]
pub(crate) struct OperationMeters {
    operation: &'static str,
    /// [`names::REQUESTS`] of the successful requests, looked up without a key.
    ok: OnceLock<Counter>,
    /// [`names::REQUESTS`], by the outcome of the failed ones.
    failed: HandleTable<Counter>,
    duration: OnceLock<Histogram>,
    attempts: AttemptMeters,
}

impl EngineMeters {
    /// The handles of a `V` client sending to `hosts`, none resolved yet.
    pub(crate) fn new<V: Vendor>(hosts: &HostSet) -> Self {
        Self {
            client: ClientMeters::new(V::LABEL, hosts),
            operations: HandleTable::new(OPERATION_SLOTS),
        }
    }

    /// The handles of operation `O`.
    pub(crate) fn operation<O: Operation>(&self) -> Kept<'_, OperationMeters> {
        self.operations.get(O::NAME, || OperationMeters {
            operation: O::NAME,
            ok: OnceLock::new(),
            failed: HandleTable::new(OUTCOME_SLOTS),
            duration: OnceLock::new(),
            attempts: self.client.attempts(O::NAME),
        })
    }

    /// What the pipeline records a request of `operation` with, its readings kept in `clock`.
    pub(crate) fn request<'a>(
        &'a self,
        operation: &'a OperationMeters,
        families: &'a Families,
        clock: &'a RequestClock,
    ) -> RequestMeter<'a> {
        RequestMeter::new(
            &self.client,
            &operation.attempts,
            &families.names[..families.len],
            clock,
        )
    }

    /// Records a request of `operation` that ended with `result`, its readings in `clock`.
    pub(crate) fn done<T, V: Vendor>(
        &self,
        operation: &OperationMeters,
        result: &Result<T, Error<V>>,
        clock: &RequestClock,
    ) {
        let vendor = self.client.vendor();
        let counter = |outcome| {
            metrics::counter!(
                names::REQUESTS,
                "vendor" => vendor,
                "operation" => operation.operation,
                "outcome" => outcome,
            )
        };
        match result {
            Ok(_) => operation.ok.get_or_init(|| counter("ok")).increment(1),
            Err(err) => {
                let outcome = err.outcome();
                operation
                    .failed
                    .get(outcome, || counter(outcome))
                    .increment(1);
            }
        }
        operation
            .duration
            .get_or_init(|| {
                metrics::histogram!(names::REQUEST_DURATION, "vendor" => vendor, "operation" => operation.operation)
            })
            .record(clock.request_seconds());
    }
}

/// The quota family names of a request's charges, in the order of its admission's charges.
pub(crate) struct Families {
    names: [&'static str; 2],
    len: usize,
}

impl Families {
    pub(crate) fn of(cost: QuotaCost) -> Self {
        let mut families = Self {
            names: [""; 2],
            len: 0,
        };
        for (slot, (family, _)) in families.names.iter_mut().zip(cost.charges()) {
            *slot = family.name();
            families.len += 1;
        }
        families
    }
}
