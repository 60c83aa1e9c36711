//! The credentials of the roles a run assumed, remembered by role ARN for the rest of the run:
//! `apply` reaches each account once to plan it and once more to write it, and the second time
//! the role's credentials are taken from here rather than from another `sts:AssumeRole` (one
//! round trip less per account, and one call less against the caller account's STS quota).
//! Only credentials valid for a good while yet are reused; others are assumed again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aws_config::sts::AssumeRoleProvider;
use aws_credential_types::provider::{self, ProvideCredentials, SharedCredentialsProvider};
use aws_credential_types::Credentials;

/// How long a remembered role's credentials must still be valid to be used again.
const STILL_VALID_FOR: Duration = Duration::from_secs(15 * 60);

/// The roles' credentials, by role ARN, shared by every connection of a run.
#[derive(Debug, Clone, Default)]
pub(crate) struct Roles(Arc<Mutex<HashMap<String, Credentials>>>);

impl Roles {
    /// The role's credentials assumed earlier in the run, when they are valid for
    /// [`STILL_VALID_FOR`] at least.
    pub(crate) fn known(&self, role_arn: &str) -> Option<SharedCredentialsProvider> {
        let held = self.0.lock().expect("role credentials");
        let credentials = held.get(role_arn)?;
        let until = credentials.expiry()?;
        let fresh = until
            .duration_since(SystemTime::now())
            .is_ok_and(|left| left >= STILL_VALID_FOR);
        fresh.then(|| SharedCredentialsProvider::new(credentials.clone()))
    }

    /// A provider that assumes the role and remembers what it got.
    pub(crate) fn assuming(&self, role_arn: &str, inner: AssumeRoleProvider) -> Remembering {
        Remembering {
            inner,
            role_arn: role_arn.to_string(),
            roles: self.clone(),
        }
    }
}

/// `sts:AssumeRole` through the SDK's provider, its credentials remembered in [`Roles`].
#[derive(Debug)]
pub(crate) struct Remembering {
    inner: AssumeRoleProvider,
    role_arn: String,
    roles: Roles,
}

impl ProvideCredentials for Remembering {
    fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        provider::future::ProvideCredentials::new(async move {
            let credentials = self.inner.provide_credentials().await?;
            let mut held = self.roles.0.lock().expect("role credentials");
            held.insert(self.role_arn.clone(), credentials.clone());
            Ok(credentials)
        })
    }
}
