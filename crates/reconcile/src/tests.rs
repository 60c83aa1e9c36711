//! The one fix sequence on accounts made of plain values: an account that reads as its world
//! and writes to it as AWS would, in every state an apply can end in, and convergence
//! (plan, apply, plan again: nothing left to do) through `apply_account`.

use std::sync::{Arc, Mutex};

use apply::accounts::AccountState;
use futures::executor::block_on;
use model::live::*;
use model::planfile::{AccountPlan, PlanFile};
use model::sample::*;
use model::{Action, Control, Desired, Report};
use proptest::prelude::*;

use super::*;

/// One account: its live state, and the write that fails, if any.
#[derive(Clone)]
struct World {
    state: Arc<Mutex<Snapshot>>,
    failing: Option<&'static str>,
    unreadable: bool,
}

impl World {
    fn new(state: Snapshot) -> World {
        World {
            state: Arc::new(Mutex::new(state)),
            failing: None,
            unreadable: false,
        }
    }
}

impl survey::Reader for World {
    type Error = String;

    async fn read_snapshot(
        &self,
        scope: &ReadScope,
        _follow_up: survey::FollowUp<'_>,
    ) -> Result<Snapshot, String> {
        if self.unreadable {
            return Err("AccessDenied: not authorized".into());
        }
        let mut snapshot = self.state.lock().unwrap().clone();
        snapshot.eventbridge = match (scope.eventbridge, snapshot.eventbridge) {
            (false, _) => EventBridgeRead::NotRead,
            // A world without rules reads as none.
            (true, EventBridgeRead::NotRead) => EventBridgeRead::Read(Ok(Vec::new())),
            (true, read) => read,
        };
        Ok(snapshot)
    }

    /// The world's buses of that name; a bus it does not hold reads as one without rules.
    async fn read_buses(&self, buses: &[model::arn::EventBusRef]) -> Vec<BusRegion> {
        let state = self.state.lock().unwrap();
        let held = match &state.eventbridge {
            EventBridgeRead::Read(Ok(held)) => held.clone(),
            _ => Vec::new(),
        };
        let find = |wanted: &model::arn::EventBusRef| {
            held.iter()
                .find(|b| b.region == wanted.region && b.bus == wanted.name)
                .cloned()
        };
        buses
            .iter()
            .map(|wanted| {
                find(wanted).unwrap_or_else(|| BusRegion {
                    account: wanted.account_id.clone(),
                    region: wanted.region.clone(),
                    bus: wanted.name.clone(),
                    policy: BusPolicy::Read(None),
                    rules: Ok(Vec::new()),
                    topics: Vec::new(),
                })
            })
            .collect()
    }

    /// The world is read whole: a topic asked for is read (present or not).
    async fn read_more(&self, snapshot: &mut Snapshot, request: &ReadRequest) {
        for asked in &request.topics {
            let region = snapshot
                .regions
                .iter_mut()
                .find(|r| r.region == asked.region);
            let region = region.expect("a region of the world");
            if !region.topics_read.contains(&asked.arn) {
                region.topics_read.push(asked.arn.clone());
            }
        }
    }
}

impl apply::Executor for World {
    type Error = Denied;

    async fn execute(&self, action: &Action) -> Result<String, Denied> {
        if self.failing == Some(action.operation.name()) {
            return Err(Denied(action.operation.name()));
        }
        model::sample::write(&mut self.state.lock().unwrap(), action);
        Ok("done".into())
    }
}

/// A write the world refuses.
#[derive(Debug)]
struct Denied(&'static str);

impl std::fmt::Display for Denied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: AccessDenied", self.0)
    }
}

impl std::error::Error for Denied {}

/// The run's credentials reach the sample account; other accounts through a role.
struct Run {
    own: World,
    others: Vec<(String, World)>,
    /// The threads many accounts spread over (`lanes.rs`).
    lanes: usize,
}

impl Connect for Run {
    type Account = World;

    fn own(&self) -> &str {
        ACCOUNT
    }

    async fn assume(&self, account: &str, _role: &str) -> World {
        let found = self.others.iter().find(|(id, _)| id == account);
        found.map(|(_, w)| w.clone()).unwrap_or_else(|| World {
            unreadable: true,
            ..World::new(compliant())
        })
    }

    fn base(&self) -> &World {
        &self.own
    }

    fn calls(&self, _account: &World) -> Calls {
        Calls::new()
    }

    fn lanes(&self) -> usize {
        self.lanes
    }

    fn why_unread(
        &self,
        account: &str,
        _role: Option<&str>,
        error: survey::SurveyError<String>,
    ) -> String {
        format!("account {account}: {error}")
    }
}

fn run_of(state: Snapshot) -> Run {
    Run {
        own: World::new(state),
        others: Vec::new(),
        lanes: 1,
    }
}

/// The world with only a qualifying trail (its log group has no filter).
fn trail_only() -> Snapshot {
    let mut s = snapshot(vec![trail("main")], vec![], vec![], vec![]);
    s.regions[0].topics_read = vec![topic_arn(model::desired::DEFAULT_TOPIC_NAME)];
    s
}

fn notifying(endpoint: &str) -> Desired {
    Desired {
        notify: vec![endpoint.parse().unwrap()],
        ..Desired::default()
    }
}

/// Plans the run's own account as `plan --out` saves it.
fn saved(run: &Run, controls: &[Control], desired: &Desired) -> PlanFile {
    let Surveyed { report, snapshot } = block_on(plan_own(&run.own, controls, desired)).unwrap();
    let header = PlanHeader {
        region: REGION,
        benchmark: controls[0].benchmark,
        trailwatch_version: "test",
        own: ACCOUNT,
    };
    let result = model::report::AccountResult {
        account_id: snapshot.account_id.clone(),
        report: Ok(report),
        calls: Calls::new(),
        wall: std::time::Duration::ZERO,
    };
    own_plan_file(&header, controls, desired, result, &snapshot)
}

fn apply_first(run: &Run, file: &PlanFile) -> Applied {
    block_on(apply_account(
        run,
        &[iam()],
        &file.accounts[0],
        (None, &Roster::default()),
    ))
}

#[test]
fn a_trail_only_account_is_applied_and_verified() {
    let run = run_of(trail_only());
    let file = saved(
        &run,
        &[iam()],
        &notifying("sqs:arn:aws:sqs:us-east-1:111122223333:q"),
    );
    let applied = apply_first(&run, &file);
    assert_eq!(applied.outcome.state, AccountState::Applied, "{applied:?}");
    assert_eq!(
        applied.actions.len(),
        file.accounts[0].report().unwrap().actions.len()
    );
    assert!(applied.verification.unwrap().ok);
    assert!(applied.after.unwrap().actions.is_empty());
}

#[test]
fn an_email_subscriber_leaves_the_account_awaiting_confirmation() {
    let run = run_of(trail_only());
    let file = saved(&run, &[iam()], &notifying("email:sec@example.com"));
    let applied = apply_first(&run, &file);
    assert_eq!(applied.outcome.state, AccountState::AwaitingConfirmation);
}

#[test]
fn a_failing_write_fails_the_account_and_skips_what_depends_on_it() {
    let mut run = run_of(trail_only());
    run.own.failing = Some("put-metric-filter");
    let file = saved(
        &run,
        &[iam()],
        &notifying("sqs:arn:aws:sqs:us-east-1:111122223333:q"),
    );
    let applied = apply_first(&run, &file);
    assert_eq!(applied.outcome.state, AccountState::Failed);
    assert!(applied.outcome.actions_failed > 0);
}

#[test]
fn an_account_changed_since_the_plan_is_stale_and_untouched() {
    let run = run_of(trail_only());
    let file = saved(&run, &[iam()], &notifying("email:sec@example.com"));
    run.own.state.lock().unwrap().log_groups[0]
        .filters
        .as_mut()
        .unwrap()
        .push(filter("extra", "{ $.eventName = X }", "X"));
    let before = run.own.state.lock().unwrap().clone();
    let applied = apply_first(&run, &file);
    assert_eq!(applied.outcome.state, AccountState::Stale);
    assert_eq!(applied.changed, vec![format!("filters:{REGION}:{GROUP}")]);
    assert!(applied.actions.is_empty());
    assert_eq!(
        *run.own.state.lock().unwrap(),
        before,
        "nothing was written"
    );
}

#[test]
fn a_plan_applied_again_is_already_applied() {
    let run = run_of(trail_only());
    let file = saved(&run, &[iam()], &notifying("email:sec@example.com"));
    apply_first(&run, &file);
    let again = apply_first(&run, &file);
    assert_eq!(again.outcome.state, AccountState::AlreadyApplied);
    assert!(again.actions.is_empty());
}

#[test]
fn a_compliant_account_has_nothing_to_do_and_is_not_read_again() {
    let run = run_of(compliant());
    let file = saved(&run, &[iam()], &Desired::default());
    run.own.state.lock().unwrap().regions[0].alarms = Ok(vec![]);
    let applied = apply_first(&run, &file);
    assert_eq!(applied.outcome.state, AccountState::NothingToDo);
    assert!(applied.verification.unwrap().ok);
}

#[test]
fn unreachable_accounts_are_untouched_and_say_why() {
    let run = run_of(trail_only());
    let mut file = saved(&run, &[iam()], &notifying("email:sec@example.com"));
    let plan: &mut AccountPlan = &mut file.accounts[0];
    plan.account_id = "999999999999".into();
    let applied = apply_first(&run, &file);
    assert_eq!(applied.outcome.state, AccountState::Unreachable);
    assert!(applied
        .outcome
        .error
        .unwrap()
        .contains("use that account's credentials"));
    file.accounts[0].assume_role = Some("audit".into());
    let applied = apply_first(&run, &file);
    assert_eq!(applied.outcome.state, AccountState::Unreachable);
    assert!(applied.outcome.error.unwrap().contains("AccessDenied"));
}

#[test]
fn many_accounts_are_read_in_the_order_given_each_through_its_role() {
    let other = "444455556666";
    let run = Run {
        own: World::new(trail_only()),
        others: vec![(other.to_string(), World::new(compliant()))],
        lanes: 1,
    };
    let target = |account: &str, role: Option<&str>| Target {
        account: account.into(),
        role: role.map(str::to_string),
        desired: Desired::default(),
    };
    let targets = [
        target(other, Some("audit")),
        target(ACCOUNT, Some("audit")),
        target("777788889999", None),
    ];
    let read = block_on(plan_accounts(&run, &targets, &[iam()], 2, true, &|| {}));
    let ids: Vec<&str> = read.results.iter().map(|r| r.account_id.as_str()).collect();
    assert_eq!(ids, [other, ACCOUNT, "777788889999"]);
    assert!(read.results[0].report.is_ok() && read.results[1].report.is_ok());
    assert_eq!(
        read.snapshots.len(),
        2,
        "the read accounts' snapshots are kept"
    );
    assert!(read.results[2]
        .report
        .as_ref()
        .unwrap_err()
        .contains("credentials"));
    let header = PlanHeader {
        region: REGION,
        benchmark: iam().benchmark,
        trailwatch_version: "test",
        own: ACCOUNT,
    };
    let file = plan_file(&header, &[iam()], &targets, &read);
    assert_eq!(file.accounts[0].assume_role.as_deref(), Some("audit"));
    assert_eq!(
        file.accounts[1].assume_role, None,
        "the credentials' own account"
    );
    assert!(!file.accounts[0].fingerprints.is_empty());
}

/// What the generated accounts start with, for the control.
#[derive(Debug, Clone, Copy)]
enum Start {
    TrailOnly,
    FilterOnly,
    DisabledAlarm,
    Compliant,
}

fn start(case: Start) -> Snapshot {
    match case {
        Start::TrailOnly => trail_only(),
        Start::FilterOnly => {
            let mut s = compliant();
            s.regions[0].alarms = Ok(vec![]);
            s
        }
        Start::DisabledAlarm => {
            let mut s = compliant();
            s.regions[0].alarms.as_mut().unwrap()[0].actions_enabled = false;
            s
        }
        Start::Compliant => compliant(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn apply_account_converges(
        case in prop_oneof![Just(Start::TrailOnly), Just(Start::FilterOnly), Just(Start::DisabledAlarm), Just(Start::Compliant)],
        email in any::<bool>(),
    ) {
        let run = run_of(start(case));
        let endpoint = if email { "email:sec@example.com" } else { "sqs:arn:aws:sqs:us-east-1:111122223333:q" };
        let controls = [iam(), ct()];
        let file = saved(&run, &controls, &notifying(endpoint));
        let roster = Roster::default();
        let applied = block_on(apply_account(&run, &controls, &file.accounts[0], (None, &roster)));
        prop_assert!(applied.outcome.state.is_success(), "{:?}", applied.outcome);
        let again = block_on(plan_own(&run.own, &controls, &notifying(endpoint))).unwrap();
        prop_assert!(again.report.actions.is_empty());
    }
}

/// The saved plan with one edit made to its JSON, as someone with write access to the file
/// could make after it was reviewed.
fn edited(file: &PlanFile, edit: &dyn Fn(&mut serde_json::Value)) -> PlanFile {
    let mut value = serde_json::to_value(file).unwrap();
    edit(&mut value["accounts"][0]);
    serde_json::from_value(value).unwrap()
}

/// The first action of an operation in an account's plan, as JSON.
fn action_of<'a>(account: &'a mut serde_json::Value, operation: &str) -> &'a mut serde_json::Value {
    let actions = account["report"]["actions"].as_array_mut().unwrap();
    actions
        .iter_mut()
        .find(|a| a["action"] == operation)
        .unwrap_or_else(|| panic!("a {operation} action"))
}

#[test]
fn a_saved_plan_whose_actions_were_edited_is_refused_and_nothing_is_written() {
    type Edit = fn(&mut serde_json::Value);
    let cases: [(&str, Edit); 9] = [
        ("an alarm notifying another account's topic", |a| {
            action_of(a, "put-metric-alarm")["after"]["alarm_actions"] =
                serde_json::json!(["arn:aws:sns:us-east-1:999999999999:attacker"]);
        }),
        ("an alarm whose actions are disabled", |a| {
            action_of(a, "put-metric-alarm")["after"]["actions_enabled"] = false.into();
        }),
        ("another subscriber", |a| {
            action_of(a, "subscribe")["after"]["endpoint"] = "attacker@evil.example".into();
        }),
        ("another region", |a| {
            action_of(a, "put-metric-filter")["region"] = "eu-west-1".into();
        }),
        ("another log group", |a| {
            action_of(a, "put-metric-filter")["after"]["log_group"] = "other-group".into();
        }),
        ("a renamed filter", |a| {
            action_of(a, "put-metric-filter")["after"]["name"] = "quiet".into();
        }),
        ("an action made to depend on a later one", |a| {
            let last = a["report"]["actions"].as_array().unwrap().len();
            a["report"]["actions"][0]["depends_on"] = serde_json::json!([last]);
        }),
        ("an action dropped", |a| {
            a["report"]["actions"].as_array_mut().unwrap().pop();
        }),
        ("an action added twice", |a| {
            let first = a["report"]["actions"][0].clone();
            a["report"]["actions"].as_array_mut().unwrap().push(first);
        }),
    ];
    for (case, edit) in cases {
        let run = run_of(trail_only());
        let file = saved(&run, &[iam()], &notifying("email:sec@example.com"));
        let tampered = edited(&file, &edit);
        let before = run.own.state.lock().unwrap().clone();
        let applied = apply_first(&run, &tampered);
        assert_eq!(
            applied.outcome.state,
            AccountState::Refused,
            "{case}: {applied:?}"
        );
        assert!(applied.actions.is_empty(), "{case}");
        assert_eq!(
            *run.own.state.lock().unwrap(),
            before,
            "{case}: nothing was written"
        );
        let error = applied.outcome.error.unwrap();
        assert!(
            error.contains("when planned again") || error.contains("planning again gives"),
            "{case}: {error}"
        );
    }
}

#[test]
fn the_first_difference_names_the_action_and_field() {
    let run = run_of(trail_only());
    let file = saved(&run, &[iam()], &notifying("email:sec@example.com"));
    let tampered = edited(&file, &|a| {
        action_of(a, "subscribe")["after"]["endpoint"] = "attacker@evil.example".into();
    });
    let error = apply_first(&run, &tampered).outcome.error.unwrap();
    assert!(
        error.contains("`after.endpoint` is \"attacker@evil.example\" in the file but \"sec@example.com\" when planned again"),
        "{error}"
    );
}

/// A saved plan's digest is the SHA-256 of the compact JSON docs/json.md describes, byte for
/// byte, so a plan saved by an earlier trailwatch (and its `--expect-digest`) still verifies.
#[test]
fn a_plan_digest_is_the_hash_of_what_docs_json_md_says_it_hashes() {
    use sha2::Digest;
    let run = run_of(trail_only());
    let mut file = saved(&run, &[iam()], &notifying("email:sec@example.com"));
    let mut unread = file.accounts[0].clone();
    unread.account_id = "555555555555".into();
    unread.assume_role = Some("audit".into());
    unread.plan = model::planfile::PlanOrUnread::Unread("cannot assume role".into());
    file.accounts.push(unread);
    let accounts: Vec<serde_json::Value> = file
        .accounts
        .iter()
        .map(|a| {
            let actions = a.report().map(|r| r.actions.clone()).unwrap_or_default();
            serde_json::json!({"account_id": a.account_id, "assume_role": a.assume_role,
                               "desired": a.desired, "actions": actions})
        })
        .collect();
    let reviewed = serde_json::json!({"benchmark": file.benchmark, "region": file.region,
                                      "control_ids": file.control_ids, "accounts": accounts});
    let hash = sha2::Sha256::digest(reviewed.to_string().as_bytes());
    let expected: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    assert!(!file.accounts[0].report().unwrap().actions.is_empty());
    assert_eq!(file.digest(), format!("sha256:{expected}"));
}

/// Seven member accounts that all need the same fix, reached through a role, over `lanes`.
fn members(lanes: usize) -> (Run, Vec<Target>) {
    let ids: Vec<String> = (0..7).map(|i| format!("55555555555{i}")).collect();
    let run = Run {
        own: World::new(compliant()),
        others: ids
            .iter()
            .map(|id| (id.clone(), World::new(trail_only())))
            .collect(),
        lanes,
    };
    let targets = ids
        .iter()
        .map(|id| Target {
            account: id.clone(),
            role: Some("admin".into()),
            desired: Desired::default(),
        })
        .collect();
    (run, targets)
}

/// Reads, plans and applies the member accounts over `lanes`: their plans, and each account's
/// outcome (account, state, error) with whether it was read after; and how often `done` ran.
fn spread_over(lanes: usize) -> (AccountsRead, Vec<(String, AccountState, bool)>, usize) {
    let (run, targets) = members(lanes);
    let read = block_on(plan_accounts(&run, &targets, &[iam()], 4, true, &|| {}));
    let header = PlanHeader {
        region: REGION,
        benchmark: iam().benchmark,
        trailwatch_version: "test",
        own: ACCOUNT,
    };
    let file = plan_file(&header, &[iam()], &targets, &read);
    let done = std::sync::atomic::AtomicUsize::new(0);
    let count = || {
        done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    };
    let controls = [iam()];
    let applied = block_on(apply_accounts(
        &run,
        &controls,
        &file.accounts,
        read.snapshots.clone(),
        4,
        &count,
    ));
    let outcomes = applied
        .into_iter()
        .map(|(o, after)| (o.account_id, o.state, after.is_some()))
        .collect();
    (read, outcomes, done.into_inner())
}

#[test]
fn accounts_spread_over_lanes_are_read_and_applied_as_on_one_in_the_order_given() {
    let plans = |read: &AccountsRead| -> Vec<(String, Option<Report>)> {
        let each = read.results.iter();
        each.map(|r| (r.account_id.clone(), r.report.clone().ok()))
            .collect()
    };
    let (one, applied_on_one, _) = spread_over(1);
    let (three, applied_on_three, done) = spread_over(3);
    let given: Vec<String> = members(1).1.into_iter().map(|t| t.account).collect();
    let read_ids: Vec<String> = three.results.iter().map(|r| r.account_id.clone()).collect();
    assert_eq!(read_ids, given, "read in the order given");
    assert_eq!(plans(&three), plans(&one), "the same plans");
    assert!(three
        .results
        .iter()
        .all(|r| r.report.as_ref().is_ok_and(|p| !p.actions.is_empty())));
    let applied_ids: Vec<&String> = applied_on_three.iter().map(|(id, ..)| id).collect();
    assert_eq!(
        applied_ids,
        given.iter().collect::<Vec<_>>(),
        "applied in the order given"
    );
    assert_eq!(applied_on_three, applied_on_one, "the same outcomes");
    assert!(applied_on_three
        .iter()
        .all(|(_, state, after)| *state != AccountState::Unreachable && *after));
    assert_eq!(done, 7, "each account counted once");
}

/// A run of an account whose only rule forwards CloudTrail's events to the central account's
/// bus, and that central account (its id given): its bus lets the first in and tells a
/// confirmed subscriber.
fn forwarding_to_central() -> (Run, String) {
    const CENTRAL: &str = "999988887777";
    let ct = r#"{"source": ["aws.cloudtrail"]}"#;
    let rule = |account: &str, bus: &str, target: String| Rule {
        arn: format!("arn:aws:events:{REGION}:{account}:rule/{bus}/forward"),
        name: "forward".into(),
        state: RuleState::Enabled,
        pattern: ct.into(),
        targets: Ok(vec![target]),
        invocations: Ok(None),
    };
    let central_arn = format!("arn:aws:events:{REGION}:{CENTRAL}:event-bus/central");
    let mut member = snapshot(vec![trail("main")], vec![], vec![], vec![]);
    member.eventbridge = EventBridgeRead::Read(Ok(vec![BusRegion {
        account: ACCOUNT.into(),
        region: REGION.into(),
        bus: DEFAULT_BUS.into(),
        policy: BusPolicy::NotRead,
        rules: Ok(vec![rule(ACCOUNT, DEFAULT_BUS, central_arn.clone())]),
        topics: vec![],
    }]));
    let mut alerts = topic("alerts", true);
    alerts.arn = format!("arn:aws:sns:{REGION}:{CENTRAL}:alerts");
    let lets_member_in = serde_json::json!({"Statement": [{"Effect": "Allow",
        "Principal": {"AWS": ACCOUNT}, "Action": "events:PutEvents", "Resource": central_arn}]});
    let mut central = snapshot(vec![], vec![], vec![], vec![]);
    central.account_id = CENTRAL.into();
    central.eventbridge = EventBridgeRead::Read(Ok(vec![BusRegion {
        account: CENTRAL.into(),
        region: REGION.into(),
        bus: "central".into(),
        policy: BusPolicy::Read(Some(lets_member_in.to_string())),
        rules: Ok(vec![rule(CENTRAL, "central", alerts.arn.clone())]),
        topics: vec![alerts],
    }]));
    let run = Run {
        own: World::new(member),
        others: vec![(CENTRAL.to_string(), World::new(central))],
        lanes: 1,
    };
    (run, CENTRAL.to_string())
}

/// The member (the run's own account) and the central account through its role, alike.
fn member_and_central(central: &str, desired: &Desired) -> Vec<Target> {
    [(ACCOUNT, None), (central, Some("audit"))]
        .into_iter()
        .map(|(account, role)| Target {
            account: account.into(),
            role: role.map(str::to_string),
            desired: desired.clone(),
        })
        .collect()
}

#[test]
fn a_rule_forwarding_to_another_account_of_the_run_is_followed_there() {
    let (run, central_id) = forwarding_to_central();
    let desired = Desired {
        accept_eventbridge: true,
        ..Desired::default()
    };
    let status = |targets: &[Target]| {
        let read = block_on(plan_accounts(&run, targets, &[ct()], 1, false, &|| {}));
        let report = read.results[0].report.as_ref().unwrap();
        report.controls[0].status
    };
    let both = member_and_central(&central_id, &desired);
    assert_eq!(status(&both), model::Status::Compliant);
    assert_eq!(
        status(&both[..1]),
        model::Status::NonCompliant,
        "the central account is not part of this run: its bus is not read"
    );
}

#[test]
fn apply_follows_the_rules_into_the_other_account_when_they_decide_verdicts() {
    // The member's CloudTrail control holds through the central bus (accepted); its IAM control
    // is planned. Apply's check must read the central bus again, or the CloudTrail control
    // would look open and the plan stale.
    let (run, central_id) = forwarding_to_central();
    let desired = Desired {
        accept_eventbridge: true,
        notify: vec!["sqs:arn:aws:sqs:us-east-1:111122223333:q".parse().unwrap()],
        ..Desired::default()
    };
    let targets = member_and_central(&central_id, &desired);
    let controls = [ct(), iam()];
    let read = block_on(plan_accounts(&run, &targets, &controls, 1, true, &|| {}));
    let planned = read.results[0].report.as_ref().unwrap();
    assert_eq!(planned.controls[0].status, model::Status::Compliant);
    assert!(!planned.actions.is_empty(), "the IAM control is planned");
    let header = PlanHeader {
        region: REGION,
        benchmark: iam().benchmark,
        trailwatch_version: "test",
        own: ACCOUNT,
    };
    let file = plan_file(&header, &controls, &targets, &read);
    let applied = block_on(apply_accounts(
        &run,
        &controls,
        &file.accounts,
        read.snapshots.clone(),
        1,
        &|| {},
    ));
    let (outcome, after) = &applied[0];
    assert_eq!(outcome.state, AccountState::Applied, "{outcome:?}");
    let after = after.as_ref().unwrap().report.as_ref().unwrap();
    assert!(after
        .controls
        .iter()
        .all(|c| c.status == model::Status::Compliant));
}
