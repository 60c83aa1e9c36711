//! The CIS trail requirements: which trails qualify (multi-region, logging, all management
//! events, a CloudWatch Logs group in this account that it is delivering to), and why the others
//! do not.

use model::arn::{self, LogGroupRef};
use model::live::{EventSelectors, LogsDelivery, ReadError, Trail};
use model::{Finding, FindingCode};

/// A trail judged against the CIS trail requirements.
#[derive(Debug, Clone)]
pub struct TrailCheck<'a> {
    /// The trail.
    pub trail: &'a Trail,
    /// Why it does not qualify (empty when it does).
    pub problems: Vec<Finding>,
    /// Reads that failed while judging it.
    pub errors: Vec<ReadError>,
    /// Its log group, when it has a valid one.
    pub log_group: Option<LogGroupRef>,
}

impl TrailCheck<'_> {
    /// True when the trail meets every requirement and its log group is in this account.
    pub fn qualifies(&self, account_id: &str) -> bool {
        self.is_sound() && self.log_group.as_ref().is_some_and(|g| g.is_in(account_id))
    }

    /// The account that owns the log group, when it is not this one and the trail otherwise qualifies.
    pub fn central_account(&self, account_id: &str) -> Option<&str> {
        let group = self.log_group.as_ref()?;
        (self.is_sound() && !group.is_in(account_id)).then_some(group.account_id.as_str())
    }

    fn is_sound(&self) -> bool {
        self.problems.is_empty() && self.errors.is_empty()
    }
}

/// The finding for a failed read; the hint says which permission to grant when it was denied.
pub fn read_error_finding(e: &ReadError) -> Finding {
    let finding = Finding::new(FindingCode::ReadError, e.to_string());
    if e.is_access_denied() {
        finding.with_hint(format!(
            "grant `{}` to the identity trailwatch runs as",
            e.action
        ))
    } else {
        finding
    }
}

/// Judges every trail.
pub fn check_trails(trails: &[Trail]) -> Vec<TrailCheck<'_>> {
    trails.iter().map(check_trail).collect()
}

fn check_trail(trail: &Trail) -> TrailCheck<'_> {
    let mut check = TrailCheck {
        trail,
        problems: Vec::new(),
        errors: Vec::new(),
        log_group: None,
    };
    check.problems.extend(multi_region(trail));
    match logging(trail) {
        Ok(problem) => check.problems.extend(problem),
        Err(e) => check.errors.push(e),
    }
    match management_events(trail) {
        Ok(problem) => check.problems.extend(problem),
        Err(e) => check.errors.push(e),
    }
    match log_group(trail) {
        Ok(group) => {
            check.problems.extend(logs_delivery(trail, &group));
            check.log_group = Some(group);
        }
        Err(problem) => check.problems.push(problem),
    }
    check
}

/// Whether CloudTrail is getting the trail's events into the log group: it has a role to write
/// with, its latest delivery did not fail, and it delivered within a day. Judged only for a
/// logging trail (a stopped one has its own finding).
fn logs_delivery(trail: &Trail, group: &LogGroupRef) -> Option<Finding> {
    if trail.is_logging != Ok(true) {
        return None;
    }
    let delivery = &trail.logs_delivery;
    let (name, group) = (&trail.name, &group.name);
    let Some(role) = &delivery.role_arn else {
        return Some(
            Finding::new(
                FindingCode::TrailNoLogsRole,
                format!("trail `{name}` has no CloudWatch Logs role: CloudTrail cannot write its events to log group `{group}`, so no alarm on it can fire"),
            )
            .with_hint(format!("give the trail a role CloudTrail can assume that allows logs:CreateLogStream and logs:PutLogEvents on the log group: `aws cloudtrail update-trail --name {name} --cloud-watch-logs-role-arn ROLE_ARN` (trailwatch never changes trails)")),
        );
    };
    let fix = format!("check that role `{role}` exists, trusts cloudtrail.amazonaws.com and allows logs:CreateLogStream and logs:PutLogEvents on log group `{group}` (trailwatch never changes trails or roles)");
    if let Some(error) = &delivery.latest_error {
        return Some(
            Finding::new(
                FindingCode::TrailLogsDeliveryFailing,
                format!("trail `{name}` fails to deliver to log group `{group}` ({error}), so no alarm on it can fire"),
            )
            .with_hint(fix),
        );
    }
    let last = delivery.latest_delivery?;
    let silent = delivery.read_at - last;
    (silent > LogsDelivery::STALL_SECONDS).then(|| {
        Finding::new(
            FindingCode::TrailLogsDeliveryStalled,
            format!(
                "trail `{name}` has delivered nothing to log group `{group}` since {} ({} hours before this read), so no alarm on it can fire",
                rfc3339(last),
                silent / 3600
            ),
        )
        .with_hint(fix)
    })
}

/// Seconds since the Unix epoch as RFC 3339, to the second.
fn rfc3339(seconds: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| format!("{seconds} s after the epoch"))
}

fn multi_region(trail: &Trail) -> Option<Finding> {
    let name = &trail.name;
    (!trail.is_multi_region).then(|| {
        Finding::new(
            FindingCode::TrailNotMultiRegion,
            format!("trail `{name}` is a single-region trail"),
        )
        .with_hint(format!(
            "make it multi-region: `aws cloudtrail update-trail --name {name} --is-multi-region-trail` (trailwatch never changes trails)"
        ))
    })
}

fn logging(trail: &Trail) -> Result<Option<Finding>, ReadError> {
    let logging = trail.is_logging.clone()?;
    Ok((!logging).then(|| {
        Finding::new(
            FindingCode::TrailNotLogging,
            format!("trail `{}` is not logging", trail.name),
        )
        .with_hint(format!(
            "start it: `aws cloudtrail start-logging --name {}`",
            trail.arn
        ))
    }))
}

fn management_events(trail: &Trail) -> Result<Option<Finding>, ReadError> {
    let selectors = trail.selectors.as_ref().map_err(Clone::clone)?;
    Ok(captures_all_management_events(selectors).err().map(|why| {
        Finding::new(
            FindingCode::TrailNotAllManagementEvents,
            format!(
                "trail `{}` does not capture all management events: {why}",
                trail.name
            ),
        )
        .with_hint("add an event selector with IncludeManagementEvents=true and ReadWriteType=All")
    }))
}

fn log_group(trail: &Trail) -> Result<LogGroupRef, Finding> {
    let name = &trail.name;
    let Some(text) = &trail.log_group_arn else {
        return Err(Finding::new(
            FindingCode::TrailNoCloudwatchLogs,
            format!("trail `{name}` does not send its logs to CloudWatch Logs"),
        )
        .with_hint("set the trail's CloudWatch Logs log group and role (trailwatch never changes trails or log groups)"));
    };
    arn::parse_log_group_arn(text).map_err(|why| {
        Finding::new(
            FindingCode::TrailBadLogGroupArn,
            format!("trail `{name}`: {why}"),
        )
    })
}

/// Whether the selectors capture every management event, read and write; the error says why not.
pub fn captures_all_management_events(
    selectors: &EventSelectors,
) -> Result<(), NotAllManagementEvents> {
    let basic = selectors
        .basic
        .iter()
        .any(|s| s.include_management_events && s.read_write_type.eq_ignore_ascii_case("All"));
    let advanced = selectors.advanced.iter().any(|selector| {
        let has = |field: &str| selector.fields.iter().any(|f| f.field == field);
        let excludes_sources = selector
            .fields
            .iter()
            .any(|f| f.field == "eventSource" && !f.not_equals.is_empty());
        is_management(selector) && !has("readOnly") && !excludes_sources
    });
    if basic || advanced {
        return Ok(());
    }
    Err(what_is_captured(selectors))
}

fn is_management(selector: &model::live::AdvancedSelector) -> bool {
    selector
        .fields
        .iter()
        .any(|f| f.field == "eventCategory" && f.equals.iter().any(|v| v == "Management"))
}

/// Says which management events the selectors do capture, for the finding.
fn what_is_captured(selectors: &EventSelectors) -> NotAllManagementEvents {
    let mut captured = Vec::new();
    for s in selectors
        .basic
        .iter()
        .filter(|s| s.include_management_events)
    {
        captured.push(Captured::Basic(s.read_write_type.clone()));
    }
    for s in selectors.advanced.iter().filter(|s| is_management(s)) {
        match s.fields.iter().find(|f| f.field == "readOnly") {
            Some(f) => {
                let v = f.equals.first().map(String::as_str).unwrap_or("?");
                captured.push(Captured::ReadOnly(v.to_string()));
            }
            None => captured.push(Captured::ExcludesSources),
        }
    }
    NotAllManagementEvents { captured }
}

/// Why a trail's selectors miss management events: what they capture of them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", describe(captured))]
pub struct NotAllManagementEvents {
    /// Each selector that includes some management events.
    pub captured: Vec<Captured>,
}

/// What one selector captures of the management events, short of all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Captured {
    /// A basic selector's `ReadWriteType` other than `All`.
    #[error("{0} management events")]
    Basic(String),
    /// An advanced selector on `readOnly` (its first value).
    #[error("advanced selector with readOnly = {0}")]
    ReadOnly(String),
    /// An advanced selector that excludes event sources.
    #[error("advanced selector that excludes event sources")]
    ExcludesSources,
}

fn describe(captured: &[Captured]) -> String {
    if captured.is_empty() {
        return "no event selector includes management events".to_string();
    }
    let seen: Vec<String> = captured.iter().map(Captured::to_string).collect();
    format!("only {}", seen.join(", "))
}
