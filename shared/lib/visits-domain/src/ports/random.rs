use chrono::{DateTime, Utc};

use crate::model::{ApplicationId, GuestId, LinkCode, OneTimeCode, SignupId, TokenId, UploadId, VisitId};

/// The time. Tests use a clock they can move.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// Randomness for ids, codes and token ids. Production reads the OS; tests may count.
pub trait IdSource: Send + Sync {
    fn fill(&self, dest: &mut [u8]);

    fn visit_id(&self) -> VisitId {
        let mut bytes = [0u8; VisitId::RANDOM_BYTES];
        self.fill(&mut bytes);
        VisitId::from_random(bytes)
    }

    fn link_code(&self) -> LinkCode {
        LinkCode::from_random(|dest| self.fill(dest))
    }

    fn signup_id(&self) -> SignupId {
        let mut bytes = [0u8; SignupId::RANDOM_BYTES];
        self.fill(&mut bytes);
        SignupId::from_random(bytes)
    }

    fn application_id(&self) -> ApplicationId {
        let mut bytes = [0u8; ApplicationId::RANDOM_BYTES];
        self.fill(&mut bytes);
        ApplicationId::from_random(bytes)
    }

    fn upload_id(&self) -> UploadId {
        let mut bytes = [0u8; UploadId::RANDOM_BYTES];
        self.fill(&mut bytes);
        UploadId::from_random(bytes)
    }

    fn guest_id(&self) -> GuestId {
        let mut bytes = [0u8; GuestId::RANDOM_BYTES];
        self.fill(&mut bytes);
        GuestId::from_random(bytes)
    }

    fn capture_id(&self) -> crate::model::CaptureId {
        let mut bytes = [0u8; crate::model::CaptureId::RANDOM_BYTES];
        self.fill(&mut bytes);
        crate::model::CaptureId::from_random(bytes)
    }

    fn one_time_code(&self) -> OneTimeCode {
        OneTimeCode::from_random(|dest| self.fill(dest))
    }

    fn token_id(&self) -> TokenId {
        let mut bytes = [0u8; TokenId::RANDOM_BYTES];
        self.fill(&mut bytes);
        TokenId::from_random(bytes)
    }
}
