//! The request-level metrics (feature `metrics`): [`names::REQUESTS`] by outcome and
//! [`names::REQUEST_DURATION`]; transport records the attempts, quota waits, retries and host
//! switches (`roomkv_transport::metrics`).

use roomkv_core::{Operation, QuotaCost};
use roomkv_transport::metrics::{RequestMeter, Stopwatch, names};

use crate::{Error, Vendor};

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

    /// The labels of `O`'s attempts.
    pub(crate) fn meter<V: Vendor, O: Operation>(&self) -> RequestMeter<'_> {
        RequestMeter::new(V::LABEL, O::NAME, &self.names[..self.len])
    }
}

/// Records a request of `O` that ended with `result`, started at `stopwatch`.
pub(crate) fn request_done<T, V: Vendor, O: Operation>(
    result: &Result<T, Error<V>>,
    stopwatch: Stopwatch,
) {
    metrics::counter!(
        names::REQUESTS,
        "vendor" => V::LABEL,
        "operation" => O::NAME,
        "outcome" => result.as_ref().err().map_or("ok", Error::outcome),
    )
    .increment(1);
    metrics::histogram!(names::REQUEST_DURATION, "vendor" => V::LABEL, "operation" => O::NAME)
        .record(stopwatch.seconds());
}
