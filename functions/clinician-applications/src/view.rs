//! The Application JSON of the contract.

use chrono::{DateTime, Utc};
use serde::Serialize;
use visits_domain::model::{Application, ApplicationStatus, DocumentRef, License, ReviewNote};
use visits_domain::ports::{ApplicationCursor, ApplicationPage};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationView<'a> {
    application_id: &'a str,
    status: ApplicationStatus,
    given_name: &'a str,
    family_name: &'a str,
    email: &'a str,
    npi: &'a str,
    licenses: &'a [License],
    specialty: Option<&'a str>,
    documents: &'a [DocumentRef],
    notes: &'a [ReviewNote],
    version: u64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl<'a> ApplicationView<'a> {
    pub fn new(application: &'a Application) -> Self {
        let applicant = &application.applicant;
        Self {
            application_id: application.id.as_str(),
            status: application.status,
            given_name: applicant.given_name.expose(),
            family_name: applicant.family_name.expose(),
            email: applicant.email.expose(),
            npi: applicant.npi.as_str(),
            licenses: &applicant.licenses,
            specialty: applicant.specialty.as_ref().map(|s| s.as_str()),
            documents: &application.documents,
            notes: &application.notes,
            version: application.version,
            created_at: application.created_at,
            updated_at: application.updated_at,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationPageView<'a> {
    items: Vec<ApplicationView<'a>>,
    next_cursor: Option<String>,
}

impl<'a> ApplicationPageView<'a> {
    pub fn new(page: &'a ApplicationPage) -> Self {
        Self {
            items: page.items.iter().map(ApplicationView::new).collect(),
            next_cursor: page.next.as_ref().map(ApplicationCursor::encode),
        }
    }
}
