//! Writes of any size: [`chunks`] splits them into requests within the vendor's per-request
//! limits, [`BulkReport`] says exactly which keys were applied.
//!
//! Both providers use these for their bulk methods (RongCloud's batch set and remove of any size
//! and expansions of any size, Tencent's metadata set and delete), so the splitting and the
//! report are the same for every vendor.
//!
//! # Stop at the first failed chunk
//!
//! A bulk write sends its chunks one after the other, in the order of the input, and **stops at
//! the first chunk that fails**. The failures that survive the client's own retries are rarely
//! limited to one chunk (an exhausted quota, a room that is full, a service switched off, a lost
//! connection), so sending the rest would mostly add failures and leave the room in a state
//! that is harder to reason about. Stopping keeps the report simple and exact:
//!
//! - `applied` is a prefix of the input: every key of every chunk that succeeded;
//! - the failed chunk's keys are `unknown` when the vendor may have applied them (the error's
//!   `is_outcome_unknown()`), else `not_applied`;
//! - every key after the failed chunk is `not_applied`.
//!
//! Every input key is in exactly one of the three lists. Repeating the write with the keys
//! that are not `applied` (after reading the `unknown` ones back) loses nothing.

use std::fmt;

/// Splits `items`, in order, into consecutive chunks of at most `max_items` items (at least 1)
/// whose weights add up to at most `max_weight`.
///
/// An item heavier than `max_weight` on its own gets a chunk of its own, which the request's
/// validation then refuses; callers validate every item before splitting, so this does not
/// happen in practice. Every item is in exactly one chunk, in input order.
///
/// ```
/// use roomkv_provider::bulk::chunks;
/// let sizes = [3, 4, 5, 1, 1];
/// assert_eq!(
///     chunks(sizes.to_vec(), 2, 8, |n: &usize| *n),
///     vec![vec![3, 4], vec![5, 1], vec![1]]
/// );
/// ```
pub fn chunks<T>(
    items: impl IntoIterator<Item = T>,
    max_items: usize,
    max_weight: usize,
    weight: impl Fn(&T) -> usize,
) -> Vec<Vec<T>> {
    let max_items = max_items.max(1);
    let mut out: Vec<Vec<T>> = Vec::new();
    let mut current: Vec<T> = Vec::new();
    let mut current_weight = 0usize;
    for item in items {
        let w = weight(&item);
        let over = current.len() >= max_items || current_weight.saturating_add(w) > max_weight;
        if !current.is_empty() && over {
            out.push(std::mem::take(&mut current));
            current_weight = 0;
        }
        current_weight = current_weight.saturating_add(w);
        current.push(item);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Halves every chunk that `fits` refuses, recursively, until each chunk fits or holds one
/// item; order is kept.
///
/// For limits that are not a sum of item weights (RongCloud's 100 KB body, whose size the
/// request's own validation computes exactly): [`chunks`] by count first, then refine with the
/// request's validation.
pub fn refine<T>(chunks: Vec<Vec<T>>, mut fits: impl FnMut(&[T]) -> bool) -> Vec<Vec<T>> {
    let mut out = Vec::with_capacity(chunks.len());
    let mut pending: Vec<Vec<T>> = chunks.into_iter().rev().collect();
    while let Some(mut chunk) = pending.pop() {
        if chunk.len() <= 1 || fits(&chunk) {
            out.push(chunk);
        } else {
            let second = chunk.split_off(chunk.len() / 2);
            pending.push(second);
            pending.push(chunk);
        }
    }
    out
}

/// The chunk that failed, with the error it failed with.
#[derive(Debug)]
#[non_exhaustive]
pub struct ChunkFailure<K, E> {
    /// The keys of the failed chunk, in input order.
    pub keys: Vec<K>,
    /// Why it failed.
    pub error: E,
}

/// What a bulk write did, key by key. See the [module docs](self) for the rules: the chunks
/// are sent in order and the first failed chunk ends the write.
///
/// Every input key is in exactly one of `applied`, `not_applied` and `unknown`.
#[derive(Debug)]
#[non_exhaustive]
pub struct BulkReport<K, E> {
    /// Keys the vendor confirmed, in input order.
    pub applied: Vec<K>,
    /// Keys that were not applied: the failed chunk's when the vendor provably did not act,
    /// and every key after it.
    pub not_applied: Vec<K>,
    /// The failed chunk's keys when the vendor may or may not have applied them (a lost reply):
    /// read them back before repeating.
    pub unknown: Vec<K>,
    /// The chunk that failed, if one did.
    pub failure: Option<ChunkFailure<K, E>>,
    /// How many requests were sent (or attempted).
    pub requests: usize,
}

impl<K, E> Default for BulkReport<K, E> {
    fn default() -> Self {
        Self {
            applied: Vec::new(),
            not_applied: Vec::new(),
            unknown: Vec::new(),
            failure: None,
            requests: 0,
        }
    }
}

impl<K, E> BulkReport<K, E> {
    /// A report of a write that had nothing to send: every key already as asked.
    pub fn all_applied(keys: Vec<K>) -> Self {
        Self {
            applied: keys,
            ..Self::default()
        }
    }

    /// True when every key was applied.
    pub fn is_complete(&self) -> bool {
        self.failure.is_none()
    }

    /// The error of the failed chunk, if one failed.
    pub fn error(&self) -> Option<&E> {
        self.failure.as_ref().map(|failure| &failure.error)
    }

    /// The same report with every key and the error converted (for a vendor-neutral view).
    pub fn map<K2, E2>(
        self,
        key: impl Fn(K) -> K2,
        error: impl FnOnce(E) -> E2,
    ) -> BulkReport<K2, E2> {
        let keys = |list: Vec<K>| list.into_iter().map(&key).collect::<Vec<_>>();
        BulkReport {
            applied: keys(self.applied),
            not_applied: keys(self.not_applied),
            unknown: keys(self.unknown),
            failure: self.failure.map(|failure| ChunkFailure {
                keys: failure.keys.into_iter().map(&key).collect(),
                error: error(failure.error),
            }),
            requests: self.requests,
        }
    }

    /// Adds the keys of another report of the same write (its later chunks).
    pub fn extend(&mut self, later: Self) {
        self.applied.extend(later.applied);
        self.not_applied.extend(later.not_applied);
        self.unknown.extend(later.unknown);
        self.requests += later.requests;
        if self.failure.is_none() {
            self.failure = later.failure;
        }
    }
}

impl<K: fmt::Display, E: fmt::Display> fmt::Display for BulkReport<K, E> {
    /// `3 applied, 2 not applied, 0 unknown`, then `: ` and the error when a chunk failed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} applied, {} not applied, {} unknown",
            self.applied.len(),
            self.not_applied.len(),
            self.unknown.len()
        )?;
        if let Some(failure) = &self.failure {
            write!(f, ": {}", failure.error)?;
        }
        Ok(())
    }
}

/// How a write of any size is split: chunks of at most `max_items` items whose
/// [`weight`](Self::weighed)s add up to at most `max_weight`, and the keys each chunk
/// reports. Made for a write of keys ([`Chunking::keys`]) or of key–value pairs
/// ([`Chunking::pairs`]).
#[derive(Debug, Clone, Copy)]
pub struct Chunking<T, K> {
    max_items: usize,
    max_weight: usize,
    weight: fn(&T) -> usize,
    keys_of: fn(&[T]) -> Vec<K>,
}

impl<K: Clone> Chunking<K, K> {
    /// A write of keys alone (a removal), at most `max_items` a chunk.
    pub fn keys(max_items: usize) -> Self {
        Self {
            max_items,
            max_weight: usize::MAX,
            weight: |_| 0,
            keys_of: <[K]>::to_vec,
        }
    }
}

impl<K: Clone, V> Chunking<(K, V), K> {
    /// A write of key–value pairs, at most `max_items` a chunk; each chunk reports its keys.
    pub fn pairs(max_items: usize) -> Self {
        Self {
            max_items,
            max_weight: usize::MAX,
            weight: |_| 0,
            keys_of: |chunk| chunk.iter().map(|(key, _)| key.clone()).collect(),
        }
    }
}

impl<T, K> Chunking<T, K> {
    /// Also at most `max_weight` of `weight` a chunk (a vendor's total of value bytes).
    #[must_use]
    pub fn weighed(self, max_weight: usize, weight: fn(&T) -> usize) -> Self {
        Self {
            max_weight,
            weight,
            ..self
        }
    }

    /// Splits `items` into [`chunks`].
    pub fn split(&self, items: Vec<T>) -> Vec<Vec<T>> {
        chunks(items, self.max_items, self.max_weight, self.weight)
    }

    /// The keys `chunk` reports.
    pub fn keys_of(&self, chunk: &[T]) -> Vec<K> {
        (self.keys_of)(chunk)
    }
}

/// Sends `chunks` in order with `send`, stopping at the first failure, and reports each key.
///
/// `keys_of` names the keys of a chunk, `outcome_unknown` says whether a failed chunk may
/// have been applied.
pub async fn run<C, K, E, F, Fut>(
    chunks: Vec<C>,
    keys_of: impl Fn(&C) -> Vec<K>,
    outcome_unknown: impl Fn(&E) -> bool,
    mut send: F,
) -> BulkReport<K, E>
where
    K: Clone,
    F: FnMut(C) -> Fut,
    Fut: Future<Output = Result<(), E>>,
{
    let mut report = BulkReport::default();
    let mut chunks = chunks.into_iter();
    for chunk in chunks.by_ref() {
        let keys = keys_of(&chunk);
        report.requests += 1;
        match send(chunk).await {
            Ok(()) => report.applied.extend(keys),
            Err(error) => {
                if outcome_unknown(&error) {
                    report.unknown.extend(keys.iter().cloned());
                } else {
                    report.not_applied.extend(keys.iter().cloned());
                }
                report.failure = Some(ChunkFailure { keys, error });
                break;
            }
        }
    }
    for chunk in chunks {
        report.not_applied.extend(keys_of(&chunk));
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn chunkings_split_and_name_their_keys() {
        let pairs = Chunking::pairs(2);
        let split = pairs.split(vec![("a", 5), ("b", 6), ("c", 7)]);
        assert_eq!(split, [vec![("a", 5), ("b", 6)], vec![("c", 7)]]);
        assert_eq!(pairs.keys_of(&split[0]), ["a", "b"]);

        let weighed = pairs.weighed(12, |(_, n): &(&str, usize)| *n);
        let split = weighed.split(vec![("a", 5), ("b", 6), ("c", 7)]);
        assert_eq!(split, [vec![("a", 5), ("b", 6)], vec![("c", 7)]]);
        let split = weighed.split(vec![("a", 7), ("b", 6)]);
        assert_eq!(split, [vec![("a", 7)], vec![("b", 6)]]);

        let keys = Chunking::keys(1);
        let split = keys.split(vec!["x", "y"]);
        assert_eq!(split, [vec!["x"], vec!["y"]]);
        assert_eq!(keys.keys_of(&split[1]), ["y"]);
    }

    /// Items with their weights; the index makes every item distinct.
    fn items() -> impl Strategy<Value = Vec<(usize, usize)>> {
        prop::collection::vec(0usize..=2048, 0..120)
            .prop_map(|weights| weights.into_iter().enumerate().collect())
    }

    proptest! {
        /// Every item exactly once, in order; each chunk within the count and the weight
        /// budget (Tencent's 10 keys and 16384 bytes among them), and no chunk could have
        /// taken the next chunk's first item.
        #[test]
        fn chunks_keep_every_item_once_in_order_within_the_limits(
            items in items(),
            max_items in 1usize..25,
            max_weight in 2048usize..20_000,
        ) {
            let split = chunks(items.clone(), max_items, max_weight, |(_, w)| *w);
            let flat: Vec<_> = split.iter().flatten().copied().collect();
            prop_assert_eq!(&flat, &items);
            for (i, chunk) in split.iter().enumerate() {
                prop_assert!(!chunk.is_empty());
                prop_assert!(chunk.len() <= max_items);
                let weight: usize = chunk.iter().map(|(_, w)| w).sum();
                prop_assert!(weight <= max_weight, "{weight} > {max_weight}");
                if let Some(next) = split.get(i + 1) {
                    prop_assert!(
                        chunk.len() == max_items || weight + next[0].1 > max_weight,
                        "chunk {i} could have taken one more item"
                    );
                }
            }
        }

        /// The documented defaults: RongCloud batches of 20 and expansions of 100.
        #[test]
        fn counts_alone_give_full_chunks(len in 0usize..450, max in prop::sample::select(vec![20usize, 100])) {
            let split = chunks(0..len, max, usize::MAX, |_| 0);
            prop_assert_eq!(split.len(), len.div_ceil(max));
            prop_assert!(split.iter().rev().skip(1).all(|c| c.len() == max));
            prop_assert_eq!(split.concat(), (0..len).collect::<Vec<_>>());
        }

        /// Refining keeps every item once, in order, and leaves only chunks that fit (or
        /// single items).
        #[test]
        fn refine_halves_until_each_chunk_fits(items in items(), budget in 1000usize..10_000) {
            let start = chunks(items.clone(), 20, usize::MAX, |_| 0);
            let fits = |chunk: &[(usize, usize)]| chunk.iter().map(|(_, w)| w).sum::<usize>() <= budget;
            let refined = refine(start, fits);
            prop_assert_eq!(refined.concat(), items);
            for chunk in &refined {
                prop_assert!(chunk.len() == 1 || fits(chunk));
            }
        }
    }

    #[test]
    fn an_item_over_the_budget_gets_a_chunk_of_its_own() {
        assert_eq!(
            chunks([1, 9, 1], 10, 5, |w: &usize| *w),
            vec![vec![1], vec![9], vec![1]]
        );
    }

    #[tokio::test]
    async fn the_first_failed_chunk_ends_the_write() {
        let split = chunks(1..=7, 2, usize::MAX, |_| 0);
        let report = run(
            split.clone(),
            |chunk: &Vec<i32>| chunk.clone(),
            |unknown: &bool| *unknown,
            |chunk| async move {
                if chunk.contains(&3) {
                    Err(true)
                } else {
                    Ok(())
                }
            },
        )
        .await;
        assert_eq!(report.applied, vec![1, 2]);
        assert_eq!(report.unknown, vec![3, 4]);
        assert_eq!(report.not_applied, vec![5, 6, 7]);
        assert_eq!(report.requests, 2);
        let failure = report.failure.as_ref().unwrap();
        assert_eq!((failure.keys.clone(), failure.error), (vec![3, 4], true));
        let refused = run(
            split,
            |c: &Vec<i32>| c.clone(),
            |u: &bool| *u,
            |_| async { Err(false) },
        )
        .await;
        assert_eq!(refused.not_applied, (1..=7).collect::<Vec<_>>());
        assert!(refused.unknown.is_empty() && refused.applied.is_empty());
        assert_eq!(
            refused.to_string(),
            "0 applied, 7 not applied, 0 unknown: false"
        );
    }
}
