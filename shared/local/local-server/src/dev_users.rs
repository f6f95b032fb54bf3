//! `GET /dev/tokens?email=...`: the users signup and approval created, found by email in the
//! directory the server runs on, so a person trying the product can act as them.

use std::sync::Arc;

use visits_embedded::MemoryDirectory;

/// A user the directory holds: their `sub` and group.
pub struct DevUser {
    pub sub: String,
    pub group: String,
}

pub enum DevUsers {
    Embedded(Arc<MemoryDirectory>),
    Cognito { client: aws_sdk_cognitoidentityprovider::Client, user_pool_id: String },
}

impl DevUsers {
    pub async fn by_email(&self, email: &str) -> Option<DevUser> {
        let wanted = email.trim().to_lowercase();
        match self {
            DevUsers::Embedded(directory) => directory
                .all()
                .into_iter()
                .find(|user| user.contact.email.as_ref().is_some_and(|e| e.expose().to_lowercase() == wanted))
                // A user in no group (made, not granted yet) has no role to sign in with.
                .and_then(|user| Some(DevUser { sub: user.id.to_string(), group: user.group?.to_owned() })),
            DevUsers::Cognito { client, user_pool_id } => {
                let quoted = wanted.replace(['\\', '"'], "");
                let found = client
                    .list_users()
                    .user_pool_id(user_pool_id)
                    .filter(format!("email = \"{quoted}\""))
                    .send()
                    .await
                    .ok()?;
                let user = found.users().first()?;
                let sub = user.attributes().iter().find(|a| a.name() == "sub")?.value()?.to_owned();
                let groups = client
                    .admin_list_groups_for_user()
                    .user_pool_id(user_pool_id)
                    .username(user.username()?)
                    .send()
                    .await
                    .ok()?;
                let group = groups.groups().first()?.group_name()?.to_owned();
                Some(DevUser { sub, group })
            }
        }
    }
}
