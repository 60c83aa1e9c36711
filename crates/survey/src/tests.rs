//! The read → plan → read-more loop and the organization merge, on plain values: a reader that
//! serves a complete account ("the world") only as far as it is asked.

use std::cell::RefCell;
use std::collections::BTreeSet;

use futures::executor::block_on;
use model::live::*;
use model::report::{ControlResult, TrailResult};
use model::sample::*;
use model::{FindingCode, Status};

use super::*;

/// An account whose IAM control holds: trail, filter, alarm, topic with a confirmed subscriber.
fn world() -> Snapshot {
    let mut world = compliant();
    // No EventBridge rules: read as an empty list when asked for.
    world.eventbridge = model::live::EventBridgeRead::Read(Ok(Vec::new()));
    world
}

/// Serves `world` as a region with more than a page of alarms: the first read holds no alarms
/// and no topics but what its follow-up asks, as `aws::Aws` reads it; the follow-up and
/// `read_more` answer exactly what is asked, and record it.
struct Crowded {
    world: Snapshot,
    asked: RefCell<Vec<Asked>>,
}

/// A read the planner asked for, and whether it was the first read's follow-up.
#[derive(Debug)]
struct Asked {
    in_first_read: bool,
    request: ReadRequest,
}

impl Crowded {
    fn new(world: Snapshot) -> Self {
        Crowded {
            world,
            asked: RefCell::new(Vec::new()),
        }
    }
}

impl Reader for Crowded {
    type Error = String;

    async fn read_snapshot(
        &self,
        scope: &ReadScope,
        follow_up: FollowUp<'_>,
    ) -> Result<Snapshot, String> {
        let mut first = self.world.clone();
        for state in &mut first.regions {
            state.alarms = Ok(Vec::new());
            state.alarms_read = AlarmsRead::Only {
                metrics: BTreeSet::new(),
                name_prefix: None,
            };
            state.topics = Ok(Vec::new());
            state.topics_read = Vec::new();
        }
        if !scope.eventbridge {
            first.eventbridge = model::live::EventBridgeRead::NotRead;
        }
        let alarms = (first.regions.iter()).filter_map(|state| {
            let groups = (first.log_groups.iter()).filter(|g| g.region == state.region);
            follow_up.in_region(groups, state)
        });
        let request = ReadRequest {
            alarms: alarms.collect(),
            ..ReadRequest::default()
        };
        if !request.is_empty() {
            self.answer(&mut first, &request, true);
        }
        Ok(first)
    }

    async fn read_more(&self, snapshot: &mut Snapshot, request: &ReadRequest) {
        self.answer(snapshot, request, false);
    }

    async fn read_buses(&self, _buses: &[model::arn::EventBusRef]) -> Vec<BusRegion> {
        Vec::new()
    }
}

impl Crowded {
    fn answer(&self, snapshot: &mut Snapshot, request: &ReadRequest, in_first_read: bool) {
        self.asked.borrow_mut().push(Asked {
            in_first_read,
            request: request.clone(),
        });
        let world = &self.world.regions[0];
        let state = &mut snapshot.regions[0];
        for r in &request.alarms {
            let found = world.alarms.as_ref().unwrap().iter().filter(|a| {
                r.metrics.iter().any(|m| a.watches(m))
                    || r.name_prefix
                        .as_deref()
                        .is_some_and(|p| a.name.starts_with(p))
            });
            state.alarms.as_mut().unwrap().extend(found.cloned());
            if let AlarmsRead::Only {
                metrics,
                name_prefix,
            } = &mut state.alarms_read
            {
                metrics.extend(r.metrics.iter().cloned());
                if r.name_prefix.is_some() {
                    name_prefix.clone_from(&r.name_prefix);
                }
            }
            // The reader reads the topics the new alarms notify, as `aws::Aws` does.
            let notified: Vec<String> = state
                .alarms
                .iter()
                .flatten()
                .flat_map(|a| a.alarm_actions.clone())
                .collect();
            read_topics(world, state, &notified);
        }
        let asked: Vec<String> = request.topics.iter().map(|t| t.arn.clone()).collect();
        read_topics(world, state, &asked);
    }
}

fn read_topics(world: &RegionState, state: &mut RegionState, arns: &[String]) {
    for arn in arns {
        if state.topics_read.contains(arn) {
            continue;
        }
        state.topics_read.push(arn.clone());
        if let Some(t) = world
            .topics
            .as_ref()
            .unwrap()
            .iter()
            .find(|t| t.arn == *arn)
        {
            state.topics.as_mut().unwrap().push(t.clone());
        }
    }
}

#[test]
fn a_crowded_region_is_read_as_far_as_the_plan_needs_and_judged_as_if_read_whole() {
    let reader = Crowded::new(world());
    let surveyed = block_on(survey(&reader, &[iam()], &Desired::default())).unwrap();
    assert_eq!(surveyed.report.controls[0].status, Status::Compliant);
    assert!(surveyed.report.actions.is_empty());
    let asked = reader.asked.borrow();
    assert_eq!(
        asked.len(),
        1,
        "one more read: the alarms that matter and their topics"
    );
    assert!(
        asked[0].in_first_read,
        "read with the first read, while its EventBridge rules are"
    );
    let metrics: Vec<&str> = asked[0].request.alarms[0]
        .metrics
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(metrics, ["IAMPolicyChanges"]);
    assert_eq!(
        asked[0].request.alarms[0].name_prefix.as_deref(),
        Some("trailwatch-")
    );
}

#[test]
fn the_default_topic_is_read_only_when_the_plan_turns_to_it() {
    let mut world = world();
    world.regions[0].alarms = Ok(Vec::new());
    let reader = Crowded::new(world);
    let surveyed = block_on(survey(&reader, &[iam()], &Desired::default())).unwrap();
    let asked = reader.asked.borrow();
    assert_eq!(asked.len(), 2, "{asked:?}");
    assert!(asked[0].in_first_read && !asked[1].in_first_read);
    let default = topic_arn(model::desired::DEFAULT_TOPIC_NAME);
    assert_eq!(
        asked[1].request.topics,
        [TopicRequest {
            region: REGION.into(),
            arn: default.clone()
        }]
    );
    let kinds: Vec<&str> = surveyed
        .report
        .actions
        .iter()
        .map(|a| a.operation.name())
        .collect();
    assert_eq!(kinds, ["create-topic", "put-metric-alarm"]);
}

/// A reader whose `read_more` never delivers.
struct Stubborn(Snapshot);

impl Reader for Stubborn {
    type Error = String;

    async fn read_snapshot(
        &self,
        _scope: &ReadScope,
        _follow_up: FollowUp<'_>,
    ) -> Result<Snapshot, String> {
        Ok(self.0.clone())
    }

    async fn read_more(&self, _snapshot: &mut Snapshot, _request: &ReadRequest) {}

    async fn read_buses(&self, _buses: &[model::arn::EventBusRef]) -> Vec<BusRegion> {
        Vec::new()
    }
}

#[test]
fn a_plan_that_keeps_needing_more_is_refused_not_made_on_a_partial_read() {
    let mut first = world();
    first.regions[0].alarms_read = AlarmsRead::Only {
        metrics: BTreeSet::new(),
        name_prefix: None,
    };
    let err = block_on(survey(&Stubborn(first), &[iam()], &Desired::default())).unwrap_err();
    assert!(matches!(err, SurveyError::Unsettled(_)), "{err}");
    assert!(err.to_string().contains("please report this"));
}

#[test]
fn a_read_that_fails_outright_is_the_error() {
    struct Unreachable;
    impl Reader for Unreachable {
        type Error = String;
        async fn read_snapshot(
            &self,
            _scope: &ReadScope,
            _follow_up: FollowUp<'_>,
        ) -> Result<Snapshot, String> {
            Err("cannot reach AWS".into())
        }
        async fn read_more(&self, _snapshot: &mut Snapshot, _request: &ReadRequest) {}

        async fn read_buses(&self, _buses: &[model::arn::EventBusRef]) -> Vec<BusRegion> {
            Vec::new()
        }
    }
    let err = block_on(survey(&Unreachable, &[iam()], &Desired::default())).unwrap_err();
    assert_eq!(err.to_string(), "cannot reach AWS");
}

fn account(id: &str, status: Status, log_group_account: &str) -> AccountResult {
    let central = log_group_account != id;
    let trail = TrailResult {
        account_id: id.into(),
        arn: format!("arn:aws:cloudtrail:{REGION}:{log_group_account}:trail/org"),
        name: "org".into(),
        home_region: REGION.into(),
        qualifies: !central,
        log_group_arn: Some(format!(
            "arn:aws:logs:{REGION}:{log_group_account}:log-group:org:*"
        )),
        findings: if central {
            vec![plan::organization::trail_finding(log_group_account)]
        } else {
            vec![]
        },
    };
    let control = ControlResult {
        account_id: id.into(),
        id: "iam-policy-changes".into(),
        title: String::new(),
        cis_id: Some("4.4".into()),
        level: Some(1),
        status,
        findings: vec![],
        chain: None,
        waiver: None,
    };
    AccountResult {
        account_id: id.into(),
        report: Ok(Report {
            schema_version: 1,
            benchmark: "cis-7.0".into(),
            trails: vec![trail],
            controls: vec![control],
            actions: vec![],
            notes: vec![],
        }),
        calls: Default::default(),
        wall: Default::default(),
    }
}

#[test]
fn members_of_an_organization_trail_take_the_verdict_of_the_account_that_holds_the_log_group() {
    let (member, central, alone) = ("222233334444", "111122223333", "333344445555");
    let mut results = vec![
        account(alone, Status::NotApplicable, "999999999999"),
        account(member, Status::NotApplicable, central),
        account(central, Status::NonCompliant, central),
    ];
    let order = [central, member, alone].map(String::from);
    merge(&mut results, &order);
    let ids: Vec<&str> = results.iter().map(|r| r.account_id.as_str()).collect();
    assert_eq!(
        ids, order,
        "results follow the order the accounts were given"
    );
    let member = &results[1].report.as_ref().unwrap().controls[0];
    assert_eq!(member.status, Status::NonCompliant);
    assert_eq!(member.findings[0].code, FindingCode::MonitoredCentrally);
    assert!(member.findings[0].message.contains(central));
    // A log group in an account outside the run cannot be judged here: still not applicable.
    let alone = &results[2].report.as_ref().unwrap().controls[0];
    assert_eq!(alone.status, Status::NotApplicable);
}
