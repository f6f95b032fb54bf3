//! The lander's booking: a verified signup's first visit, booked by the lander's backend with its
//! own identity. The patient and how to reach them come from the signup token and the signup it
//! names, never from the request; the token books once.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::DomainError;
use crate::model::{DurationMinutes, Provider, ServiceClient, TimeZone, UserId, Visit};
use crate::ports::{SignupStore, SignupWrite};
use crate::tokens::Tokens;
use crate::usecases::core::Core;
use crate::usecases::visits::{NewVisit, Scheduler, Visits};

/// `POST /service/visits`, each field already valid.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceBooking {
    /// Hashed for idempotency only through the signup it names (see `book`).
    #[serde(skip)]
    pub signup_token: String,
    pub clinician_id: UserId,
    pub scheduled_at: DateTime<Utc>,
    pub duration: DurationMinutes,
    pub provider: Provider,
    /// The zone the lander's patient books in; the clinic's when `None`.
    pub time_zone: Option<TimeZone>,
}

pub struct Bookings {
    core: Core,
    visits: Visits,
    tokens: Arc<Tokens>,
    signups: Arc<dyn SignupStore>,
}

impl Bookings {
    pub fn new(core: Core, tokens: Arc<Tokens>, signups: Arc<dyn SignupStore>) -> Self {
        Self { visits: Visits::new(core.clone()), core, tokens, signups }
    }

    /// Books the signed-up patient's visit. A retry with the same key and request answers with
    /// the first visit, even though the token is used up by then; an invalid, expired or used-up
    /// token is 401.
    pub async fn book(
        &self,
        service: &ServiceClient,
        booking: ServiceBooking,
        idempotency_key: &str,
    ) -> Result<Visit, DomainError> {
        let now = self.core.now();
        let signed_up =
            self.tokens.verify_signup(&booking.signup_token, now).await?.map_err(|_| DomainError::Unauthenticated)?;
        // The same request is the same signup and the same booking fields (a token re-issued for
        // the signup would differ in its bytes only).
        let hashed = (signed_up.signup_id.as_str(), &booking);
        let idempotency = self.visits.idempotency_record(&service.id, idempotency_key, &hashed);
        // Independent: the signup, and the visit an earlier try with this key made.
        let (signup, replayed) = futures::try_join!(
            async { self.signups.signup(&signed_up.signup_id).await.map_err(DomainError::from) },
            self.visits.replay(Some(&idempotency)),
        )?;
        if let Some(visit) = replayed {
            return Ok(visit);
        }
        let signup = signup.ok_or(DomainError::Unauthenticated)?;
        let request = NewVisit {
            patient_id: signed_up.patient_id.clone(),
            clinician_id: Some(booking.clinician_id.clone()),
            scheduled_at: booking.scheduled_at,
            duration: booking.duration,
            provider: booking.provider,
            patient_contact: Some(signup.verified_contact()),
            time_zone: booking.time_zone,
        };
        let by = Scheduler { actor: service.actor(), idempotency: Some(idempotency) };
        self.visits
            .insert(request, booking.clinician_id, by, |visit_id| {
                let booked = signup.booked(&signed_up.patient_id, visit_id.clone(), now);
                let booked = booked.ok_or(DomainError::Unauthenticated)?;
                Ok(Some(SignupWrite { signup: booked, expected_version: signup.version }))
            })
            .await
    }
}
