//! Notify on the AWS adapters (DynamoDB, KMS, SES, SNS) of the local AWS: the messages that were
//! really sent carry the link and the time, and nothing else about the patient.

use std::sync::Arc;

use chrono::{Duration, SubsecRound, Utc};
use visits_domain::model::{Caller, DeliveryStatus, DurationMinutes, PatientContact, Provider, Role, UserId};
use visits_domain::rules::Policy;
use visits_domain::usecases::{Core, Links, NewVisit, Notifications, Visits};
use visits_runtime::{OsRandom, SystemClock};
use visits_tests::local_aws::{aws_notifier, dynamodb_store, recorded};
use visits_tests::store_contract::code_entry;

#[tokio::test]
async fn links_go_out_by_ses_and_sns_with_nothing_about_health() {
    let unique = uuid::Uuid::new_v4().simple().to_string();
    let email = format!("pat-{}@example.com", &unique[..12]);
    let phone = format!(
        "+4479{}",
        &unique.chars().filter(char::is_ascii_digit).chain("0000000".chars()).take(8).collect::<String>()
    );
    let contact: PatientContact =
        serde_json::from_value(serde_json::json!({"phone": phone, "email": email, "displayName": "Pat Example"}))
            .unwrap();

    let core = Core {
        store: Arc::new(dynamodb_store().await),
        clock: Arc::new(SystemClock),
        ids: Arc::new(OsRandom),
        policy: Arc::new(Policy { join_base_url: "https://visits.clinic.example".into(), ..Policy::default() }),
    };
    let clinician = Caller { id: UserId::parse("dr-1").unwrap(), role: Role::Clinician };
    let visit = Visits::new(core.clone())
        .schedule(
            &clinician,
            NewVisit {
                patient_id: UserId::parse("patient-77").unwrap(),
                clinician_id: None,
                scheduled_at: (Utc::now() + Duration::hours(2)).trunc_subsecs(0),
                duration: DurationMinutes::new(30).unwrap(),
                provider: Provider::Chime,
                patient_contact: Some(contact),
                time_zone: None,
            },
            None,
        )
        .await
        .unwrap();
    let notifications = Notifications::new(Arc::new(Links::new(core.clone())), Arc::new(aws_notifier().await));
    let deliveries = notifications.notify(&clinician, visit.id(), None).await.unwrap();
    assert_eq!(deliveries.len(), 2);
    assert!(deliveries.iter().all(|d| d.status == DeliveryStatus::Sent), "{deliveries:?}");

    let data = recorded().await;
    let id_of =
        |channel: &str| deliveries.iter().find(|d| d.channel.as_str() == channel).unwrap().message_id.clone().unwrap();
    let mail = data["ses"]["Message"].as_array().unwrap().iter().find(|m| m["id"] == id_of("email").as_str()).unwrap();
    let sms = data["sns"]["SMS"].as_array().unwrap().iter().find(|m| m["message_id"] == id_of("sms").as_str()).unwrap();
    assert_eq!(mail["destinations"]["ToAddresses"][0], email.as_str());
    assert_eq!(sms["phone_number"], phone.as_str());

    let texts = [
        format!("{}\n{}", mail["subject"].as_str().unwrap(), mail["body"].as_str().unwrap()),
        sms["message"].as_str().unwrap().to_owned(),
    ];
    let time = visit.scheduled_at().format("%Y-%m-%d %H:%M UTC").to_string();
    for text in &texts {
        let url =
            text.split_whitespace().find(|w| w.starts_with("https://visits.clinic.example/j/")).expect("the link");
        let code = url.rsplit('/').next().unwrap();
        let code_hash = visits_domain::model::LinkCode::parse(code).unwrap().digest();
        let entry = code_entry(&*core.store, code_hash).await.expect("the sent code is stored");
        assert_eq!(entry.visit_id.as_ref(), Some(visit.id()), "the sent code admits to this visit");
        assert!(text.contains(&time), "{text}");
        for private in ["Pat", "Example", "dr-1", "patient-77", visit.id().as_str(), &email, &phone] {
            assert!(!text.contains(private), "{private:?} in {text}");
        }
    }
}

/// The invitation goes to SES as an attachment (`invite.ics`, `text/calendar`), beside the text.
#[tokio::test]
async fn the_calendar_invitation_is_an_ses_attachment() {
    use aws_smithy_mocks::{MockResponseInterceptor, RuleMode, mock};
    use visits_domain::ports::{Notifier, OutgoingMessage};
    let rule = mock!(aws_sdk_sesv2::Client::send_email)
        .match_requests(|request| {
            let simple = request.content().and_then(|c| c.simple());
            let attachments = simple.map(|s| s.attachments()).unwrap_or_default();
            attachments.len() == 1
                && attachments[0].file_name() == "invite.ics"
                && attachments[0].content_type().is_some_and(|t| t.starts_with("text/calendar"))
                && attachments[0].raw_content().as_ref() == b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
                && simple.and_then(|s| s.body()).and_then(|b| b.text()).is_some_and(|t| t.data() == "the text")
        })
        .then_output(|| aws_sdk_sesv2::operation::send_email::SendEmailOutput::builder().message_id("m-1").build());
    // The request reaches the local AWS; the rule checks its shape and stands in for the answer.
    let interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny).with_rule(&rule);
    let config = visits_tests::local_aws::sdk_config().await;
    let ses = aws_sdk_sesv2::Client::from_conf(
        aws_sdk_sesv2::config::Builder::from(&config).interceptor(interceptor).build(),
    );
    let notifier = visits_aws_notify::AwsNotifier::email_only(ses, "visits@clinic.example");
    let message = OutgoingMessage::Email {
        to: visits_domain::model::Email::parse("pat@example.com").unwrap(),
        subject: "s".into(),
        body: "the text".into(),
        calendar: Some("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n".into()),
    };
    assert_eq!(notifier.send(&message).await.unwrap(), "m-1");
    assert_eq!(rule.num_calls(), 1);
}

/// A visit's jobs on the AWS adapters: the reminder's claim and the no-show live in DynamoDB's
/// visit item, so a second firing sends nothing and the no-show is read back final.
#[tokio::test]
async fn jobs_run_once_on_dynamodb_and_a_no_show_is_kept() {
    use visits_domain::model::{VisitJob, VisitStatus};
    use visits_domain::usecases::JobOutcome;
    let clock = Arc::new(visits_embedded::ManualClock::new(Utc::now().trunc_subsecs(0)));
    let core = Core {
        store: Arc::new(dynamodb_store().await),
        clock: clock.clone(),
        ids: Arc::new(OsRandom),
        policy: Arc::new(Policy::default()),
    };
    let clinician = Caller { id: UserId::parse("dr-1").unwrap(), role: Role::Clinician };
    let contact: PatientContact = serde_json::from_value(serde_json::json!({"email": "jobs@example.com"})).unwrap();
    let at = visits_domain::ports::Clock::now(clock.as_ref()) + Duration::hours(2);
    let new = NewVisit {
        patient_id: UserId::parse("patient-78").unwrap(),
        clinician_id: None,
        scheduled_at: at,
        duration: DurationMinutes::new(30).unwrap(),
        provider: Provider::Chime,
        patient_contact: Some(contact),
        time_zone: None,
    };
    let visit = Visits::new(core.clone()).schedule(&clinician, new, None).await.unwrap();
    assert_eq!(visit.jobs_done(), [VisitJob::DayBefore], "booked 2 hours ahead: no day-before reminder");
    let jobs = Notifications::new(Arc::new(Links::new(core.clone())), Arc::new(aws_notifier().await));
    clock.advance(Duration::minutes(106));
    assert_eq!(jobs.run_job(visit.id(), VisitJob::SoonBefore, Some(at)).await.unwrap(), JobOutcome::Done);
    assert_eq!(jobs.run_job(visit.id(), VisitJob::SoonBefore, Some(at)).await.unwrap(), JobOutcome::Skipped);
    clock.advance(Duration::minutes(60));
    assert_eq!(jobs.run_job(visit.id(), VisitJob::NoShowCheck, Some(at)).await.unwrap(), JobOutcome::Done);
    let stored = core.store.visit(visit.id()).await.unwrap().unwrap();
    assert_eq!(stored.status(), VisitStatus::NoShow);
    assert!(stored.jobs_done().contains(&VisitJob::SoonBefore) && stored.jobs_done().contains(&VisitJob::NoShowCheck));
}
