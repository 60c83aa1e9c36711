//! The one HTTPS client of a run, shared by every SDK client (one connection pool, the trust
//! store loaded once), whose connection failures name the endpoint they were for
//! ([`AtEndpoint`]): the SDK's own errors do not say which URL could not be reached.

use std::error::Error as StdError;
use std::fmt;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;

/// The shared client, made as the SDK's default one is (rustls with aws-lc, the proxy from the
/// environment).
pub(crate) fn shared_https_client() -> OneHttpClient {
    use aws_smithy_http_client::{proxy::ProxyConfig, tls, Builder, ConnectorBuilder};
    OneHttpClient(
        Builder::new().build_with_connector_fn(|settings, components| {
            let mut connector = ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::AwsLc,
            ));
            connector.set_connector_settings(settings.cloned());
            if let Some(components) = components {
                connector.set_sleep_impl(components.sleep_impl());
            }
            connector.set_proxy_config(Some(ProxyConfig::from_env()));
            connector.build()
        }),
    )
}

/// The shared client, without its check of each new SDK client's configuration: that check
/// builds (and drops) a TLS connector per SDK client, and a run of many accounts makes five or
/// six SDK clients per account. Connectors are made, and cached, by the shared client itself.
#[derive(Debug)]
pub(crate) struct OneHttpClient(SharedHttpClient);

impl HttpClient for OneHttpClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(NamingConnector(self.0.http_connector(settings, components)))
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.0.connector_metadata()
    }
}

/// A connector whose errors carry the endpoint of the request that failed.
#[derive(Debug)]
struct NamingConnector(SharedHttpConnector);

impl HttpConnector for NamingConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let endpoint = endpoint_of(request.uri());
        let sent = self.0.call(request);
        HttpConnectorFuture::new(async move { sent.await.map_err(|e| at(endpoint, e)) })
    }
}

/// A request that failed before AWS answered it: the endpoint it was sent to, and why.
#[derive(Debug)]
pub(crate) struct AtEndpoint {
    /// The scheme and authority, such as `https://sts.us-east-1.amazonaws.com`.
    pub(crate) endpoint: String,
    source: BoxError,
}

impl AtEndpoint {
    #[cfg(test)]
    pub(crate) fn new(endpoint: &str, source: BoxError) -> AtEndpoint {
        AtEndpoint {
            endpoint: endpoint.to_string(),
            source,
        }
    }
}

impl fmt::Display for AtEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "request to {}", self.endpoint)
    }
}

impl StdError for AtEndpoint {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(self.source.as_ref())
    }
}

/// The connector's error with its cause wrapped in [`AtEndpoint`], of the same kind (the SDK's
/// retries decide on the kind).
fn at(endpoint: String, error: ConnectorError) -> ConnectorError {
    let (timeout, io, user, other) = (
        error.is_timeout(),
        error.is_io(),
        error.is_user(),
        error.as_other(),
    );
    let source: BoxError = Box::new(AtEndpoint {
        endpoint,
        source: error.into_source(),
    });
    match (timeout, io, user) {
        (true, _, _) => ConnectorError::timeout(source),
        (_, true, _) => ConnectorError::io(source),
        (_, _, true) => ConnectorError::user(source),
        _ => ConnectorError::other(source, other),
    }
}

/// `scheme://authority` of a request's URI: where it went, without the path and query.
pub(crate) fn endpoint_of(uri: &str) -> String {
    let start = uri.find("://").map_or(0, |i| i + 3);
    let end = uri[start..]
        .find(['/', '?'])
        .map_or(uri.len(), |i| start + i);
    uri[..end].to_string()
}
