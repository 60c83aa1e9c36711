//! Saved plans (`trailwatch plan --out FILE`): a versioned document holding, per account, the
//! report, the desired state it was made with, and fingerprints of every live object it read
//! or will touch, so that `trailwatch apply FILE` can refuse an account that changed in between.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Action, Desired, Report};

/// The `format` field of every plan file.
pub const PLAN_FORMAT: &str = "trailwatch-plan";
/// The plan file version this trailwatch writes (it also reads version 1, one account).
pub const PLAN_VERSION: u32 = 2;

/// One account of a run: which, the role that reaches it, and what it must hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The account.
    pub account: String,
    /// The role assumed in it (none: the credentials' own account, or no role given).
    pub role: Option<String>,
    /// Its desired state.
    pub desired: Desired,
}

/// A saved plan, for one account or many.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanFile {
    /// Always [`PLAN_FORMAT`].
    pub format: String,
    /// [`PLAN_VERSION`].
    pub version: u32,
    /// The trailwatch version that wrote it.
    pub trailwatch_version: String,
    /// The region trails were listed in.
    pub region: String,
    /// The benchmark version.
    pub benchmark: String,
    /// The selected controls.
    pub control_ids: Vec<String>,
    /// Every account planned, in the order given.
    pub accounts: Vec<AccountPlan>,
    /// [`PlanFile::digest`]: recorded when the plan was made; computed by `parse` for a file
    /// written before digests.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub digest: String,
}

/// One account of a saved plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountPlan {
    /// The account.
    pub account_id: String,
    /// The role assumed to reach it; none for the credentials' own account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assume_role: Option<String>,
    /// The desired state the plan was made with.
    pub desired: Desired,
    /// Fingerprints of the live objects the plan read or will touch, by object key.
    pub fingerprints: BTreeMap<String, String>,
    /// The plan itself: statuses, findings and the actions `apply` will run; or why the
    /// account could not be read.
    #[serde(flatten)]
    pub plan: PlanOrUnread,
}

/// An account's plan, or why it could not be read when the plan was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanOrUnread {
    /// The plan.
    Report(Report),
    /// Why the account could not be read (one line).
    Unread(String),
}

/// Version 1: one account, its fields at the top level.
#[derive(Deserialize)]
struct PlanFileV1 {
    trailwatch_version: String,
    account_id: String,
    region: String,
    benchmark: String,
    control_ids: Vec<String>,
    desired: Desired,
    fingerprints: BTreeMap<String, String>,
    report: Report,
}

impl From<PlanFileV1> for PlanFile {
    fn from(v1: PlanFileV1) -> Self {
        PlanFile {
            format: PLAN_FORMAT.into(),
            version: PLAN_VERSION,
            trailwatch_version: v1.trailwatch_version,
            region: v1.region,
            benchmark: v1.benchmark,
            control_ids: v1.control_ids,
            accounts: vec![AccountPlan {
                account_id: v1.account_id,
                assume_role: None,
                desired: v1.desired,
                fingerprints: v1.fingerprints,
                plan: PlanOrUnread::Report(v1.report),
            }],
            digest: String::new(),
        }
    }
}

/// Why a plan file cannot be read; each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    /// The text is not JSON.
    #[error("it is not a trailwatch plan file (not JSON: {0}); make one with `trailwatch plan --out FILE`")]
    NotJson(serde_json::Error),
    /// JSON without trailwatch's `format`.
    #[error("it is not a trailwatch plan file (no `\"format\": \"trailwatch-plan\"`); make one with `trailwatch plan --out FILE`")]
    NotPlanFile,
    /// A plan file whose content does not fit its version.
    #[error("it is damaged ({0}); plan again with `trailwatch plan --out FILE`")]
    Damaged(serde_json::Error),
    /// A version this trailwatch does not read.
    #[error("it is a version {0} plan file and this trailwatch reads versions 1 and {PLAN_VERSION}; plan again with this trailwatch")]
    UnknownVersion(u64),
    /// No `version`.
    #[error("it has no plan file version; plan again with `trailwatch plan --out FILE`")]
    NoVersion,
    /// No account.
    #[error("it plans no account; plan again with `trailwatch plan --out FILE`")]
    NoAccount,
    /// The recorded digest is not the digest of what the file holds.
    #[error("it was edited after it was made: its digest is {recorded} but its contents' is {computed}; plan again with `trailwatch plan --out FILE`")]
    Edited { recorded: String, computed: String },
}

/// A plan other than the one `--expect-digest` names.
#[derive(Debug, thiserror::Error)]
#[error("the plan's digest is {digest} but --expect-digest is {expected}: this is not the plan that was approved; nothing was written")]
pub struct NotApproved {
    /// The plan's digest.
    pub digest: String,
    /// The digest that was approved.
    pub expected: String,
}

impl PlanFile {
    /// Refuses this plan when `expected` (`--expect-digest`) names another, before anything is
    /// written.
    pub fn pinned(&self, expected: Option<&str>) -> Result<(), NotApproved> {
        match expected {
            Some(expected) if expected != self.digest => Err(NotApproved {
                digest: self.digest.clone(),
                expected: expected.to_string(),
            }),
            _ => Ok(()),
        }
    }

    /// The digest of what a reviewer approves in the plan: `sha256:` and the hex SHA-256 of
    /// the compact JSON of its benchmark, region, controls and, per account, its role, desired
    /// state and actions (not the findings, notes or fingerprints, which only describe).
    pub fn digest(&self) -> String {
        let reviewed = Reviewed {
            benchmark: &self.benchmark,
            region: &self.region,
            control_ids: &self.control_ids,
            accounts: self.accounts.iter().map(ReviewedAccount::of).collect(),
        };
        format!("sha256:{}", crate::digest::json_sha256_hex(&reviewed, 32))
    }

    /// How many actions the plan holds, over every account.
    pub fn action_count(&self) -> usize {
        self.accounts
            .iter()
            .filter_map(AccountPlan::report)
            .map(|r| r.actions.len())
            .sum()
    }

    /// The accounts as a run's results, to show a saved plan as `plan` shows one.
    pub fn results(&self) -> Vec<crate::report::AccountResult> {
        self.accounts
            .iter()
            .map(|a| crate::report::AccountResult {
                account_id: a.account_id.clone(),
                report: match &a.plan {
                    PlanOrUnread::Report(report) => Ok(report.clone()),
                    PlanOrUnread::Unread(why) => Err(why.clone()),
                },
                calls: Default::default(),
                wall: std::time::Duration::ZERO,
            })
            .collect()
    }

    /// Reads a plan file's text (version 1 or 2); the error says what is wrong and what to do.
    pub fn parse(text: &str) -> Result<PlanFile, PlanFileError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(PlanFileError::NotJson)?;
        if value.get("format").and_then(|f| f.as_str()) != Some(PLAN_FORMAT) {
            return Err(PlanFileError::NotPlanFile);
        }
        let mut file: PlanFile = match value.get("version").and_then(|v| v.as_u64()) {
            Some(1) => serde_json::from_value::<PlanFileV1>(value).map(PlanFile::from),
            Some(v) if v == u64::from(PLAN_VERSION) => serde_json::from_value(value),
            Some(v) => return Err(PlanFileError::UnknownVersion(v)),
            None => return Err(PlanFileError::NoVersion),
        }
        .map_err(PlanFileError::Damaged)?;
        if file.accounts.is_empty() {
            return Err(PlanFileError::NoAccount);
        }
        let computed = file.digest();
        if !file.digest.is_empty() && file.digest != computed {
            let recorded = file.digest.clone();
            return Err(PlanFileError::Edited { recorded, computed });
        }
        // A file written before digests gets its contents' digest, so `digest` always holds it.
        file.digest = computed;
        Ok(file)
    }

    /// True for a plan of several accounts (or of one reached through a role).
    pub fn is_many(&self) -> bool {
        self.accounts.len() > 1 || self.accounts.iter().any(|a| a.assume_role.is_some())
    }
}

/// What [`PlanFile::digest`] hashes, serialized straight into the hash: its fields in this order,
/// as compact JSON (the bytes saved plans' digests were made of, so they keep verifying).
#[derive(Serialize)]
struct Reviewed<'a> {
    benchmark: &'a str,
    region: &'a str,
    control_ids: &'a [String],
    accounts: Vec<ReviewedAccount<'a>>,
}

/// One account of [`Reviewed`]: its role (`null` for none), desired state and actions (none
/// when it was not read).
#[derive(Serialize)]
struct ReviewedAccount<'a> {
    account_id: &'a str,
    assume_role: &'a Option<String>,
    desired: &'a Desired,
    actions: &'a [Action],
}

impl<'a> ReviewedAccount<'a> {
    fn of(account: &'a AccountPlan) -> Self {
        ReviewedAccount {
            account_id: &account.account_id,
            assume_role: &account.assume_role,
            desired: &account.desired,
            actions: account
                .report()
                .map(|r| r.actions.as_slice())
                .unwrap_or_default(),
        }
    }
}

impl AccountPlan {
    /// The account's report, when it was read.
    pub fn report(&self) -> Option<&Report> {
        match &self.plan {
            PlanOrUnread::Report(report) => Some(report),
            PlanOrUnread::Unread(_) => None,
        }
    }
}
