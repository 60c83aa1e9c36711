//! The credentials a run signs with, resolved as the AWS CLI resolves them, with every STS call a
//! profile needs sent to the run's endpoint.
//!
//! The order is the AWS CLI's: a profile named with `--profile` is the only profile source and
//! environment keys are not consulted; without `--profile`, environment keys come first, then the
//! profile `AWS_PROFILE` names (or `default`); then web identity, the container and the instance
//! metadata. A profile that is named and not defined is refused by name. The SDK's own profile
//! provider assumes a profile's role through an STS client that knows nothing of `--endpoint-url`,
//! so the roles of a profile chain (`role_arn` with `source_profile` or `credential_source`) are
//! assumed here, with an STS client made from the run's configuration; the base of the chain
//! (static keys, SSO, `credential_process`, web identity) is left to the SDK.

use std::collections::HashSet;
use std::time::Duration;

use aws_config::ecs::EcsCredentialsProvider;
use aws_config::environment::EnvironmentVariableCredentialsProvider;
use aws_config::imds::credentials::ImdsCredentialsProvider;
use aws_config::meta::credentials::CredentialsProviderChain;
use aws_config::profile::{Profile, ProfileFileCredentialsProvider, ProfileSet};
use aws_config::provider_config::ProviderConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_config::web_identity_token::WebIdentityTokenCredentialsProvider;
use aws_config::SdkConfig;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_credential_types::Credentials;

use crate::AwsError;

/// The profile whose credentials a run uses, and how it was named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Named {
    /// `--profile NAME`: environment keys are not consulted.
    Flag(String),
    /// `AWS_PROFILE=NAME`: environment keys, when set, come first (as in the AWS CLI).
    Environment(String),
    /// Neither: the `default` profile, if it is defined.
    Default,
}

impl Named {
    /// The profile named by the flag, else by `AWS_PROFILE`.
    pub(crate) fn of(flag: Option<&str>) -> Named {
        match (
            flag,
            std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()),
        ) {
            (Some(name), _) => Named::Flag(name.to_string()),
            (None, Some(name)) => Named::Environment(name),
            (None, None) => Named::Default,
        }
    }

    fn name(&self) -> &str {
        match self {
            Named::Flag(name) | Named::Environment(name) => name,
            Named::Default => "default",
        }
    }
}

/// The credentials provider of the run (see the module's documentation). `config` is the loaded
/// configuration: its region, endpoint, HTTP client, retries and timeouts serve every STS call.
pub(crate) async fn provider(
    config: &SdkConfig,
    named: &Named,
) -> Result<SharedCredentialsProvider, AwsError> {
    let profiles = load_profiles().await?;
    let defined = profiles.get_profile(named.name()).is_some();
    if !defined && *named != Named::Default {
        return Err(AwsError::NoProfile(named.name().to_string()));
    }
    let base = provider_config(config);
    let mut sources: Vec<(&'static str, SharedCredentialsProvider)> = Vec::new();
    if !matches!(named, Named::Flag(_)) {
        sources.push((
            "Environment",
            shared(EnvironmentVariableCredentialsProvider::new()),
        ));
    }
    if defined {
        let profile = of_profile(config, &base, &profiles, named.name()).await?;
        sources.push(("Profile", profile));
    }
    sources.extend([
        (
            "WebIdentityToken",
            shared(
                WebIdentityTokenCredentialsProvider::builder()
                    .configure(&base)
                    .build(),
            ),
        ),
        (
            "EcsContainer",
            shared(EcsCredentialsProvider::builder().configure(&base).build()),
        ),
        (
            "Ec2InstanceMetadata",
            shared(ImdsCredentialsProvider::builder().configure(&base).build()),
        ),
    ]);
    let mut sources = sources.into_iter();
    let (name, first) = sources.next().expect("at least the non-profile sources");
    let chain = sources.fold(
        CredentialsProviderChain::first_try(name, first),
        |chain, (name, source)| chain.or_else(name, source),
    );
    Ok(shared(chain))
}

fn shared(provider: impl ProvideCredentials + 'static) -> SharedCredentialsProvider {
    SharedCredentialsProvider::new(provider)
}

/// The shared config and credentials files (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, or
/// `~/.aws/`), as the SDK reads them.
async fn load_profiles() -> Result<ProfileSet, AwsError> {
    use aws_types::os_shim_internal::{Env, Fs};
    aws_config::profile::load(&Fs::real(), &Env::real(), &Default::default(), None)
        .await
        .map_err(|e| {
            AwsError::Other(format!(
                "cannot read the AWS configuration files ({e}); fix the file it names"
            ))
        })
}

/// What the SDK's own providers need of the run's configuration.
fn provider_config(config: &SdkConfig) -> ProviderConfig {
    let mut base = ProviderConfig::without_region()
        .with_region(config.region().cloned())
        .with_behavior_version(config.behavior_version());
    if let Some(client) = config.http_client() {
        base = base.with_http_client(client);
    }
    if let Some(retry) = config.retry_config() {
        base = base.with_retry_config(retry.clone());
    }
    if let Some(timeout) = config.timeout_config() {
        base = base.with_timeout_config(timeout.clone());
    }
    base
}

/// One role of a profile chain: what `sts:AssumeRole` is asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RoleStep {
    pub role_arn: String,
    pub external_id: Option<String>,
    pub session_name: Option<String>,
    pub duration: Option<Duration>,
}

/// Where the chain's first credentials come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Base {
    /// The SDK's provider for this profile (static keys, SSO, a process, web identity).
    Profile(String),
    /// The static keys of a profile whose `source_profile` is itself.
    OwnKeys(String),
    /// `credential_source`: `Environment`, `Ec2InstanceMetadata` or `EcsContainer`.
    Source(String),
}

/// A profile's credentials: its base, then its roles assumed in turn.
async fn of_profile(
    config: &SdkConfig,
    base_config: &ProviderConfig,
    profiles: &ProfileSet,
    name: &str,
) -> Result<SharedCredentialsProvider, AwsError> {
    let (base, roles) = chain(profiles, name)?;
    let mut provider = match base {
        Base::Profile(name) => shared(
            ProfileFileCredentialsProvider::builder()
                .profile_name(name)
                .configure(base_config)
                .build(),
        ),
        Base::OwnKeys(name) => shared(own_keys(profiles, &name)?),
        Base::Source(source) => credential_source(&source, base_config)?,
    };
    for step in roles.into_iter().rev() {
        let builder = AssumeRoleProvider::builder(step.role_arn)
            .configure(config)
            .session_name(step.session_name.unwrap_or_else(|| "trailwatch".into()));
        let builder = match step.external_id {
            Some(id) => builder.external_id(id),
            None => builder,
        };
        let builder = match step.duration {
            Some(length) => builder.session_length(length),
            None => builder,
        };
        provider = shared(builder.build_from_provider(provider).await);
    }
    Ok(provider)
}

/// The roles of the chain that starts at profile `name`, outermost first, and its base.
pub(crate) fn chain(profiles: &ProfileSet, name: &str) -> Result<(Base, Vec<RoleStep>), AwsError> {
    let mut roles = Vec::new();
    let mut seen = HashSet::new();
    let mut current = name.to_string();
    loop {
        if !seen.insert(current.clone()) {
            return Err(AwsError::Other(format!(
                "AWS profile `{name}`: its source_profile chain loops back to `{current}`; fix `source_profile` in the AWS config file"
            )));
        }
        let profile = profiles
            .get_profile(&current)
            .ok_or_else(|| AwsError::NoProfile(current.clone()))?;
        let Some(role_arn) = profile.get("role_arn") else {
            return Ok((Base::Profile(current), roles));
        };
        if profile.get("web_identity_token_file").is_some() {
            return Ok((Base::Profile(current), roles));
        }
        roles.push(role_step(profile, role_arn)?);
        match (profile.get("source_profile"), profile.get("credential_source")) {
            (Some(source), _) if source == current => return Ok((Base::OwnKeys(current), roles)),
            (Some(source), _) => current = source.to_string(),
            (None, Some(source)) => return Ok((Base::Source(source.to_string()), roles)),
            (None, None) => {
                return Err(AwsError::Other(format!(
                    "AWS profile `{current}` has a role_arn but neither source_profile nor credential_source; add one to it in the AWS config file"
                )))
            }
        }
    }
}

fn role_step(profile: &Profile, role_arn: &str) -> Result<RoleStep, AwsError> {
    let duration = match profile.get("duration_seconds") {
        None => None,
        Some(text) => Some(Duration::from_secs(text.trim().parse().map_err(|_| {
            AwsError::Other(format!(
                "AWS profile `{}`: duration_seconds `{text}` is not a whole number of seconds; fix it in the AWS config file",
                profile.name()
            ))
        })?)),
    };
    Ok(RoleStep {
        role_arn: role_arn.to_string(),
        external_id: profile.get("external_id").map(str::to_string),
        session_name: profile.get("role_session_name").map(str::to_string),
        duration,
    })
}

/// The static keys of profile `name` (for a role whose `source_profile` is the profile itself).
fn own_keys(profiles: &ProfileSet, name: &str) -> Result<Credentials, AwsError> {
    let profile = profiles
        .get_profile(name)
        .ok_or_else(|| AwsError::NoProfile(name.to_string()))?;
    match (profile.get("aws_access_key_id"), profile.get("aws_secret_access_key")) {
        (Some(key), Some(secret)) => Ok(Credentials::new(
            key,
            secret,
            profile.get("aws_session_token").map(str::to_string),
            None,
            "ProfileFile",
        )),
        _ => Err(AwsError::Other(format!(
            "AWS profile `{name}` is its own source_profile but has no aws_access_key_id and aws_secret_access_key; add them or name another source_profile"
        ))),
    }
}

/// The provider a profile's `credential_source` names.
fn credential_source(
    source: &str,
    base: &ProviderConfig,
) -> Result<SharedCredentialsProvider, AwsError> {
    match source {
        "Environment" => Ok(shared(EnvironmentVariableCredentialsProvider::new())),
        "Ec2InstanceMetadata" => Ok(shared(
            ImdsCredentialsProvider::builder().configure(base).build(),
        )),
        "EcsContainer" => Ok(shared(EcsCredentialsProvider::builder().configure(base).build())),
        other => Err(AwsError::Other(format!(
            "credential_source `{other}` is not one the AWS SDK knows; use Environment, Ec2InstanceMetadata or EcsContainer"
        ))),
    }
}
