//! What every `ApplicationStore` must do, run on memory and on DynamoDB (tests/api/store_contract.rs).

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use visits_domain::model::{
    Applicant, Application, ApplicationId, ApplicationStatus, AuditHead, AuditKind, AuditRecord, AuditSubject,
    CodeChallenge, Digest, DocumentRef, Email, License, LicenseNumber, LicenseState, Npi, PersonName, ScanStatus,
    Upload, UploadContentType, UploadId, UploadOwner, UploadSize,
};
use visits_domain::ports::{ApplicationQuery, ApplicationStore, ApplicationWrite, CommitError, Store, UploadStore};

/// Applications, their uploads and the audit stream's one-record read live in the same store.
pub trait ApplicationsAndAudit: ApplicationStore + UploadStore + Store {}
impl<T: ApplicationStore + UploadStore + Store> ApplicationsAndAudit for T {}

pub type SharedApplications = Arc<dyn ApplicationsAndAudit>;

fn at(minutes: i64) -> DateTime<Utc> {
    "2030-02-01T09:00:00Z".parse::<DateTime<Utc>>().unwrap() + Duration::minutes(minutes)
}

fn application(n: u8, status: ApplicationStatus, created: i64) -> Application {
    Application {
        id: ApplicationId::from_random([n; ApplicationId::RANDOM_BYTES]),
        applicant: Applicant {
            given_name: PersonName::parse("Ada").unwrap(),
            family_name: PersonName::parse("Lovelace").unwrap(),
            email: Email::parse("ada@clinic.example").unwrap(),
            phone: None,
            npi: Npi::parse("1234567893").unwrap(),
            licenses: vec![License {
                state: LicenseState::parse("CA").unwrap(),
                number: LicenseNumber::parse("A1").unwrap(),
                expires_on: NaiveDate::from_ymd_opt(2031, 1, 1).unwrap(),
            }],
            specialty: None,
        },
        status,
        challenge: CodeChallenge::first(Digest::of(b"mac"), at(created)),
        notes: Vec::new(),
        documents: Vec::new(),
        clinician_id: None,
        audit_head: AuditHead::default(),
        created_at: at(created),
        updated_at: at(created),
        version: 1,
    }
}

/// The next record of `application`'s chain, its head moved on.
fn event(application: &mut Application, kind: AuditKind) -> AuditRecord {
    let record =
        AuditRecord::after(application.audit_head, application.id.clone(), at(0), kind, "test", BTreeMap::new());
    application.audit_head = record.head();
    record
}

pub async fn an_application_is_kept_with_its_chain_and_changed_only_over_its_version(store: SharedApplications) {
    let mut first = application(1, ApplicationStatus::Pending, 0);
    assert_eq!(store.application(&first.id).await.unwrap(), None);
    let started = event(&mut first, AuditKind::ApplicationStarted);
    store.save_application(&first, None, vec![started.clone()]).await.unwrap();
    assert_eq!(store.application(&first.id).await.unwrap(), Some(first.clone()));
    let again = store.save_application(&first, None, vec![]).await;
    assert!(matches!(again, Err(CommitError::AlreadyExists)), "{again:?}");

    let mut next = first.clone();
    next.status = ApplicationStatus::Submitted;
    next.version = 2;
    let submitted = event(&mut next, AuditKind::ApplicationSubmitted);
    store.save_application(&next, Some(1), vec![submitted.clone()]).await.unwrap();
    assert_eq!(store.application_trail(&first.id).await.unwrap(), vec![started, submitted.clone()]);
    let subject = AuditSubject::Application(first.id.clone());
    assert_eq!(store.audit_record(&subject, 2).await.unwrap(), Some(submitted));

    // A write over a stale version: neither the application nor its audit record lands.
    let mut stale = first.clone();
    stale.status = ApplicationStatus::Submitted;
    stale.version = 2;
    let lost = event(&mut stale, AuditKind::ApplicationSubmitted);
    let refused = store.save_application(&stale, Some(1), vec![lost]).await;
    assert!(matches!(refused, Err(CommitError::VersionConflict)), "{refused:?}");
    assert_eq!(store.application(&first.id).await.unwrap(), Some(next));
    assert_eq!(store.application_trail(&first.id).await.unwrap().len(), 2);
}

pub async fn applications_list_by_status_oldest_first_in_pages(store: SharedApplications) {
    use ApplicationStatus::*;
    // Created out of order; one pending (unproven), which an unfiltered list leaves out.
    let apps = [
        application(11, Submitted, 30),
        application(12, UnderReview, 10),
        application(13, Submitted, 20),
        application(14, Pending, 5),
        application(15, Approved, 40),
    ];
    for app in &apps {
        store.save_application(app, None, vec![]).await.unwrap();
    }
    let ids = |page: &[Application]| page.iter().map(|a| a.id.clone()).collect::<Vec<_>>();
    let submitted = ApplicationQuery { status: Some(Submitted), limit: 10, after: None };
    assert_eq!(ids(&store.applications(&submitted).await.unwrap().items), [apps[2].id.clone(), apps[0].id.clone()]);

    let first = store.applications(&ApplicationQuery { status: None, limit: 2, after: None }).await.unwrap();
    assert_eq!(ids(&first.items), [apps[1].id.clone(), apps[2].id.clone()]);
    let rest = ApplicationQuery { status: None, limit: 2, after: first.next.clone() };
    let second = store.applications(&rest).await.unwrap();
    assert_eq!(ids(&second.items), [apps[0].id.clone(), apps[4].id.clone()]);
    assert!(second.next.is_none(), "{:?}", second.next);

    let pending = ApplicationQuery { status: Some(Pending), limit: 10, after: None };
    assert_eq!(ids(&store.applications(&pending).await.unwrap().items), [apps[3].id.clone()]);

    // A status move moves the application between the status's listings.
    let mut moved = apps[0].clone();
    moved.status = UnderReview;
    moved.version = 2;
    store.save_application(&moved, Some(1), vec![]).await.unwrap();
    assert_eq!(ids(&store.applications(&submitted).await.unwrap().items), [apps[2].id.clone()]);
}

/// A licence's upload and its application's documents: written together, each over its version.
pub async fn an_upload_moves_with_its_applications_documents(store: SharedApplications) {
    let mut application = application(21, ApplicationStatus::Submitted, 0);
    store.save_application(&application, None, vec![]).await.unwrap();
    let mut upload = Upload {
        id: UploadId::from_random([22; UploadId::RANDOM_BYTES]),
        owner: UploadOwner::Applicant { application_id: application.id.clone() },
        content_type: UploadContentType::Pdf,
        size: UploadSize::parse(1000).unwrap(),
        status: ScanStatus::Pending,
        created_at: at(1),
        updated_at: at(1),
        version: 1,
    };
    let read_version = application.version;
    application.documents.push(DocumentRef { upload_id: upload.id.to_string(), status: ScanStatus::Pending });
    application.version += 1;
    let write = |application: &Application, expected_version| {
        Some(ApplicationWrite { application: application.clone(), expected_version })
    };
    store.save_upload(&upload, None, write(&application, read_version)).await.unwrap();
    assert_eq!(store.upload(&upload.id).await.unwrap(), Some(upload.clone()));
    assert_eq!(store.application(&application.id).await.unwrap(), Some(application.clone()));
    let again = store.save_upload(&upload, None, None).await;
    assert!(matches!(again, Err(CommitError::AlreadyExists)), "{again:?}");

    // The scan's result over a stale application version: neither moves.
    let mut scanned = upload.clone();
    assert!(scanned.scanned(ScanStatus::Clean, at(2)));
    scanned.version = 2;
    let stale = store.save_upload(&scanned, Some(1), write(&application, read_version)).await;
    assert!(matches!(stale, Err(CommitError::VersionConflict)), "{stale:?}");
    assert_eq!(store.upload(&upload.id).await.unwrap().unwrap().status, ScanStatus::Pending, "nothing half written");

    let mut current = application.clone();
    current.documents[0].status = ScanStatus::Clean;
    current.version += 1;
    store.save_upload(&scanned, Some(1), write(&current, application.version)).await.unwrap();
    assert_eq!(store.upload(&upload.id).await.unwrap().unwrap().status, ScanStatus::Clean);
    assert_eq!(store.application(&application.id).await.unwrap().unwrap().documents[0].status, ScanStatus::Clean);
    upload.version = 2;
    let stale_upload = store.save_upload(&upload, Some(1), None).await;
    assert!(matches!(stale_upload, Err(CommitError::VersionConflict)), "{stale_upload:?}");
}
