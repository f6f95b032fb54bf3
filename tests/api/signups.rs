//! Patient signup, through the use case on the embedded adapters (the HTTP routes come next):
//! one-time codes, the same answer for a known contact, locks and resends, and the patient
//! created once.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use visits_domain::DomainError;
use visits_domain::model::{Channel, DateOfBirth, Email, OneTimeCode, PatientContact, Person, PersonName, PhoneNumber};
use visits_domain::ports::{IdSource, OutgoingMessage};
use visits_domain::rules::Policy;
use visits_domain::tokens::Tokens;
use visits_domain::usecases::{Core, SIGNUP_TOKEN_LIFETIME, SignupRequest, Signups};
use visits_embedded::{ManualClock, MemoryDirectory, MemoryStore, Outbox};
use visits_runtime::OsRandom;
use visits_runtime::hmac::HmacSha256;

struct World {
    signups: Signups,
    tokens: Arc<Tokens>,
    clock: Arc<ManualClock>,
    outbox: Arc<Outbox>,
    directory: Arc<MemoryDirectory>,
}

fn start_time() -> DateTime<Utc> {
    "2030-03-01T12:00:00Z".parse().unwrap()
}

fn world() -> World {
    let clock = Arc::new(ManualClock::new(start_time()));
    let store = Arc::new(MemoryStore::new());
    let outbox = Arc::new(Outbox::new(false));
    let directory = Arc::new(MemoryDirectory::new());
    let mut key = [0u8; 32];
    OsRandom.fill(&mut key);
    let core = Core {
        store: store.clone(),
        clock: clock.clone(),
        ids: Arc::new(OsRandom),
        policy: Arc::new(Policy::default()),
    };
    let tokens = Arc::new(Tokens::new(Arc::new(visits_embedded::LocalSigner::generate()), "video-visits"));
    let mac = Arc::new(HmacSha256::new(&key).unwrap());
    let signups = Signups::new(core, tokens.clone(), store, mac, outbox.clone(), directory.clone());
    World { signups, clock, outbox, directory, tokens }
}

fn request(email: &str) -> SignupRequest {
    let today = NaiveDate::from_ymd_opt(2030, 3, 1).unwrap();
    SignupRequest {
        person: Person {
            given_name: PersonName::parse("Pat").unwrap(),
            family_name: PersonName::parse("Example").unwrap(),
            date_of_birth: DateOfBirth::parse("1980-02-29", today).unwrap(),
        },
        contact: PatientContact {
            phone: Some(PhoneNumber::parse("+447911123456").unwrap()),
            email: Some(Email::parse(email).unwrap()),
            display_name: None,
        },
        channel: Channel::Email,
    }
}

impl World {
    /// The newest message's text, and the six-digit code in it if any.
    fn last_message(&self) -> (String, Option<String>) {
        let sent = self.outbox.sent();
        let body = match &sent.last().expect("a message").message {
            OutgoingMessage::Email { body, .. } | OutgoingMessage::Sms { body, .. } => body.clone(),
        };
        let code = body
            .split(|c: char| !c.is_ascii_digit())
            .find(|word| word.len() == 6)
            .and_then(OneTimeCode::parse)
            .map(|code| code.expose().to_owned());
        (body, code)
    }

    fn sent(&self) -> usize {
        self.outbox.sent().len()
    }
}

fn wrong(code: &str) -> String {
    format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000)
}

#[tokio::test]
async fn the_right_code_creates_the_patient_once() {
    let w = world();
    let started = w.signups.start(request("pat@example.com"), "10.0.0.1").await.unwrap();
    assert_eq!(started.sent_to, "p***@example.com");
    assert_eq!(started.expires_at, start_time() + Duration::minutes(10));
    let (body, code) = w.last_message();
    let code = code.expect("a code was sent");
    for private in ["Pat", "Example", "1980"] {
        assert!(!body.contains(private), "the message holds no {private}");
    }
    let id = started.signup_id.as_str();
    let verified = w.signups.verify(id, &code, "10.0.0.1").await.unwrap();
    let patient = verified.patient_id;
    assert_eq!(verified.expires_at, start_time() + SIGNUP_TOKEN_LIFETIME);
    let token = w.tokens.verify_signup(&verified.signup_token, start_time()).await.unwrap().unwrap();
    assert_eq!((&token.patient_id, token.signup_id.as_str()), (&patient, id), "the token names the patient and signup");
    let users = w.directory.all();
    assert_eq!((users.len(), users[0].group, &users[0].id), (1, Some("patient"), &patient));
    assert!(matches!(w.signups.verify(id, &code, "10.0.0.1").await, Err(DomainError::CodeInvalid)), "works once");
    assert_eq!(w.directory.all().len(), 1);
}

/// Two signups of one contact, both before either is verified: the first verified claims the
/// contact; the second is a 409, and the user made for it is removed (nothing refers to it).
#[tokio::test]
async fn a_signup_beaten_to_its_contact_leaves_no_user_behind() {
    let w = world();
    let first = w.signups.start(request("twice@example.com"), "10.0.0.1").await.unwrap();
    let first_code = w.last_message().1.expect("a code");
    let second = w.signups.start(request("twice@example.com"), "10.0.0.2").await.unwrap();
    let second_code = w.last_message().1.expect("a code: neither is verified yet");
    let patient = w.signups.verify(first.signup_id.as_str(), &first_code, "10.0.0.1").await.unwrap().patient_id;
    let refused = w.signups.verify(second.signup_id.as_str(), &second_code, "10.0.0.2").await;
    assert!(matches!(refused, Err(DomainError::Conflict(_))), "{:?}", refused.err());
    let users = w.directory.all();
    assert_eq!(users.iter().map(|u| &u.id).collect::<Vec<_>>(), [&patient], "only the claiming signup's user");
}

#[tokio::test]
async fn a_known_contact_gets_the_same_answer_and_no_code() {
    let w = world();
    let first = w.signups.start(request("pat@example.com"), "10.0.0.1").await.unwrap();
    let code = w.last_message().1.unwrap();
    w.signups.verify(first.signup_id.as_str(), &code, "10.0.0.1").await.unwrap();

    let again = w.signups.start(request("Pat@Example.com"), "10.0.0.2").await.unwrap();
    assert_eq!((again.sent_to.as_str(), again.expires_at), ("P***@Example.com", w.clock_now() + Duration::minutes(10)));
    let (body, code) = w.last_message();
    assert!(code.is_none() && body.contains("already have an account"), "told, and no code: {body}");
    for _ in 0..5 {
        let refused = w.signups.verify(again.signup_id.as_str(), "123456", "10.0.0.2").await;
        assert!(matches!(refused, Err(DomainError::CodeInvalid)));
    }
    let locked = w.signups.verify(again.signup_id.as_str(), "123456", "10.0.0.2").await;
    assert!(matches!(locked, Err(DomainError::TooManyAttempts { .. })), "locks like any other signup");
    assert_eq!(w.directory.all().len(), 1);
}

#[tokio::test]
async fn wrong_codes_lock_the_signup_across_resends() {
    let w = world();
    let started = w.signups.start(request("pat@example.com"), "10.0.0.1").await.unwrap();
    let id = started.signup_id.as_str();
    let first = w.last_message().1.unwrap();
    for _ in 0..3 {
        assert!(matches!(w.signups.verify(id, &wrong(&first), "10.0.0.1").await, Err(DomainError::CodeInvalid)));
    }
    w.clock.advance(Duration::seconds(60));
    w.signups.resend(id, "10.0.0.1").await.unwrap();
    let second = w.last_message().1.unwrap();
    for _ in 0..2 {
        assert!(matches!(w.signups.verify(id, &wrong(&second), "10.0.0.1").await, Err(DomainError::CodeInvalid)));
    }
    let locked = w.signups.verify(id, &second, "10.0.0.1").await;
    assert!(matches!(locked, Err(DomainError::TooManyAttempts { .. })), "the right code too, once locked");
    assert!(w.directory.all().is_empty());
}

#[tokio::test]
async fn resends_wait_a_minute_stop_after_three_and_only_the_newest_code_works() {
    let w = world();
    let started = w.signups.start(request("pat@example.com"), "10.0.0.1").await.unwrap();
    let id = started.signup_id.as_str();
    let first = w.last_message().1.unwrap();
    w.signups.resend(id, "10.0.0.1").await.unwrap();
    assert_eq!(w.sent(), 1, "held back within 60 s: nothing sent");
    for n in 1..=3 {
        w.clock.advance(Duration::seconds(60));
        w.signups.resend(id, "10.0.0.1").await.unwrap();
        assert_eq!(w.sent(), 1 + n);
    }
    w.clock.advance(Duration::seconds(60));
    w.signups.resend(id, "10.0.0.1").await.unwrap();
    assert_eq!(w.sent(), 4, "three beyond the first");
    w.signups.resend("sgn_unknownunknownunkn", "10.0.0.1").await.unwrap();
    w.signups.resend("not an id", "10.0.0.1").await.unwrap();
    let newest = w.last_message().1.unwrap();
    if newest != first {
        assert!(matches!(w.signups.verify(id, &first, "10.0.0.1").await, Err(DomainError::CodeInvalid)), "superseded");
    }
    assert!(w.signups.verify(id, &newest, "10.0.0.1").await.is_ok());
}

#[tokio::test]
async fn codes_expire_after_ten_minutes() {
    let w = world();
    let started = w.signups.start(request("pat@example.com"), "10.0.0.1").await.unwrap();
    let code = w.last_message().1.unwrap();
    w.clock.advance(Duration::minutes(10));
    let late = w.signups.verify(started.signup_id.as_str(), &code, "10.0.0.1").await;
    assert!(matches!(late, Err(DomainError::CodeInvalid)));
}

#[tokio::test]
async fn failures_count_against_the_source() {
    let w = world();
    for n in 0..20 {
        let refused = w.signups.verify(&format!("sgn_{n:0>20}"), "123456", "10.0.0.9").await;
        assert!(matches!(refused, Err(DomainError::CodeInvalid)), "unknown and malformed ids answer alike");
    }
    let blocked = w.signups.start(request("pat@example.com"), "10.0.0.9").await;
    assert!(matches!(blocked, Err(DomainError::TooManyAttempts { .. })), "20 failures per source");
    assert!(w.signups.start(request("pat@example.com"), "10.0.0.10").await.is_ok(), "another source is not blocked");
}

impl World {
    fn clock_now(&self) -> DateTime<Utc> {
        use visits_domain::ports::Clock;
        self.clock.now()
    }
}

/// A signup token names the patient and the signup; it is no link or session token, nor they one.
#[tokio::test]
async fn a_signup_token_is_its_own_kind() {
    use visits_domain::model::{SignupId, UserId, VisitId};
    use visits_domain::tokens::{Audience, TokenRejected};
    let tokens = Tokens::new(Arc::new(visits_embedded::LocalSigner::generate()), "video-visits");
    let now = start_time();
    let patient = UserId::parse("b0000000-0000-4000-8000-000000000001").unwrap();
    let signup = SignupId::from_random([3; SignupId::RANDOM_BYTES]);
    let token_id = OsRandom.token_id();
    let token = tokens.issue_signup(&patient, &signup, &token_id, now, now + Duration::hours(1)).await.unwrap();

    let verified = tokens.verify_signup(&token, now).await.unwrap().unwrap();
    assert_eq!(
        (verified.patient_id, verified.signup_id, verified.expires_at),
        (patient.clone(), signup, now + Duration::hours(1))
    );
    assert_eq!(verified.token_id.digest(), token_id.digest());
    assert_eq!(
        tokens.verify_signup(&token, now + Duration::hours(2)).await.unwrap().unwrap_err(),
        TokenRejected::Expired
    );
    for audience in [Audience::Link, Audience::Session] {
        assert!(tokens.verify(&token, audience, now).await.unwrap().is_err(), "not a {audience:?} token");
    }
    let visit = VisitId::parse("vis_abcdefghijklmnopqrst").unwrap();
    let session =
        tokens.issue(Audience::Session, &patient, &visit, &token_id, now, now + Duration::hours(1)).await.unwrap();
    assert_eq!(tokens.verify_signup(&session, now).await.unwrap().unwrap_err(), TokenRejected::Invalid);
}
