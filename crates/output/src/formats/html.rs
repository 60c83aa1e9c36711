//! The HTML report of a run (`--output html`): one self-contained page for auditors and account
//! owners — the totals, an accounts × controls grid worst first, and per account and control the
//! chain drawn as a row of steps with the one where it breaks marked, the findings, the plan's
//! actions and the waiver. Built from the same `Item`s as every other format, through the
//! askama template `templates/report.html`.

use askama::Template;
use model::report::{AccountResult, ChainKind, Step};
use model::Status;
use model::{Change, Operation};

use super::page::{anchor, shown, Look, WORST_FIRST};
use super::run::{Item, Run};

/// The HTML report of a run.
pub fn document(run: &Run) -> String {
    let items = run.items();
    let accounts = worst_first(run, &items);
    let page = ReportPage {
        standards: run.standards(),
        at: run.timestamp(),
        version: run.version,
        accounts: run.results.len(),
        controls: run.controls.len(),
        totals: totals(&items),
        columns: columns(run),
        rows: accounts.iter().map(|a| row(a, &items)).collect(),
        details: accounts
            .iter()
            .flat_map(|a| items.iter().filter(move |i| i.account == a.account_id))
            .map(detail)
            .collect(),
    };
    page.render().expect("the report's template renders")
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage<'a> {
    standards: String,
    at: String,
    version: &'a str,
    accounts: usize,
    controls: usize,
    totals: Vec<Total>,
    columns: Vec<Column>,
    rows: Vec<Row>,
    details: Vec<Detail>,
}

/// How many controls of the run have one status.
struct Total {
    look: Look,
    count: usize,
}

/// A control, as a column of the grid.
struct Column {
    label: String,
    id: String,
    title: String,
}

/// An account, as a row of the grid.
struct Row {
    account: String,
    /// Why it could not be read, if it was not.
    unread: Option<String>,
    cells: Vec<Cell>,
}

struct Cell {
    link: String,
    look: Look,
}

/// One control in one account.
struct Detail {
    anchor: String,
    account: String,
    label: String,
    id: String,
    title: String,
    look: Look,
    /// The step where the chain breaks (`Step::as_str`), empty when none does.
    breaks_at: &'static str,
    steps: Vec<StepView>,
    findings: Vec<FindingView>,
    actions: Vec<String>,
    waiver: Option<WaiverView>,
}

struct StepView {
    step: &'static str,
    label: &'static str,
    name: String,
    state: StepState,
    /// What the plan's actions do at this step, if anything.
    planned: Option<String>,
}

/// How far a step of the chain is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StepState {
    Holds,
    Breaks,
    CannotTell,
    NotReached,
}

impl StepState {
    fn class(self) -> &'static str {
        match self {
            StepState::Holds => "holds",
            StepState::Breaks => "breaks",
            StepState::CannotTell => "unclear",
            StepState::NotReached => "unreached",
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            StepState::Holds => "✓",
            StepState::Breaks => "✗",
            StepState::CannotTell => "?",
            StepState::NotReached => "·",
        }
    }

    fn word(self) -> &'static str {
        match self {
            StepState::Holds => "holds",
            StepState::Breaks => "breaks here",
            StepState::CannotTell => "cannot tell",
            StepState::NotReached => "not reached",
        }
    }
}

struct FindingView {
    code: &'static str,
    message: String,
    hint: Option<String>,
}

struct WaiverView {
    reason: String,
    ticket: Option<String>,
    expires: String,
    expired: bool,
}

fn totals(items: &[Item]) -> Vec<Total> {
    WORST_FIRST
        .iter()
        .map(|&status| Total {
            look: Look::of(status),
            count: items.iter().filter(|i| i.result.status == status).count(),
        })
        .collect()
}

fn columns(run: &Run) -> Vec<Column> {
    run.controls
        .iter()
        .map(|c| Column {
            label: c.label(),
            id: c.id.to_string(),
            title: c.title.to_string(),
        })
        .collect()
}

/// The accounts worst first: most non-compliant controls, then errors, then waivers; accounts
/// alike keep the run's order.
fn worst_first<'a>(run: &Run<'a>, items: &[Item]) -> Vec<&'a AccountResult> {
    let mut accounts: Vec<&AccountResult> = run.results.iter().collect();
    accounts.sort_by_cached_key(|result| {
        let mine: Vec<&Item> = items
            .iter()
            .filter(|i| i.account == result.account_id)
            .collect();
        let counts: Vec<usize> = WORST_FIRST
            .iter()
            .map(|&s| mine.iter().filter(|i| i.result.status == s).count())
            .collect();
        std::cmp::Reverse(counts)
    });
    accounts
}

fn row(result: &AccountResult, items: &[Item]) -> Row {
    Row {
        account: shown(&result.account_id),
        unread: result.report.as_ref().err().map(|why| shown(why)),
        cells: items
            .iter()
            .filter(|i| i.account == result.account_id)
            .map(cell)
            .collect(),
    }
}

fn cell(item: &Item) -> Cell {
    Cell {
        link: anchor(&[item.account, item.control.id]),
        look: Look::of(item.result.status),
    }
}

fn detail(item: &Item) -> Detail {
    let result = &item.result;
    let breaks_at = result.breaks_at();
    Detail {
        anchor: anchor(&[item.account, item.control.id]),
        account: shown(item.account),
        label: item.control.label(),
        id: item.control.id.to_string(),
        title: item.control.title.to_string(),
        look: Look::of(result.status),
        breaks_at: breaks_at.map_or("", Step::as_str),
        steps: steps(item, breaks_at),
        findings: findings(item),
        actions: item.actions_text().iter().map(|a| shown(a)).collect(),
        waiver: result.waiver.as_ref().map(|w| WaiverView {
            reason: shown(&w.reason),
            ticket: w.ticket.as_deref().map(shown),
            expires: w.expires.clone(),
            expired: w.expired,
        }),
    }
}

/// The chain as a row of steps: those before the break hold, the break is marked (as "cannot
/// tell" for a control in error), those after it are not reached. A chain that holds holds
/// throughout; a control judged elsewhere or unreadable with no break known is "cannot tell".
fn steps(item: &Item, breaks_at: Option<model::report::Step>) -> Vec<StepView> {
    if let Some(chain) = (item.result.chain.as_ref()).filter(|c| c.kind == ChainKind::Eventbridge) {
        return eventbridge_steps(chain);
    }
    let status = item.result.status;
    let at_break = match status {
        Status::Error => StepState::CannotTell,
        _ => StepState::Breaks,
    };
    let mut reached = true;
    Step::ALL
        .iter()
        .map(|&step| {
            let state = match (breaks_at, status) {
                (Some(b), _) if b == step => {
                    reached = false;
                    at_break
                }
                (Some(_), _) if !reached => StepState::NotReached,
                (Some(_), _) | (None, Status::Compliant) => StepState::Holds,
                (None, _) => StepState::CannotTell,
            };
            StepView {
                step: step.as_str(),
                label: step.label(),
                name: step_name(item, step),
                state,
                planned: planned(item, step),
            }
        })
        .collect()
}

/// A chain that holds through EventBridge rules (`--accept eventbridge`): the trail, the rules
/// on the default buses, the topic and its confirmed subscribers.
fn eventbridge_steps(chain: &model::report::Chain) -> Vec<StepView> {
    let rules = chain
        .rules
        .iter()
        .map(|r| r.rsplit('/').next().unwrap_or(r))
        .collect::<Vec<_>>()
        .join(", ");
    let topic = chain.topic.as_deref().and_then(|t| t.rsplit(':').next());
    [
        ("trail", "trail", chain.trail.rsplit('/').next().map(shown)),
        ("rules", "EventBridge rules", Some(shown(&rules))),
        ("topic", "topic", topic.map(shown)),
        ("subscribers", "confirmed subscribers", None),
    ]
    .into_iter()
    .map(|(step, label, name)| StepView {
        step,
        label,
        name: name.unwrap_or_default(),
        state: StepState::Holds,
        planned: None,
    })
    .collect()
}

/// The resource at a step of the control's chain, by name; empty where there is none.
fn step_name(item: &Item, step: Step) -> String {
    let Some(chain) = item.result.chain.as_ref() else {
        return String::new();
    };
    let name = match step {
        Step::Trail => chain.trail.rsplit('/').next(),
        Step::LogGroup => Some(chain.log_group.as_str()),
        Step::Filter => chain.filter.as_deref(),
        Step::Alarm => chain.alarm.as_deref(),
        Step::Topic => chain.topic.as_deref().and_then(|t| t.rsplit(':').next()),
        Step::Subscribers => None,
    };
    name.map(shown).unwrap_or_default()
}

/// What the plan's actions for the control do at a step: create or change its filter, alarm or
/// topic, or subscribe an endpoint.
fn planned(item: &Item, step: Step) -> Option<String> {
    let verb = |change: Change| match change {
        Change::Create => "the plan creates it",
        Change::Update => "the plan changes it",
    };
    item.actions.iter().find_map(|action| {
        let said = match (&action.operation, step) {
            (Operation::PutMetricFilter { .. }, Step::Filter) => verb(action.change).to_string(),
            (Operation::PutMetricAlarm { .. }, Step::Alarm) => verb(action.change).to_string(),
            (Operation::CreateTopic { .. }, Step::Topic) => verb(action.change).to_string(),
            (Operation::Subscribe { after }, Step::Subscribers) => shown(&format!(
                "the plan subscribes {}:{} (to be confirmed)",
                after.protocol, after.endpoint
            )),
            _ => return None,
        };
        Some(format!("{}. {said}", action.number))
    })
}

fn findings(item: &Item) -> Vec<FindingView> {
    item.result
        .findings
        .iter()
        .map(|f| FindingView {
            code: f.code.as_str(),
            message: shown(&f.message),
            hint: f.hint.as_deref().map(shown),
        })
        .collect()
}
