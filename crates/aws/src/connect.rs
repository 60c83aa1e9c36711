//! `reconcile::Connect` over AWS: a run's credentials, their account, and the roles assumed
//! with them in the run's other accounts.

use reconcile::Calls;
use survey::SurveyError;

use crate::{Aws, AwsError};

/// The connection of a run: the credentials trailwatch runs with, and their account.
pub struct Run<'a> {
    base: &'a Aws,
    own: &'a str,
    /// Whether the run is made in a runtime with worker threads: many accounts' work then
    /// spreads over a lane (thread) per core (`reconcile`'s `lanes.rs`), each running a runtime
    /// of its own on that thread.
    threaded: bool,
}

impl<'a> Run<'a> {
    /// The run of `base`, whose account is `own`.
    pub fn new(base: &'a Aws, own: &'a str) -> Run<'a> {
        let threaded = tokio::runtime::Handle::try_current()
            .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
        Run {
            base,
            own,
            threaded,
        }
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
        match self.threaded {
            true => std::thread::available_parallelism().map_or(1, usize::from),
            false => 1,
        }
    }

    /// On a lane's thread, a runtime and a connection pool of its own: the HTTP connections its
    /// accounts open are polled there too, beside the calls that use them, with no wake-up of
    /// another thread (the run's worker threads cost a fifth more CPU that way; a pool shared
    /// between lanes cost 7 % more on one machine and no more on another, docs/benchmarks.md).
    fn block_on<T>(&self, work: impl std::future::Future<Output = T>) -> T {
        match self.threaded {
            true => {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a lane's runtime");
                crate::http::on_a_pool_of_its_own(|| runtime.block_on(work))
            }
            false => futures::executor::block_on(work),
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
