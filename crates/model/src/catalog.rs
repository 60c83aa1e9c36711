//! The control catalog: the fifteen CIS monitoring controls in every published benchmark version,
//! with their CIS ids, profile levels, published patterns and the CloudTrail events each exists
//! to catch. Controls are data, not code: a control or a version is an entry in [`CATALOG`].

use serde::Serialize;
use serde_json::{json, Value};

/// Every benchmark version trailwatch knows, oldest first.
pub const BENCHMARKS: &[&str] = &[
    "cis-1.2", "cis-1.3", "cis-1.4", "cis-1.5", "cis-2.0", "cis-3.0", "cis-4.0", "cis-5.0",
    "cis-6.0", "cis-7.0",
];

/// The version used when `--benchmark` is not given: the newest.
pub const DEFAULT_BENCHMARK: &str = "cis-7.0";

fn index(benchmark: &str) -> usize {
    BENCHMARKS
        .iter()
        .position(|b| *b == benchmark)
        .unwrap_or_else(|| panic!("unknown benchmark {benchmark}"))
}

/// The events a control exists to catch, from which its positive corpus is generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Catches {
    /// Successful calls of these APIs of one service, by an IAM user, an assumed role and root.
    Calls {
        /// The service, such as `iam.amazonaws.com`.
        source: &'static str,
        /// The API names.
        events: &'static [&'static str],
    },
    /// Calls refused for lack of permission (`*UnauthorizedOperation`, `AccessDenied*`).
    Unauthorized,
    /// Successful console sign-ins of IAM users without MFA.
    SigninWithoutMfa,
    /// Calls made by the root user itself (not by a service on its behalf).
    RootUsage,
    /// Failed console sign-ins.
    ConsoleAuthFailures,
}

/// What one range of benchmark versions publishes for a control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Edition {
    /// The first version of the range, such as `cis-1.4`.
    pub from: &'static str,
    /// The last version of the range.
    pub to: &'static str,
    /// The published pattern variants; the first is the one `apply` writes.
    pub patterns: &'static [&'static str],
    /// The events the control exists to catch in these versions.
    pub catches: Catches,
}

/// One CIS monitoring control, across every benchmark version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// Stable slug used on the command line and in JSON output.
    pub id: &'static str,
    /// Human title.
    pub title: &'static str,
    /// The control's number within the monitoring section (`3.n`, `4.n`, `5.n`).
    pub number: u8,
    /// The AWS Security Hub control id, if any.
    pub security_hub_id: Option<&'static str>,
    /// The metric name a new filter publishes to.
    pub default_metric_name: &'static str,
    /// What each range of versions publishes; versions outside every range lack the control.
    pub editions: &'static [Edition],
}

/// A control as one benchmark version defines it: what the planner works with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Control {
    /// Stable slug.
    pub id: &'static str,
    /// Human title.
    pub title: &'static str,
    /// The benchmark version, such as `cis-5.0`.
    pub benchmark: &'static str,
    /// The CIS id in that version, such as `4.4`.
    pub cis_id: String,
    /// The profile level in that version (1 or 2).
    pub level: u8,
    /// The AWS Security Hub control id, if any.
    pub security_hub_id: Option<&'static str>,
    /// The pattern `apply` writes (the first published variant).
    pub pattern: &'static str,
    /// Every published variant in that version (`--match strict` accepts these).
    pub variants: &'static [&'static str],
    /// What the control exists to catch.
    pub catches: Catches,
    /// The metric name a new filter publishes to.
    pub default_metric_name: &'static str,
}

impl Entry {
    /// The control as `benchmark` defines it, if that version has it.
    pub fn resolve(&self, benchmark: &'static str) -> Option<Control> {
        let at = index(benchmark);
        let edition = self
            .editions
            .iter()
            .find(|e| index(e.from) <= at && at <= index(e.to))?;
        let section = if at == 0 {
            3
        } else if at <= index("cis-5.0") {
            4
        } else {
            5
        };
        Some(Control {
            id: self.id,
            title: self.title,
            benchmark,
            cis_id: format!("{section}.{}", self.number),
            level: level(self.number, at),
            security_hub_id: self.security_hub_id,
            pattern: edition.patterns[0],
            variants: edition.patterns,
            catches: edition.catches,
            default_metric_name: self.default_metric_name,
        })
    }
}

/// Profile levels: 3/4.6, .7, .9, .10 and .11 are Level 2 in v1.2 to v1.5; from v4.0 the
/// unauthorized-calls control is Level 2 too. The two public transcriptions disagree for v2.0
/// and v3.0; trailwatch keeps the v1.5 levels there.
fn level(number: u8, at: usize) -> u8 {
    if matches!(number, 6 | 7 | 9 | 10 | 11) || (number == 1 && at >= index("cis-4.0")) {
        2
    } else {
        1
    }
}

const ALL: (&str, &str) = ("cis-1.2", "cis-7.0");

const fn calls(source: &'static str, events: &'static [&'static str]) -> Catches {
    Catches::Calls { source, events }
}

const fn edition(
    range: (&'static str, &'static str),
    patterns: &'static [&'static str],
    catches: Catches,
) -> Edition {
    Edition {
        from: range.0,
        to: range.1,
        patterns,
        catches,
    }
}

const UNAUTH_12: &str =
    "{ ($.errorCode = \"*UnauthorizedOperation\") || ($.errorCode = \"AccessDenied*\") }";
const UNAUTH_13: &str = "{ ($.errorCode = \"*UnauthorizedOperation\") || ($.errorCode = \"AccessDenied*\") || ($.sourceIPAddress!=\"delivery.logs.amazonaws.com\") || ($.eventName!=\"HeadBucket\") }";
const UNAUTH_LATER: &str = "{ ($.errorCode =\"*UnauthorizedOperation\") || ($.errorCode =\"AccessDenied*\") && ($.sourceIPAddress!=\"delivery.logs.amazonaws.com\") && ($.eventName!=\"HeadBucket\") }";
const MFA: &str =
    "{ ($.eventName = \"ConsoleLogin\") && ($.additionalEventData.MFAUsed != \"Yes\") }";
const MFA_SSO: &str = "{ ($.eventName = \"ConsoleLogin\") && ($.additionalEventData.MFAUsed != \"Yes\") && ($.userIdentity.type = \"IAMUser\") && ($.responseElements.ConsoleLogin = \"Success\") }";
const ROOT: &str = "{ $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != \"AwsServiceEvent\" }";
const ROOT_V4: &str = "{ $.userIdentity.type = Root && $.userIdentity.invokedBy NOT EXISTS && $.eventType != AwsServiceEvent }";
const IAM: &str = "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}";
const CLOUDTRAIL: &str = "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }";
const AUTH_FAILURES: &str =
    "{ ($.eventName = ConsoleLogin) && ($.errorMessage = \"Failed authentication\") }";
const CMK: &str = "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }";
const S3: &str = "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }";
const CONFIG: &str = "{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }";
const SG: &str = "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }";
const SG_V5: &str = "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) || ($.eventName = ModifySecurityGroupRules) }";
const NACL: &str = "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }";
const GATEWAYS: &str = "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }";
const ROUTES: &str = "{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }";
const ROUTES_V3_AUDIT: &str = "{ ($.eventSource = ec2.amazonaws.com) && ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }";
const VPC: &str = "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }";
const ORGANIZATIONS: &str = "{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = \"AcceptHandshake\") || ($.eventName = \"AttachPolicy\") || ($.eventName = \"CreateAccount\") || ($.eventName = \"CreateOrganizationalUnit\") || ($.eventName = \"CreatePolicy\") || ($.eventName = \"DeclineHandshake\") || ($.eventName = \"DeleteOrganization\") || ($.eventName = \"DeleteOrganizationalUnit\") || ($.eventName = \"DeletePolicy\") || ($.eventName = \"DetachPolicy\") || ($.eventName = \"DisablePolicyType\") || ($.eventName = \"EnablePolicyType\") || ($.eventName = \"InviteAccountToOrganization\") || ($.eventName = \"LeaveOrganization\") || ($.eventName = \"MoveAccount\") || ($.eventName = \"RemoveAccountFromOrganization\") || ($.eventName = \"UpdatePolicy\") || ($.eventName = \"UpdateOrganizationalUnit\")) }";

const IAM_EVENTS: &[&str] = &[
    "DeleteGroupPolicy",
    "DeleteRolePolicy",
    "DeleteUserPolicy",
    "PutGroupPolicy",
    "PutRolePolicy",
    "PutUserPolicy",
    "CreatePolicy",
    "DeletePolicy",
    "CreatePolicyVersion",
    "DeletePolicyVersion",
    "AttachRolePolicy",
    "DetachRolePolicy",
    "AttachUserPolicy",
    "DetachUserPolicy",
    "AttachGroupPolicy",
    "DetachGroupPolicy",
];
const CLOUDTRAIL_EVENTS: &[&str] = &[
    "CreateTrail",
    "UpdateTrail",
    "DeleteTrail",
    "StartLogging",
    "StopLogging",
];
const CMK_EVENTS: &[&str] = &["DisableKey", "ScheduleKeyDeletion"];
const S3_EVENTS: &[&str] = &[
    "PutBucketAcl",
    "PutBucketPolicy",
    "PutBucketCors",
    "PutBucketLifecycle",
    "PutBucketReplication",
    "DeleteBucketPolicy",
    "DeleteBucketCors",
    "DeleteBucketLifecycle",
    "DeleteBucketReplication",
];
const CONFIG_EVENTS: &[&str] = &[
    "StopConfigurationRecorder",
    "DeleteDeliveryChannel",
    "PutDeliveryChannel",
    "PutConfigurationRecorder",
];
const SG_EVENTS: &[&str] = &[
    "AuthorizeSecurityGroupIngress",
    "AuthorizeSecurityGroupEgress",
    "RevokeSecurityGroupIngress",
    "RevokeSecurityGroupEgress",
    "CreateSecurityGroup",
    "DeleteSecurityGroup",
];
const SG_V5_EVENTS: &[&str] = &[
    "AuthorizeSecurityGroupIngress",
    "AuthorizeSecurityGroupEgress",
    "RevokeSecurityGroupIngress",
    "RevokeSecurityGroupEgress",
    "CreateSecurityGroup",
    "DeleteSecurityGroup",
    "ModifySecurityGroupRules",
];
const NACL_EVENTS: &[&str] = &[
    "CreateNetworkAcl",
    "CreateNetworkAclEntry",
    "DeleteNetworkAcl",
    "DeleteNetworkAclEntry",
    "ReplaceNetworkAclEntry",
    "ReplaceNetworkAclAssociation",
];
const GATEWAY_EVENTS: &[&str] = &[
    "CreateCustomerGateway",
    "DeleteCustomerGateway",
    "AttachInternetGateway",
    "CreateInternetGateway",
    "DeleteInternetGateway",
    "DetachInternetGateway",
];
const ROUTE_EVENTS: &[&str] = &[
    "CreateRoute",
    "CreateRouteTable",
    "ReplaceRoute",
    "ReplaceRouteTableAssociation",
    "DeleteRouteTable",
    "DeleteRoute",
    "DisassociateRouteTable",
];
const VPC_EVENTS: &[&str] = &[
    "CreateVpc",
    "DeleteVpc",
    "ModifyVpcAttribute",
    "AcceptVpcPeeringConnection",
    "CreateVpcPeeringConnection",
    "DeleteVpcPeeringConnection",
    "RejectVpcPeeringConnection",
    "AttachClassicLinkVpc",
    "DetachClassicLinkVpc",
    "DisableVpcClassicLink",
    "EnableVpcClassicLink",
];
const ORGANIZATIONS_EVENTS: &[&str] = &[
    "AcceptHandshake",
    "AttachPolicy",
    "CreateAccount",
    "CreateOrganizationalUnit",
    "CreatePolicy",
    "DeclineHandshake",
    "DeleteOrganization",
    "DeleteOrganizationalUnit",
    "DeletePolicy",
    "DetachPolicy",
    "DisablePolicyType",
    "EnablePolicyType",
    "InviteAccountToOrganization",
    "LeaveOrganization",
    "MoveAccount",
    "RemoveAccountFromOrganization",
    "UpdatePolicy",
    "UpdateOrganizationalUnit",
];

/// Every control, in CIS order.
pub const CATALOG: &[Entry] = &[
    Entry {
        id: "unauthorized-api-calls",
        title: "Unauthorized API calls are monitored",
        number: 1,
        security_hub_id: Some("CloudWatch.2"),
        default_metric_name: "UnauthorizedAPICalls",
        editions: &[
            edition(("cis-1.2", "cis-1.2"), &[UNAUTH_12], Catches::Unauthorized),
            edition(("cis-1.3", "cis-1.5"), &[UNAUTH_13], Catches::Unauthorized),
            // Sources disagree on whether v2.0 or v4.0 introduced the later form: both count.
            edition(
                ("cis-2.0", "cis-3.0"),
                &[UNAUTH_LATER, UNAUTH_13],
                Catches::Unauthorized,
            ),
            edition(
                ("cis-4.0", "cis-7.0"),
                &[UNAUTH_LATER],
                Catches::Unauthorized,
            ),
        ],
    },
    Entry {
        id: "console-signin-without-mfa",
        title: "Management console sign-in without MFA is monitored",
        number: 2,
        security_hub_id: Some("CloudWatch.3"),
        default_metric_name: "ConsoleSigninWithoutMFA",
        editions: &[
            edition(("cis-1.2", "cis-1.3"), &[MFA], Catches::SigninWithoutMfa),
            edition(
                ("cis-1.4", "cis-7.0"),
                &[MFA, MFA_SSO],
                Catches::SigninWithoutMfa,
            ),
        ],
    },
    Entry {
        id: "root-account-usage",
        title: "Usage of the root account is monitored",
        number: 3,
        security_hub_id: Some("CloudWatch.1"),
        default_metric_name: "RootAccountUsage",
        editions: &[
            edition(("cis-1.2", "cis-3.0"), &[ROOT], Catches::RootUsage),
            edition(("cis-4.0", "cis-7.0"), &[ROOT_V4, ROOT], Catches::RootUsage),
        ],
    },
    Entry {
        id: "iam-policy-changes",
        title: "IAM policy changes are monitored",
        number: 4,
        security_hub_id: Some("CloudWatch.4"),
        default_metric_name: "IAMPolicyChanges",
        editions: &[edition(ALL, &[IAM], calls("iam.amazonaws.com", IAM_EVENTS))],
    },
    Entry {
        id: "cloudtrail-config-changes",
        title: "CloudTrail configuration changes are monitored",
        number: 5,
        security_hub_id: Some("CloudWatch.5"),
        default_metric_name: "CloudTrailConfigChanges",
        editions: &[edition(
            ALL,
            &[CLOUDTRAIL],
            calls("cloudtrail.amazonaws.com", CLOUDTRAIL_EVENTS),
        )],
    },
    Entry {
        id: "console-auth-failures",
        title: "Management console authentication failures are monitored",
        number: 6,
        security_hub_id: Some("CloudWatch.6"),
        default_metric_name: "ConsoleAuthenticationFailures",
        editions: &[edition(ALL, &[AUTH_FAILURES], Catches::ConsoleAuthFailures)],
    },
    Entry {
        id: "cmk-disable-or-deletion",
        title: "Disabling or scheduled deletion of customer-managed keys is monitored",
        number: 7,
        security_hub_id: Some("CloudWatch.7"),
        default_metric_name: "DisableOrDeleteCMK",
        editions: &[edition(ALL, &[CMK], calls("kms.amazonaws.com", CMK_EVENTS))],
    },
    Entry {
        id: "s3-bucket-policy-changes",
        title: "S3 bucket policy changes are monitored",
        number: 8,
        security_hub_id: Some("CloudWatch.8"),
        default_metric_name: "S3BucketPolicyChanges",
        editions: &[edition(ALL, &[S3], calls("s3.amazonaws.com", S3_EVENTS))],
    },
    Entry {
        id: "aws-config-changes",
        title: "AWS Config configuration changes are monitored",
        number: 9,
        security_hub_id: Some("CloudWatch.9"),
        default_metric_name: "AWSConfigChanges",
        editions: &[edition(
            ALL,
            &[CONFIG],
            calls("config.amazonaws.com", CONFIG_EVENTS),
        )],
    },
    Entry {
        id: "security-group-changes",
        title: "Security group changes are monitored",
        number: 10,
        security_hub_id: Some("CloudWatch.10"),
        default_metric_name: "SecurityGroupChanges",
        editions: &[
            edition(
                ("cis-1.2", "cis-4.0"),
                &[SG],
                calls("ec2.amazonaws.com", SG_EVENTS),
            ),
            edition(
                ("cis-5.0", "cis-7.0"),
                &[SG_V5],
                calls("ec2.amazonaws.com", SG_V5_EVENTS),
            ),
        ],
    },
    Entry {
        id: "nacl-changes",
        title: "Network ACL changes are monitored",
        number: 11,
        security_hub_id: Some("CloudWatch.11"),
        default_metric_name: "NACLChanges",
        editions: &[edition(
            ALL,
            &[NACL],
            calls("ec2.amazonaws.com", NACL_EVENTS),
        )],
    },
    Entry {
        id: "network-gateway-changes",
        title: "Changes to network gateways are monitored",
        number: 12,
        security_hub_id: Some("CloudWatch.12"),
        default_metric_name: "NetworkGatewayChanges",
        editions: &[edition(
            ALL,
            &[GATEWAYS],
            calls("ec2.amazonaws.com", GATEWAY_EVENTS),
        )],
    },
    Entry {
        id: "route-table-changes",
        title: "Route table changes are monitored",
        number: 13,
        security_hub_id: Some("CloudWatch.13"),
        default_metric_name: "RouteTableChanges",
        editions: &[
            edition(
                ("cis-1.2", "cis-2.0"),
                &[ROUTES],
                calls("ec2.amazonaws.com", ROUTE_EVENTS),
            ),
            // v3.0+ audit text prefixes eventSource without parentheses; its remediation keeps the
            // plain pattern, which apply writes.
            edition(
                ("cis-3.0", "cis-7.0"),
                &[ROUTES, ROUTES_V3_AUDIT],
                calls("ec2.amazonaws.com", ROUTE_EVENTS),
            ),
        ],
    },
    Entry {
        id: "vpc-changes",
        title: "VPC changes are monitored",
        number: 14,
        security_hub_id: Some("CloudWatch.14"),
        default_metric_name: "VPCChanges",
        editions: &[edition(ALL, &[VPC], calls("ec2.amazonaws.com", VPC_EVENTS))],
    },
    Entry {
        id: "organizations-changes",
        title: "AWS Organizations changes are monitored",
        number: 15,
        security_hub_id: None,
        default_metric_name: "OrganizationsChanges",
        editions: &[edition(
            ("cis-1.3", "cis-7.0"),
            &[ORGANIZATIONS],
            calls("organizations.amazonaws.com", ORGANIZATIONS_EVENTS),
        )],
    },
];

/// A realistic CloudTrail record of a management API call, as CloudTrail delivers it to
/// CloudWatch Logs.
pub fn cloudtrail_record(event_source: &str, event_name: &str, user_type: &str) -> Value {
    let account = "111122223333";
    let identity = match user_type {
        "Root" => json!({
            "type": "Root",
            "principalId": account,
            "arn": format!("arn:aws:iam::{account}:root"),
            "accountId": account,
        }),
        "AssumedRole" => json!({
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLE:ops",
            "arn": format!("arn:aws:sts::{account}:assumed-role/Admin/ops"),
            "accountId": account,
            "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "Admin"}},
        }),
        _ => json!({
            "type": "IAMUser",
            "principalId": "AIDAEXAMPLE",
            "arn": format!("arn:aws:iam::{account}:user/alice"),
            "accountId": account,
            "userName": "alice",
        }),
    };
    json!({
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": "2026-11-01T12:00:00Z",
        "eventSource": event_source,
        "eventName": event_name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.7",
        "userAgent": "aws-cli/2.17.0",
        "requestParameters": {},
        "responseElements": null,
        "requestID": "6f1c0f1e-0000-4000-8000-000000000000",
        "eventID": "0e9c5b36-0000-4000-8000-000000000000",
        "readOnly": false,
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": "111122223333",
        "eventCategory": "Management",
    })
}

fn with(mut record: Value, fields: Value) -> Value {
    if let (Value::Object(r), Value::Object(f)) = (&mut record, fields) {
        r.extend(f);
    }
    record
}

fn console_login(user_type: &str, fields: Value) -> Value {
    let record = cloudtrail_record("signin.amazonaws.com", "ConsoleLogin", user_type);
    with(
        record,
        with(
            json!({"eventType": "AwsConsoleSignIn", "readOnly": false}),
            fields,
        ),
    )
}

/// The control's positive corpus: labelled CloudTrail records of every event it exists to catch,
/// in the forms CloudTrail records them. A compliant filter matches all of them. Built once per
/// kind of catch and shared (every account audited in one run uses the same records).
pub fn corpus(control: &Control) -> std::sync::Arc<Vec<(&'static str, Value)>> {
    type Cache = std::sync::Mutex<Vec<(Catches, std::sync::Arc<Vec<(&'static str, Value)>>)>>;
    static CACHE: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut entries = cache.lock().expect("corpus cache");
    if let Some((_, built)) = entries.iter().find(|(c, _)| *c == control.catches) {
        return built.clone();
    }
    let built = std::sync::Arc::new(build_corpus(control.catches));
    entries.push((control.catches, built.clone()));
    built
}

fn build_corpus(catches: Catches) -> Vec<(&'static str, Value)> {
    match catches {
        Catches::Calls { source, events } => events
            .iter()
            .flat_map(|e| {
                ["IAMUser", "AssumedRole", "Root"]
                    .into_iter()
                    .map(move |user| (*e, cloudtrail_record(source, e, user)))
            })
            .collect(),
        Catches::Unauthorized => [
            (
                "RunInstances denied (Client.UnauthorizedOperation)",
                "ec2.amazonaws.com",
                "RunInstances",
                "AssumedRole",
                "Client.UnauthorizedOperation",
                "You are not authorized to perform this operation.",
            ),
            (
                "GetObject denied (AccessDenied)",
                "s3.amazonaws.com",
                "GetObject",
                "IAMUser",
                "AccessDenied",
                "Access Denied",
            ),
            (
                "CreateUser denied (AccessDenied)",
                "iam.amazonaws.com",
                "CreateUser",
                "AssumedRole",
                "AccessDenied",
                "User is not authorized to perform: iam:CreateUser",
            ),
            (
                "Decrypt denied (AccessDeniedException)",
                "kms.amazonaws.com",
                "Decrypt",
                "AssumedRole",
                "AccessDeniedException",
                "not authorized",
            ),
        ]
        .into_iter()
        .map(|(label, source, name, user, code, message)| {
            let record = cloudtrail_record(source, name, user);
            (
                label,
                with(record, json!({"errorCode": code, "errorMessage": message})),
            )
        })
        .collect(),
        Catches::SigninWithoutMfa => vec![(
            "ConsoleLogin by an IAM user without MFA",
            console_login(
                "IAMUser",
                json!({"additionalEventData": {"MFAUsed": "No", "LoginTo": "https://console.aws.amazon.com/"}, "responseElements": {"ConsoleLogin": "Success"}}),
            ),
        )],
        Catches::RootUsage => vec![
            (
                "ConsoleLogin by root",
                console_login(
                    "Root",
                    json!({"additionalEventData": {"MFAUsed": "Yes"}, "responseElements": {"ConsoleLogin": "Success"}}),
                ),
            ),
            (
                "CreateAccessKey by root",
                cloudtrail_record("iam.amazonaws.com", "CreateAccessKey", "Root"),
            ),
            (
                "ListBuckets by root",
                cloudtrail_record("s3.amazonaws.com", "ListBuckets", "Root"),
            ),
        ],
        Catches::ConsoleAuthFailures => vec![
            (
                "failed ConsoleLogin of an IAM user",
                console_login(
                    "IAMUser",
                    json!({"errorMessage": "Failed authentication", "responseElements": {"ConsoleLogin": "Failure"}}),
                ),
            ),
            (
                "failed ConsoleLogin of root",
                console_login(
                    "Root",
                    json!({"errorMessage": "Failed authentication", "responseElements": {"ConsoleLogin": "Failure"}}),
                ),
            ),
        ],
    }
}

/// How many distinct things the corpus is about (event names, or labelled cases).
pub fn corpus_labels(control: &Control) -> usize {
    match control.catches {
        Catches::Calls { events, .. } => events.len(),
        _ => corpus(control).len(),
    }
}

/// Everyday events no monitoring control is about; a filter that matches most of them makes
/// an alarm that is noise. Built once: every filter of every account is judged against it.
pub fn noise_corpus() -> &'static [Value] {
    static NOISE: std::sync::OnceLock<Vec<Value>> = std::sync::OnceLock::new();
    NOISE.get_or_init(build_noise_corpus)
}

fn build_noise_corpus() -> Vec<Value> {
    [
        ("ec2.amazonaws.com", "DescribeInstances"),
        ("s3.amazonaws.com", "GetObject"),
        ("s3.amazonaws.com", "ListBuckets"),
        ("sts.amazonaws.com", "AssumeRole"),
        ("sts.amazonaws.com", "GetCallerIdentity"),
        ("logs.amazonaws.com", "PutLogEvents"),
        ("lambda.amazonaws.com", "Invoke"),
        ("dynamodb.amazonaws.com", "DescribeTable"),
        ("kms.amazonaws.com", "Decrypt"),
        ("monitoring.amazonaws.com", "GetMetricData"),
        ("iam.amazonaws.com", "ListRoles"),
        ("cloudtrail.amazonaws.com", "LookupEvents"),
    ]
    .iter()
    .map(|(source, name)| cloudtrail_record(source, name, "AssumedRole"))
    .collect()
}

/// The controls of `benchmark`, chosen by slug or by that version's CIS id, optionally only
/// those of one profile level. Errors name what was wrong and list the valid choices.
pub fn select(benchmark: &str, ids: &[String], level: Option<u8>) -> Result<Vec<Control>, String> {
    let benchmark = BENCHMARKS
        .iter()
        .copied()
        .find(|b| *b == benchmark)
        .ok_or_else(|| {
            format!(
                "unknown benchmark `{benchmark}`; valid benchmarks: {}",
                BENCHMARKS.join(", ")
            )
        })?;
    if let Some(l) = level {
        if !matches!(l, 1 | 2) {
            return Err(format!("unknown level `{l}`; valid levels: 1, 2"));
        }
    }
    let all: Vec<Control> = CATALOG
        .iter()
        .filter_map(|e| e.resolve(benchmark))
        .collect();
    let mut out: Vec<Control> = Vec::new();
    if ids.is_empty() {
        out = all;
    } else {
        for id in ids {
            let id = id.trim();
            let control = all
                .iter()
                .find(|c| c.id == id || c.cis_id == id)
                .ok_or_else(|| {
                    let known = CATALOG.iter().any(|e| e.id == id);
                    let valid: Vec<String> = all
                        .iter()
                        .map(|c| format!("{} ({})", c.id, c.cis_id))
                        .collect();
                    if known {
                        format!(
                            "control `{id}` is not part of {benchmark}; its controls: {}",
                            valid.join(", ")
                        )
                    } else {
                        format!(
                            "unknown control `{id}` in {benchmark}; valid controls: {}",
                            valid.join(", ")
                        )
                    }
                })?;
            if !out.iter().any(|c| c.id == control.id) {
                out.push(control.clone());
            }
        }
    }
    if let Some(l) = level {
        out.retain(|c| c.level <= l);
    }
    Ok(out)
}

/// The catalog as Markdown: the content of `docs/controls.md` (a test keeps that file current).
pub fn markdown() -> String {
    let mut out = String::from(
        "# Controls\n\n<!-- Generated from crates/model/src/catalog.rs; do not edit. Regenerate with `UPDATE_DOCS=1 cargo test -p model`. -->\n\n",
    );
    out.push_str("The fifteen CIS AWS Foundations Benchmark monitoring controls in every version trailwatch knows. `--benchmark` picks the version (default: the newest); `--controls` takes slugs or that version's CIS ids; `--level 1` keeps Level 1 controls only.\n\n");
    out.push_str("New resources are named `trailwatch-<id>` (metric filter and alarm) and publish the default metric in namespace `CISBenchmark`.\n\n");
    out.push_str("| id | ");
    out.push_str(&BENCHMARKS.join(" | "));
    out.push_str(" | Security Hub | default metric |\n|---|");
    out.push_str(&"---|".repeat(BENCHMARKS.len() + 2));
    out.push('\n');
    for entry in CATALOG {
        let cells: Vec<String> = BENCHMARKS
            .iter()
            .map(|b| match entry.resolve(b) {
                Some(c) => format!("{} (L{})", c.cis_id, c.level),
                None => "—".into(),
            })
            .collect();
        out.push_str(&format!(
            "| `{}` | {} | {} | `{}` |\n",
            entry.id,
            cells.join(" | "),
            entry.security_hub_id.unwrap_or("—"),
            entry.default_metric_name
        ));
    }
    out.push_str("\nProfile levels for v2.0 and v3.0 differ between the public transcriptions; trailwatch keeps the v1.5 levels there. Sources also disagree on whether v2.0 or v4.0 changed the unauthorized-calls pattern: v2.0 and v3.0 accept both forms.\n");
    for entry in CATALOG {
        out.push_str(&format!("\n## `{}`: {}\n", entry.id, entry.title));
        for e in entry.editions {
            let range = if e.from == e.to {
                e.from.to_string()
            } else {
                format!("{} to {}", e.from, e.to)
            };
            out.push_str(&format!("\n{range}, catches {}:\n\n", describe(&e.catches)));
            for (i, p) in e.patterns.iter().enumerate() {
                let label = if i == 0 {
                    "written by apply"
                } else {
                    "also published"
                };
                out.push_str(&format!("- {label}: `{p}`\n"));
            }
        }
    }
    out
}

fn describe(catches: &Catches) -> String {
    match catches {
        Catches::Calls { source, events } => format!("{} from `{source}`", events.join(", ")),
        Catches::Unauthorized => {
            "calls refused with `*UnauthorizedOperation` or `AccessDenied*`".into()
        }
        Catches::SigninWithoutMfa => "successful console sign-ins of IAM users without MFA".into(),
        Catches::RootUsage => "calls by the root user itself".into(),
        Catches::ConsoleAuthFailures => "failed console sign-ins".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_controls_md_is_generated_from_the_catalog() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/controls.md");
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(path, markdown()).unwrap();
        }
        let current = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            current == markdown(),
            "docs/controls.md is stale: run `UPDATE_DOCS=1 cargo test -p model`"
        );
    }

    #[test]
    fn every_version_has_fifteen_controls_except_v1_2() {
        for b in BENCHMARKS {
            let n = select(b, &[], None).unwrap().len();
            assert_eq!(n, if *b == "cis-1.2" { 14 } else { 15 }, "{b}");
        }
    }

    #[test]
    fn cis_ids_follow_each_versions_numbering() {
        let id = |b, slug: &str| select(b, &[slug.into()], None).unwrap()[0].cis_id.clone();
        assert_eq!(id("cis-1.2", "iam-policy-changes"), "3.4");
        assert_eq!(id("cis-5.0", "iam-policy-changes"), "4.4");
        assert_eq!(id("cis-7.0", "iam-policy-changes"), "5.4");
        assert_eq!(
            select("cis-1.2", &["3.4".into()], None).unwrap()[0].id,
            "iam-policy-changes"
        );
        assert_eq!(
            select("cis-5.0", &["4.10".into()], None).unwrap()[0].id,
            "security-group-changes"
        );
    }

    #[test]
    fn selection_errors_list_the_valid_choices() {
        let err = select("cis-5.0", &["root-usage".into()], None).unwrap_err();
        assert!(
            err.contains("unknown control `root-usage` in cis-5.0"),
            "{err}"
        );
        assert!(err.contains("root-account-usage (4.3)"), "{err}");
        let err = select("cis-1.2", &["organizations-changes".into()], None).unwrap_err();
        assert!(err.contains("is not part of cis-1.2"), "{err}");
        let err = select("cis-9", &[], None).unwrap_err();
        assert!(err.contains("valid benchmarks: cis-1.2, cis-1.3"), "{err}");
        let err = select("cis-5.0", &["3.4".into()], None).unwrap_err();
        assert!(err.contains("unknown control `3.4`"), "{err}");
    }

    #[test]
    fn levels_filter_and_change_across_versions() {
        let l1 = select("cis-1.4", &[], Some(1)).unwrap();
        assert!(l1.iter().all(|c| c.level == 1));
        assert!(l1.iter().any(|c| c.id == "unauthorized-api-calls"));
        let l1 = select("cis-5.0", &[], Some(1)).unwrap();
        assert!(!l1.iter().any(|c| c.id == "unauthorized-api-calls"));
        assert_eq!(select("cis-5.0", &[], Some(2)).unwrap().len(), 15);
    }

    #[test]
    fn security_group_changes_gained_an_event_in_v5() {
        let events =
            |b| match select(b, &["security-group-changes".into()], None).unwrap()[0].catches {
                Catches::Calls { events, .. } => events.len(),
                _ => 0,
            };
        assert_eq!(events("cis-4.0"), 6);
        assert_eq!(events("cis-5.0"), 7);
    }
}
