//! Reading and planning accounts: the read → plan → read-more loop for one account, generic over
//! the [`Reader`] that talks to AWS, and the merge of many accounts' results (organization
//! trails carry the verdict of the account that holds their log group).
//!
//! No AWS SDK here: `aws::Aws` implements [`Reader`]; the tests use a reader of plain values.

use std::future::Future;

use model::arn::EventBusRef;
use model::live::{
    AlarmRequest, BusRegion, EventBridgeRead, LogGroup, ReadRequest, ReadScope, RegionState,
    Written,
};
use model::report::AccountResult;
use model::{Action, Control, Desired, Report, Snapshot};
use plan::{PlanError, PlanOrRead};

/// Reads accounts: the first read, then what the planner asks for.
pub trait Reader {
    /// Why nothing could be read (credentials, endpoint, a role that cannot be assumed).
    type Error;

    /// Reads the trails, their log groups' filters, and the alarms and topics of `scope`, with
    /// what `follow_up` asks of each region read; a reader may leave that to `read_more`.
    fn read_snapshot(
        &self,
        scope: &ReadScope,
        follow_up: FollowUp<'_>,
    ) -> impl Future<Output = Result<Snapshot, Self::Error>>;

    /// Reads what the planner asked for into the snapshot. Failures of single reads are kept
    /// in the snapshot, as in `read_snapshot`.
    fn read_more(&self, snapshot: &mut Snapshot, request: &ReadRequest)
        -> impl Future<Output = ()>;

    /// Reads event buses of this account that another account's rules forward to: each with
    /// its rules, their targets and the topics of this account they target, and its policy.
    fn read_buses(&self, buses: &[EventBusRef]) -> impl Future<Output = Vec<BusRegion>>;

    /// Reads the account again as `read_snapshot` does, knowing what an earlier read of it
    /// found (`before`), so that reads it made can start early; it must give what
    /// `read_snapshot` gives, but for the deliveries of topics `before` found, which it may
    /// keep (`model::live::Topic::deliveries` says why). Without that knowledge,
    /// `read_snapshot`.
    fn read_again(
        &self,
        scope: &ReadScope,
        before: &Snapshot,
        follow_up: FollowUp<'_>,
    ) -> impl Future<Output = Result<Snapshot, Self::Error>> {
        let _ = before;
        self.read_snapshot(scope, follow_up)
    }

    /// The account after actions ran: `before`, what it held just before they ran, with what
    /// they wrote (`written`) read again; it must give what `read_snapshot` would give of those
    /// objects. Without that knowledge, `read_again`.
    fn read_written(
        &self,
        scope: &ReadScope,
        before: Snapshot,
        written: &Written,
        follow_up: FollowUp<'_>,
    ) -> impl Future<Output = Result<Snapshot, Self::Error>> {
        let _ = written;
        async move { self.read_again(scope, &before, follow_up).await }
    }
}

/// What the planner asks of a first read before anything else: in a region with more than a
/// page of alarms, the alarms on the metrics that matter (`plan::scope::region_alarm_request`),
/// which depend on that region's filters alone. Given to the reader with the first read, so that
/// it reads them as soon as the region's first page says there are more, beside the rest of the
/// first read and the EventBridge rules: left to the loop, they waited for the slowest of those.
#[derive(Debug, Clone, Copy, Default)]
pub struct FollowUp<'a>(Option<Planning<'a>>);

/// The controls and desired state a survey plans with.
#[derive(Debug, Clone, Copy)]
struct Planning<'a> {
    controls: &'a [Control],
    desired: &'a Desired,
}

impl<'a> FollowUp<'a> {
    /// What planning these controls with this desired state asks first.
    pub fn of(controls: &'a [Control], desired: &'a Desired) -> FollowUp<'a> {
        FollowUp(Some(Planning { controls, desired }))
    }

    /// The alarms to read next in a region whose first read gave these log groups and this
    /// state; none for [`FollowUp::default`].
    pub fn in_region<'g>(
        &self,
        groups: impl IntoIterator<Item = &'g LogGroup>,
        state: &RegionState,
    ) -> Option<AlarmRequest> {
        let p = self.0?;
        plan::scope::region_alarm_request(groups, state, p.controls, p.desired)
    }
}

/// How many times the planner may ask for more: alarms of crowded regions (when the reader left
/// them out of the first read: [`FollowUp`]), then the topics they notify, then the topic the
/// plan turns to and the EventBridge rules (read together).
pub const MAX_READS: usize = 4;

/// Why reading and planning an account stopped.
#[derive(Debug)]
pub enum SurveyError<E> {
    /// Nothing could be read (credentials, endpoint).
    Read(E),
    /// The input makes planning impossible.
    Plan(PlanError),
    /// The planner still wanted more after [`MAX_READS`] reads: a bug, reported rather than
    /// turned into a plan made on a partial read.
    Unsettled(ReadRequest),
}

impl<E: std::fmt::Display> std::fmt::Display for SurveyError<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SurveyError::Read(e) => write!(f, "{e}"),
            SurveyError::Plan(e) => write!(f, "{e}"),
            SurveyError::Unsettled(request) => write!(
                f,
                "the plan still depends on unread objects after {MAX_READS} reads ({} alarm and {} topic reads pending); please report this",
                request.alarms.len(),
                request.topics.len()
            ),
        }
    }
}

impl<E: std::fmt::Debug + std::fmt::Display> std::error::Error for SurveyError<E> {}

/// An account read and planned.
#[derive(Debug)]
pub struct Surveyed {
    /// What was read.
    pub snapshot: Snapshot,
    /// The plan made of it.
    pub report: Report,
}

/// Reads an account and plans it; when the plan depends on something the read did not cover
/// (the alarms of a crowded region, the default shared topic), reads it and plans again.
pub async fn survey<R: Reader>(
    reader: &R,
    controls: &[Control],
    desired: &Desired,
) -> Result<Surveyed, SurveyError<R::Error>> {
    let scope = plan::read_scope(desired);
    let snapshot = reader
        .read_snapshot(&scope, FollowUp::of(controls, desired))
        .await
        .map_err(SurveyError::Read)?;
    settle(reader, controls, desired, snapshot).await
}

/// [`survey`] of an account read before (`before`): the reader may start the reads that read
/// made at once (`Reader::read_again`); the result is what [`survey`] gives, but for the
/// deliveries `Reader::read_again` may keep.
pub async fn survey_again<R: Reader>(
    reader: &R,
    controls: &[Control],
    desired: &Desired,
    before: &Snapshot,
) -> Result<Surveyed, SurveyError<R::Error>> {
    let scope = plan::read_scope(desired);
    let snapshot = reader
        .read_again(&scope, before, FollowUp::of(controls, desired))
        .await
        .map_err(SurveyError::Read)?;
    settle(reader, controls, desired, snapshot).await
}

/// [`survey`] of an account just written: `before` is what it held just before `actions` ran,
/// and only what they wrote is read again (`Reader::read_written`).
pub async fn survey_written<R: Reader>(
    reader: &R,
    controls: &[Control],
    desired: &Desired,
    before: Snapshot,
    actions: &[Action],
) -> Result<Surveyed, SurveyError<R::Error>> {
    let scope = plan::read_scope(desired);
    let snapshot = reader
        .read_written(
            &scope,
            before,
            &Written::of(actions),
            FollowUp::of(controls, desired),
        )
        .await
        .map_err(SurveyError::Read)?;
    settle(reader, controls, desired, snapshot).await
}

/// An account's survey with event buses of other accounts its rules forward to (read in those
/// accounts) added to its snapshot, planned again.
pub async fn with_buses<R: Reader>(
    reader: &R,
    controls: &[Control],
    desired: &Desired,
    surveyed: Surveyed,
    buses: Vec<BusRegion>,
) -> Result<Surveyed, SurveyError<R::Error>> {
    let mut snapshot = surveyed.snapshot;
    if let EventBridgeRead::Read(Ok(read)) = &mut snapshot.eventbridge {
        read.extend(buses);
    }
    settle(reader, controls, desired, snapshot).await
}

/// Plans the snapshot, reading what the planner asks for until it can.
async fn settle<R: Reader>(
    reader: &R,
    controls: &[Control],
    desired: &Desired,
    mut snapshot: Snapshot,
) -> Result<Surveyed, SurveyError<R::Error>> {
    let mut reads = 0;
    loop {
        match plan::plan_or_read(&snapshot, controls, desired).map_err(SurveyError::Plan)? {
            PlanOrRead::Report(report) => return Ok(Surveyed { snapshot, report }),
            PlanOrRead::Read(request) if reads == MAX_READS => {
                return Err(SurveyError::Unsettled(request))
            }
            PlanOrRead::Read(request) => {
                reader.read_more(&mut snapshot, &request).await;
                reads += 1;
            }
        }
    }
}

/// Puts many accounts' results in the order the accounts were given and carries organization
/// trails' verdicts to their members (see `plan::organization::centralise`).
pub fn merge(results: &mut [AccountResult], order: &[String]) {
    results.sort_by_key(|r| order.iter().position(|a| *a == r.account_id));
    let mut reports: Vec<&mut Report> = results
        .iter_mut()
        .filter_map(|r| r.report.as_mut().ok())
        .collect();
    plan::organization::centralise(&mut reports);
}

#[cfg(test)]
mod tests;
