//! The HTML report of a run (`--output html`): one self-contained page for auditors and account
//! owners — the totals, an accounts × controls grid worst first, and per account and control the
//! chain drawn as a row of steps with the one where it breaks marked, the findings, the plan's
//! actions and the waiver. Built from the same `Item`s as every other format, through the
//! askama template `templates/report.html`.

use askama::Template;
use model::report::Step;
use model::Status;

use super::page::{anchor, shown, Look, WORST_FIRST};
use super::run::{Item, Run};

/// The HTML report of a run.
pub fn document(run: &Run) -> String {
    let items = run.items();
    let page = ReportPage {
        standards: run.standards(),
        at: run.timestamp(),
        version: run.version,
        accounts: run.results.len(),
        controls: run.controls.len(),
        totals: totals(&items),
        columns: columns(run),
        rows: rows(run, &items),
        details: items.iter().map(detail).collect(),
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

/// A row per account, worst first: most non-compliant controls, then errors, then waivers;
/// accounts alike keep the run's order.
fn rows(run: &Run, items: &[Item]) -> Vec<Row> {
    let mut rows: Vec<(Vec<usize>, Row)> = run
        .results
        .iter()
        .map(|result| {
            let account = result.account_id.as_str();
            let mine: Vec<&Item> = items.iter().filter(|i| i.account == account).collect();
            let badness = WORST_FIRST
                .iter()
                .map(|&s| mine.iter().filter(|i| i.result.status == s).count())
                .collect();
            let row = Row {
                account: shown(account),
                unread: result.report.as_ref().err().map(|why| shown(why)),
                cells: mine.iter().map(|i| cell(i)).collect(),
            };
            (badness, row)
        })
        .collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0));
    rows.into_iter().map(|(_, row)| row).collect()
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
            }
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
