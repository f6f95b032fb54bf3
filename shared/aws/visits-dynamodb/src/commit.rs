//! One domain change as one `TransactWriteItems`: the visit (version-guarded), its link writes
//! and its audit records succeed or fail together. The cancellation reasons say which condition
//! failed, so no second read is needed to answer.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::builders::UpdateBuilder;
use aws_sdk_dynamodb::types::{Put, ReturnValue, TransactWriteItem, Update};
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use visits_domain::model::{Digest, LinkState, LiveCode, RefusalRecord, Visit, VisitId};
use visits_domain::ports::{Change, CommitError, FailureCount, LinkWrite, VisitWrite};
use visits_domain::ports::{Dependency, DependencyError};

use crate::errors::store_error;
use crate::keys::{self, n, s};
use crate::schema::{
    AuditItem, CodeItem, FailureItem, IdempotencyItem, LinkItem, RefusalItem, SignupItem, StoredLinkState, VisitItem,
    attr, code_ttl, from_item, millis, to_item, value,
};
use crate::writes::build_error;

/// What each transaction item is, to read its cancellation reason.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    NewVisit,
    VisitUpdate,
    NewLink,
    Redeem,
    Audit,
    Idempotency,
    /// The signup a booking uses up.
    Signup,
    /// A code's copy of its link and visit: unconditional.
    Copy,
}

/// A link's state moved under a condition on it, with the names and values both moves use.
fn link_state_move(
    table: &str,
    id_hash: &Digest,
    at: &DateTime<Utc>,
    update: &str,
    condition: &str,
) -> Result<UpdateBuilder, CommitError> {
    Ok(Update::builder()
        .table_name(table)
        .key(attr::PK, s(keys::link_pk(id_hash)))
        .key(attr::SK, s(keys::LINK_SK))
        .update_expression(update)
        .condition_expression(condition)
        .expression_attribute_names("#state", attr::STATE)
        .expression_attribute_names("#redeemedAt", attr::REDEEMED_AT)
        .expression_attribute_values(":redeemed", value(&StoredLinkState::Redeemed)?)
        .expression_attribute_values(":active", value(&StoredLinkState::Active)?)
        .expression_attribute_values(":at", value(at)?))
}

/// What the change writes to the copies kept with the visit's codes: the visit, to each code the
/// change names that is not written whole here, and a link's new state (`redeemedAt`) to its
/// code's. Top-level attributes only: an update of a path inside a map fails on an item without
/// that map.
struct Copies {
    visits: BTreeMap<Digest, DateTime<Utc>>,
    states: BTreeMap<Digest, LinkState>,
}

impl Copies {
    fn of(codes: &[LiveCode]) -> Self {
        let visits = codes.iter().map(|live| (live.code, live.until)).collect();
        Self { visits, states: BTreeMap::new() }
    }

    fn written_whole(&mut self, code: &Digest) {
        self.visits.remove(code);
    }

    fn link_state(&mut self, code: &Digest, state: LinkState) {
        self.states.insert(*code, state);
    }

    /// One update per code item: a transaction touches an item once.
    fn updates(self, table: &str, visit: &Visit) -> Result<Vec<Update>, CommitError> {
        let codes: BTreeSet<&Digest> = self.visits.keys().chain(self.states.keys()).collect();
        let copied = value(visit)?;
        let mut updates = Vec::with_capacity(codes.len());
        for code in codes {
            let mut sets = Vec::new();
            let mut builder = Update::builder()
                .table_name(table)
                .key(attr::PK, s(keys::code_pk(code)))
                .key(attr::SK, s(keys::CODE_SK));
            if let Some(until) = self.visits.get(code) {
                // No condition: should a code's expiry have removed its item, the leftover this
                // makes names no link, and goes at the same `ttl`.
                sets.push("#visit = :visit, #ttl = if_not_exists(#ttl, :ttl)");
                builder = builder
                    .expression_attribute_names("#visit", attr::COPIED_VISIT)
                    .expression_attribute_names("#ttl", attr::TTL)
                    .expression_attribute_values(":visit", copied.clone())
                    .expression_attribute_values(":ttl", n(code_ttl(*until)));
            }
            let mut removes = "";
            if let Some(state) = self.states.get(code) {
                builder = builder.expression_attribute_names("#redeemedAt", attr::REDEEMED_AT);
                match state {
                    LinkState::Redeemed(at) => {
                        sets.push("#redeemedAt = :redeemedAt");
                        builder = builder.expression_attribute_values(":redeemedAt", value(at)?);
                    }
                    LinkState::Active => removes = " REMOVE #redeemedAt",
                }
            }
            let sets = if sets.is_empty() { String::new() } else { format!("SET {}", sets.join(", ")) };
            updates.push(builder.update_expression(format!("{sets}{removes}").trim()).build().map_err(build_error)?);
        }
        Ok(updates)
    }
}

pub async fn commit(client: &Client, table: &str, change: Change) -> Result<(), CommitError> {
    let mut entries: Vec<(Part, TransactWriteItem)> = Vec::new();
    let put = |item, condition: &str, values: Vec<(&str, _)>, names: Vec<(&str, &str)>| {
        let mut builder = Put::builder().table_name(table).set_item(Some(item)).condition_expression(condition);
        for (name, value) in values {
            builder = builder.expression_attribute_values(name, value);
        }
        for (alias, name) in names {
            builder = builder.expression_attribute_names(alias, name);
        }
        Ok::<_, CommitError>(TransactWriteItem::builder().put(builder.build().map_err(build_error)?).build())
    };

    let now = change.visit.visit().updated_at();
    match &change.visit {
        VisitWrite::Insert(visit) => entries
            .push((Part::NewVisit, put(to_item(&VisitItem::new(visit))?, "attribute_not_exists(PK)", vec![], vec![])?)),
        VisitWrite::Update { visit, expected_version } => entries.push((
            Part::VisitUpdate,
            put(
                to_item(&VisitItem::new(visit))?,
                "#version = :expected",
                vec![(":expected", value(expected_version)?)],
                vec![("#version", attr::VERSION)],
            )?,
        )),
    }
    for record in &change.audit {
        entries
            .push((Part::Audit, put(to_item(&AuditItem::new(record))?, "attribute_not_exists(PK)", vec![], vec![])?));
    }
    if let Some(record) = &change.idempotency {
        entries.push((
            Part::Idempotency,
            put(
                to_item(&IdempotencyItem::new(record))?,
                // A key past its expiry may be reused even if TTL has not deleted it yet.
                "attribute_not_exists(PK) OR #expires <= :now",
                vec![(":now", millis(now))],
                vec![("#expires", attr::EXPIRES_AT_MS)],
            )?,
        ));
    }
    let visit = change.visit.visit();
    let mut copies = Copies::of(&change.copies);
    for write in &change.links {
        match write {
            LinkWrite::Insert { link, admission } => {
                copies.written_whole(&link.code_hash);
                let (link_item, code_item) =
                    (to_item(&LinkItem::new(link))?, to_item(&CodeItem::new(link, admission, visit))?);
                entries.push((Part::NewLink, put(link_item, "attribute_not_exists(PK)", vec![], vec![])?));
                entries.push((Part::NewLink, put(code_item, "attribute_not_exists(PK)", vec![], vec![])?));
            }
            LinkWrite::Redeem { id_hash, code_hash, at } => {
                copies.link_state(code_hash, LinkState::Redeemed(*at));
                // Single use and expiry in one condition: exactly one concurrent try wins.
                let condition = "#state = :active AND #expires > :atMs";
                let update =
                    link_state_move(table, id_hash, at, "SET #state = :redeemed, #redeemedAt = :at", condition)?
                        .expression_attribute_names("#expires", attr::EXPIRES_AT_MS)
                        .expression_attribute_values(":atMs", millis(*at));
                let update = update.build().map_err(build_error)?;
                entries.push((Part::Redeem, TransactWriteItem::builder().update(update).build()));
            }
            LinkWrite::Unredeem { id_hash, code_hash, at } => {
                copies.link_state(code_hash, LinkState::Active);
                let condition = "#state = :redeemed AND #redeemedAt = :at";
                let update = link_state_move(table, id_hash, at, "SET #state = :active REMOVE #redeemedAt", condition)?;
                let update = update.build().map_err(build_error)?;
                entries.push((Part::Redeem, TransactWriteItem::builder().update(update).build()));
            }
        }
    }
    for update in copies.updates(table, visit)? {
        entries.push((Part::Copy, TransactWriteItem::builder().update(update).build()));
    }

    if let Some(write) = &change.signup {
        entries.push((
            Part::Signup,
            put(
                to_item(&SignupItem::new(&write.signup))?,
                "#version = :signupVersion",
                vec![(":signupVersion", value(&write.expected_version)?)],
                vec![("#version", attr::VERSION)],
            )?,
        ));
    }

    let (parts, writes): (Vec<Part>, Vec<TransactWriteItem>) = entries.into_iter().unzip();
    match client.transact_write_items().set_transact_items(Some(writes)).send().await {
        Ok(_) => Ok(()),
        Err(error) => Err(cancellation(error, &parts)),
    }
}

/// Reads which condition failed. A visit that exists already is that (its audit record 1 exists
/// too); otherwise a stale visit version wins over the rest: the domain re-reads and decides again.
fn cancellation(error: SdkError<TransactWriteItemsError>, parts: &[Part]) -> CommitError {
    let reasons: Vec<Option<String>> = match error.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => {
            cancelled.cancellation_reasons().iter().map(|reason| reason.code().map(str::to_owned)).collect()
        }
        _ => return CommitError::Store(store_error(error)),
    };
    let failed = |wanted: &[Part]| {
        reasons
            .iter()
            .zip(parts)
            .any(|(code, part)| code.as_deref() == Some("ConditionalCheckFailed") && wanted.contains(part))
    };
    let any_code = |code: &str| reasons.iter().any(|c| c.as_deref() == Some(code));
    if failed(&[Part::NewVisit]) {
        CommitError::AlreadyExists
    } else if failed(&[Part::VisitUpdate, Part::Audit, Part::Signup]) || any_code("TransactionConflict") {
        CommitError::VersionConflict
    } else if failed(&[Part::Redeem]) {
        CommitError::LinkUnavailable
    } else if failed(&[Part::NewLink, Part::Idempotency]) {
        CommitError::AlreadyExists
    } else if any_code("ThrottlingError") || any_code("ProvisionedThroughputExceeded") {
        CommitError::Store(DependencyError::unavailable(Dependency::Store, visits_aws::RETRY_AFTER_SECONDS))
    } else {
        CommitError::Store(DependencyError::failed(Dependency::Store, format!("transaction cancelled: {reasons:?}")))
    }
}

/// Counts a failure: increments within the current window, or starts a new window. Two
/// conditional writes, because one update cannot both test the window and reset it; the count
/// the request read (`seen`) picks the one likely right, so most failures take one write.
pub async fn record_failure(
    client: &Client,
    table: &str,
    key: &str,
    now: DateTime<Utc>,
    window: Duration,
    seen: FailureCount,
) -> Result<FailureCount, DependencyError> {
    let mut new_window = seen.count == 0;
    for _ in 0..6 {
        let counted = if new_window {
            start_failure_window(client, table, key, now, window).await?
        } else {
            count_failure(client, table, key, now).await?
        };
        match counted {
            Some(count) => return Ok(count),
            // The other case holds (another request started or ended the window): try it.
            None => new_window = !new_window,
        }
    }
    Err(DependencyError::unavailable(Dependency::Store, 1))
}

/// One more failure in the current window; `None` when no window is current.
async fn count_failure(
    client: &Client,
    table: &str,
    key: &str,
    now: DateTime<Utc>,
) -> Result<Option<FailureCount>, DependencyError> {
    let increment = client
        .update_item()
        .table_name(table)
        .key(attr::PK, s(keys::failure_pk(key)))
        .key(attr::SK, s(keys::FAILURE_SK))
        .update_expression("SET #count = #count + :one")
        .condition_expression("#resets > :now")
        .expression_attribute_names("#count", attr::COUNT)
        .expression_attribute_names("#resets", attr::RESETS_AT_MS)
        .expression_attribute_values(":one", n(1))
        .expression_attribute_values(":now", millis(now))
        .return_values(ReturnValue::AllNew)
        .send()
        .await;
    match increment {
        Ok(output) => {
            from_item::<FailureItem>(output.attributes.unwrap_or_default(), "failure counter")?.count().map(Some)
        }
        Err(error) if is_condition_failure(&error) => Ok(None),
        Err(error) => Err(store_error(error)),
    }
}

/// The first failure of a new window; `None` when a window is current.
async fn start_failure_window(
    client: &Client,
    table: &str,
    key: &str,
    now: DateTime<Utc>,
    window: Duration,
) -> Result<Option<FailureCount>, DependencyError> {
    let resets_at = now + window;
    let start = client
        .put_item()
        .table_name(table)
        .set_item(Some(to_item(&FailureItem::first(key, resets_at))?))
        .condition_expression("attribute_not_exists(PK) OR #resets <= :now")
        .expression_attribute_names("#resets", attr::RESETS_AT_MS)
        .expression_attribute_values(":now", millis(now))
        .send()
        .await;
    match start {
        Ok(_) => Ok(Some(FailureCount { count: 1, resets_at })),
        Err(error) if error.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => Ok(None),
        Err(error) => Err(store_error(error)),
    }
}

/// Numbers a refusal with its link's counter (an item of its own: the link item stays its
/// redemption's) and keeps the sealed record under that number. When the count this request read
/// (`seen`) is still current, both are one transaction; otherwise (a concurrent refusal moved the
/// counter) an atomic `ADD` hands out the number and the record follows.
pub async fn record_refusal(
    client: &Client,
    table: &str,
    visit_id: &VisitId,
    link: &Digest,
    at: DateTime<Utc>,
    reason: &str,
    seen: u64,
) -> Result<RefusalRecord, DependencyError> {
    let record = RefusalRecord::sealed(visit_id.clone(), *link, seen + 1, at, reason);
    if numbered_at_once(client, table, &record, seen).await? {
        return Ok(record);
    }
    // DynamoDB's ADD never hands out a number twice; an emulator may. A number already taken is
    // then taken again from the counter, which has moved past it, so the numbers stay whole.
    for _ in 0..5 {
        let counted = client
            .update_item()
            .table_name(table)
            .key(attr::PK, s(keys::link_pk(link)))
            .key(attr::SK, s(keys::REFUSAL_COUNTER_SK))
            .update_expression("ADD #refusals :one")
            .expression_attribute_names("#refusals", attr::REFUSALS)
            .expression_attribute_values(":one", n(1))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(store_error)?;
        let number = counted
            .attributes
            .as_ref()
            .and_then(|item| item.get(attr::REFUSALS))
            .and_then(|value| value.as_n().ok())
            .and_then(|value| value.parse().ok())
            .ok_or_else(|| crate::errors::malformed("refusal counter", attr::REFUSALS))?;
        let record = RefusalRecord::sealed(visit_id.clone(), *link, number, at, reason);
        let kept = client
            .put_item()
            .table_name(table)
            .set_item(Some(to_item(&RefusalItem::new(&record))?))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await;
        match kept {
            Ok(_) => return Ok(record),
            Err(error) if error.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => {}
            Err(error) => return Err(store_error(error)),
        }
    }
    Err(DependencyError::unavailable(Dependency::Store, 1))
}

/// The counter moved from `seen` to the record's number and the record kept, in one transaction;
/// `false` when the counter was no longer at `seen`.
async fn numbered_at_once(
    client: &Client,
    table: &str,
    record: &RefusalRecord,
    seen: u64,
) -> Result<bool, DependencyError> {
    let failed = |e: aws_sdk_dynamodb::error::BuildError| {
        DependencyError::failed(Dependency::Store, format!("building a transaction item: {e}"))
    };
    let mut counter = Update::builder()
        .table_name(table)
        .key(attr::PK, s(keys::link_pk(&record.link)))
        .key(attr::SK, s(keys::REFUSAL_COUNTER_SK))
        .update_expression("SET #refusals = :number")
        .expression_attribute_names("#refusals", attr::REFUSALS)
        .expression_attribute_values(":number", value(&record.n)?);
    counter = if seen == 0 {
        counter.condition_expression("attribute_not_exists(#refusals)")
    } else {
        counter.condition_expression("#refusals = :seen").expression_attribute_values(":seen", value(&seen)?)
    };
    let keep = Put::builder()
        .table_name(table)
        .set_item(Some(to_item(&RefusalItem::new(record))?))
        .condition_expression("attribute_not_exists(PK)")
        .build()
        .map_err(failed)?;
    let writes = vec![
        TransactWriteItem::builder().update(counter.build().map_err(failed)?).build(),
        TransactWriteItem::builder().put(keep).build(),
    ];
    match client.transact_write_items().set_transact_items(Some(writes)).send().await {
        Ok(_) => Ok(true),
        Err(error) if error.as_service_error().is_some_and(|e| e.is_transaction_canceled_exception()) => Ok(false),
        Err(error) => Err(store_error(error)),
    }
}

fn is_condition_failure(error: &SdkError<UpdateItemError>) -> bool {
    error.as_service_error().is_some_and(UpdateItemError::is_conditional_check_failed_exception)
}
