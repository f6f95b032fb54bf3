//! The identity provider's users in memory: demo mode's Cognito.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use visits_domain::model::{Applicant, Channel, PatientContact, Person, UserId};
use visits_domain::ports::{DependencyError, Directory, StaffContact, StaffDirectory};

/// A user as the directory keeps them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryUser {
    pub id: UserId,
    pub username: String,
    /// `None` between a patient's creation and their grant.
    pub group: Option<&'static str>,
    pub contact: PatientContact,
}

#[derive(Default)]
pub struct MemoryDirectory {
    users: Mutex<HashMap<String, DirectoryUser>>,
}

impl MemoryDirectory {
    pub fn new() -> Self {
        Self::default()
    }

    fn users(&self) -> MutexGuard<'_, HashMap<String, DirectoryUser>> {
        self.users.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn all(&self) -> Vec<DirectoryUser> {
        self.users().values().cloned().collect()
    }

    /// Adds a user as they are (demo mode's fixed accounts), replacing one of the same username.
    pub fn add_user(&self, user: DirectoryUser) {
        self.users().insert(user.username.clone(), user);
    }
}

impl MemoryDirectory {
    /// The user named `username`, made the first time; with `group`, in it either way.
    fn user_in(&self, username: &str, group: Option<&'static str>, contact: &PatientContact) -> UserId {
        let mut users = self.users();
        let user = users.entry(username.to_owned()).or_insert_with(|| DirectoryUser {
            id: UserId::parse(&crate::demo_video::random_uuid())
                .unwrap_or_else(|_| unreachable!("a UUID is a user id")),
            username: username.to_owned(),
            group: None,
            contact: contact.clone(),
        });
        if group.is_some() {
            user.group = group;
        }
        user.id.clone()
    }
}

#[async_trait]
impl Directory for MemoryDirectory {
    async fn create_patient(
        &self,
        username: &str,
        _person: &Person,
        contact: &PatientContact,
    ) -> Result<UserId, DependencyError> {
        Ok(self.user_in(username, None, contact))
    }

    async fn grant_patient(&self, username: &str) -> Result<(), DependencyError> {
        match self.users().get_mut(username) {
            Some(user) => {
                user.group = Some("patient");
                Ok(())
            }
            None => Err(DependencyError::failed(visits_domain::ports::Dependency::Directory, "no such user")),
        }
    }

    async fn create_clinician(&self, username: &str, applicant: &Applicant) -> Result<UserId, DependencyError> {
        let contact =
            PatientContact { phone: applicant.phone.clone(), email: Some(applicant.email.clone()), display_name: None };
        Ok(self.user_in(username, Some("clinician"), &contact))
    }

    async fn remove_user(&self, username: &str) -> Result<(), DependencyError> {
        self.users().remove(username);
        Ok(())
    }

    async fn has_contact(&self, contact: &PatientContact, channel: Channel) -> Result<bool, DependencyError> {
        // Compared as lookups compare them (an email's case folded), as Cognito's filter is asked.
        let wanted = match channel {
            Channel::Email => contact.email.as_ref().map(|email| email.lookup_message()),
            Channel::Sms => contact.phone.as_ref().map(|phone| phone.lookup_message()),
        };
        let Some(wanted) = wanted else { return Ok(false) };
        Ok(self.users().values().any(|user| {
            let email = user.contact.email.as_ref().map(|email| email.lookup_message());
            let phone = user.contact.phone.as_ref().map(|phone| phone.lookup_message());
            email.as_ref() == Some(&wanted) || phone.as_ref() == Some(&wanted)
        }))
    }
}

#[async_trait]
impl StaffDirectory for MemoryDirectory {
    async fn contact_of(&self, user: &UserId) -> Result<Option<StaffContact>, DependencyError> {
        let users = self.users();
        let found = users.values().find(|candidate| candidate.id == *user);
        Ok(found.map(|user| StaffContact { email: user.contact.email.clone(), phone: user.contact.phone.clone() }))
    }
}
