//! Reading an account again after apply wrote to it: what the actions wrote (each log group a
//! filter was put into, each alarm put, each topic created or subscribed to) is read into what
//! the check read just before the writes, at once; the rest of the account is not read a third
//! time. When something written is not in what the check read, the whole account is read again.

use std::collections::BTreeSet;

use futures::future::join_all;
use model::live::{Alarm, ReadError, ReadScope, RegionState, Snapshot, Written, WrittenInRegion};
use survey::FollowUp;

use crate::early::Early;
use crate::read::AlarmsWanted;
use crate::{Aws, AwsError};

/// How many alarm names one `DescribeAlarms` call may name.
const NAMES_PER_CALL: usize = 100;

impl Aws {
    /// `before` with what the actions wrote (`written`) read again, all at once; the account read
    /// again whole ([`Aws::read_knowing`]) when `before` does not hold all of it as read.
    pub async fn read_written(
        &self,
        scope: &ReadScope,
        before: Snapshot,
        written: &Written,
        follow_up: FollowUp<'_>,
    ) -> Result<Snapshot, AwsError> {
        if !holds(&before, written) {
            return self.read_knowing(scope, Some(&before), follow_up).await;
        }
        let mut snapshot = before;
        let groups = snapshot.log_groups.iter_mut().filter(|group| {
            (written.regions.get(&group.region)).is_some_and(|w| w.log_groups.contains(&group.name))
        });
        let groups = join_all(groups.map(|group| async {
            group.filters = self.metric_filters(&group.region, &group.name).await;
        }));
        let regions = snapshot.regions.iter_mut().filter_map(|state| {
            let objects = written.regions.get(&state.region)?;
            Some(self.read_written_in_region(state, objects))
        });
        futures::join!(groups, join_all(regions));
        Ok(snapshot)
    }

    /// The region's written alarms and topics, read again and put in place of what was read.
    async fn read_written_in_region(&self, state: &mut RegionState, written: &WrittenInRegion) {
        let region = state.region.clone();
        let topics: Vec<String> = written.topics.iter().cloned().collect();
        if let Ok(held) = &mut state.topics {
            held.retain(|t| !written.topics.contains(&t.arn));
        }
        state
            .topics_read
            .retain(|arn| !written.topics.contains(arn));
        let none = Early::default();
        let (alarms, ()) = futures::join!(
            self.alarms_by_name(&region, &written.alarms),
            self.read_topics_of_region(state, topics, &none),
        );
        if !written.alarms.is_empty() {
            put_alarms(&mut state.alarms, alarms, &written.alarms);
        }
    }

    /// The alarms of these names that exist (`DescribeAlarms` by name, every page).
    async fn alarms_by_name(
        &self,
        region: &str,
        names: &BTreeSet<String>,
    ) -> Result<Vec<Alarm>, ReadError> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let names: Vec<String> = names.iter().cloned().collect();
        let calls = (names.chunks(NAMES_PER_CALL))
            .map(|chunk| self.described_alarms(region, AlarmsWanted::Names(chunk)));
        let lists = join_all(calls).await;
        let lists = lists.into_iter().collect::<Result<Vec<Vec<Alarm>>, _>>()?;
        Ok(lists.into_iter().flatten().collect())
    }
}

/// The written alarms (`names`) as read again, in place of those read before: each where it
/// was, a new one at the end, one no longer there removed; the region's alarms unknown when
/// the read again failed.
fn put_alarms(
    held: &mut Result<Vec<Alarm>, ReadError>,
    read: Result<Vec<Alarm>, ReadError>,
    names: &BTreeSet<String>,
) {
    match (held.as_mut(), read) {
        (Ok(list), Ok(read)) => {
            list.retain(|a| !names.contains(&a.name) || read.iter().any(|r| r.name == a.name));
            for alarm in read {
                match list.iter_mut().find(|a| a.name == alarm.name) {
                    Some(old) => *old = alarm,
                    None => list.push(alarm),
                }
            }
        }
        (_, read) => *held = read,
    }
}

/// True when `before` holds, as read, every log group, region's alarms and region's topics
/// that `written` names: only then can what was written be read into it.
fn holds(before: &Snapshot, written: &Written) -> bool {
    written.regions.iter().all(|(region, objects)| {
        let groups_held = objects.log_groups.iter().all(|name| {
            (before.log_groups.iter())
                .any(|g| g.region == *region && g.name == *name && g.filters.is_ok())
        });
        let state = before.regions.iter().find(|s| s.region == *region);
        let region_held = state.is_some_and(|s| {
            (objects.alarms.is_empty() || s.alarms.is_ok())
                && (objects.topics.is_empty() || s.topics.is_ok())
        });
        let touches_region = !objects.alarms.is_empty() || !objects.topics.is_empty();
        groups_held && (region_held || !touches_region)
    })
}
