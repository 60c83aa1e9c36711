//! `reconcile::Connect` over AWS: a run's credentials, their account, and the roles assumed
//! with them in the run's other accounts.

use reconcile::Calls;
use survey::SurveyError;

use crate::{Aws, AwsError};

/// The connection of a run: the credentials trailwatch runs with, and their account.
pub struct Run<'a> {
    base: &'a Aws,
    own: &'a str,
    /// The runtime the run is made in, when it has worker threads: many accounts' work then
    /// spreads over a lane (thread) per core, each entering it (`reconcile`'s `lanes.rs`).
    runtime: Option<tokio::runtime::Handle>,
}

impl<'a> Run<'a> {
    /// The run of `base`, whose account is `own`.
    pub fn new(base: &'a Aws, own: &'a str) -> Run<'a> {
        let runtime = tokio::runtime::Handle::try_current()
            .ok()
            .filter(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
        Run { base, own, runtime }
    }
}

impl reconcile::Connect for Run<'_> {
    type Account = Aws;

    fn own(&self) -> &str {
        self.own
    }

    async fn assume(&self, account: &str, role: &str) -> Aws {
        self.base.assume(account, role).await
    }

    fn base(&self) -> &Aws {
        self.base
    }

    fn calls(&self, account: &Aws) -> Calls {
        account.calls()
    }

    fn lanes(&self) -> usize {
        match self.runtime {
            Some(_) => std::thread::available_parallelism().map_or(1, usize::from),
            None => 1,
        }
    }

    fn block_on<T>(&self, work: impl std::future::Future<Output = T>) -> T {
        match &self.runtime {
            Some(runtime) => runtime.block_on(work),
            None => futures::executor::block_on(work),
        }
    }

    fn why_unread(
        &self,
        account: &str,
        role: Option<&str>,
        error: SurveyError<AwsError>,
    ) -> String {
        let role = role.unwrap_or_default();
        match error {
            SurveyError::Read(e) if account == self.own => format!("account {account}: {e}"),
            SurveyError::Read(e @ AwsError::AssumeRole { .. }) => e.to_string(),
            SurveyError::Read(e) => {
                format!("cannot assume role `{role}` in account {account}: {e}")
            }
            other => format!("account {account}: {other}"),
        }
    }
}
