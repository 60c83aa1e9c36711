//! The one HTTPS client of a run, shared by every SDK client (one connection pool, the trust
//! store loaded once; a lane of many accounts has a pool of its own, [`on_a_pool_of_its_own`]),
//! whose connection failures name the endpoint they were for ([`AtEndpoint`]): the SDK's own
//! errors do not say which URL could not be reached.

use std::cell::RefCell;
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

/// The shared client.
pub(crate) fn shared_https_client() -> OneHttpClient {
    OneHttpClient(https_client())
}

/// An HTTPS client with a connection pool of its own, made as the SDK's default one is (rustls
/// with aws-lc, the proxy from the environment).
fn https_client() -> SharedHttpClient {
    use aws_smithy_http_client::{proxy::ProxyConfig, tls, Builder, ConnectorBuilder};
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
    })
}

thread_local! {
    /// The pool of the lane running on this thread, while [`on_a_pool_of_its_own`] runs.
    static LANE_POOL: RefCell<Option<SharedHttpClient>> = const { RefCell::new(None) };
}

/// Runs `work` (a lane's runtime, running its accounts) with a connection pool of its own for
/// every request made on this thread, dropped when it ends. A connection is driven by the
/// runtime that opened it: shared between lanes, each request over another lane's connection
/// woke that lane's thread to send it and again to hand back the answer (about one wake-up of
/// another thread per call).
pub(crate) fn on_a_pool_of_its_own<T>(work: impl FnOnce() -> T) -> T {
    LANE_POOL.with(|pool| *pool.borrow_mut() = Some(https_client()));
    let result = work();
    LANE_POOL.with(|pool| pool.borrow_mut().take());
    result
}

/// The shared client, without its check of each new SDK client's configuration: that check
/// builds (and drops) a TLS connector per SDK client, and a run of many accounts makes five or
/// six SDK clients per account. Connectors are made, and cached, by the client whose pool the
/// request uses: this thread's lane's, or the shared one.
#[derive(Debug)]
pub(crate) struct OneHttpClient(SharedHttpClient);

impl HttpClient for OneHttpClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        let lane = LANE_POOL.with(|pool| {
            (pool.borrow().as_ref()).map(|client| client.http_connector(settings, components))
        });
        let connector = lane.unwrap_or_else(|| self.0.http_connector(settings, components));
        SharedHttpConnector::new(NamingConnector(connector))
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
