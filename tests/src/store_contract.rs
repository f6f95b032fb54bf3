//! What every `Store` must do, written once and run against each implementation
//! (`tests/api/store_contract.rs`): the in-memory store and the DynamoDB store on the local AWS.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use visits_domain::model::{
    Admission, Admitted, AuditKind, AuditRecord, AuditSubject, CodeCopy, CodeEntry, Digest, Guest, GuestContact,
    GuestRole, Link, LinkState, LinkStatus, LiveCode, NewGuest, RefusalRecord, UserId, Visit, VisitStatus,
};
use visits_domain::ports::{
    Change, CommitError, Cursor, FailureCount, IdSource, IdempotencyRecord, JoinRead, LinkWrite, Store, VisitQuery,
    VisitWrite, When,
};
use visits_domain::testing::{CountingIds, booked_visit, edited};

pub type SharedStore = Arc<dyn Store>;

fn now() -> DateTime<Utc> {
    "2030-03-01T12:00:00Z".parse().expect("an instant")
}

fn user(id: &str) -> UserId {
    UserId::parse(id).expect("a user id")
}

fn new_visit(ids: &CountingIds, patient: &str, clinician: &str, at: DateTime<Utc>) -> Visit {
    let mut visit = booked_visit(ids.visit_id(), patient, clinician, at, now());
    visit.advance_version(); // as its first write stores it
    visit
}

fn event(visit: &mut Visit, kind: AuditKind) -> AuditRecord {
    visit.audit(now(), kind, "test", BTreeMap::new())
}

/// Inserts a visit with its first audit record.
async fn insert(store: &SharedStore, mut visit: Visit) -> Visit {
    let audit = vec![event(&mut visit, AuditKind::VisitScheduled)];
    let change = Change {
        visit: VisitWrite::Insert(visit.clone()),
        links: vec![],
        audit,
        idempotency: None,
        signup: None,
        copies: vec![],
    };
    store.commit(change).await.expect("insert");
    visit
}

/// The next version of `visit` with one audit event and these link writes.
fn update(visit: &Visit, kind: AuditKind, links: Vec<LinkWrite>, edit: impl FnOnce(&mut Visit)) -> (Visit, Change) {
    let mut next = visit.clone();
    edit(&mut next);
    let audit = vec![event(&mut next, kind)];
    next.advance_version();
    let change = Change {
        visit: VisitWrite::Update { visit: next.clone(), expected_version: visit.version() },
        links,
        audit,
        idempotency: None,
        signup: None,
        // As the domain names them: the codes live before or after the change.
        copies: next.live_codes(now()).into_iter().chain(visit.live_codes(now())).collect(),
    };
    (next, change)
}

fn link_for(visit: &Visit, name: &str, expires_at: DateTime<Utc>) -> Link {
    Link {
        id_hash: Digest::of(format!("jti-{name}").as_bytes()),
        code_hash: Digest::of(format!("code-{name}").as_bytes()),
        visit_id: visit.id().clone(),
        guest: None,
        state: LinkState::Active,
        created_at: now(),
        expires_at,
    }
}

fn admission_of(link: &Link) -> Admission {
    Admission {
        patient_id: user("p1"),
        guest: None,
        opens_at: now() - Duration::minutes(15),
        closes_at: link.expires_at,
    }
}

/// The code of `link` while it may be redeemed.
fn live(link: &Link) -> LiveCode {
    LiveCode { code: link.code_hash, until: link.expires_at }
}

/// The write that inserts `link` and its code.
fn insert_link(link: &Link) -> LinkWrite {
    LinkWrite::Insert { link: link.clone(), admission: admission_of(link) }
}

/// A short code's entry, read as the join routes read it.
pub async fn code_entry(store: &dyn Store, code_hash: Digest) -> Option<CodeEntry> {
    let read = JoinRead { code: Some(code_hash), ..JoinRead::default() };
    store.join_read(&read, Utc::now()).await.unwrap().code
}

/// Inserts a link and makes it the visit's current one.
async fn with_link(store: &SharedStore, visit: &Visit, name: &str) -> (Visit, Link) {
    let link = link_for(visit, name, now() + Duration::hours(1));
    let (visit, change) = update(visit, AuditKind::LinkMinted, vec![insert_link(&link)], |v| {
        v.set_current_link(&Admitted::Patient, link.id_hash, live(&link));
    });
    store.commit(change).await.expect("mint");
    (visit, link)
}

pub async fn create_get_and_duplicate(store: SharedStore) {
    let ids = CountingIds::default();
    let fresh = new_visit(&ids, "p1", "c1", now() + Duration::hours(1));
    let visit = insert(&store, fresh.clone()).await;
    assert_eq!(store.visit(visit.id()).await.unwrap(), Some(visit.clone()));
    assert_eq!(store.visit(&ids.visit_id()).await.unwrap(), None);
    let again = Change {
        visit: VisitWrite::Insert(visit.clone()),
        links: vec![],
        audit: vec![],
        idempotency: None,
        signup: None,
        copies: vec![],
    };
    assert!(matches!(store.commit(again).await, Err(CommitError::AlreadyExists)));
    // Scheduling the same visit again, audit record and all (a re-run seed): still "exists",
    // though its first audit record is taken too.
    let mut twin = fresh;
    let audit = vec![event(&mut twin, AuditKind::VisitScheduled)];
    let again = Change {
        visit: VisitWrite::Insert(twin),
        links: vec![],
        audit,
        idempotency: None,
        signup: None,
        copies: vec![],
    };
    assert!(matches!(store.commit(again).await, Err(CommitError::AlreadyExists)));
}

pub async fn listing_pages_in_order(store: SharedStore) {
    let ids = CountingIds::default();
    let hours = [3, 1, 5, 2, 4];
    let mut upcoming = Vec::new();
    for h in hours {
        upcoming.push(insert(&store, new_visit(&ids, "p1", "c1", now() + Duration::hours(h))).await);
    }
    let past_old = insert(&store, new_visit(&ids, "p1", "c2", now() - Duration::days(2))).await;
    let past_new = insert(&store, new_visit(&ids, "p1", "c1", now() - Duration::days(1))).await;
    // Started 10 minutes ago, 30 long: not over, so upcoming.
    let ongoing = insert(&store, new_visit(&ids, "p1", "c2", now() - Duration::minutes(10))).await;
    insert(&store, new_visit(&ids, "p2", "c1", now() + Duration::hours(6))).await;

    let query = |patient: Option<&str>, clinician: Option<&str>, when, limit, after: Option<Cursor>| VisitQuery {
        patient_id: patient.map(user),
        clinician_id: clinician.map(user),
        when,
        now: now(),
        limit,
        after,
    };
    // Upcoming for p1, two at a time, soonest first.
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = store.visits(&query(Some("p1"), None, When::Upcoming, 2, cursor)).await.unwrap();
        assert!(page.items.len() <= 2);
        seen.extend(page.items.iter().map(|v| v.id.clone()));
        cursor = page.next;
        if cursor.is_none() {
            break;
        }
    }
    let mut expected: Vec<&Visit> = upcoming.iter().chain([&ongoing]).collect();
    expected.sort_by_key(|v| v.scheduled_at());
    assert_eq!(seen, expected.iter().map(|v| v.id().clone()).collect::<Vec<_>>());

    let past = store.visits(&query(Some("p1"), None, When::Past, 10, None)).await.unwrap();
    assert_eq!(past.items.iter().map(|v| &v.id).collect::<Vec<_>>(), [past_new.id(), past_old.id()], "latest first");
    assert!(past.next.is_none());

    let by_clinician = store.visits(&query(None, Some("c2"), When::Upcoming, 10, None)).await.unwrap();
    assert_eq!(by_clinician.items.iter().map(|v| &v.id).collect::<Vec<_>>(), [ongoing.id()]);
    let both = store.visits(&query(Some("p1"), Some("c2"), When::Past, 10, None)).await.unwrap();
    assert_eq!(both.items.iter().map(|v| &v.id).collect::<Vec<_>>(), [past_old.id()]);
    let everyone = store.visits(&query(None, None, When::Upcoming, 100, None)).await.unwrap();
    assert_eq!(everyone.items.len(), 7);

    // Every visit, two at a time, in time order across however the store spreads them.
    let (mut seen, mut cursor) = (Vec::new(), None);
    loop {
        let page = store.visits(&query(None, None, When::Upcoming, 2, cursor)).await.unwrap();
        assert!(page.items.len() <= 2);
        seen.extend(page.items.iter().map(|v| (v.scheduled_at, v.id.clone())));
        cursor = page.next;
        if cursor.is_none() {
            break;
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!((seen.len(), &seen), (7, &sorted), "all upcoming visits, soonest first, each once");
    let past = store.visits(&query(None, None, When::Past, 1, None)).await.unwrap();
    assert_eq!(past.items.iter().map(|v| &v.id).collect::<Vec<_>>(), [past_new.id()]);
    let older = store.visits(&query(None, None, When::Past, 1, past.next)).await.unwrap();
    assert_eq!(older.items.iter().map(|v| &v.id).collect::<Vec<_>>(), [past_old.id()]);
}

pub async fn a_link_redeems_once(store: SharedStore) {
    let ids = CountingIds::default();
    let visit = insert(&store, new_visit(&ids, "p1", "c1", now() + Duration::minutes(5))).await;
    let (visit, link) = with_link(&store, &visit, "a").await;
    assert_eq!(code_entry(&*store, link.code_hash).await.map(|entry| entry.link_id), Some(link.id_hash));
    assert_eq!(store.link_by_id(&link.id_hash).await.unwrap(), Some(link.clone()));
    assert!(code_entry(&*store, Digest::of(b"unknown")).await.is_none());

    let redeem = || LinkWrite::Redeem { id_hash: link.id_hash, code_hash: link.code_hash, at: now() };
    let (visit, first) = update(&visit, AuditKind::LinkRedeemed, vec![redeem()], |_| {});
    store.commit(first).await.expect("first redemption");
    let (_, second) = update(&visit, AuditKind::LinkRedeemed, vec![redeem()], |_| {});
    assert!(matches!(store.commit(second).await, Err(CommitError::LinkUnavailable)));
    let stored = store.link_by_id(&link.id_hash).await.unwrap().unwrap();
    assert_eq!(stored.state, LinkState::Redeemed(now()));
    assert_eq!(
        store.visit(visit.id()).await.unwrap().unwrap().version(),
        visit.version(),
        "the refused change wrote nothing"
    );
}

/// A code's entry keeps its link and visit as the visit's last write left them: the redemption's
/// own, an undone redemption's, a cancellation's.
pub async fn a_codes_copy_follows_its_link_and_visit(store: SharedStore) {
    let ids = CountingIds::default();
    let visit = insert(&store, new_visit(&ids, "p1", "c1", now() + Duration::minutes(5))).await;
    let (visit, link) = with_link(&store, &visit, "a").await;
    let copy = || async {
        let entry = code_entry(&*store, link.code_hash).await;
        entry.and_then(|entry| entry.copy).map(|copy| (copy.link, copy.visit))
    };
    assert_eq!(copy().await, Some((link.clone(), visit.clone())), "as minted");

    let redeem = LinkWrite::Redeem { id_hash: link.id_hash, code_hash: link.code_hash, at: now() };
    let (visit, change) = update(&visit, AuditKind::LinkRedeemed, vec![redeem], |_| {});
    store.commit(change).await.expect("redeemed");
    let redeemed = Link { state: LinkState::Redeemed(now()), ..link.clone() };
    assert_eq!(copy().await, Some((redeemed, visit.clone())), "redeemed");

    let later = now() + Duration::seconds(1);
    let wrong = LinkWrite::Unredeem { id_hash: link.id_hash, code_hash: link.code_hash, at: later };
    let (_, change) = update(&visit, AuditKind::LinkRestored, vec![wrong], |_| {});
    assert!(matches!(store.commit(change).await, Err(CommitError::LinkUnavailable)), "not that redemption");
    let undo = LinkWrite::Unredeem { id_hash: link.id_hash, code_hash: link.code_hash, at: now() };
    let (visit, change) = update(&visit, AuditKind::LinkRestored, vec![undo], |_| {});
    store.commit(change).await.expect("undone");
    assert_eq!(store.link_by_id(&link.id_hash).await.unwrap().map(|l| l.state), Some(LinkState::Active));
    assert_eq!(copy().await, Some((link.clone(), visit.clone())), "active again");

    let (visit, change) = update(&visit, AuditKind::VisitCancelled, vec![], |v| {
        v.cancel(now()).expect("cancel");
    });
    store.commit(change).await.expect("cancelled");
    let (copied_link, copied_visit) = copy().await.expect("a copy");
    assert_eq!(copied_visit, visit, "the write that revoked the link refreshed its copy");
    assert_eq!(copied_link.status(&copied_visit, now()), LinkStatus::Revoked);
}

pub async fn an_expired_link_does_not_redeem(store: SharedStore) {
    let ids = CountingIds::default();
    let visit = insert(&store, new_visit(&ids, "p1", "c1", now() + Duration::minutes(5))).await;
    let (visit, link) = with_link(&store, &visit, "a").await;
    let late = LinkWrite::Redeem { id_hash: link.id_hash, code_hash: link.code_hash, at: link.expires_at };
    let (_, change) = update(&visit, AuditKind::LinkRedeemed, vec![late], |_| {});
    assert!(matches!(store.commit(change).await, Err(CommitError::LinkUnavailable)));
    let unknown = LinkWrite::Redeem { id_hash: Digest::of(b"nope"), code_hash: Digest::of(b"nope"), at: now() };
    let (_, change) = update(&visit, AuditKind::LinkRedeemed, vec![unknown], |_| {});
    assert!(matches!(store.commit(change).await, Err(CommitError::LinkUnavailable)));
}

pub async fn a_newer_link_revokes_the_older(store: SharedStore) {
    let ids = CountingIds::default();
    let visit = insert(&store, new_visit(&ids, "p1", "c1", now() + Duration::minutes(5))).await;
    let (visit, old) = with_link(&store, &visit, "old").await;
    let (visit, new) = with_link(&store, &visit, "new").await;
    let stored = store.visit(visit.id()).await.unwrap().unwrap();
    let old = store.link_by_id(&old.id_hash).await.unwrap().unwrap();
    let new = store.link_by_id(&new.id_hash).await.unwrap().unwrap();
    assert_eq!(old.status(&stored, now()), LinkStatus::Revoked);
    assert_eq!(new.status(&stored, now()), LinkStatus::Active);
}

pub async fn a_stale_version_writes_nothing(store: SharedStore) {
    let ids = CountingIds::default();
    let visit = insert(&store, new_visit(&ids, "p1", "c1", now() + Duration::minutes(5))).await;
    let (_, winner) = update(&visit, AuditKind::VisitCancelled, vec![], |v| {
        v.cancel(now()).expect("cancel");
    });
    let link = link_for(&visit, "late", now() + Duration::hours(1));
    let (_, loser) = update(&visit, AuditKind::LinkMinted, vec![insert_link(&link)], |v| {
        v.set_current_link(&Admitted::Patient, link.id_hash, live(&link));
    });
    store.commit(winner).await.expect("the first writer wins");
    assert!(matches!(store.commit(loser).await, Err(CommitError::VersionConflict)));
    assert_eq!(store.link_by_id(&link.id_hash).await.unwrap(), None, "no link without its visit change");
    let trail = store.audit_trail(visit.id()).await.unwrap();
    assert_eq!(
        trail.iter().map(|r| r.kind).collect::<Vec<_>>(),
        [AuditKind::VisitScheduled, AuditKind::VisitCancelled]
    );
    assert_eq!(store.visit(visit.id()).await.unwrap().unwrap().status(), VisitStatus::Cancelled);
}

pub async fn the_audit_trail_comes_back_whole_and_in_order(store: SharedStore) {
    let ids = CountingIds::default();
    let mut visit = insert(&store, new_visit(&ids, "p1", "c1", now() + Duration::minutes(5))).await;
    for i in 0..30 {
        let (next, change) = update(&visit, AuditKind::ALL[i % AuditKind::ALL.len()], vec![], |_| {});
        store.commit(change).await.unwrap();
        visit = next;
    }
    let trail = store.audit_trail(visit.id()).await.unwrap();
    assert_eq!(trail.len(), 31);
    assert!(visits_domain::model::chain_is_valid(&trail));
    assert_eq!(trail.last().unwrap().head(), visit.audit_head());
}

pub async fn idempotency_keys_are_taken_once(store: SharedStore) {
    let ids = CountingIds::default();
    let record = |visit: &Visit, expires_at| IdempotencyRecord {
        key: "caller:key-1".into(),
        request_hash: Digest::of(b"request"),
        visit_id: visit.id().clone(),
        guest_id: None,
        expires_at,
    };
    let first = new_visit(&ids, "p1", "c1", now() + Duration::hours(1));
    let change = |visit: &Visit, expires_at| Change {
        visit: VisitWrite::Insert(visit.clone()),
        links: vec![],
        audit: vec![],
        idempotency: Some(record(visit, expires_at)),
        signup: None,
        copies: vec![],
    };
    store.commit(change(&first, now() + Duration::hours(24))).await.unwrap();
    assert_eq!(
        store.idempotency_record("caller:key-1").await.unwrap(),
        Some(record(&first, now() + Duration::hours(24)))
    );
    let second = new_visit(&ids, "p1", "c1", now() + Duration::hours(1));
    assert!(matches!(
        store.commit(change(&second, now() + Duration::hours(24))).await,
        Err(CommitError::AlreadyExists)
    ));
    assert_eq!(store.visit(second.id()).await.unwrap(), None, "no visit without its key");
    assert_eq!(store.idempotency_record("other:key-1").await.unwrap(), None);
}

pub async fn an_expired_idempotency_key_can_be_reused(store: SharedStore) {
    let ids = CountingIds::default();
    let old = new_visit(&ids, "p1", "c1", now() + Duration::hours(1));
    let record = |visit: &Visit, expires_at| IdempotencyRecord {
        key: "caller:key-2".into(),
        request_hash: Digest::of(b"request"),
        visit_id: visit.id().clone(),
        guest_id: None,
        expires_at,
    };
    let insert_with = |visit: &Visit, expires_at| Change {
        visit: VisitWrite::Insert(visit.clone()),
        links: vec![],
        audit: vec![],
        idempotency: Some(record(visit, expires_at)),
        signup: None,
        copies: vec![],
    };
    store.commit(insert_with(&old, now() - Duration::minutes(1))).await.unwrap();
    let new = new_visit(&ids, "p1", "c1", now() + Duration::hours(2));
    store.commit(insert_with(&new, now() + Duration::hours(24))).await.expect("an expired key is free again");
    assert_eq!(store.idempotency_record("caller:key-2").await.unwrap().unwrap().visit_id, *new.id());
}

pub async fn failure_counters_count_within_a_window(store: SharedStore) {
    let window = Duration::minutes(15);
    let none = FailureCount { count: 0, resets_at: now() };
    assert_eq!(store.failures("ip#1", now()).await.unwrap().count, 0);
    for expected in 1..=3 {
        let seen = store.failures("ip#1", now()).await.unwrap();
        let count = store.record_failure("ip#1", now(), window, seen).await.unwrap();
        assert_eq!((count.count, count.resets_at), (expected, now() + window));
    }
    // What a request read may be stale by the time it counts: the count is still right.
    let count = store.record_failure("ip#1", now(), window, none).await.unwrap();
    assert_eq!((count.count, count.resets_at), (4, now() + window), "a stale 'none' still counts into the window");
    assert_eq!(store.failures("ip#1", now() + Duration::minutes(14)).await.unwrap().count, 4);
    assert_eq!(store.failures("ip#2", now()).await.unwrap().count, 0, "keys are separate");
    let later = now() + Duration::minutes(16);
    assert_eq!(store.failures("ip#1", later).await.unwrap().count, 0, "the window has passed");
    let stale = FailureCount { count: 4, resets_at: now() + window };
    let fresh = store.record_failure("ip#1", later, window, stale).await.unwrap();
    assert_eq!((fresh.count, fresh.resets_at), (1, later + window), "a stale count still starts a new window");
}

/// One read gives a join everything it needs: counters (current, absent, expired), the code's
/// entry, the link with its refusal count, and the visit.
pub async fn a_join_reads_everything_it_needs_at_once(store: SharedStore) {
    let window = Duration::minutes(15);
    let none = FailureCount { count: 0, resets_at: now() };
    let ids = CountingIds::default();
    let visit = insert(&store, new_visit(&ids, "p1", "c1", now() + Duration::minutes(5))).await;
    let (visit, link) = with_link(&store, &visit, "a").await;
    for _ in 0..2 {
        store.record_failure("ip#busy", now(), window, none).await.unwrap();
    }
    store.record_failure("ip#old", now() - Duration::hours(1), window, none).await.unwrap();
    store.record_refusal(visit.id(), &link.id_hash, now(), "expired", 0).await.unwrap();
    store.record_refusal(visit.id(), &link.id_hash, now(), "expired", 1).await.unwrap();

    let read = JoinRead {
        failure_keys: vec!["ip#busy".into(), "ip#none".into(), "ip#old".into()],
        code: Some(link.code_hash),
        link: Some(link.id_hash),
        visit: Some(visit.id().clone()),
    };
    let facts = store.join_read(&read, now()).await.unwrap();
    let counts: Vec<u32> = facts.failures.iter().map(|f| f.count).collect();
    assert_eq!(counts, [2, 0, 0], "in the order asked, expired windows count nothing");
    let entry = CodeEntry {
        link_id: link.id_hash,
        visit_id: Some(visit.id().clone()),
        admission: Some(admission_of(&link)),
        copy: Some(CodeCopy { link: link.clone(), visit: visit.clone() }),
    };
    assert_eq!(facts.code, Some(entry));
    assert_eq!(facts.link, Some(link.clone()));
    assert_eq!(facts.refusals, 2);
    assert_eq!(facts.visit, Some(visit.clone()));

    let missing = JoinRead {
        failure_keys: vec![],
        code: Some(Digest::of(b"no such code")),
        link: Some(Digest::of(b"no such link")),
        visit: Some(ids.visit_id()),
    };
    let facts = store.join_read(&missing, now()).await.unwrap();
    assert!(facts.failures.is_empty() && facts.code.is_none() && facts.link.is_none() && facts.visit.is_none());
    assert_eq!(facts.refusals, 0);
}

/// A guest, their link and whom its code admits come back as written; listings show the guest.
pub async fn a_guest_and_their_link_round_trip(store: SharedStore) {
    let ids = CountingIds::default();
    let visit = insert(&store, new_visit(&ids, "p1", "c1", now() + Duration::minutes(5))).await;
    let contact: GuestContact = serde_json::from_str(r#"{"phone": "+14155550123"}"#).expect("a contact");
    let invited = NewGuest { role: GuestRole::Interpreter, display_name: None, contact };
    let guest = Guest::new(ids.guest_id(), invited, now());
    let link = Link { guest: Some(guest.id.clone()), ..link_for(&visit, "guest", now() + Duration::hours(1)) };
    let admission = Admission { guest: Some(guest.id.clone()), ..admission_of(&link) };
    let write = LinkWrite::Insert { link: link.clone(), admission: admission.clone() };
    let (visit, change) = update(&visit, AuditKind::GuestAdded, vec![write], |v| {
        v.add_guest(guest.clone(), now()).expect("a guest");
        v.set_current_link(&Admitted::Guest(guest.id.clone()), link.id_hash, live(&link));
    });
    store.commit(change).await.expect("add the guest");

    let read = JoinRead {
        code: Some(link.code_hash),
        link: Some(link.id_hash),
        visit: Some(visit.id().clone()),
        ..JoinRead::default()
    };
    let facts = store.join_read(&read, now()).await.unwrap();
    assert_eq!(facts.code.and_then(|entry| entry.admission), Some(admission));
    assert_eq!(facts.link.as_ref(), Some(&link));
    assert_eq!(facts.visit.as_ref(), Some(&visit));
    assert_eq!(link.status(&visit, now()), LinkStatus::Active, "the guest's link is theirs, not the patient's");
    let query = VisitQuery {
        patient_id: Some(user("p1")),
        clinician_id: None,
        when: When::Upcoming,
        now: now(),
        limit: 10,
        after: None,
    };
    let listed = store.visits(&query).await.unwrap();
    let listed_guests: Vec<_> = listed.items.iter().map(|v| &v.guests).collect();
    assert_eq!(listed_guests, [&visit.guests()]);

    let (visit, change) = update(&visit, AuditKind::GuestRemoved, vec![], |v| {
        v.remove_guest(&guest.id, now()).expect("the guest");
    });
    store.commit(change).await.expect("remove the guest");
    assert_eq!(link.status(&visit, now()), LinkStatus::Revoked, "a removed guest's link is revoked");
    assert!(store.visit(visit.id()).await.unwrap().is_some_and(|stored| stored.guests().is_empty()));
}

/// The visit, its whole chain and its refusals come back from one read.
pub async fn a_visit_history_holds_the_visit_its_chain_and_its_refusals(store: SharedStore) {
    let ids = CountingIds::default();
    let visit = insert(&store, new_visit(&ids, "p1", "c1", now() + Duration::minutes(5))).await;
    let (visit, link) = with_link(&store, &visit, "a").await;
    let refusal = store.record_refusal(visit.id(), &link.id_hash, now(), "revoked", 0).await.unwrap();
    let history = store.visit_history(visit.id()).await.unwrap().expect("the visit");
    assert_eq!(history.visit, visit);
    assert_eq!(history.records, store.audit_trail(visit.id()).await.unwrap());
    assert_eq!(history.records.len(), 2);
    assert_eq!(history.records.last().unwrap().head(), visit.audit_head());
    assert_eq!(history.refusals, vec![refusal]);
    assert!(store.visit_history(&ids.visit_id()).await.unwrap().is_none());
    // One record by its number, as the audit stream checks a record's predecessor.
    let subject = AuditSubject::Visit(visit.id().clone());
    assert_eq!(store.audit_record(&subject, 2).await.unwrap().as_ref(), history.records.get(1));
    assert_eq!(store.audit_record(&subject, 3).await.unwrap(), None);
}

/// Fifty redemptions of one link at once, through the domain: exactly one wins.
pub async fn fifty_concurrent_redemptions_have_one_winner(store: SharedStore) {
    use visits_domain::rules::Policy;
    use visits_domain::tokens::Tokens;
    use visits_domain::usecases::{Core, Joins, Links};
    use visits_embedded::{LocalSigner, ManualClock};
    use visits_runtime::OsRandom;

    let clock = Arc::new(ManualClock::new(now()));
    let core = Core { store: store.clone(), clock, ids: Arc::new(OsRandom), policy: Arc::new(Policy::default()) };
    let tokens = Arc::new(Tokens::new(Arc::new(LocalSigner::generate()), "video-visits"));
    let ids = CountingIds::default();
    let visit = insert(&store, new_visit(&ids, "p1", "c1", now() + Duration::minutes(5))).await;
    let caller = visits_domain::model::Caller { id: user("c1"), role: visits_domain::model::Role::Clinician };
    let link = Links::new(core.clone()).mint(&tokens, &caller, visit.id()).await.unwrap();
    let joins = Arc::new(Joins::new(core, tokens, Arc::new(visits_embedded::DemoVideo::new())));
    let tries = (0..50).map(|i| {
        let joins = joins.clone();
        let code = link.code.expose().to_owned();
        tokio::spawn(async move { joins.redeem_code(&code, &format!("10.0.0.{i}")).await.is_ok() })
    });
    let results = futures::future::join_all(tries).await;
    let winners = results.into_iter().filter(|r| *r.as_ref().unwrap()).count();
    assert_eq!(winners, 1);
}

pub async fn refusals_are_numbered_per_link_without_gaps_and_leave_the_visit_alone(store: SharedStore) {
    let ids = CountingIds::default();
    let visit = insert(&store, new_visit(&ids, "p1", "c1", now() + Duration::minutes(5))).await;
    let (first, second) =
        (link_for(&visit, "a", now() + Duration::hours(1)), link_for(&visit, "b", now() + Duration::hours(1)));
    let links = vec![insert_link(&first), insert_link(&second)];
    let (visit, change) = update(&visit, AuditKind::LinkMinted, links, |_| {});
    store.commit(change).await.expect("links");
    let tries = (0..30).map(|i| {
        let (store, visit_id) = (store.clone(), visit.id().clone());
        let link = if i % 6 == 0 { second.id_hash } else { first.id_hash };
        // Every try read no refusals yet: all but the first find the count moved on.
        tokio::spawn(async move { store.record_refusal(&visit_id, &link, now(), "expired", 0).await })
    });
    let recorded: Vec<RefusalRecord> = futures::future::join_all(tries)
        .await
        .into_iter()
        .map(|r| r.unwrap().expect("a refusal never conflicts"))
        .collect();
    let mut numbers: Vec<u64> = recorded.iter().filter(|r| r.link == first.id_hash).map(|r| r.n).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=25).collect::<Vec<_>>());
    let kept = store.refusals(visit.id()).await.unwrap();
    assert_eq!(kept.len(), 30);
    assert!(visits_domain::model::refusals_are_intact(&kept));
    assert_eq!(store.visit(visit.id()).await.unwrap().unwrap().version(), visit.version(), "the visit was not written");
    assert!(store.refusals(new_visit(&ids, "p2", "c2", now()).id()).await.unwrap().is_empty());
}

/// A redemption signs the session token for the window of the visit as its code's copy says,
/// which the visit's last write refreshed: a visit moved since the link was minted is signed for
/// as it is now.
pub async fn a_session_token_is_signed_for_the_visit_as_its_last_write_left_it(store: SharedStore) {
    use base64::Engine as _;
    use visits_domain::rules::{JoinWindow, Policy};
    use visits_domain::tokens::Tokens;
    use visits_domain::usecases::{Core, Joins, Links};
    use visits_embedded::{LocalSigner, ManualClock};
    use visits_runtime::OsRandom;

    let clock = Arc::new(ManualClock::new(now()));
    let policy = Arc::new(Policy::default());
    let core = Core { store: store.clone(), clock, ids: Arc::new(OsRandom), policy: policy.clone() };
    let tokens = Arc::new(Tokens::new(Arc::new(LocalSigner::generate()), "video-visits"));
    let links = Links::new(core.clone());
    let joins = Joins::new(core.clone(), tokens.clone(), Arc::new(visits_embedded::DemoVideo::new()));
    let caller = visits_domain::model::Caller { id: user("c1"), role: visits_domain::model::Role::Clinician };
    let expiry = |token: &str| -> i64 {
        let claims = token.split('.').nth(1).expect("a JWT");
        let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(claims).expect("base64url");
        serde_json::from_slice::<serde_json::Value>(&claims).expect("claims")["exp"].as_i64().expect("exp")
    };
    let ids = CountingIds::default();

    let visit = insert(&store, new_visit(&ids, "p1", "c1", now() + Duration::minutes(5))).await;
    let code = links.mint(&tokens, &caller, visit.id()).await.unwrap().code;
    let redeemed = joins.redeem_code(code.expose(), "10.0.0.1").await.unwrap();
    assert_eq!(expiry(&redeemed.join_token), JoinWindow::of(&visit, &policy).closes_at.timestamp());

    // The visit moves ten minutes later after its link was minted: the window is still open,
    // but it closes later than the link's entry says.
    let other = insert(&store, new_visit(&ids, "p1", "c1", now() + Duration::minutes(5))).await;
    let code = links.mint(&tokens, &caller, other.id()).await.unwrap().code;
    let later = |visit: &mut Visit, _: &mut visits_domain::usecases::Draft| {
        // Past the state machine (a reschedule revokes links): as if the visit had moved
        // between the link's mint and its redemption.
        *visit = edited(visit, |listed| listed.scheduled_at += Duration::minutes(10));
        Ok(())
    };
    let moved = core.mutate(other.id(), "test", later).await;
    let (_, moved) = moved.unwrap();
    let redeemed = joins.redeem_code(code.expose(), "10.0.0.1").await.unwrap();
    let window = JoinWindow::of(&moved, &policy);
    assert_eq!(expiry(&redeemed.join_token), window.closes_at.timestamp(), "signed for the visit as it is");
    assert_eq!(redeemed.expires_at, window.closes_at);
}

/// What every `SignupStore` must do (run on memory and DynamoDB by `tests/api/store_contract.rs`).
pub mod signups {
    use std::sync::Arc;

    use chrono::{Duration, NaiveDate};
    use visits_domain::model::{
        AuditKind, Channel, CodeChallenge, DateOfBirth, Digest, Email, PatientContact, Person, PersonName, Signup,
        SignupId, SignupState, UserId, Visit,
    };
    use visits_domain::ports::{Change, CommitError, ContactClaim, SignupStore, SignupWrite, Store, VisitWrite};

    use super::{CountingIds, event, new_visit, now};

    /// Signups live in the visits' store: a booking moves a signup and writes a visit at once.
    pub trait VisitsAndSignups: Store + SignupStore {}
    impl<T: Store + SignupStore> VisitsAndSignups for T {}

    pub type SharedSignups = Arc<dyn VisitsAndSignups>;

    fn signup(n: u8) -> Signup {
        let today = NaiveDate::from_ymd_opt(2030, 3, 1).unwrap();
        Signup {
            id: SignupId::from_random([n; SignupId::RANDOM_BYTES]),
            person: Person {
                given_name: PersonName::parse("Pat").unwrap(),
                family_name: PersonName::parse("Example").unwrap(),
                date_of_birth: DateOfBirth::parse("1980-02-29", today).unwrap(),
            },
            contact: PatientContact {
                phone: None,
                email: Some(Email::parse("pat@example.com").unwrap()),
                display_name: None,
            },
            channel: Channel::Email,
            challenge: CodeChallenge::first(Digest::of(b"mac of 123456"), now()),
            state: SignupState::Pending,
            created_at: now(),
            version: 1,
        }
    }

    pub async fn a_signup_is_kept_new_once_and_changed_only_over_its_version(store: SharedSignups) {
        let first = signup(1);
        assert_eq!(store.signup(&first.id).await.unwrap(), None);
        store.save_signup(&first, None, None).await.unwrap();
        assert_eq!(store.signup(&first.id).await.unwrap(), Some(first.clone()));
        assert!(matches!(store.save_signup(&first, None, None).await, Err(CommitError::AlreadyExists)));

        let mut next = first.clone();
        let _ = next.check_code(&Digest::of(b"wrong"), now() + Duration::seconds(1));
        next.version = 2;
        store.save_signup(&next, Some(1), None).await.unwrap();
        assert_eq!(store.signup(&first.id).await.unwrap(), Some(next.clone()), "the wrong try is kept");
        let stale = store.save_signup(&next, Some(1), None).await;
        assert!(matches!(stale, Err(CommitError::VersionConflict)), "a stale version writes nothing");
    }

    pub async fn a_contact_is_claimed_once_with_its_signup(store: SharedSignups) {
        let contact = Digest::of(b"hmac of email:pat@example.com");
        let patient = UserId::parse("b0000000-0000-4000-8000-000000000001").unwrap();
        assert_eq!(store.patient_with_contact(&contact).await.unwrap(), None);
        let mut first = signup(2);
        store.save_signup(&first, None, None).await.unwrap();
        first.verified(patient.clone(), now());
        first.version = 2;
        store.save_signup(&first, Some(1), Some(ContactClaim::Take(contact, patient.clone()))).await.unwrap();
        assert_eq!(store.patient_with_contact(&contact).await.unwrap(), Some(patient.clone()));

        // A second signup of the same contact cannot claim it, and is not written either.
        let mut second = signup(3);
        store.save_signup(&second, None, None).await.unwrap();
        let other = UserId::parse("b0000000-0000-4000-8000-000000000002").unwrap();
        second.verified(other.clone(), now());
        second.version = 2;
        let taken = store.save_signup(&second, Some(1), Some(ContactClaim::Take(contact, other.clone()))).await;
        assert!(matches!(taken, Err(CommitError::AlreadyExists)));
        assert_eq!(
            store.signup(&second.id).await.unwrap().unwrap().state,
            SignupState::Pending,
            "nothing half written"
        );
        assert_eq!(store.patient_with_contact(&contact).await.unwrap(), Some(patient.clone()));

        // Letting go names the owner: another patient's release frees nothing and writes nothing.
        let not_theirs = store.save_signup(&second, Some(1), Some(ContactClaim::Release(contact, other))).await;
        assert!(matches!(not_theirs, Err(CommitError::AlreadyExists)));
        assert_eq!(store.signup(&second.id).await.unwrap().unwrap().version, 1);
        assert_eq!(store.patient_with_contact(&contact).await.unwrap(), Some(patient));
    }

    /// An undone verification: the signup as read comes back over the verified one, and the
    /// contact is free again in the same write; a stale undo changes neither.
    pub async fn an_undone_verification_lets_its_contact_go(store: SharedSignups) {
        let contact = Digest::of(b"hmac of email:undone@example.com");
        let patient = UserId::parse("b0000000-0000-4000-8000-000000000003").unwrap();
        let as_read = signup(5);
        store.save_signup(&as_read, None, None).await.unwrap();
        let mut verified = as_read.clone();
        verified.verified(patient.clone(), now());
        verified.version = 2;
        store.save_signup(&verified, Some(1), Some(ContactClaim::Take(contact, patient.clone()))).await.unwrap();

        let restored = as_read.clone().restored_over(&verified);
        let stale = store.save_signup(&restored, Some(1), Some(ContactClaim::Release(contact, patient.clone()))).await;
        assert!(matches!(stale, Err(CommitError::VersionConflict)));
        assert_eq!(store.patient_with_contact(&contact).await.unwrap(), Some(patient.clone()), "nothing half written");

        store.save_signup(&restored, Some(2), Some(ContactClaim::Release(contact, patient))).await.unwrap();
        assert_eq!(store.patient_with_contact(&contact).await.unwrap(), None);
        let now_kept = store.signup(&as_read.id).await.unwrap().unwrap();
        assert_eq!((now_kept.state, now_kept.version), (SignupState::Pending, 3));
    }

    /// The lander's booking: the visit and the signup's move to booked in one write, only over
    /// the signup version read; a stale one writes neither.
    pub async fn a_booking_moves_its_signup_with_the_visit(store: SharedSignups) {
        let patient = UserId::parse("b0000000-0000-4000-8000-000000000001").unwrap();
        let mut verified = signup(4);
        store.save_signup(&verified, None, None).await.unwrap();
        verified.verified(patient.clone(), now());
        verified.version = 2;
        store.save_signup(&verified, Some(1), None).await.unwrap();

        let ids = CountingIds::default();
        let booking = |visit: Visit, read: &Signup| {
            let mut visit = visit;
            let audit = vec![event(&mut visit, AuditKind::VisitScheduled)];
            let booked = read.booked(&patient, visit.id().clone(), now()).expect("a verified signup books");
            Change {
                visit: VisitWrite::Insert(visit),
                links: vec![],
                audit,
                idempotency: None,
                signup: Some(SignupWrite { signup: booked, expected_version: read.version }),
                copies: vec![],
            }
        };
        let first = new_visit(&ids, patient.as_str(), "c1", now() + Duration::hours(1));
        store.commit(booking(first.clone(), &verified)).await.unwrap();
        let stored = store.signup(&verified.id).await.unwrap().unwrap();
        assert!(matches!(&stored.state, SignupState::Booked { visit_id, .. } if visit_id == first.id()), "{stored:?}");
        assert_eq!(stored.version, 3);

        // A second booking from the same (now stale) read: refused, and no second visit.
        let second = new_visit(&ids, patient.as_str(), "c1", now() + Duration::hours(2));
        let stale = store.commit(booking(second.clone(), &verified)).await;
        assert!(matches!(stale, Err(CommitError::VersionConflict)), "{stale:?}");
        assert_eq!(store.visit(second.id()).await.unwrap(), None, "nothing half written");
        assert_eq!(store.signup(&verified.id).await.unwrap().unwrap().version, 3);
    }
}

/// A patient's access records: all kept (more than one batch of 25 at once), read back newest
/// first, by range, in pages, and only the patient's own.
pub async fn access_records_come_back_newest_first_by_range_in_pages(store: SharedStore) {
    use visits_domain::model::{AccessAction, AccessOutcome, Accessor, Reading, RequestInfo, VisitId};
    use visits_domain::ports::{AccessCursor, AccessQuery};
    let (patient, other) = (user("p-access"), user("p-other"));
    let visit = VisitId::parse("vis_aaaaaaaaaaaaaaaaaaaa").expect("a visit id");
    let records: Vec<_> = (0..30)
        .map(|n| {
            let request =
                RequestInfo { request_id: format!("req-{n:02}"), client: None, source_ip: Some("10.0.0.1".into()) };
            let reading =
                Reading { actor: Accessor::patient(&patient), request: &request, at: now() + Duration::minutes(n) };
            let whose = if n == 7 { &other } else { &patient };
            reading.of_visit(whose, &visit, AccessAction::Read, AccessOutcome::Allowed)
        })
        .collect();
    store.record_access(&records).await.expect("kept");
    let query = |from, to, limit, after| AccessQuery { patient_id: patient.clone(), from, to, limit, after };

    let all = store.access_log(&query(None, None, 100, None)).await.unwrap();
    assert_eq!(all.items.len(), 29, "the other patient's record is theirs");
    assert!(all.items.windows(2).all(|pair| pair[0].at > pair[1].at), "newest first");
    assert_eq!(all.items[0], records[29], "kept whole");
    assert!(all.next.is_none());

    let (from, to) = (now() + Duration::minutes(10), now() + Duration::minutes(20));
    let mut seen = Vec::new();
    let mut after: Option<AccessCursor> = None;
    loop {
        let page = store.access_log(&query(Some(from), Some(to), 4, after.clone())).await.unwrap();
        assert!(page.items.len() <= 4);
        seen.extend(page.items.iter().map(|record| record.request_id.clone()));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let expected: Vec<String> = (10..20).rev().map(|n| format!("req-{n:02}")).collect();
    assert_eq!(seen, expected, "from inclusive, to exclusive, each once");
}
