//! Patients in the Cognito user pool the API trusts. A verified signup becomes a user named by the
//! signup id (so a retry finds the same user instead of making a second), with the contact it
//! proved marked verified, no password (the portal signs in with an emailed or texted code), no
//! message from Cognito (we sent our own), in the group `patient`. `SignUp` is never called with
//! what a person typed: it tells whether a user exists.

mod user_tokens;

pub use user_tokens::CognitoUserTokens;

use async_trait::async_trait;
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::types::{AttributeType, MessageActionType};
use visits_domain::model::{Applicant, Channel, Email, PatientContact, Person, PhoneNumber, UserId};
use visits_domain::ports::{Dependency, DependencyError, Directory, StaffContact, StaffDirectory};

/// Users' access tokens of the pool named by `USER_POOL_ID`, issued to the app clients in
/// `USER_POOL_CLIENT_IDS` (comma-separated; the portal's and the desk's).
pub fn user_tokens_from_env(config: &visits_aws::SdkConfig) -> Result<CognitoUserTokens, visits_aws::MissingSetting> {
    let pool = visits_aws::required("USER_POOL_ID")?;
    let clients = visits_aws::required("USER_POOL_CLIENT_IDS")?;
    let clients = clients.split(',').map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect();
    let region = config.region().map(|r| r.to_string()).unwrap_or_default();
    Ok(CognitoUserTokens::over(visits_aws::OnDemand::new(config), &region, &pool, clients))
}

/// The directory on the pool named by `USER_POOL_ID`.
pub fn from_env(config: &visits_aws::SdkConfig) -> Result<CognitoDirectory, visits_aws::MissingSetting> {
    let user_pool_id = visits_aws::required("USER_POOL_ID")?;
    Ok(CognitoDirectory { client: visits_aws::OnDemand::new(config), user_pool_id })
}

/// The client is built on first use: most requests of the functions that hold a directory (a
/// signup's first step, a record visit-jobs follows) never call it.
pub struct CognitoDirectory {
    client: visits_aws::OnDemand<Client>,
    user_pool_id: String,
}

impl CognitoDirectory {
    pub fn new(client: Client, user_pool_id: impl Into<String>) -> Self {
        Self { client: visits_aws::OnDemand::built(client), user_pool_id: user_pool_id.into() }
    }

    fn client(&self) -> &Client {
        self.client.get(Client::new)
    }

    /// The `sub` of the user named `username`.
    async fn sub_of(&self, username: &str) -> Result<UserId, DependencyError> {
        let user = self
            .client()
            .admin_get_user()
            .user_pool_id(&self.user_pool_id)
            .username(username)
            .send()
            .await
            .map_err(failure)?;
        let sub = user.user_attributes().iter().find(|a| a.name() == "sub").and_then(|a| a.value());
        let sub = sub.ok_or_else(|| DependencyError::failed(Dependency::Directory, "the user has no sub"))?;
        UserId::parse(sub)
            .map_err(|_| DependencyError::failed(Dependency::Directory, "the user's sub is not a user id"))
    }
}

#[async_trait]
impl Directory for CognitoDirectory {
    /// Cognito's filter matches an attribute exactly: an email is asked for as given and, when
    /// that differs, in lower case (how signups and most admins write it), together.
    async fn has_contact(&self, contact: &PatientContact, channel: Channel) -> Result<bool, DependencyError> {
        match channel {
            Channel::Sms => match &contact.phone {
                Some(phone) => self.any_with("phone_number", phone.expose()).await,
                None => Ok(false),
            },
            Channel::Email => {
                let Some(email) = &contact.email else { return Ok(false) };
                let given = email.expose();
                let folded = given.to_lowercase();
                if folded == given {
                    return self.any_with("email", given).await;
                }
                let (as_given, lower) =
                    futures::try_join!(self.any_with("email", given), self.any_with("email", &folded))?;
                Ok(as_given || lower)
            }
        }
    }

    async fn create_patient(
        &self,
        username: &str,
        person: &Person,
        contact: &PatientContact,
    ) -> Result<UserId, DependencyError> {
        let mut attributes = vec![
            attribute("given_name", person.given_name.expose())?,
            attribute("family_name", person.family_name.expose())?,
            attribute("birthdate", &person.date_of_birth.expose().format("%Y-%m-%d").to_string())?,
        ];
        if let Some(email) = &contact.email {
            attributes.push(attribute("email", email.expose())?);
            attributes.push(attribute("email_verified", "true")?);
        }
        if let Some(phone) = &contact.phone {
            attributes.push(attribute("phone_number", phone.expose())?);
            attributes.push(attribute("phone_number_verified", "true")?);
        }
        self.user(username, attributes).await
    }

    async fn grant_patient(&self, username: &str) -> Result<(), DependencyError> {
        self.add_to_group(username, "patient").await
    }

    async fn create_clinician(&self, username: &str, applicant: &Applicant) -> Result<UserId, DependencyError> {
        // The email was proved with a code; the phone was not, so it is not marked verified.
        let mut attributes = vec![
            attribute("given_name", applicant.given_name.expose())?,
            attribute("family_name", applicant.family_name.expose())?,
            attribute("email", applicant.email.expose())?,
            attribute("email_verified", "true")?,
        ];
        if let Some(phone) = &applicant.phone {
            attributes.push(attribute("phone_number", phone.expose())?);
        }
        self.user_in_group(username, attributes, "clinician").await
    }

    async fn remove_user(&self, username: &str) -> Result<(), DependencyError> {
        let deleted =
            self.client().admin_delete_user().user_pool_id(&self.user_pool_id).username(username).send().await;
        match deleted {
            Ok(_) => Ok(()),
            Err(error) if error.as_service_error().is_some_and(|e| e.is_user_not_found_exception()) => Ok(()),
            Err(error) => Err(failure(error)),
        }
    }
}

impl CognitoDirectory {
    /// Whether a user has `attribute` = `value` (`ListUsers` with a filter, one result at most).
    async fn any_with(&self, attribute: &str, value: &str) -> Result<bool, DependencyError> {
        // A value with a quote or backslash would break out of the filter; a valid email or E.164
        // number has neither.
        if value.contains(['"', '\\']) {
            return Ok(false);
        }
        let listed = self
            .client()
            .list_users()
            .user_pool_id(&self.user_pool_id)
            .filter(format!("{attribute} = \"{value}\""))
            .limit(1)
            .send()
            .await
            .map_err(failure)?;
        Ok(!listed.users().is_empty())
    }
}

/// A member of staff's verified email and phone, found by their `sub` (`ListUsers` with a
/// `sub = "…"` filter: Cognito has no lookup by sub). An unverified address is never used.
#[async_trait]
impl StaffDirectory for CognitoDirectory {
    async fn contact_of(&self, user: &UserId) -> Result<Option<StaffContact>, DependencyError> {
        // A sub with a quote or backslash would break out of the filter; no Cognito sub has one.
        if user.as_str().contains(['"', '\\']) {
            return Ok(None);
        }
        let listed = self
            .client()
            .list_users()
            .user_pool_id(&self.user_pool_id)
            .filter(format!("sub = \"{user}\""))
            .limit(1)
            .send()
            .await
            .map_err(failure)?;
        let Some(found) = listed.users().first() else { return Ok(None) };
        let value = |name: &str| found.attributes().iter().find(|a| a.name() == name).and_then(|a| a.value());
        let verified = |name: &str| value(name) == Some("true");
        let email = value("email").filter(|_| verified("email_verified")).and_then(|e| Email::parse(e).ok());
        let phone = value("phone_number")
            .filter(|_| verified("phone_number_verified"))
            .and_then(|p| PhoneNumber::parse(p).ok());
        Ok(Some(StaffContact { email, phone }))
    }
}

fn attribute(name: &str, value: &str) -> Result<AttributeType, DependencyError> {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .map_err(|e| DependencyError::failed(Dependency::Directory, e.to_string()))
}

impl CognitoDirectory {
    /// Creates `username` with `attributes` (no password, no message from Cognito) unless it
    /// exists, adds it to `group`, and returns its sub. Safe to retry at any step.
    async fn user_in_group(
        &self,
        username: &str,
        attributes: Vec<AttributeType>,
        group: &str,
    ) -> Result<UserId, DependencyError> {
        let sub = self.user(username, attributes).await?;
        self.add_to_group(username, group).await?;
        Ok(sub)
    }

    /// Creates `username` with `attributes` (no password, no message from Cognito) unless it
    /// exists, and returns its sub. Safe to retry.
    async fn user(&self, username: &str, attributes: Vec<AttributeType>) -> Result<UserId, DependencyError> {
        let created = self
            .client()
            .admin_create_user()
            .user_pool_id(&self.user_pool_id)
            .username(username)
            .set_user_attributes(Some(attributes))
            .message_action(MessageActionType::Suppress)
            .send()
            .await;
        let sub = match created {
            // The new user's attributes carry its sub: no second read.
            Ok(output) => output
                .user()
                .and_then(|user| user.attributes().iter().find(|a| a.name() == "sub"))
                .and_then(|a| a.value())
                .map(str::to_owned),
            // A retry: the user was made the first time.
            Err(error) if error.as_service_error().is_some_and(|e| e.is_username_exists_exception()) => None,
            Err(error) => return Err(failure(error)),
        };
        match sub {
            Some(sub) => UserId::parse(&sub)
                .map_err(|_| DependencyError::failed(Dependency::Directory, "the user's sub is not a user id")),
            None => self.sub_of(username).await,
        }
    }

    /// Adding to a group the user is in already is not an error: retries are safe.
    async fn add_to_group(&self, username: &str, group: &str) -> Result<(), DependencyError> {
        self.client()
            .admin_add_user_to_group()
            .user_pool_id(&self.user_pool_id)
            .username(username)
            .group_name(group)
            .send()
            .await
            .map_err(failure)?;
        Ok(())
    }
}

fn failure<E>(error: SdkError<E>) -> DependencyError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    visits_aws::SdkFailure::of("cognito", &error).into_error_by_code(Dependency::Directory)
}
