//! Tests of the metering types: handle tables and clients, and the empty types without the
//! feature.

use super::*;

/// The handles are resolved once per client, in the recorder current at that moment.
#[cfg(all(test, feature = "metrics"))]
mod kept {
    use std::sync::atomic::AtomicUsize;

    use metrics_util::debugging::{DebugValue, DebuggingRecorder};

    use super::*;

    #[test]
    fn a_table_makes_each_key_once_until_it_is_full() {
        let made = AtomicUsize::new(0);
        let make = || made.fetch_add(1, Ordering::Relaxed);
        let table = HandleTable::new(2);
        assert!(matches!(table.get("set_entry", make), Kept::Cached(&0)));
        // The same name at another address is the same key.
        let copy: &'static str = String::from("set_entry").leak();
        assert!(matches!(table.get(copy, make), Kept::Cached(&0)));
        assert!(matches!(table.get("query", make), Kept::Cached(&1)));
        assert_eq!(made.load(Ordering::Relaxed), 2);
        // Full: a third key is made at every use, the kept ones stay.
        assert!(matches!(table.get("remove", make), Kept::Fresh(ref v) if **v == 2));
        assert!(matches!(table.get("remove", make), Kept::Fresh(ref v) if **v == 3));
        assert!(matches!(table.get("query", make), Kept::Cached(&1)));
        let shown = format!("{table:?}");
        assert!(
            shown.contains("set_entry") && shown.contains("query") && !shown.contains("remove")
        );
    }

    /// One throttled retry of a request of `client`.
    fn retry(client: &ClientMeters) {
        let attempts = client.attempts("set_entry");
        let clock = RequestClock::start();
        let metered = Metered::new(RequestMeter::new(client, &attempts, &[], &clock));
        metered.attempt_ended(AttemptOutcome::Throttled);
        metered.attempt_starts(2);
    }

    fn retries(recorder: &DebuggingRecorder) -> Vec<u64> {
        recorder
            .snapshotter()
            .snapshot()
            .into_vec()
            .into_iter()
            .map(|(key, _, _, value)| match value {
                DebugValue::Counter(n) if key.key().name() == names::RETRIES => n,
                other => panic!("{key:?}: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn a_client_keeps_recording_into_the_recorder_of_its_first_use() {
        let hosts = HostSet::new(["http://127.0.0.1:1"]).unwrap();
        let (a, b, late) = (
            ClientMeters::new("rongcloud", &hosts),
            ClientMeters::new("rongcloud", &hosts),
            ClientMeters::new("rongcloud", &hosts),
        );
        let (first, second) = (DebuggingRecorder::new(), DebuggingRecorder::new());
        // No recorder yet: `late`'s handle records nothing, forever.
        retry(&late);
        metrics::with_local_recorder(&first, || {
            retry(&a);
            retry(&late);
        });
        metrics::with_local_recorder(&second, || {
            retry(&b);
            retry(&a);
        });
        retry(&a);
        assert_eq!(retries(&first), [3]);
        assert_eq!(retries(&second), [1]);
    }
}

/// Without the feature, metering carries nothing: no clock reading, no atomic, no label.
#[cfg(all(test, not(feature = "metrics")))]
mod off {
    use std::mem::size_of;

    use super::*;

    #[test]
    fn without_the_feature_every_metering_type_is_empty() {
        assert_eq!(size_of::<RequestMeter<'_>>(), 0);
        assert_eq!(size_of::<Metered<'_>>(), 0);
        assert_eq!(size_of::<Waiting<'_>>(), 0);
        assert_eq!(size_of::<RequestClock>(), 0);
        assert_eq!(size_of::<HostLabel>(), 0);
        assert_eq!(size_of::<HostMeter>(), 0);
        #[cfg(feature = "redis")]
        assert_eq!(size_of::<OutageMeter>(), 0);
    }
}
