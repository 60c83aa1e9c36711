//! Turning SDK errors into one-line messages that name the IAM action and say what to do.

use std::error::Error as StdError;

use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};

use aws_smithy_runtime_api::client::result::ConnectorError;

use crate::http::AtEndpoint;
use model::live::ReadError;

/// An error that stops trailwatch before it can audit anything.
#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    /// No region in the flags, the environment or the profile.
    #[error("no AWS region is configured; pass `--region us-east-1` or set `AWS_REGION`")]
    NoRegion,
    /// The named profile is defined and gives no region.
    #[error("profile {} gives no region; add `region = ...` to it in the AWS config file, set `AWS_REGION`, or pass `--region`", quoted::quoted(.0))]
    NoRegionForProfile(String),
    /// The profile named by `--profile`, `AWS_PROFILE` or a `source_profile` is not defined.
    #[error("AWS profile {} is not defined in the AWS config or credentials file (`~/.aws/config`, `~/.aws/credentials`, or `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`); check its name (`aws configure list-profiles`)", quoted::quoted(.0))]
    NoProfile(String),
    /// No usable credentials (the detail is logged with `--verbose`).
    #[error("no usable AWS credentials; set `AWS_PROFILE`, run `aws sso login`, or export `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (`--verbose` shows why each source failed)")]
    NoCredentials(String),
    /// The credentials were valid once and have expired.
    #[error("the AWS credentials have expired ({0}); refresh them (`aws sso login`, or new temporary keys) and run again")]
    Expired(String),
    /// The endpoint did not answer.
    #[error("{0}; check the network, `--endpoint-url` and `AWS_ENDPOINT_URL`")]
    Unreachable(NoAnswer),
    /// The role of an account audited through `--assume-role` could not be assumed.
    #[error("cannot assume role `{role}` in account {account} (sts:AssumeRole: {answer}); check that the role exists there and trusts {trusted}")]
    AssumeRole {
        /// The role name.
        role: String,
        /// The account it is in.
        account: String,
        /// STS's answer, `code: message` when it gave one.
        answer: String,
        /// Who the role must trust: `account N`, or the identity trailwatch runs as.
        trusted: String,
    },
    /// AWS refused the call.
    #[error("{action} was denied ({code}: {message}); grant `{action}` to the identity trailwatch runs as")]
    Denied {
        /// The IAM action.
        action: String,
        /// The error code.
        code: String,
        /// The service's message.
        message: String,
    },
    /// Anything else.
    #[error("{0}")]
    Other(String),
}

/// Why one call of `apply` or `drill` failed, in one line naming the IAM action.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// AWS denied the call.
    #[error("{action} was denied ({code}: {message}); grant `{action}` to the identity trailwatch runs as")]
    Denied {
        /// The IAM action.
        action: &'static str,
        /// The error code.
        code: String,
        /// The service's message.
        message: String,
    },
    /// The service refused the call with an error code and message.
    #[error("{action} failed: {code}: {message}")]
    Service {
        /// The IAM action.
        action: &'static str,
        /// The error code.
        code: String,
        /// The service's message.
        message: String,
    },
    /// The call got no answer: the endpoint could not be reached, or did not answer in time.
    #[error("{action} failed: {no_answer}")]
    Unreachable {
        /// The IAM action.
        action: &'static str,
        /// Where the call went, and why it got no answer.
        no_answer: NoAnswer,
    },
    /// The call failed without the service's answer (an unparsable reply, say).
    #[error("{action} failed: {detail}")]
    Failed {
        /// The IAM action.
        action: &'static str,
        /// The error and its causes, in one line.
        detail: String,
    },
    /// The filter's metric transformation lacks a required field (before any call).
    #[error("invalid metric transformation: {0}")]
    InvalidTransformation(aws_smithy_types::error::operation::BuildError),
    /// `CreateTopic` answered another ARN than the plan showed.
    #[error("sns:CreateTopic returned `{returned}`, not the planned `{planned}`; nothing depending on it was written")]
    UnplannedTopic {
        /// The ARN returned.
        returned: String,
        /// The ARN the plan showed.
        planned: String,
    },
}

/// A call that got no answer from AWS: the endpoint it was sent to, when known, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoAnswer {
    /// Scheme and authority, such as `http://127.0.0.1:9`; `None` when the call as a whole ran
    /// out of time (the SDK keeps no request then).
    pub endpoint: Option<String>,
    /// Why, such as `connection refused`.
    pub cause: String,
}

impl std::fmt::Display for NoAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.endpoint {
            Some(endpoint) => write!(f, "cannot reach AWS at {endpoint}: {}", self.cause),
            None => write!(f, "cannot reach AWS: {}", self.cause),
        }
    }
}

fn chain_text(err: &dyn StdError) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Why a call got no answer, when it got none: the connection failed, or the call ran out of
/// time as a whole.
fn unanswered<E, R>(err: &SdkError<E, R>) -> Option<NoAnswer>
where
    E: StdError + 'static,
    R: std::fmt::Debug + 'static,
{
    match err {
        SdkError::TimeoutError(_) => Some(NoAnswer {
            endpoint: None,
            cause: format!(
                "no complete answer in time ({} s per attempt, {} s per call)",
                crate::ATTEMPT_TIMEOUT.as_secs(),
                crate::CALL_TIMEOUT.as_secs()
            ),
        }),
        _ => no_answer(err),
    }
}

/// Why a call got no answer, when it got none: it, or an error it was caused by (a role's
/// credentials that could not be had), is a connection that failed or timed out.
fn no_answer(err: &(dyn StdError + 'static)) -> Option<NoAnswer> {
    let connector = causes(err)
        .filter_map(|e| e.downcast_ref::<ConnectorError>())
        .find(|c| c.is_io() || c.is_timeout())?;
    let endpoint = causes(connector)
        .find_map(|e| e.downcast_ref::<AtEndpoint>())
        .map(|at| at.endpoint.clone());
    Some(NoAnswer {
        endpoint,
        cause: cause(connector),
    })
}

/// An error and the errors it was caused by, outermost first.
fn causes<'a>(
    err: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(err), |&e: &&'a (dyn StdError + 'static)| e.source())
}

/// What went wrong with a connection, in a few words: the operating system's reason for the
/// common failures, else the innermost errors' own words.
fn cause(connector: &ConnectorError) -> String {
    use std::io::ErrorKind;
    let said = |text: &str| causes(connector).any(|e| e.to_string().contains(text));
    if connector.is_timeout() {
        return match (said("connect timeout"), said("read timeout")) {
            (true, _) => format!(
                "no connection within {} s",
                crate::CONNECT_TIMEOUT.as_secs()
            ),
            (_, true) => format!("no answer within {} s", crate::READ_TIMEOUT.as_secs()),
            _ => innermost(connector),
        };
    }
    let io_kind = causes(connector)
        .find_map(|e| e.downcast_ref::<std::io::Error>())
        .map(std::io::Error::kind);
    match io_kind {
        Some(ErrorKind::ConnectionRefused) => "connection refused".to_string(),
        Some(ErrorKind::ConnectionReset) => "the connection was reset".to_string(),
        Some(ErrorKind::TimedOut) => "the connection timed out".to_string(),
        _ if said("dns error") => {
            format!("the host name does not resolve ({})", innermost(connector))
        }
        _ if said("TLS handshake failed") => {
            format!("the TLS handshake failed ({})", innermost(connector))
        }
        _ => innermost(connector),
    }
}

/// The innermost error's text, without the operating system's error number.
fn innermost(err: &(dyn StdError + 'static)) -> String {
    let last = causes(err)
        .last()
        .map(ToString::to_string)
        .unwrap_or_default();
    let text = match last.find(" (os error") {
        Some(i) => &last[..i],
        None => &last,
    };
    one_line(text)
}

const BAD_CREDENTIALS: &[&str] = &[
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "InvalidSignatureException",
];

/// Classifies an error of the first call, which decides whether trailwatch can run at all.
pub(crate) fn fatal<E>(action: &str, err: SdkError<E, HttpResponse>) -> AwsError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    let error = classify(action, &err);
    if let AwsError::NoCredentials(detail) = &error {
        tracing::info!("credentials: {detail}");
    }
    error
}

/// A failed read that no other read can succeed after (no credentials, expired ones, no
/// endpoint) as the error that stops the account's audit; any other as a [`ReadError`].
pub(crate) fn read_or_fatal<E>(
    action: &str,
    err: SdkError<E, HttpResponse>,
) -> Result<ReadError, AwsError>
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    match classify(action, &err) {
        e @ (AwsError::NoCredentials(_) | AwsError::Expired(_) | AwsError::Unreachable(_)) => {
            Err(e)
        }
        _ => Ok(read(action, err)),
    }
}

fn classify<E>(action: &str, err: &SdkError<E, HttpResponse>) -> AwsError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    if let Some(mut no_answer) = unanswered(err) {
        // Also credentials that could not be had because their own endpoint (an assume-role
        // profile's STS) did not answer: the endpoint is what to fix.
        if no_answer.endpoint.is_none() {
            no_answer.cause = format!("{action} got {}", no_answer.cause);
        }
        return AwsError::Unreachable(no_answer);
    }
    match err {
        SdkError::DispatchFailure(_) => {
            let text = chain_text(err);
            if text.contains("credentials") || text.contains("Credentials") {
                AwsError::NoCredentials(one_line(&text))
            } else {
                AwsError::Other(format!("{action} failed: {}", one_line(&text)))
            }
        }
        SdkError::ConstructionFailure(_) => {
            let text = chain_text(err);
            if text.contains("credentials") || text.contains("Credentials") {
                AwsError::NoCredentials(one_line(&text))
            } else {
                AwsError::Other(format!("{action} failed: {}", one_line(&text)))
            }
        }
        _ => {
            let code = code_of(err).unwrap_or_else(|| "Unknown".into());
            let message = err.message().unwrap_or("HTTP 403 Forbidden").to_string();
            if model::live::is_access_denied_code(&code) {
                AwsError::Denied {
                    action: action.to_string(),
                    code,
                    message,
                }
            } else if code.starts_with("ExpiredToken") {
                AwsError::Expired(format!("{action}: {code}"))
            } else if BAD_CREDENTIALS.contains(&code.as_str()) {
                AwsError::NoCredentials(format!("{code}: {message}"))
            } else {
                AwsError::Other(format!("{action} failed: {}", answer_of(err)))
            }
        }
    }
}

/// What AWS answered to a call that failed for another reason than those `classify` names:
/// its error code and message, or its HTTP status when it named no AWS error (an endpoint that
/// is not an AWS API, say).
fn answer_of<E>(err: &SdkError<E, HttpResponse>) -> String
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    match (err.code(), err.message(), err.raw_response()) {
        (Some(code), Some(message), _) => format!("{code}: {}", one_line(message)),
        (Some(code), None, _) => code.to_string(),
        (None, _, Some(response)) => format!(
            "HTTP {} with no AWS error in the answer; if `--endpoint-url` or `AWS_ENDPOINT_URL` is set, check that it is an AWS API",
            response.status().as_u16()
        ),
        (None, _, None) => one_line(&chain_text(err)),
    }
}

/// A failed read, kept in the snapshot so the controls that depend on it show `error`.
pub(crate) fn read<E>(action: &str, err: SdkError<E, HttpResponse>) -> ReadError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    let code = code_of(&err);
    let message = match (&err, err.message(), unanswered(&err)) {
        (_, _, Some(no_answer)) => no_answer.to_string(),
        (SdkError::ServiceError(_), Some(m), _) => m.to_string(),
        _ if code.as_deref() == Some("AccessDenied") => "HTTP 403 Forbidden".to_string(),
        _ => one_line(&chain_text(&err)),
    };
    ReadError {
        action: action.to_string(),
        code,
        message,
    }
}

/// The message of a failed write, naming the permission when it was denied.
pub(crate) fn write<E>(action: &'static str, err: SdkError<E, HttpResponse>) -> CallError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    let code = code_of(&err).unwrap_or_default();
    if model::live::is_access_denied_code(&code) {
        let message = err.message().unwrap_or("HTTP 403 Forbidden").to_string();
        return CallError::Denied {
            action,
            code,
            message,
        };
    }
    if let Some(no_answer) = unanswered(&err) {
        return CallError::Unreachable { action, no_answer };
    }
    match (&err, err.message()) {
        (SdkError::ServiceError(_), Some(m)) => CallError::Service {
            action,
            code,
            message: m.to_string(),
        },
        _ => CallError::Failed {
            action,
            detail: one_line(&chain_text(&err)),
        },
    }
}

/// The error code, or `AccessDenied` for an HTTP 403 whose body named none (some servers answer
/// a denied JSON-protocol call with a body the SDK cannot parse).
fn code_of<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> Option<String> {
    if let Some(code) = err.code() {
        return Some(code.to_string());
    }
    err.raw_response()
        .filter(|r| r.status().as_u16() == 403)
        .map(|_| "AccessDenied".to_string())
}

/// STS's `code: message` out of the SDK's description of a failed credentials load, or the
/// description itself when it names none.
pub(crate) fn sts_answer(detail: &str) -> String {
    let field = |name: &str| {
        let start = detail.find(&format!("{name}: \""))? + name.len() + 3;
        let len = detail[start..].find('"')?;
        Some(&detail[start..start + len])
    };
    match (field("code"), field("message")) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        _ => detail.to_string(),
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
