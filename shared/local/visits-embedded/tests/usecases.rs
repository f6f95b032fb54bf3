//! The domain's use cases on the in-memory adapters, without a server: the visit, join, session,
//! guest and onboarding (signup, booking, application, upload) rules, each as GIVEN / WHEN / THEN. (The HTTP contract on top of them is
//! tested in tests/api.)

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use visits_domain::DomainError;
use visits_domain::model::{
    Applicant, ApplicationStatus, Caller, Channel, DateOfBirth, DurationMinutes, Email, GuestContact, GuestRole,
    NewGuest, PatientContact, Person, PersonName, Provider, RequestInfo, Role, ScanStatus, ServiceClient, Session,
    UploadContentType, UploadPurpose, UploadSize, UserId, Visit, VisitId, VisitStatus,
};
use visits_domain::ports::{ApplicationStore, OutgoingMessage};
use visits_domain::rules::Policy;
use visits_domain::usecases::{
    Applications, Bookings, Guests, JoinOutcome, Joins, Links, NewUpload, NewVisit, ScanResults, ServiceBooking,
    Sessions, SignupRequest, Signups, StatusMove, Uploader, Uploads, Visits,
};
use visits_embedded::{DirectoryUser, EmbeddedWorld, ManualClock};

const CLINICIAN: &str = "c0000000-0000-4000-8000-000000000001";
const PATIENT: &str = "b0000000-0000-4000-8000-000000000001";
const IP: &str = "192.0.2.1";

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 3, 4, 9, 0, 0).unwrap()
}

/// What the edge says of a request: the same id for every call here.
fn seen() -> RequestInfo {
    RequestInfo { request_id: "req-1".into(), client: Some("portal".into()), source_ip: Some(IP.into()) }
}

fn caller(id: &str, role: Role) -> Caller {
    Caller { id: UserId::parse(id).unwrap(), role }
}

/// A world on a clock that tests move, with the use cases over it.
struct Given {
    world: EmbeddedWorld,
    clock: Arc<ManualClock>,
    visits: Visits,
    links: Arc<Links>,
    joins: Joins,
    sessions: Sessions,
}

fn given() -> Given {
    let clock = Arc::new(ManualClock::new(start()));
    let world = EmbeddedWorld::new(Policy::default(), clock.clone(), false);
    let core = world.core();
    let links = Arc::new(Links::new(core.clone()));
    Given {
        visits: Visits::new(core.clone()),
        joins: Joins::new(core.clone(), world.tokens.clone(), world.video.clone()),
        sessions: Sessions::new(core, world.tokens.clone(), world.video.clone(), world.recorder.clone()),
        links,
        clock,
        world,
    }
}

impl Given {
    async fn visit_in(&self, minutes: i64, provider: Provider) -> Visit {
        let request = NewVisit {
            patient_id: UserId::parse(PATIENT).unwrap(),
            clinician_id: None,
            scheduled_at: start() + Duration::minutes(minutes),
            duration: DurationMinutes::new(30).unwrap(),
            provider,
            patient_contact: Some(PatientContact {
                phone: None,
                email: Some(Email::parse("pat@example.com").unwrap()),
                display_name: None,
            }),
            time_zone: None,
        };
        self.visits.schedule(&caller(CLINICIAN, Role::Clinician), request, None).await.unwrap()
    }

    fn signups(&self) -> Signups {
        let world = &self.world;
        Signups::new(
            world.core(),
            world.tokens.clone(),
            world.store.clone(),
            world.mac.clone(),
            world.outbox.clone(),
            world.directory.clone(),
        )
    }

    async fn code_for(&self, visit: &VisitId) -> String {
        self.links
            .mint(&self.world.tokens, &caller(CLINICIAN, Role::Clinician), visit)
            .await
            .unwrap()
            .code
            .expose()
            .to_owned()
    }
}

/// The six-digit code in the newest email to `to`.
fn code_mailed_to(world: &EmbeddedWorld, to: &str) -> String {
    mail_to(world, to)
        .last()
        .and_then(|body| body.split(|c: char| !c.is_ascii_digit()).find(|part| part.len() == 6).map(str::to_owned))
        .expect("a six-digit code")
}

/// The bodies of the emails sent to `to`.
fn mail_to(world: &EmbeddedWorld, to: &str) -> Vec<String> {
    world
        .outbox
        .sent()
        .into_iter()
        .filter_map(|sent| match sent.message {
            OutgoingMessage::Email { to: address, body, .. } if address.expose() == to => Some(body),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_visit_in_the_past_or_by_a_patient_is_refused_and_a_keyed_retry_replays() {
    let given = given();
    let request = |minutes: i64| NewVisit {
        patient_id: UserId::parse(PATIENT).unwrap(),
        clinician_id: None,
        scheduled_at: start() + Duration::minutes(minutes),
        duration: DurationMinutes::new(30).unwrap(),
        provider: Provider::Chime,
        patient_contact: None,
        time_zone: None,
    };
    let clinician = caller(CLINICIAN, Role::Clinician);

    let past = given.visits.schedule(&clinician, request(-5), None).await;
    assert!(matches!(past, Err(DomainError::Rule { field: Some("scheduledAt"), .. })), "{past:?}");
    let by_patient = given.visits.schedule(&caller(PATIENT, Role::Patient), request(60), None).await;
    assert!(matches!(by_patient, Err(DomainError::Forbidden)), "{by_patient:?}");

    let first = given.visits.schedule(&clinician, request(60), Some("key-1")).await.unwrap();
    let again = given.visits.schedule(&clinician, request(60), Some("key-1")).await.unwrap();
    assert_eq!(first.id(), again.id(), "a retry answers the first visit");
    let other = given.visits.schedule(&clinician, request(90), Some("key-1")).await;
    assert!(other.is_err(), "the same key with another request is refused");
}

#[tokio::test]
async fn a_link_works_once_and_a_too_early_try_leaves_it_usable() {
    let given = given();
    let visit = given.visit_in(60, Provider::Chime).await;
    let code = given.code_for(visit.id()).await;

    // An hour ahead: the window opens 15 minutes before.
    let early = given.joins.redeem_code(&code, IP).await;
    assert!(matches!(early, Err(DomainError::OutsideJoinWindow { .. })), "{:?}", early.err());
    given.clock.advance(Duration::minutes(50));
    let redeemed = given.joins.redeem_code(&code, IP).await.unwrap();
    assert_eq!(&redeemed.visit_id, visit.id());
    let again = given.joins.redeem_code(&code, IP).await;
    assert!(matches!(again, Err(DomainError::LinkUnavailable)), "{:?}", again.err());
}

#[tokio::test]
async fn the_patient_waits_until_the_clinician_starts_and_a_cancel_closes_the_wait() {
    let given = given();
    let visit = given.visit_in(10, Provider::Chime).await;
    let code = given.code_for(visit.id()).await;
    let token = given.joins.redeem_code(&code, IP).await.unwrap().join_token;

    let waiting = given.sessions.join_with_token(&token, &seen()).await.unwrap();
    assert!(matches!(waiting, JoinOutcome::Waiting { .. }));
    let started = given.sessions.start(&caller(CLINICIAN, Role::Clinician), visit.id(), &seen()).await.unwrap();
    let JoinOutcome::Ready(clinicians) = started else { panic!("the clinician's start is ready") };
    let JoinOutcome::Ready(patients) = given.sessions.join_with_token(&token, &seen()).await.unwrap() else {
        panic!("the patient is let in once started")
    };
    let meeting = |session: &Session| match session {
        Session::Chime { meeting, .. } => meeting.meeting_id.clone(),
        Session::Connect { .. } => panic!("a Chime visit"),
    };
    assert_eq!(meeting(&clinicians), meeting(&patients), "one meeting for everyone");

    let other = given.visit_in(12, Provider::Chime).await;
    let token = given.joins.redeem_code(&given.code_for(other.id()).await, IP).await.unwrap().join_token;
    given.sessions.cancel(&caller(CLINICIAN, Role::Clinician), other.id()).await.unwrap();
    let closed = given.sessions.join_with_token(&token, &seen()).await;
    assert!(matches!(closed, Err(DomainError::VisitClosed(VisitStatus::Cancelled))), "{:?}", closed.err());
}

#[tokio::test]
async fn a_visit_takes_two_guests_and_a_connect_visit_none() {
    let given = given();
    let guests = Guests::new(given.links.clone(), given.world.outbox.clone(), given.world.video.clone());
    let guest = |n: u32| NewGuest {
        role: GuestRole::Interpreter,
        display_name: None,
        contact: GuestContact { phone: None, email: Some(Email::parse(&format!("g{n}@example.com")).unwrap()) },
    };
    let clinician = caller(CLINICIAN, Role::Clinician);
    let visit = given.visit_in(30, Provider::Chime).await;
    guests.add(&clinician, visit.id(), guest(1), None).await.unwrap();
    guests.add(&clinician, visit.id(), guest(2), None).await.unwrap();
    let third = guests.add(&clinician, visit.id(), guest(3), None).await;
    assert!(matches!(third, Err(DomainError::Conflict(_))), "{:?}", third.err());

    let connect = given.visit_in(30, Provider::Connect).await;
    let refused = guests.add(&clinician, connect.id(), guest(4), None).await;
    assert!(matches!(refused, Err(DomainError::Conflict(_))), "{:?}", refused.err());
    assert!(mail_to(&given.world, "g3@example.com").is_empty() && mail_to(&given.world, "g4@example.com").is_empty());
    assert_eq!(mail_to(&given.world, "g1@example.com").len(), 1, "an added guest is sent their link");
}

#[tokio::test]
async fn signup_treats_a_contact_the_directory_knows_as_known_and_sends_no_code() {
    let given = given();
    given.world.directory.add_user(DirectoryUser {
        id: UserId::parse(PATIENT).unwrap(),
        username: "made-by-an-admin".into(),
        group: Some("patient"),
        contact: PatientContact {
            phone: None,
            email: Some(Email::parse("Known@Example.com").unwrap()),
            display_name: None,
        },
    });
    let signups = given.signups();
    let request = |email: &str| SignupRequest {
        person: Person {
            given_name: PersonName::parse("Pat").unwrap(),
            family_name: PersonName::parse("Example").unwrap(),
            date_of_birth: DateOfBirth::parse("1980-02-29", start().date_naive()).unwrap(),
        },
        contact: PatientContact { phone: None, email: Some(Email::parse(email).unwrap()), display_name: None },
        channel: Channel::Email,
    };
    signups.start(request("known@example.com"), IP).await.unwrap();
    signups.start(request("new@example.com"), IP).await.unwrap();
    let known = mail_to(&given.world, "known@example.com");
    assert!(known.len() == 1 && known[0].contains("already have an account"), "{known:?}");
    let new = mail_to(&given.world, "new@example.com");
    assert!(new.len() == 1 && !new[0].contains("already have an account"), "a code: {new:?}");
}

#[tokio::test]
async fn an_application_is_proved_by_its_code_and_approved_only_through_review_and_over_its_version() {
    let given = given();
    let applications = Applications::new(
        given.world.core(),
        given.world.tokens.clone(),
        given.world.store.clone(),
        given.world.mac.clone(),
        given.world.outbox.clone(),
        given.world.directory.clone(),
    );
    let applicant: Applicant = serde_json::from_value(serde_json::json!({
        "givenName": "Alex", "familyName": "Rivera", "email": "alex@clinic.example", "npi": "1234567893",
        "licenses": [{"state": "CA", "number": "A123456", "expiresOn": "2031-12-31"}]
    }))
    .unwrap();
    let started = applications.start(applicant, IP).await.unwrap();
    let id = started.application_id.to_string();
    let code = code_mailed_to(&given.world, "alex@clinic.example");
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let refused = applications.verify(&id, wrong, IP).await;
    assert!(matches!(refused, Err(DomainError::CodeInvalid)), "{:?}", refused.err());
    applications.verify(&id, &code, IP).await.unwrap();

    let admin = caller(CLINICIAN, Role::Admin);
    let at = |version: u64, to: ApplicationStatus| StatusMove { to, note: None, expected_version: version };
    let approve = |version| applications.review(&admin, &id, at(version, ApplicationStatus::Approved));
    let version = given.world.store.application(&started.application_id).await.unwrap().unwrap().version;
    let skipped = approve(version).await;
    assert!(matches!(skipped, Err(DomainError::Conflict(_))), "submitted cannot jump to approved");
    let by_clinician = applications
        .review(&caller(CLINICIAN, Role::Clinician), &id, at(version, ApplicationStatus::UnderReview))
        .await;
    assert!(matches!(by_clinician, Err(DomainError::Forbidden)), "{:?}", by_clinician.err());
    let reviewing = applications.review(&admin, &id, at(version, ApplicationStatus::UnderReview)).await.unwrap();
    let stale = approve(version).await;
    assert!(matches!(stale, Err(DomainError::Conflict(_))), "a stale version is refused");
    let approved = approve(reviewing.version).await.unwrap();
    assert_eq!(approved.status, ApplicationStatus::Approved);
    let made = given.world.directory.all().into_iter().find(|user| user.group == Some("clinician"));
    assert!(made.is_some(), "approval made the clinician");
}

#[tokio::test]
async fn intake_is_read_by_its_patient_and_clinician_only_and_downloaded_once_scanned_clean() {
    let given = given();
    let visit = given.visit_in(60, Provider::Chime).await;
    let store = given.world.store.clone();
    let uploads = Uploads::new(
        given.world.core(),
        given.world.tokens.clone(),
        store.clone(),
        store.clone(),
        given.world.storage.clone(),
    );
    let scans = ScanResults::new(given.world.core(), store.clone(), store);
    let intake = || NewUpload {
        purpose: UploadPurpose::Intake,
        visit_id: Some(visit.id().clone()),
        application_id: None,
        content_type: UploadContentType::Pdf,
        size: UploadSize::parse(2048).unwrap(),
    };
    let stranger = caller("b0000000-0000-4000-8000-000000000002", Role::Patient);
    let theirs = uploads.create(Uploader::User(&stranger), intake()).await;
    assert!(matches!(theirs, Err(DomainError::VisitNotFound)), "another patient's visit: {:?}", theirs.err());

    let patient = caller(PATIENT, Role::Patient);
    let started = uploads.create(Uploader::User(&patient), intake()).await.unwrap();
    let id = started.upload.id.to_string();
    let pending = uploads.read(Uploader::User(&patient), &id, &seen()).await.unwrap();
    assert_eq!((pending.upload.status, pending.download_url), (ScanStatus::Pending, None), "unscanned: no download");
    for outsider in [&stranger, &caller(CLINICIAN, Role::Admin)] {
        let refused = uploads.read(Uploader::User(outsider), &id, &seen()).await;
        assert!(matches!(refused, Err(DomainError::UploadNotFound)), "{:?}", refused.err());
    }

    let key = started.upload.object_key();
    assert!(scans.scanned(&key, ScanStatus::Clean).await.unwrap());
    assert!(!scans.scanned(&key, ScanStatus::Infected).await.unwrap(), "a late result changes nothing");
    let clinician = caller(CLINICIAN, Role::Clinician);
    let clean = uploads.read(Uploader::User(&clinician), &id, &seen()).await.unwrap();
    assert_eq!(clean.upload.status, ScanStatus::Clean);
    assert!(clean.download_url.is_some(), "the visit's clinician downloads it once clean");
}

#[tokio::test]
async fn the_lander_books_once_with_a_signup_token_and_a_keyed_retry_replays() {
    let given = given();
    let signups = given.signups();
    let request = SignupRequest {
        person: Person {
            given_name: PersonName::parse("Sam").unwrap(),
            family_name: PersonName::parse("Lander").unwrap(),
            date_of_birth: DateOfBirth::parse("1990-05-01", start().date_naive()).unwrap(),
        },
        contact: PatientContact {
            phone: None,
            email: Some(Email::parse("sam@example.com").unwrap()),
            display_name: None,
        },
        channel: Channel::Email,
    };
    let started = signups.start(request, IP).await.unwrap();
    let code = code_mailed_to(&given.world, "sam@example.com");
    let verified = signups.verify(started.signup_id.as_str(), &code, IP).await.unwrap();

    let bookings = Bookings::new(given.world.core(), given.world.tokens.clone(), given.world.store.clone());
    let lander = ServiceClient { id: UserId::parse("lander-client").unwrap() };
    let booking = |token: &str| ServiceBooking {
        signup_token: token.to_owned(),
        clinician_id: UserId::parse(CLINICIAN).unwrap(),
        scheduled_at: start() + Duration::days(2),
        duration: DurationMinutes::new(30).unwrap(),
        provider: Provider::Chime,
        time_zone: None,
    };
    let forged = bookings.book(&lander, booking("not-a-token"), "key-0").await;
    assert!(matches!(forged, Err(DomainError::Unauthenticated)), "{:?}", forged.err());
    let visit = bookings.book(&lander, booking(&verified.signup_token), "key-1").await.unwrap();
    assert_eq!(visit.patient_id(), &verified.patient_id);
    let email = visit.patient_contact().and_then(|contact| contact.email.as_ref()).map(|email| email.expose());
    assert_eq!(email, Some("sam@example.com"), "the visit reaches the verified contact");
    let retried = bookings.book(&lander, booking(&verified.signup_token), "key-1").await.unwrap();
    assert_eq!(retried.id(), visit.id(), "a keyed retry answers with the first visit");
    let second = bookings.book(&lander, booking(&verified.signup_token), "key-2").await;
    assert!(matches!(second, Err(DomainError::Unauthenticated)), "a token books once: {:?}", second.err());
}
