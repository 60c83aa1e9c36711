//! Reading `trailwatch.toml`: where it is, its shape (every key the flag's name in snake case,
//! `[accounts."ID"]` tables, `[[waiver]]` entries), and the checks that refuse a bad file with
//! the line and column of what is wrong.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use model::catalog::SelectError;
use model::desired::Waiver;
use model::report::ConfigFile;
use model::{Endpoint, MatchMode, TopicChoice};
use schemars::JsonSchema;
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use toml::Spanned;

use crate::values::{self, ValueError};

/// The file's name in the working directory, used when neither `--config` nor
/// `$TRAILWATCH_CONFIG` names one.
pub const DEFAULT_FILE: &str = "trailwatch.toml";

/// A bad configuration file: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line, 0 when unknown.
    pub line: usize,
    /// 1-based column, 0 when unknown.
    pub column: usize,
    /// What is wrong, and what was expected.
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            0 => write!(f, "{}: {}", self.path.display(), self.message),
            _ => write!(
                f,
                "{}:{}:{}: {}",
                self.path.display(),
                self.line,
                self.column,
                self.message
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The file to read: `--config PATH` (or `$TRAILWATCH_CONFIG`, which clap puts there), else
/// `./trailwatch.toml` when it exists, else none.
pub fn find(given: Option<&Path>) -> Option<PathBuf> {
    match given {
        Some(path) => Some(path.to_path_buf()),
        None => Some(PathBuf::from(DEFAULT_FILE)).filter(|p| p.is_file()),
    }
}

/// Where the configuration file `found` is, as SARIF points at it (`files::locate`).
pub fn located(found: &Path) -> ConfigFile {
    match files::locate(found) {
        files::Location::InRepository { root, relative } => ConfigFile::InRepository {
            root,
            path: relative,
        },
        files::Location::Outside(path) => ConfigFile::Outside { path },
    }
}

/// The file as written (serde's view, and the JSON Schema of `trailwatch config --schema`).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "trailwatch.toml",
    description = "trailwatch's configuration: the desired state and waivers (docs/config.md)"
)]
struct Raw {
    /// The CIS AWS Foundations Benchmark version, such as `cis-7.0`.
    #[schemars(with = "Option<String>")]
    benchmark: Option<Spanned<String>>,
    /// Controls by slug or the version's CIS id (default: every control).
    #[schemars(with = "Option<Vec<String>>")]
    controls: Option<Vec<Spanned<String>>>,
    /// trailwatch's own controls (part of no CIS version) added to the selection, by slug.
    #[schemars(with = "Option<Vec<String>>")]
    extras: Option<Vec<Spanned<String>>>,
    /// Only controls of this profile level: 1 or 2.
    #[schemars(with = "Option<u8>", range(min = 1, max = 2))]
    level: Option<Spanned<i64>>,
    #[serde(rename = "match")]
    /// `semantic` or `strict`.
    #[schemars(with = "Option<MatchName>")]
    match_mode: Option<Spanned<String>>,
    /// The region trails are listed in.
    #[schemars(with = "Option<String>")]
    region: Option<Spanned<String>>,
    /// The namespace of new metrics.
    #[schemars(with = "Option<String>")]
    namespace: Option<Spanned<String>>,
    /// The SNS topic to notify, by name (not with `topic_arn`).
    #[schemars(with = "Option<String>")]
    topic_name: Option<Spanned<String>>,
    /// An existing SNS topic to notify (not with `topic_name`).
    #[schemars(with = "Option<String>")]
    topic_arn: Option<Spanned<String>>,
    /// Endpoints to subscribe, as `PROTOCOL:ENDPOINT`.
    #[schemars(with = "Option<Vec<String>>")]
    notify: Option<Vec<Spanned<String>>>,
    /// The role assumed in each account of a multi-account run.
    assume_role: Option<String>,
    /// The accounts of a multi-account run: a list, or one table per account.
    #[schemars(with = "Option<AccountsSchema>")]
    accounts: Option<RawAccounts>,
    organization: Option<bool>,
    /// How many accounts are read at once: 1 to 64.
    #[schemars(with = "Option<u16>", range(min = 1, max = 64))]
    concurrency: Option<Spanned<i64>>,
    adopt: Option<bool>,
    /// Ways of being told counted besides metric filters: `eventbridge`.
    #[schemars(with = "Option<Vec<String>>")]
    accept: Option<Vec<Spanned<String>>>,
    #[serde(default, rename = "waiver")]
    #[schemars(with = "Vec<RawWaiver>")]
    waivers: Vec<Spanned<RawWaiver>>,
}

/// The keys an `[accounts."ID"]` table may override (also top-level keys; serde's `flatten`
/// would lose `deny_unknown_fields`, so the top level lists them again).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawDestination {
    /// The namespace of new metrics in this account.
    #[schemars(with = "Option<String>")]
    namespace: Option<Spanned<String>>,
    /// This account's topic, by name.
    #[schemars(with = "Option<String>")]
    topic_name: Option<Spanned<String>>,
    /// This account's existing topic.
    #[schemars(with = "Option<String>")]
    topic_arn: Option<Spanned<String>>,
    /// This account's endpoints, as `PROTOCOL:ENDPOINT`.
    #[schemars(with = "Option<Vec<String>>")]
    notify: Option<Vec<Spanned<String>>>,
    /// The role assumed in this account.
    assume_role: Option<String>,
}

/// The schema of `accounts`: a list of ids, or a table per account.
#[derive(JsonSchema)]
#[allow(dead_code)] // only its schema is used
#[serde(untagged)]
enum AccountsSchema {
    /// 12-digit account ids.
    List(Vec<String>),
    /// One table per account id.
    Tables(BTreeMap<String, RawDestination>),
}

/// The schema of `match`.
#[derive(JsonSchema)]
#[allow(dead_code)] // only its schema is used
#[serde(rename_all = "lowercase")]
enum MatchName {
    /// By what the filter matches.
    Semantic,
    /// One of the version's published patterns.
    Strict,
}

/// `accounts = ["ID", …]`, or `[accounts."ID"]` tables (whose keys are then the accounts).
#[derive(Debug)]
enum RawAccounts {
    List(Vec<Spanned<String>>),
    Tables(Vec<(Spanned<String>, RawDestination)>),
}

impl<'de> Deserialize<'de> for RawAccounts {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Accounts;
        impl<'de> Visitor<'de> for Accounts {
            type Value = RawAccounts;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of account ids, or `[accounts.\"ID\"]` tables")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawAccounts, A::Error> {
                let mut ids = Vec::new();
                while let Some(id) = seq.next_element()? {
                    ids.push(id);
                }
                Ok(RawAccounts::List(ids))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawAccounts, A::Error> {
                let mut tables = Vec::new();
                while let Some(id) = map.next_key::<Spanned<String>>()? {
                    tables.push((id, map.next_value()?));
                }
                Ok(RawAccounts::Tables(tables))
            }
        }
        deserializer.deserialize_any(Accounts)
    }
}

/// An exception to one control until a date.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawWaiver {
    /// The control: a slug, or the selected version's CIS id.
    #[schemars(with = "String")]
    control: Spanned<String>,
    /// The accounts it covers (omitted: every account).
    #[schemars(with = "Option<Vec<String>>")]
    accounts: Option<Vec<Spanned<String>>>,
    /// Why the control is waived (required, not empty).
    #[schemars(with = "String")]
    reason: Spanned<String>,
    /// The date it lapses, `YYYY-MM-DD`, at most a year ahead.
    #[schemars(with = "String", extend("format" = "date"))]
    expires: Spanned<toml::Value>,
    /// A ticket that tracks it.
    ticket: Option<String>,
}

/// What one account's table overrides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountSettings {
    /// `namespace`.
    pub namespace: Option<String>,
    /// `topic_name` or `topic_arn`.
    pub topic: Option<TopicChoice>,
    /// `notify`.
    pub notify: Option<Vec<Endpoint>>,
    /// `assume_role`.
    pub assume_role: Option<String>,
}

/// The file's settings, checked: `None` where the file says nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileSettings {
    /// The file it came from.
    pub path: Option<PathBuf>,
    /// `benchmark`.
    pub benchmark: Option<String>,
    /// `controls`.
    pub controls: Option<Vec<String>>,
    /// `extras`: slugs of trailwatch's own controls.
    pub extras: Option<Vec<String>>,
    /// `level`.
    pub level: Option<u8>,
    /// `match`.
    pub match_mode: Option<MatchMode>,
    /// `region`.
    pub region: Option<String>,
    /// The top-level `namespace`, `topic_name`/`topic_arn`, `notify`, `assume_role`.
    pub defaults: AccountSettings,
    /// `accounts` (a list, or the keys of the `[accounts."ID"]` tables).
    pub accounts: Option<Vec<String>>,
    /// The `[accounts."ID"]` tables.
    pub per_account: BTreeMap<String, AccountSettings>,
    /// `organization`.
    pub organization: Option<bool>,
    /// `concurrency`.
    pub concurrency: Option<u16>,
    /// `adopt`.
    pub adopt: Option<bool>,
    /// `accept = ["eventbridge"]`.
    pub accept_eventbridge: Option<bool>,
    /// `[[waiver]]`, with controls as slugs and expiry decided against today.
    pub waivers: Vec<Waiver>,
}

/// Reads and checks the file. `benchmark` is the version the run selects when a flag gives
/// it (waivers may name controls by that version's CIS ids); `today` is `YYYY-MM-DD`.
pub fn load(
    path: &Path,
    flag_benchmark: Option<&str>,
    today: time::Date,
) -> Result<FileSettings, ConfigError> {
    let text = files::read_whole(path, files::CONFIG_FILE).map_err(|e| ConfigError {
        path: path.to_path_buf(),
        line: 0,
        column: 0,
        message: format!("{e}; check the path given with --config or TRAILWATCH_CONFIG"),
    })?;
    parse(path, &text, flag_benchmark, today)
}

/// Parses and checks the file's text (see [`load`]).
pub fn parse(
    path: &Path,
    text: &str,
    flag_benchmark: Option<&str>,
    today: time::Date,
) -> Result<FileSettings, ConfigError> {
    let at = Locator { path, text };
    let raw: Raw = toml::from_str(text)
        .map_err(|e| at.error(e.span(), quoted::shorten_quotes(e.message())))?;
    Checker { at, today }.check(raw, flag_benchmark)
}

/// Turns byte offsets into `PATH:LINE:COL` errors.
struct Locator<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Locator<'_> {
    fn error(&self, span: Option<Range<usize>>, message: String) -> ConfigError {
        let (line, column) = span.map_or((0, 0), |s| self.position(s.start));
        ConfigError {
            path: self.path.to_path_buf(),
            line,
            column,
            message: message.trim().replace('\n', " "),
        }
    }

    fn position(&self, offset: usize) -> (usize, usize) {
        let before = &self.text[..offset.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, column)
    }

    fn at<T>(&self, value: &Spanned<T>, message: impl ToString) -> ConfigError {
        self.error(Some(value.span()), message.to_string())
    }
}

/// Checks each value of the raw file against the catalog, the value parsers and the date.
struct Checker<'a> {
    at: Locator<'a>,
    today: time::Date,
}

type Checked<T> = Result<T, ConfigError>;

/// The `[accounts."ID"]` tables by account.
type PerAccount = BTreeMap<String, AccountSettings>;

impl Checker<'_> {
    fn check(&self, raw: Raw, flag_benchmark: Option<&str>) -> Checked<FileSettings> {
        let benchmark = self.optional(raw.benchmark.as_ref(), values::benchmark)?;
        let selected = flag_benchmark
            .map(str::to_string)
            .or_else(|| benchmark.clone())
            .unwrap_or_else(|| model::catalog::default_benchmark().to_string());
        let (accounts, per_account) = self.accounts(raw.accounts)?;
        Ok(FileSettings {
            path: Some(self.at.path.to_path_buf()),
            benchmark,
            controls: self.controls(raw.controls.as_deref(), &selected)?,
            extras: self.list(raw.extras.as_deref(), |id| Ok(extra(&selected, id)?))?,
            level: self.optional(raw.level.as_ref(), |n| values::level(*n))?,
            match_mode: self.optional(raw.match_mode.as_ref(), values::match_mode)?,
            region: self.optional(raw.region.as_ref(), values::region)?,
            defaults: self.destination(RawDestination {
                namespace: raw.namespace,
                topic_name: raw.topic_name,
                topic_arn: raw.topic_arn,
                notify: raw.notify,
                assume_role: raw.assume_role,
            })?,
            accounts,
            per_account,
            organization: raw.organization,
            concurrency: self.optional(raw.concurrency.as_ref(), concurrency)?,
            adopt: raw.adopt,
            accept_eventbridge: self
                .list(raw.accept.as_deref(), values::accept)?
                .map(|accepted| accepted.contains(&true)),
            waivers: raw
                .waivers
                .iter()
                .map(|w| self.waiver(w, &selected))
                .collect::<Checked<_>>()?,
        })
    }

    fn optional<T, U: ?Sized, R>(
        &self,
        value: Option<&Spanned<R>>,
        parse: impl Fn(&U) -> Result<T, ValueError>,
    ) -> Checked<Option<T>>
    where
        R: std::borrow::Borrow<U>,
    {
        value
            .map(|v| parse(v.get_ref().borrow()).map_err(|e| self.at.at(v, e)))
            .transpose()
    }

    fn list<T>(
        &self,
        values: Option<&[Spanned<String>]>,
        parse: impl Fn(&str) -> Result<T, ValueError>,
    ) -> Checked<Option<Vec<T>>> {
        values
            .map(|vs| {
                vs.iter()
                    .map(|v| parse(v.get_ref()).map_err(|e| self.at.at(v, e)))
                    .collect()
            })
            .transpose()
    }

    fn controls(
        &self,
        ids: Option<&[Spanned<String>]>,
        benchmark: &str,
    ) -> Checked<Option<Vec<String>>> {
        self.list(ids, |id| Ok(slug(benchmark, id)?))
    }

    fn destination(&self, raw: RawDestination) -> Checked<AccountSettings> {
        if let (Some(_), Some(arn)) = (&raw.topic_name, &raw.topic_arn) {
            return Err(self.at.at(
                arn,
                "`topic_name` and `topic_arn` both name the topic (expected one of them)",
            ));
        }
        let name = self.optional(raw.topic_name.as_ref(), values::topic_name)?;
        let arn = self.optional(raw.topic_arn.as_ref(), values::topic_arn)?;
        Ok(AccountSettings {
            namespace: self.optional(raw.namespace.as_ref(), values::namespace)?,
            topic: name.map(TopicChoice::Name).or(arn.map(TopicChoice::Arn)),
            notify: self.list(raw.notify.as_deref(), values::endpoint)?,
            assume_role: raw.assume_role,
        })
    }

    fn accounts(&self, raw: Option<RawAccounts>) -> Checked<(Option<Vec<String>>, PerAccount)> {
        match raw {
            None => Ok((None, BTreeMap::new())),
            Some(RawAccounts::List(ids)) => {
                Ok((self.list(Some(&ids), values::account_id)?, BTreeMap::new()))
            }
            Some(RawAccounts::Tables(tables)) => {
                let mut per_account = BTreeMap::new();
                for (id, table) in tables {
                    let id = values::account_id(id.get_ref()).map_err(|e| self.at.at(&id, e))?;
                    per_account.insert(id, self.destination(table)?);
                }
                Ok((Some(per_account.keys().cloned().collect()), per_account))
            }
        }
    }

    fn waiver(&self, raw: &Spanned<RawWaiver>, benchmark: &str) -> Checked<Waiver> {
        let w = raw.get_ref();
        let control =
            slug(benchmark, w.control.get_ref()).map_err(|e| self.at.at(&w.control, e))?;
        if w.reason.get_ref().trim().is_empty() {
            return Err(self.at.at(
                &w.reason,
                "a waiver's `reason` is empty (expected why the control is waived)",
            ));
        }
        let expires = self.expiry(&w.expires)?;
        Ok(Waiver {
            control,
            accounts: self.list(w.accounts.as_deref(), values::account_id)?,
            reason: w.reason.get_ref().trim().to_string(),
            expires: expires.to_string(),
            ticket: w.ticket.clone(),
            expired: self.today >= expires,
        })
    }

    fn expiry(&self, value: &Spanned<toml::Value>) -> Checked<time::Date> {
        let text = match value.get_ref() {
            toml::Value::String(s) => s.clone(),
            toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => d.to_string(),
            _ => String::new(),
        };
        let date = parse_date(&text).ok_or_else(|| {
            self.at.at(
                value,
                format!(
                    "`expires` is not a date (expected YYYY-MM-DD, such as {})",
                    self.today
                ),
            )
        })?;
        let limit = one_year_after(self.today);
        if date > limit {
            return Err(self.at.at(value, format!("`expires` {date} is more than a year after today, {} (expected a date on or before {limit}; review waivers at least yearly)", self.today)));
        }
        Ok(date)
    }
}

/// The slug of one of trailwatch's own controls, or an error listing them.
fn extra(benchmark: &str, id: &str) -> Result<String, SelectError> {
    let controls = model::catalog::extras(benchmark, &[id.to_string()])?;
    let control = controls.first().expect("an extra selected by slug");
    Ok(control.id.to_string())
}

/// A control's slug from its slug or the benchmark version's CIS id.
fn slug(benchmark: &str, id: &str) -> Result<String, SelectError> {
    let controls = model::catalog::select(benchmark, &[id.to_string()], None)?;
    let control = controls.first().expect("a control selected by id");
    Ok(control.id.to_string())
}

fn concurrency(n: &i64) -> Result<u16, ValueError> {
    u16::try_from(*n)
        .ok()
        .filter(|n| (1..=64).contains(n))
        .ok_or(ValueError::Concurrency(*n))
}

/// `YYYY-MM-DD` as a calendar date.
pub fn parse_date(text: &str) -> Option<time::Date> {
    let mut parts = text.splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let month = time::Month::try_from(m.parse::<u8>().ok()?).ok()?;
    time::Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

/// The same day a year later (28 February for 29 February).
pub fn one_year_after(day: time::Date) -> time::Date {
    day.replace_year(day.year() + 1)
        .or_else(|_| (day - time::Duration::days(1)).replace_year(day.year() + 1))
        .unwrap_or(day)
}

/// The JSON Schema of the file, for editors (`trailwatch config --schema`).
pub fn schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Raw)).expect("a schema serialises")
}
