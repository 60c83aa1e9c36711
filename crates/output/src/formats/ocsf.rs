//! OCSF Compliance Finding events (class 2003, OCSF 1.5.0, cloud profile): one per selected
//! control per account, for Security Lake and SIEMs.

use serde::Serialize;

use super::run::{standard_of, Item, Resource, Run, CONTROLS_URL};
use model::Status;

/// The OCSF schema version of the events.
pub const OCSF_VERSION: &str = "1.5.0";

const CLASS_UID: u32 = 2003;
const CATEGORY_UID: u32 = 2;
const ACTIVITY_CREATE: u32 = 1;

/// The events of a run, as a pretty JSON array.
pub fn document(run: &Run) -> String {
    let time = run.at.unix_timestamp() * 1000;
    let events: Vec<Event> = run
        .items()
        .iter()
        .map(|item| event(run, item, time))
        .collect();
    serde_json::to_string_pretty(&events).expect("OCSF events serialize") + "\n"
}

fn event(run: &Run, item: &Item, time: i64) -> Event {
    let status = item.result.status;
    let (status_id, status_name) = finding_status(status);
    let (severity_id, severity) = severity(status);
    let uid = format!("trailwatch/{}/{}", run.benchmark, item.key(run));
    let findings = item.findings_text();
    Event {
        activity_id: ACTIVITY_CREATE,
        activity_name: "Create",
        category_uid: CATEGORY_UID,
        category_name: "Findings",
        class_uid: CLASS_UID,
        class_name: "Compliance Finding",
        type_uid: CLASS_UID * 100 + ACTIVITY_CREATE,
        type_name: "Compliance Finding: Create",
        severity_id,
        severity,
        status_id,
        status: status_name,
        status_code: status.as_str(),
        status_detail: (!findings.is_empty()).then(|| findings.clone()),
        time,
        message: format!("{}: {}", item.control.title, status.as_str()),
        metadata: Metadata {
            version: OCSF_VERSION,
            product: Product {
                name: "trailwatch",
                vendor_name: "trailwatch",
                version: run.version.to_string(),
                uid: "trailwatch",
            },
            profiles: vec!["cloud"],
            event_code: item.control.id.to_string(),
            uid: format!("{uid}@{time}"),
        },
        finding_info: FindingInfo {
            uid,
            title: item.control.heading(),
            desc: if findings.is_empty() {
                item.control.title.to_string()
            } else {
                findings
            },
            types: vec![model::asff::finding_type(item.control.standard)],
            created_time: time,
        },
        compliance: Compliance {
            standards: vec![standard_of(run.benchmark, item.control)],
            control: item
                .control
                .cis_id
                .as_deref()
                .unwrap_or(item.control.id)
                .to_string(),
            requirements: vec![item.control.id.to_string()],
            status_id: compliance_status(status),
        },
        cloud: Cloud {
            provider: "AWS",
            region: item.region(run).to_string(),
            account: Account {
                uid: item.account.to_string(),
                name: item.account.to_string(),
                type_id: 10,
                kind: "AWS Account",
            },
        },
        resources: item.resources(run).iter().map(resource).collect(),
        remediation: remediation(item),
        unmapped: Unmapped {
            benchmark: run.benchmark.to_string(),
            level: item.control.level,
            security_hub_id: item.control.security_hub_id.map(str::to_string),
            waiver: item
                .result
                .waiver
                .as_ref()
                .filter(|_| status == Status::Waived)
                .map(|w| format!("{} (until {})", w.reason, w.expires)),
        },
    }
}

/// The finding's own status: waived controls are suppressed, compliant ones resolved.
fn finding_status(status: Status) -> (u32, &'static str) {
    match status {
        Status::Compliant => (4, "Resolved"),
        Status::Waived => (3, "Suppressed"),
        Status::NonCompliant | Status::NotApplicable | Status::Error => (1, "New"),
    }
}

/// OCSF compliance status: 1 Pass, 3 Fail, 0 Unknown (cannot tell), 99 Other (does not apply).
fn compliance_status(status: Status) -> u32 {
    match status {
        Status::Compliant => 1,
        Status::NonCompliant | Status::Waived => 3,
        Status::Error => 0,
        Status::NotApplicable => 99,
    }
}

fn severity(status: Status) -> (u32, &'static str) {
    match status {
        Status::NonCompliant | Status::Waived => (3, "Medium"),
        Status::Error => (2, "Low"),
        Status::Compliant | Status::NotApplicable => (1, "Informational"),
    }
}

fn resource(r: &Resource) -> ResourceDetails {
    ResourceDetails {
        uid: r.uid.clone(),
        name: r.name.clone(),
        kind: r.kind.cloudformation(),
        region: r.region.clone(),
        cloud_partition: r.partition.clone(),
    }
}

fn remediation(item: &Item) -> Remediation {
    Remediation {
        desc: item.remediation(),
        references: vec![format!("{}#{}", CONTROLS_URL, item.control.id)],
    }
}

#[derive(Serialize)]
struct Event {
    activity_id: u32,
    activity_name: &'static str,
    category_uid: u32,
    category_name: &'static str,
    class_uid: u32,
    class_name: &'static str,
    type_uid: u32,
    type_name: &'static str,
    severity_id: u32,
    severity: &'static str,
    status_id: u32,
    status: &'static str,
    status_code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_detail: Option<String>,
    time: i64,
    message: String,
    metadata: Metadata,
    finding_info: FindingInfo,
    compliance: Compliance,
    cloud: Cloud,
    resources: Vec<ResourceDetails>,
    remediation: Remediation,
    unmapped: Unmapped,
}

#[derive(Serialize)]
struct Metadata {
    version: &'static str,
    product: Product,
    profiles: Vec<&'static str>,
    event_code: String,
    uid: String,
}

#[derive(Serialize)]
struct Product {
    name: &'static str,
    vendor_name: &'static str,
    version: String,
    uid: &'static str,
}

#[derive(Serialize)]
struct FindingInfo {
    uid: String,
    title: String,
    desc: String,
    types: Vec<&'static str>,
    created_time: i64,
}

#[derive(Serialize)]
struct Compliance {
    standards: Vec<String>,
    control: String,
    requirements: Vec<String>,
    status_id: u32,
}

#[derive(Serialize)]
struct Cloud {
    provider: &'static str,
    region: String,
    account: Account,
}

#[derive(Serialize)]
struct Account {
    uid: String,
    name: String,
    type_id: u32,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct ResourceDetails {
    uid: String,
    name: String,
    #[serde(rename = "type")]
    kind: &'static str,
    region: String,
    cloud_partition: String,
}

#[derive(Serialize)]
struct Remediation {
    desc: String,
    references: Vec<String>,
}

#[derive(Serialize)]
struct Unmapped {
    benchmark: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    level: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    security_hub_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    waiver: Option<String>,
}
