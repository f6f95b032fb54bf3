use async_trait::async_trait;

use crate::model::{Applicant, Channel, Digest, Email, PatientContact, Person, PhoneNumber, Signup, SignupId, UserId};
use crate::ports::{CommitError, DependencyError};

/// Where signups are kept, and which contacts belong to patients already (by the keyed MAC of the
/// contact: the contact itself is not a key anywhere).
#[async_trait]
pub trait SignupStore: Send + Sync {
    async fn signup(&self, id: &SignupId) -> Result<Option<Signup>, DependencyError>;
    /// The patient a contact belongs to, by the contact's keyed MAC.
    async fn patient_with_contact(&self, contact: &Digest) -> Result<Option<UserId>, DependencyError>;
    /// Writes `signup`: new when `expected_version` is `None` (`AlreadyExists` if its id is taken),
    /// otherwise only over that version (`VersionConflict`). With `claim`, the contact's owner
    /// changes in the same write.
    async fn save_signup(
        &self,
        signup: &Signup,
        expected_version: Option<u64>,
        claim: Option<ContactClaim>,
    ) -> Result<(), CommitError>;
}

/// What a signup's write does to the owner of its contact (by the contact's keyed MAC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactClaim {
    /// The contact becomes the patient's (`AlreadyExists` if it is someone's already).
    Take(Digest, UserId),
    /// A verification undone lets go of the contact it took (`AlreadyExists` if it is someone
    /// else's).
    Release(Digest, UserId),
}

/// The identity provider's users (Cognito in AWS).
#[async_trait]
pub trait Directory: Send + Sync {
    /// Creates the patient's user (no password, no message from the provider, in no group yet:
    /// [`Directory::grant_patient`] adds them to `patient`) under `username` and returns their id.
    /// Asking again with the same username returns the same user: a retried verification creates
    /// no second one. Two steps, so that what needs the id (the signup token) is done beside the
    /// grant rather than after it.
    async fn create_patient(
        &self,
        username: &str,
        person: &Person,
        contact: &PatientContact,
    ) -> Result<UserId, DependencyError>;

    /// Adds the user `create_patient` made under `username` to the group `patient`. Adding again
    /// is not an error.
    async fn grant_patient(&self, username: &str) -> Result<(), DependencyError>;

    /// Creates the clinician an approved application names (group `clinician`, no password, no
    /// message from the provider) under `username`, or finds them: a retried approval makes no
    /// second user, and a user made before is added to the group.
    async fn create_clinician(&self, username: &str, applicant: &Applicant) -> Result<UserId, DependencyError>;

    /// Removes the user named `username`, made for a signup whose contact another signup claimed
    /// first: nothing refers to them. A user that does not exist is not an error.
    async fn remove_user(&self, username: &str) -> Result<(), DependencyError>;

    /// Whether any user (however made: a signup, an admin, an approval, a demo account) has the
    /// contact `channel` names in `contact`. Signup treats such a contact as known.
    async fn has_contact(&self, contact: &PatientContact, channel: Channel) -> Result<bool, DependencyError>;
}

/// How a member of staff is reached: the contact on their profile. PHI-free, but personal:
/// never logged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StaffContact {
    pub email: Option<Email>,
    pub phone: Option<PhoneNumber>,
}

/// Staff's profiles in the identity provider (Cognito in AWS).
#[async_trait]
pub trait StaffDirectory: Send + Sync {
    /// The contact on the profile of the user whose id (`sub`) this is; `None` for nobody.
    async fn contact_of(&self, user: &UserId) -> Result<Option<StaffContact>, DependencyError>;
}
