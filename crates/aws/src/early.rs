//! Reads started early: when an earlier read of the account is at hand (apply reads the account
//! again just before writing, and once more after), the reads that earlier read made after
//! `DescribeTrails` — each trail's status and selectors, each log group's filters, each region's
//! first page of alarms, the topics it read — start at once, beside `DescribeTrails`, instead of
//! one round trip after another. The read then takes each answer from here only where the
//! ordinary read would have made that very call, and makes any other call itself, so what it
//! gives is what the ordinary read gives, but for one thing: a topic the earlier read found
//! keeps the deliveries it gave (`Topic::deliveries` says why). An answer nobody asks for is
//! dropped.

use std::collections::HashMap;
use std::sync::Mutex;

use aws_sdk_cloudtrail::operation::get_event_selectors::{
    GetEventSelectorsError, GetEventSelectorsOutput,
};
use aws_sdk_cloudtrail::operation::get_trail_status::{GetTrailStatusError, GetTrailStatusOutput};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use futures::future::join_all;
use model::live::{Alarm, DeliveriesRead, LogGroup, ReadError, RegionState, Snapshot, Topic};

use crate::Aws;

/// `GetTrailStatus` and `GetEventSelectors` of one trail, as the SDK answered them.
pub(crate) type TrailDetails = (
    Result<GetTrailStatusOutput, SdkError<GetTrailStatusError, HttpResponse>>,
    Result<GetEventSelectorsOutput, SdkError<GetEventSelectorsError, HttpResponse>>,
);

/// A region's first page of alarms, and whether there are more.
pub(crate) type FirstPage = Result<(Vec<Alarm>, bool), ReadError>;

/// The answers of the reads started early, each taken at most once.
#[derive(Default)]
pub(crate) struct Early {
    /// By trail ARN and home region.
    trails: Mutex<HashMap<(String, String), TrailDetails>>,
    /// By region and log group name.
    groups: Mutex<HashMap<(String, String), LogGroup>>,
    /// By region.
    pages: Mutex<HashMap<String, FirstPage>>,
    /// By topic ARN: the topic, or `None` when it does not exist.
    topics: Mutex<HashMap<String, Option<Topic>>>,
}

impl Early {
    /// The trail's details, when they were read early.
    pub(crate) fn trail(&self, arn: &str, home: &str) -> Option<TrailDetails> {
        let key = (arn.to_string(), home.to_string());
        self.trails.lock().expect("early trails").remove(&key)
    }

    /// The log group's filters, when they were read early.
    pub(crate) fn group(&self, region: &str, name: &str) -> Option<LogGroup> {
        let key = (region.to_string(), name.to_string());
        self.groups.lock().expect("early groups").remove(&key)
    }

    /// The region's first page of alarms, when it was read early.
    pub(crate) fn page(&self, region: &str) -> Option<FirstPage> {
        self.pages.lock().expect("early pages").remove(region)
    }

    /// The topic (`Some(None)`: it does not exist), when it was read early.
    pub(crate) fn topic(&self, arn: &str) -> Option<Option<Topic>> {
        self.topics.lock().expect("early topics").remove(arn)
    }
}

impl Aws {
    /// Starts, all at once, the reads `before` (an earlier read of this account) made after
    /// `DescribeTrails`; nothing without it.
    pub(crate) async fn read_early(&self, before: Option<&Snapshot>) -> Early {
        let Some(before) = before else {
            return Early::default();
        };
        let trails: Vec<(String, String)> = match &before.trails {
            Ok(trails) => trails
                .iter()
                .map(|t| (t.arn.clone(), t.home_region.clone()))
                .collect(),
            Err(_) => Vec::new(),
        };
        let (trails, groups, pages, topics) = futures::join!(
            join_all(trails.into_iter().map(|(arn, home)| async move {
                let details = self.trail_details(&arn, &home).await;
                ((arn, home), details)
            })),
            join_all(before.log_groups.iter().map(|g| async move {
                let key = (g.region.clone(), g.name.clone());
                (key, self.read_log_group(&g.region, &g.name).await)
            })),
            join_all(before.regions.iter().map(|r| async move {
                (r.region.clone(), self.first_alarm_page(&r.region).await)
            })),
            join_all(before.regions.iter().flat_map(|r| {
                r.topics_read.iter().map(move |arn| async move {
                    let known = deliveries_in(r, arn);
                    let topic = self.read_topic_again(&r.region, arn.clone(), known).await;
                    (arn.clone(), topic)
                })
            })),
        );
        Early {
            trails: Mutex::new(trails.into_iter().collect()),
            groups: Mutex::new(groups.into_iter().collect()),
            pages: Mutex::new(pages.into_iter().collect()),
            topics: Mutex::new(topics.into_iter().collect()),
        }
    }
}

/// The deliveries `region` read for the topic `arn`, when it found the topic.
fn deliveries_in(region: &RegionState, arn: &str) -> Option<DeliveriesRead> {
    let found = region.topics.iter().flatten().find(|t| t.arn == arn)?;
    Some(found.deliveries.clone())
}
