//! A fresh link on request (`POST /join/{code}/resend`), to the contact on file.

use chrono::Duration;

use super::Notifications;
use crate::DomainError;
use crate::model::LinkCode;
use crate::rules::JoinWindow;
use crate::usecases::attempts;
use crate::usecases::guests::{Occasion, send_fresh_link};

/// A fresh link on request: at most one per holder in this long, and this many a day.
const RESEND_GAP: Duration = Duration::minutes(5);
const RESENDS_PER_DAY: u32 = 3;

impl Notifications {
    /// `POST /join/{code}/resend`: whoever holds a dead link asks for a fresh one. It goes to the
    /// contact on file (never anywhere the request names), at most once per 5 minutes and 3 times
    /// a day per visit, and only for a visit that has not ended. The caller learns nothing: the
    /// answer is the same whatever the code. Every ask counts against the source like a failed join.
    pub async fn resend_link(&self, raw_code: &str, source_ip: &str) -> Result<(), DomainError> {
        let core = self.links.core();
        let now = core.now();
        let code = LinkCode::parse(raw_code);
        // Independent: the source's count and the code's link.
        let lookup = async {
            match &code {
                Some(code) => core.store.link_by_code(&code.digest()).await.map_err(DomainError::from),
                None => Ok(None),
            }
        };
        let (seen, link) = futures::try_join!(attempts::guard(core, source_ip, now), lookup)?;
        let Some(link) = link else { return attempts::count_failure(core, source_ip, seen, now).await };
        // Independent again: counting the ask, the visit, and its resend counters. A guest's
        // link is the guest's: their own counters, a fresh link to their own contact.
        let holder =
            link.guest.as_ref().map_or_else(|| link.visit_id.to_string(), |g| format!("{}#{g}", link.visit_id));
        let (gap_key, day_key) = (format!("resend-gap#{holder}"), format!("resend-day#{holder}"));
        let counters = async {
            futures::try_join!(core.store.failures(&gap_key, now), core.store.failures(&day_key, now))
                .map_err(DomainError::from)
        };
        let visit = async {
            match core.load(&link.visit_id).await {
                Err(DomainError::VisitNotFound) => Ok(None),
                other => other.map(Some),
            }
        };
        let (_, visit, (gap, day)) =
            futures::try_join!(attempts::count_failure(core, source_ip, seen, now), visit, counters)?;
        // The same answer for a link whose visit is gone.
        let Some(visit) = visit else { return Ok(()) };
        let window = JoinWindow::of(&visit, &core.policy);
        let reachable = match &link.guest {
            None => visit.patient_contact().is_some(),
            Some(guest) => visit.guest(guest).is_some(),
        };
        if visit.status().is_final() || now >= window.closes_at || !reachable {
            return Ok(());
        }
        if gap.count >= 1 || day.count >= RESENDS_PER_DAY {
            return Ok(());
        }
        futures::try_join!(
            core.store.record_failure(&gap_key, now, RESEND_GAP, gap),
            core.store.record_failure(&day_key, now, Duration::days(1), day),
        )?;
        match &link.guest {
            None => self.deliver(visit, "public:resend", None, None).await.map(|_| ()),
            Some(guest) => {
                let notifier = self.notifier.as_ref();
                send_fresh_link(&self.links, notifier, visit, guest, "public:resend", Occasion::Resent)
                    .await
                    .map(|_| ())
            }
        }
    }
}
