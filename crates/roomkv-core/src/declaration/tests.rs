//! Tests of declarations: paths per dialect, the route table, quota rules.

use super::*;
use crate::Operation;
use proptest::prelude::*;

const BATCH: Declaration = Declaration {
    name: "batch",
    method: &http::Method::POST,
    paths: Paths::ByDialect {
        legacy: "/batch.json",
        v4: V4Paths::Own {
            path: "/v4/batch",
            alias: Some("/v4/b"),
        },
    },
    quota: QuotaRule::per_item(QuotaFamily::RongCloudEntrySet),
    effect: Effect::Write { notifies: false },
};
const SINGLE: Paths = Paths::ByDialect {
    legacy: "/single.json",
    v4: V4Paths::BatchOfOne(&BATCH),
};

#[test]
fn paths_per_dialect() {
    let batch = BATCH.paths;
    assert_eq!(batch.get(Dialect::Legacy), "/batch.json");
    assert_eq!(batch.get(Dialect::V4), "/v4/batch");
    assert_eq!(batch.first(), "/batch.json");
    assert_eq!(
        batch.all().collect::<Vec<_>>(),
        ["/batch.json", "/v4/batch", "/v4/b"]
    );
    assert!(batch.serves("/v4/b"));
    assert!(!batch.serves("/v4/c"));
    let one = Paths::One("/x");
    assert_eq!((one.get(Dialect::V4), one.first()), ("/x", "/x"));
    assert_eq!(one.all().collect::<Vec<_>>(), ["/x"]);
}

#[test]
fn a_batch_of_one_is_sent_to_the_batch_path_and_not_routed_there() {
    assert_eq!(SINGLE.get(Dialect::V4), "/v4/batch");
    assert_eq!(SINGLE.get(Dialect::Legacy), "/single.json");
    assert_eq!(SINGLE.all().collect::<Vec<_>>(), ["/single.json"]);
    assert!(!SINGLE.serves("/v4/batch"));
}

#[test]
fn routes_are_legacy_then_v4_in_declaration_order() {
    let declarations = [
        &BATCH,
        &Declaration {
            paths: SINGLE,
            ..BATCH
        },
    ];
    const N: usize = 4;
    assert_eq!(route_count(&declarations), N);
    let table: [Route<u8>; N] = routes(&[0, 1], &declarations);
    let found: Vec<_> = table.iter().map(|r| (r.path, r.dialect, r.kind)).collect();
    assert_eq!(
        found,
        [
            ("/batch.json", Dialect::Legacy, 0),
            ("/single.json", Dialect::Legacy, 1),
            ("/v4/batch", Dialect::V4, 0),
            ("/v4/b", Dialect::V4, 0),
        ]
    );
}

#[test]
#[should_panic(expected = "declares its paths ByDialect")]
fn a_vendor_without_dialects_has_no_dialect_routes() {
    let _ = Paths::One("/x").dialect_routes();
}

#[test]
fn write_effect_keeps_reads_reads() {
    let mut declaration = crate::tencent::GetRoomInfo::DECLARATION;
    assert_eq!(declaration.write_effect(true), Effect::Read);
    declaration.effect = Effect::Write { notifies: false };
    assert_eq!(
        declaration.write_effect(true),
        Effect::Write { notifies: true }
    );
}

proptest! {
    #[test]
    fn quota_cost_counts_requests_or_items(items in 0usize..10_000) {
        let family = QuotaFamily::RongCloudEntrySet;
        let per_item = QuotaRule::per_item(family).cost(items).charges().collect::<Vec<_>>();
        prop_assert_eq!(per_item, vec![(family, u32::try_from(items).unwrap())]);
        let per_request = QuotaRule::per_request(family).cost(items).charges().collect::<Vec<_>>();
        prop_assert_eq!(per_request, vec![(family, 1)]);
    }

    #[test]
    fn same_str_is_equality(a in ".{0,8}", b in ".{0,8}") {
        prop_assert_eq!(same_str(&a, &b), a == b);
        prop_assert!(same_str(&a, &a));
    }
}
