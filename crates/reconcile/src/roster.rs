//! The accounts of a run and the roles that reach them, so that an account's EventBridge rules
//! that forward to another account's event bus are followed there when that account is part of
//! the run: its bus is read with its own connection (and remembered for the rest of the run),
//! added to the forwarding account's snapshot, and the account is planned again.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use model::arn::EventBusRef;
use model::live::{BusPolicy, BusRegion, ReadError};
use model::{Control, Desired};
use survey::{Reader, SurveyError, Surveyed};

use crate::{reach, Connect};

/// The run's accounts, each with the role that reaches it (`None`: the credentials' own), and
/// the buses of theirs read so far.
#[derive(Debug, Default)]
pub struct Roster {
    roles: HashMap<String, Option<String>>,
    read: Mutex<BTreeMap<EventBusRef, BusRegion>>,
}

impl Roster {
    /// A run of these accounts, each reached with its role.
    pub fn new<'a>(accounts: impl IntoIterator<Item = (&'a str, Option<&'a str>)>) -> Roster {
        Roster {
            roles: accounts
                .into_iter()
                .map(|(account, role)| (account.to_string(), role.map(str::to_string)))
                .collect(),
            read: Mutex::default(),
        }
    }

    /// The account's survey with the buses of the run's other accounts its rules forward to,
    /// planned again when there are any; as it was when there are none.
    pub(crate) async fn follow<C: Connect>(
        &self,
        connect: &C,
        (reader, controls, desired): (&C::Account, &[Control], &Desired),
        surveyed: Surveyed,
    ) -> Result<Surveyed, SurveyError<<C::Account as Reader>::Error>> {
        let mut by_account: BTreeMap<String, Vec<EventBusRef>> = BTreeMap::new();
        for bus in plan::foreign_buses(&surveyed.snapshot) {
            // An account outside the run is named by the planner, not read.
            if self.roles.contains_key(&bus.account_id) {
                by_account
                    .entry(bus.account_id.clone())
                    .or_default()
                    .push(bus);
            }
        }
        if by_account.is_empty() {
            return Ok(surveyed);
        }
        let mut buses = Vec::new();
        for (account, wanted) in by_account {
            buses.extend(self.buses_of(connect, &account, wanted).await);
        }
        survey::with_buses(reader, controls, desired, surveyed, buses).await
    }

    /// The buses of one account of the run, each read unless remembered (accounts in flight
    /// together may each read a bus before the first answer is kept).
    async fn buses_of<C: Connect>(
        &self,
        connect: &C,
        account: &str,
        wanted: Vec<EventBusRef>,
    ) -> Vec<BusRegion> {
        let (mut found, missing): (Vec<BusRegion>, Vec<EventBusRef>) = {
            let read = self.read.lock().expect("buses read");
            let found = wanted.iter().filter_map(|b| read.get(b).cloned()).collect();
            let missing = wanted
                .into_iter()
                .filter(|b| !read.contains_key(b))
                .collect();
            (found, missing)
        };
        if missing.is_empty() {
            return found;
        }
        let role = self.roles.get(account).cloned().flatten();
        let fresh = match reach(connect, account, role.as_deref()).await {
            Ok(reached) => reached.read_buses(&missing).await,
            Err(why) => missing.iter().map(|bus| unreachable(bus, &why)).collect(),
        };
        let mut read = self.read.lock().expect("buses read");
        for bus in &fresh {
            read.insert(bus.reference(), bus.clone());
        }
        found.extend(fresh);
        found
    }
}

/// A bus of an account the run cannot reach: its rules cannot be told.
fn unreachable(bus: &EventBusRef, why: &crate::Unreached) -> BusRegion {
    BusRegion {
        account: bus.account_id.clone(),
        region: bus.region.clone(),
        bus: bus.name.clone(),
        policy: BusPolicy::NotRead,
        rules: Err(ReadError {
            action: "events:ListRules".into(),
            code: None,
            message: why.to_string(),
        }),
        topics: Vec::new(),
    }
}
