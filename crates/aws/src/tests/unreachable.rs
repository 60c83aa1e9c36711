//! Calls that get no answer: each error names the endpoint it could not reach and why, in one
//! line, for the first call (which stops the run), a read and a write alike.

use std::io;

use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::error::SdkError;
use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityError;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::error::ErrorMetadata;

use crate::errors;
use crate::http::{endpoint_of, AtEndpoint};

const LOCAL: &str = "http://127.0.0.1:9";
const CHECK: &str = "; check the network, `--endpoint-url` and `AWS_ENDPOINT_URL`";

type StsError = SdkError<GetCallerIdentityError, HttpResponse>;

/// An error with a text and a cause, as hyper's connection errors are.
#[derive(Debug)]
struct Said(&'static str, Option<BoxError>);

impl std::fmt::Display for Said {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Said {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.1.as_deref().map(|e| e as _)
    }
}

/// A dispatch failure as the shared client's connector reports it: the connection's error
/// inside [`AtEndpoint`].
fn dispatch(kind: fn(BoxError) -> ConnectorError, cause: BoxError) -> StsError {
    let at = AtEndpoint::new(LOCAL, Box::new(Said("client error (Connect)", Some(cause))));
    SdkError::dispatch_failure(kind(Box::new(at)))
}

fn refused() -> StsError {
    let os = io::Error::from(io::ErrorKind::ConnectionRefused);
    dispatch(
        ConnectorError::io,
        Box::new(Said("tcp connect error", Some(Box::new(os)))),
    )
}

#[test]
fn a_refused_connection_names_the_endpoint_and_the_cause_in_one_line() {
    let fatal = errors::fatal("sts:GetCallerIdentity", refused());
    assert_eq!(
        fatal.to_string(),
        format!("cannot reach AWS at {LOCAL}: connection refused{CHECK}")
    );
    let read = errors::read("cloudtrail:GetTrailStatus", refused());
    assert_eq!(
        read.to_string(),
        format!(
            "cloudtrail:GetTrailStatus failed: cannot reach AWS at {LOCAL}: connection refused"
        )
    );
    let write = errors::write("logs:PutMetricFilter", refused());
    assert_eq!(
        write.to_string(),
        format!("logs:PutMetricFilter failed: cannot reach AWS at {LOCAL}: connection refused")
    );
}

#[test]
fn a_host_that_does_not_resolve_and_a_failed_handshake_are_named() {
    let lookup =
        io::Error::other("failed to lookup address information: Name or service not known");
    let dns = dispatch(
        ConnectorError::io,
        Box::new(Said("dns error", Some(Box::new(lookup)))),
    );
    assert_eq!(
        errors::fatal("sts:GetCallerIdentity", dns).to_string(),
        format!("cannot reach AWS at {LOCAL}: the host name does not resolve (failed to lookup address information: Name or service not known){CHECK}")
    );
    let corrupt = Said("received corrupt message of type InvalidContentType", None);
    let tls = dispatch(
        ConnectorError::io,
        Box::new(Said("TLS handshake failed", Some(Box::new(corrupt)))),
    );
    assert_eq!(
        errors::fatal("sts:GetCallerIdentity", tls).to_string(),
        format!("cannot reach AWS at {LOCAL}: the TLS handshake failed (received corrupt message of type InvalidContentType){CHECK}")
    );
}

#[test]
fn a_connection_or_an_answer_that_times_out_is_named_with_its_limit() {
    let connect = dispatch(
        ConnectorError::timeout,
        Box::new(Said("HTTP connect timeout occurred after 3s", None)),
    );
    assert_eq!(
        errors::fatal("sts:GetCallerIdentity", connect).to_string(),
        format!("cannot reach AWS at {LOCAL}: no connection within 3 s{CHECK}")
    );
    let silent = dispatch(
        ConnectorError::timeout,
        Box::new(Said("HTTP read timeout occurred after 15s", None)),
    );
    assert_eq!(
        errors::write("sns:Subscribe", silent).to_string(),
        format!("sns:Subscribe failed: cannot reach AWS at {LOCAL}: no answer within 15 s")
    );
    let call: StsError = SdkError::timeout_error(Box::new(Said("timeout", None)));
    assert_eq!(
        errors::fatal("sts:GetCallerIdentity", call).to_string(),
        format!("cannot reach AWS: sts:GetCallerIdentity got no complete answer in time (25 s per attempt, 60 s per call){CHECK}")
    );
}

#[test]
fn an_answer_with_no_aws_error_in_it_gives_its_status_not_the_sdk_s_dump() {
    let answer = HttpResponse::new(
        404.try_into().unwrap(),
        SdkBody::from("<html>not here</html>"),
    );
    let error: StsError = SdkError::service_error(
        GetCallerIdentityError::generic(ErrorMetadata::builder().build()),
        answer,
    );
    assert_eq!(
        errors::fatal("sts:GetCallerIdentity", error).to_string(),
        "sts:GetCallerIdentity failed: HTTP 404 with no AWS error in the answer; if `--endpoint-url` or `AWS_ENDPOINT_URL` is set, check that it is an AWS API"
    );
}

#[test]
fn an_endpoint_is_the_uri_without_its_path_and_query() {
    for (uri, endpoint) in [
        ("http://127.0.0.1:9/", "http://127.0.0.1:9"),
        (
            "https://bucket.s3.us-east-1.amazonaws.com/key?list-type=2",
            "https://bucket.s3.us-east-1.amazonaws.com",
        ),
        ("https://sts.amazonaws.com", "https://sts.amazonaws.com"),
        ("http://localhost:5000?Action=x", "http://localhost:5000"),
    ] {
        assert_eq!(endpoint_of(uri), endpoint);
    }
}
