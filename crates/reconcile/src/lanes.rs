//! Many accounts' work spread over lanes: each lane a thread of its own that runs its share of
//! the accounts (every lane-th one, so the shares stay even), several at once, through
//! [`Connect::block_on`]; so an account's CPU — its calls' signing and parsing, its planning —
//! runs on every core instead of one. The futures are made and polled on their lane's thread:
//! nothing but the results crosses threads. With one lane (`Connect::lanes`) it is a plain
//! bounded stream on the calling task, as the tests' connections use it.

use std::future::Future;

use futures::StreamExt;

use crate::Connect;

/// `each` of every item, at most `concurrency` at once in all, spread over the connection's
/// lanes; the results in the order of `items`.
pub(crate) async fn spread<'a, C, I, T, F, Fut>(
    connect: &C,
    items: &'a [I],
    concurrency: usize,
    each: F,
) -> Vec<T>
where
    C: Connect + Sync,
    I: Sync,
    T: Send,
    F: Fn(&'a I) -> Fut + Sync,
    Fut: Future<Output = T>,
{
    let concurrency = concurrency.max(1);
    let lanes = connect.lanes().clamp(1, concurrency);
    if lanes == 1 {
        return futures::stream::iter(items)
            .map(&each)
            .buffered(concurrency)
            .collect()
            .await;
    }
    let per_lane = concurrency.div_ceil(lanes);
    let each = &each;
    let shares: Vec<Vec<(usize, T)>> = std::thread::scope(|scope| {
        let running: Vec<_> = (0..lanes)
            .map(|lane| {
                scope.spawn(move || {
                    let share = items.iter().enumerate().skip(lane).step_by(lanes);
                    connect.block_on(
                        futures::stream::iter(share)
                            .map(|(i, item)| async move { (i, each(item).await) })
                            .buffer_unordered(per_lane)
                            .collect::<Vec<_>>(),
                    )
                })
            })
            .collect();
        running
            .into_iter()
            .map(|lane| lane.join().expect("a lane of accounts"))
            .collect()
    });
    let mut all: Vec<(usize, T)> = shares.into_iter().flatten().collect();
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, result)| result).collect()
}
