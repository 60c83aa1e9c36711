//! Saved plans (`trailwatch plan --out FILE`): a versioned document holding the report, the
//! selection it was made for, and fingerprints of every live object it read or will touch, so
//! that `trailwatch apply FILE` can refuse when the account changed in between.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Desired, Report};

/// The `format` field of every plan file.
pub const PLAN_FORMAT: &str = "trailwatch-plan";
/// The plan file version this trailwatch writes and reads.
pub const PLAN_VERSION: u32 = 1;

/// A saved plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanFile {
    /// Always [`PLAN_FORMAT`].
    pub format: String,
    /// [`PLAN_VERSION`].
    pub version: u32,
    /// The trailwatch version that wrote it.
    pub trailwatch_version: String,
    /// The account the plan is for.
    pub account_id: String,
    /// The region trails were listed in.
    pub region: String,
    /// The benchmark version.
    pub benchmark: String,
    /// The selected controls.
    pub control_ids: Vec<String>,
    /// The desired state the plan was made with.
    pub desired: Desired,
    /// Fingerprints of the live objects the plan read or will touch, by object key.
    pub fingerprints: BTreeMap<String, String>,
    /// The plan itself: statuses, findings and the actions `apply` will run.
    pub report: Report,
}

impl PlanFile {
    /// Reads a plan file's text; the error says what is wrong and what to do.
    pub fn parse(text: &str) -> Result<PlanFile, String> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| format!("it is not a trailwatch plan file (not JSON: {e}); make one with `trailwatch plan --out FILE`"))?;
        if value.get("format").and_then(|f| f.as_str()) != Some(PLAN_FORMAT) {
            return Err("it is not a trailwatch plan file (no `\"format\": \"trailwatch-plan\"`); make one with `trailwatch plan --out FILE`".into());
        }
        match value.get("version").and_then(|v| v.as_u64()) {
            Some(v) if v == u64::from(PLAN_VERSION) => {}
            Some(v) => {
                return Err(format!(
                    "it is a version {v} plan file and this trailwatch reads version {PLAN_VERSION}; plan again with this trailwatch"
                ))
            }
            None => return Err("it has no plan file version; plan again with `trailwatch plan --out FILE`".into()),
        }
        serde_json::from_value(value).map_err(|e| {
            format!("it is damaged ({e}); plan again with `trailwatch plan --out FILE`")
        })
    }
}
