//! `guests`: a visit's clinician (or an admin) invites a caregiver or interpreter, who is sent a
//! one-time link of their own, and removes them again.

use std::sync::Arc;

use lambda_http::http::StatusCode;
use serde::{Deserialize, Serialize};
use visits_domain::model::{DisplayName, GuestContact, GuestRole, NewGuest};
use visits_domain::ports::{Notifier, SeatRemover};
use visits_domain::usecases::{Core, Delivery, Guests, Links};
use visits_http::caller::caller;
use visits_http::input::{idempotency_key, json_body, no_body, path_param, visit_id};
use visits_http::{Body, Error, Problem, Request, Response, RouteKey, empty, handle_request, json};

visits_http::routes! {
    pub enum Route {
        Add => "POST /visits/{visitId}/guests",
        Remove => "DELETE /visits/{visitId}/guests/{guestId}",
    }
}

pub const ROUTES: &[RouteKey] = Route::KEYS;
/// The routes that answer with a patient's data (each read recorded first).
pub const PATIENT_DATA_ROUTES: &[RouteKey] = Route::PATIENT_DATA;

pub struct App {
    guests: Guests,
}

impl App {
    /// `seats`: where a removed guest's seat in the meeting is taken away.
    pub fn new(core: Core, notifier: Arc<dyn Notifier>, seats: Arc<dyn SeatRemover>) -> Self {
        Self { guests: Guests::new(Arc::new(Links::new(core)), notifier, seats) }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct GuestBody {
    role: GuestRole,
    #[serde(default)]
    display_name: Option<DisplayName>,
    contact: GuestContact,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AddedBody<'a> {
    guest_id: &'a str,
    role: GuestRole,
    /// How sending the guest their link went, channel by channel.
    deliveries: &'a [Delivery],
}

pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, Error> {
    handle_request(request, |request| async move {
        let route = Route::of(&request).ok_or_else(Problem::route_not_found)?;
        let caller = caller(&request)?;
        let id = visit_id(&request)?;
        match route {
            Route::Add => {
                let body: GuestBody = json_body(&request)?;
                let invited = NewGuest { role: body.role, display_name: body.display_name, contact: body.contact };
                let added = app.guests.add(&caller, &id, invited, idempotency_key(&request)?).await?;
                let body = AddedBody {
                    guest_id: added.guest.id.as_str(),
                    role: added.guest.role,
                    deliveries: &added.deliveries,
                };
                Ok(json(StatusCode::CREATED, &body))
            }
            Route::Remove => {
                no_body(&request)?;
                app.guests.remove(&caller, &id, &path_param(&request, "guestId")).await?;
                Ok(empty(StatusCode::NO_CONTENT))
            }
        }
    })
    .await
}
