//! The one crate that talks to AWS: it loads the standard AWS configuration, reads an account
//! into a [`model::Snapshot`], and executes planned [`model::Action`]s. No other crate names an
//! `aws_sdk_*` type; everything leaving this crate is the model's plain data.

mod archive;
mod connect;
mod credentials;
mod drill;
mod early;
mod errors;
mod eventbridge;
mod http;
mod read;
mod roles;
pub mod securityhub;
#[cfg(test)]
mod tests;
mod write;
mod written;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::stalled_stream_protection::StalledStreamProtectionConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};

pub use archive::ArchiveReader;
pub use connect::Run;
pub use errors::{AwsError, CallError, NoAnswer};
pub use write::{request_stop, stop_requested};

/// How to reach AWS: each `None` falls back to the standard AWS configuration (environment,
/// shared config files, SSO, the credential chain), as the AWS CLI does.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// `--region`.
    pub region: Option<String>,
    /// `--profile`.
    pub profile: Option<String>,
    /// `--endpoint-url`, for a local AWS API server or a VPC endpoint.
    pub endpoint_url: Option<String>,
}

/// How long a connection may take to open.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// How long an open connection may stay silent. Three attempts of it and the retries' waits fit
/// in [`CALL_TIMEOUT`], so an endpoint that never answers fails in the connector, whose error
/// names the endpoint, rather than by the call's own timeout, which names none.
const READ_TIMEOUT: Duration = Duration::from_secs(15);

/// How long one attempt of a call may take.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(25);

/// How long a call may take, its retries included.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// The standard AWS configuration with trailwatch's HTTP client, retries and timeouts, and the
/// options on top.
async fn load(options: &ConnectOptions) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http::shared_https_client())
        .retry_config(RetryConfig::standard().with_max_attempts(3))
        // An answer is read whole within its call, so a silent one fails by READ_TIMEOUT and a
        // slow one by the call's timeouts; the SDK's own check of each body's throughput (a
        // timer per request and per answer) cost about a seventh of a 1,000-account plan's CPU
        // (docs/benchmarks.md, issue [17] item 9). The archive's streamed files keep it
        // (`archive.rs`).
        .stalled_stream_protection(StalledStreamProtectionConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .read_timeout(READ_TIMEOUT)
                .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                .operation_timeout(CALL_TIMEOUT)
                .build(),
        );
    if let Some(region) = &options.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}

/// When `AWS_PROFILE` names a profile and the environment also holds keys, the keys are used, as
/// in the AWS CLI: a note saying so, and how to use the profile instead.
pub fn profile_note(options: &ConnectOptions) -> Option<String> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    match (&options.profile, env("AWS_PROFILE"), env("AWS_ACCESS_KEY_ID")) {
        (None, Some(profile), Some(_)) => Some(format!(
            "AWS_ACCESS_KEY_ID is set, so its keys are used and not profile `{profile}` of AWS_PROFILE (as in the AWS CLI); pass `--profile {profile}` to use the profile"
        )),
        _ => None,
    }
}

/// A connection to one account: its configuration and identity, and the run's clients.
pub struct Aws {
    config: SdkConfig,
    region: String,
    /// The run's SDK clients, shared by its connections.
    clients: SharedClients,
    calls: Mutex<std::collections::BTreeMap<&'static str, u64>>,
    account_id: tokio::sync::OnceCell<String>,
    /// For a connection made by [`Aws::assume`]: the role name, and the account that assumes it.
    assumed: Option<(String, Option<String>)>,
    /// The credentials of the roles assumed so far in the run, shared by its connections.
    roles: roles::Roles,
}

/// The run's SDK clients, one set per region, shared by every account's connection: a client
/// carries no identity, each call names its connection's ([`Aws::identity`]). Building a
/// client costs as much CPU as several calls, and an account makes one to three calls with
/// most of its clients.
#[derive(Clone, Default)]
struct SharedClients(std::sync::Arc<Mutex<HashMap<String, Clients>>>);

/// The SDK clients of one region, each built on its first use.
#[derive(Clone)]
struct Clients(std::sync::Arc<RegionClients>);

/// Every page of a listing, its items in order: `page(token)` asks for one page and gives its
/// items and the token of the next. The SDK's paginators take no per-call configuration, so
/// the calls through the run's clients page with this. As theirs, it stops at a page that
/// names no next page, an empty token, or the very token it was asked with (a server that
/// repeats itself is not asked forever).
pub(crate) async fn every_page<T, E, Page>(
    mut page: impl FnMut(Option<String>) -> Page,
) -> Result<Vec<T>, E>
where
    Page: std::future::Future<Output = Result<(Vec<T>, Option<String>), E>>,
{
    let (mut all, mut token) = (Vec::new(), None);
    loop {
        let (items, next) = page(token.clone()).await?;
        all.extend(items);
        match next.filter(|next| !next.is_empty()) {
            Some(next) if token.as_ref() != Some(&next) => token = Some(next),
            _ => return Ok(all),
        }
    }
}

/// One connection's identity — its credentials and their cache — for a call through a client
/// the run shares: `.customize().config_override(self.identity())` (each service's
/// configuration is made from it).
struct CallIdentity<'a>(&'a SdkConfig);

/// Declares [`RegionClients`] with one lazily built client per service, the accessor of each on
/// [`Clients`], and (for tests) [`Seed`], which gives every client ready-made.
macro_rules! region_clients {
    ($($service:ident: $krate:ident),* $(,)?) => {
        struct RegionClients {
            /// The run's configuration with this region.
            config: SdkConfig,
            $($service: std::sync::OnceLock<$krate::Client>,)*
        }

        impl Clients {
            fn new(config: SdkConfig) -> Clients {
                Clients(std::sync::Arc::new(RegionClients {
                    config,
                    $($service: std::sync::OnceLock::new(),)*
                }))
            }

            $(fn $service(&self) -> $krate::Client {
                let region = &self.0;
                region.$service
                    .get_or_init(|| {
                        $krate::Client::from_conf($krate::config::Builder::from(&region.config).build())
                    })
                    .clone()
            })*

            /// Clients given ready-made (tests use mocked ones).
            #[cfg(test)]
            fn seeded(seed: Seed) -> Clients {
                let clients = Clients::new(SdkConfig::builder().build());
                $(let _ = clients.0.$service.set(seed.$service);)*
                clients
            }
        }

        /// Every client of a region, ready-made.
        #[cfg(test)]
        struct Seed {
            $($service: $krate::Client,)*
        }

        $(impl From<CallIdentity<'_>> for $krate::config::Builder {
            fn from(CallIdentity(config): CallIdentity<'_>) -> Self {
                let mut identity = $krate::config::Builder::default();
                if let Some(credentials) = config.credentials_provider() {
                    identity.set_credentials_provider(Some(credentials));
                }
                if let Some(cache) = config.identity_cache() {
                    identity.set_identity_cache(cache);
                }
                identity
            }
        })*
    };
}

region_clients! {
    cloudtrail: aws_sdk_cloudtrail,
    logs: aws_sdk_cloudwatchlogs,
    cloudwatch: aws_sdk_cloudwatch,
    sns: aws_sdk_sns,
    kms: aws_sdk_kms,
    account: aws_sdk_account,
    events: aws_sdk_eventbridge,
}

impl Aws {
    /// Loads the AWS configuration. Fails when no region is configured, or when the profile named
    /// (by `--profile` or `AWS_PROFILE`) is not defined. Credentials are resolved as the AWS CLI
    /// resolves them (`credentials.rs`), every STS call included at `--endpoint-url`.
    pub async fn connect(options: &ConnectOptions) -> Result<Aws, AwsError> {
        let named = credentials::Named::of(options.profile.as_deref());
        let config = load(options).await;
        let region = config.region().map(|r| r.to_string()).ok_or(match &named {
            credentials::Named::Default => AwsError::NoRegion,
            credentials::Named::Flag(p) | credentials::Named::Environment(p) => {
                AwsError::NoRegionForProfile(p.clone())
            }
        });
        let provider = credentials::provider(&config, &named).await?;
        let region = region?;
        model::regions::check(&region).map_err(|e| AwsError::Other(e.to_string()))?;
        let config = config.to_builder().credentials_provider(provider).build();
        Ok(Aws {
            config,
            region,
            clients: SharedClients::default(),
            calls: Mutex::default(),
            account_id: tokio::sync::OnceCell::new(),
            assumed: None,
            roles: roles::Roles::default(),
        })
    }

    /// A connection to another account, through `sts:AssumeRole` into the role `role_name` of
    /// that account, with the same region and endpoint. The role is assumed on first use, unless
    /// the run assumed it already (`roles.rs`); the account is the role's, so it is not asked
    /// (`sts:GetCallerIdentity`) again.
    pub async fn assume(&self, account_id: &str, role_name: &str) -> Aws {
        let partition = model::arn::partition_of(&self.region);
        let role_arn = format!("arn:{partition}:iam::{account_id}:role/{role_name}");
        let provider = match self.roles.known(&role_arn) {
            Some(known) => known,
            None => {
                let assuming = aws_config::sts::AssumeRoleProvider::builder(&role_arn)
                    .session_name("trailwatch")
                    .configure(&self.config)
                    .build()
                    .await;
                aws_credential_types::provider::SharedCredentialsProvider::new(
                    self.roles.assuming(&role_arn, assuming),
                )
            }
        };
        let config = self
            .config
            .to_builder()
            .credentials_provider(provider)
            // Each account's credentials are cached apart: one cache shared by a thousand
            // assumed roles evicts them and assumes each role again and again.
            .identity_cache(aws_config::identity::IdentityCache::lazy().build())
            .build();
        Aws {
            config,
            region: self.region.clone(),
            clients: self.clients.clone(),
            calls: Mutex::default(),
            account_id: tokio::sync::OnceCell::new_with(Some(account_id.to_string())),
            assumed: Some((role_name.to_string(), self.account_id.get().cloned())),
            roles: self.roles.clone(),
        }
    }

    /// A read's fatal error, told as a role that cannot be assumed when this connection is an
    /// assumed role and its credentials could not be had (its first call is where that shows).
    pub(crate) fn explain(&self, error: AwsError) -> AwsError {
        match (error, &self.assumed, self.account_id.get()) {
            (AwsError::NoCredentials(detail), Some((role, caller)), Some(account)) => {
                AwsError::AssumeRole {
                    role: role.clone(),
                    account: account.clone(),
                    answer: errors::sts_answer(&detail),
                    trusted: match caller {
                        Some(id) => format!("account {id}"),
                        None => "the identity trailwatch runs as".to_string(),
                    },
                }
            }
            (error, ..) => error,
        }
    }

    /// The active accounts of the organization the credentials' account manages or belongs to
    /// (`organizations:ListAccounts`, every page; needs the management or a delegated
    /// administrator account).
    pub async fn organization_accounts(&self) -> Result<Vec<String>, AwsError> {
        let org = aws_sdk_organizations::Client::new(&self.config);
        let mut pages = org.list_accounts().into_paginator().send();
        let mut out = Vec::new();
        while let Some(page) = pages.next().await {
            self.count("organizations:ListAccounts");
            let page = page.map_err(|e| errors::fatal("organizations:ListAccounts", e))?;
            for account in page.accounts() {
                let active = account.status().is_none_or(|s| s.as_str() == "ACTIVE");
                if let (Some(id), true) = (account.id(), active) {
                    out.push(id.to_string());
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// Records one API call (one request; each page of a listing counts).
    pub(crate) fn count(&self, action: &'static str) {
        *self
            .calls
            .lock()
            .expect("call counter")
            .entry(action)
            .or_default() += 1;
    }

    /// The API calls made so far, by IAM action.
    pub fn calls(&self) -> std::collections::BTreeMap<&'static str, u64> {
        self.calls.lock().expect("call counter").clone()
    }

    /// The region trails are listed in.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The account the credentials belong to (`sts:GetCallerIdentity`, asked once per
    /// connection). It is among the first calls trailwatch makes, so it is where unreachable
    /// endpoints and bad credentials show up.
    pub async fn account_id(&self) -> Result<String, AwsError> {
        self.account_id
            .get_or_try_init(|| async {
                let sts = aws_sdk_sts::Client::new(&self.config);
                self.count("sts:GetCallerIdentity");
                let out = sts
                    .get_caller_identity()
                    .send()
                    .await
                    .map_err(|e| errors::fatal("sts:GetCallerIdentity", e))?;
                out.account().map(str::to_string).ok_or_else(|| {
                    AwsError::Other("sts:GetCallerIdentity returned no account".into())
                })
            })
            .await
            .cloned()
    }

    /// A connection to `account_id` in `region` whose clients of each region are given (tests
    /// use mocked clients).
    #[cfg(test)]
    fn with_clients(region: &str, account_id: &str, clients: HashMap<String, Clients>) -> Aws {
        Aws {
            config: SdkConfig::builder().build(),
            region: region.to_string(),
            clients: SharedClients(std::sync::Arc::new(Mutex::new(clients))),
            calls: Mutex::default(),
            account_id: tokio::sync::OnceCell::new_with(Some(account_id.to_string())),
            assumed: None,
            roles: roles::Roles::default(),
        }
    }

    /// This connection's identity, for a call through one of the run's clients: its
    /// credentials and their cache.
    fn identity(&self) -> CallIdentity<'_> {
        CallIdentity(&self.config)
    }

    /// The run's clients of `region`, made on first use with no identity: a call that does not
    /// name its own ([`Aws::identity`]) fails, never signs as the account that made them.
    fn clients(&self, region: &str) -> Clients {
        let mut shared = self.clients.0.lock().expect("the run's clients");
        let clients = shared.entry(region.to_string()).or_insert_with(|| {
            let mut config = self.config.to_builder();
            config.set_credentials_provider(None);
            config.set_identity_cache(None);
            config.set_region(Some(Region::new(region.to_string())));
            Clients::new(config.build())
        });
        clients.clone()
    }
}
