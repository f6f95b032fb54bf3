//! The Cognito directory on the local AWS: a verified signup's patient is created once, in the
//! group `patient`, with the proven contact marked verified and no message from Cognito.

use chrono::NaiveDate;
use visits_domain::model::{Channel, DateOfBirth, Email, PatientContact, Person, PersonName, PhoneNumber};
use visits_domain::ports::Directory;
use visits_tests::local_aws::sdk_config;

#[tokio::test]
async fn a_patient_is_created_once_and_granted_the_patient_group() {
    let client = aws_sdk_cognitoidentityprovider::Client::new(&sdk_config().await);
    let pool = client.create_user_pool().pool_name("visits-test").send().await.expect("a user pool");
    let pool_id = pool.user_pool().and_then(|p| p.id()).expect("an id").to_owned();
    client.create_group().user_pool_id(&pool_id).group_name("patient").send().await.expect("the group");
    let directory = visits_cognito::CognitoDirectory::new(client.clone(), &pool_id);
    let today = NaiveDate::from_ymd_opt(2030, 3, 1).unwrap();
    let person = Person {
        given_name: PersonName::parse("Pat").unwrap(),
        family_name: PersonName::parse("Example").unwrap(),
        date_of_birth: DateOfBirth::parse("1980-02-29", today).unwrap(),
    };
    let contact = PatientContact {
        phone: Some(PhoneNumber::parse("+447911123456").unwrap()),
        email: Some(Email::parse("pat@example.com").unwrap()),
        display_name: None,
    };

    let first = directory.create_patient("sgn_abcdefghijklmnopqrst", &person, &contact).await.unwrap();
    let again = directory.create_patient("sgn_abcdefghijklmnopqrst", &person, &contact).await.unwrap();
    assert_eq!(first, again, "a retried verification finds the same patient");
    // Granted in its own step (beside the signup token's signature); granting again is no error.
    directory.grant_patient("sgn_abcdefghijklmnopqrst").await.unwrap();
    directory.grant_patient("sgn_abcdefghijklmnopqrst").await.unwrap();

    // A user whose signup lost its contact to another is removed; removing nobody is no error.
    directory.create_patient("sgn_bbbbbbbbbbbbbbbbbbbb", &person, &contact).await.unwrap();
    directory.remove_user("sgn_bbbbbbbbbbbbbbbbbbbb").await.unwrap();
    directory.remove_user("sgn_bbbbbbbbbbbbbbbbbbbb").await.unwrap();

    let users = client.list_users().user_pool_id(&pool_id).send().await.unwrap();
    assert_eq!(users.users().len(), 1);

    // Signup asks whether anyone has a contact: by email (as given, or in lower case) or phone.
    let with_email =
        |raw: &str| PatientContact { phone: None, email: Some(Email::parse(raw).unwrap()), display_name: None };
    assert!(directory.has_contact(&contact, Channel::Email).await.unwrap());
    assert!(directory.has_contact(&contact, Channel::Sms).await.unwrap());
    assert!(directory.has_contact(&with_email("Pat@Example.com"), Channel::Email).await.unwrap());
    assert!(!directory.has_contact(&with_email("someone.else@example.com"), Channel::Email).await.unwrap());
    assert!(!directory.has_contact(&with_email("pat@example.com"), Channel::Sms).await.unwrap(), "no phone, not known");
    let groups = client
        .admin_list_groups_for_user()
        .user_pool_id(&pool_id)
        .username("sgn_abcdefghijklmnopqrst")
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = groups.groups().iter().filter_map(|g| g.group_name()).collect();
    assert_eq!(names, ["patient"]);
    let user =
        client.admin_get_user().user_pool_id(&pool_id).username("sgn_abcdefghijklmnopqrst").send().await.unwrap();
    let attribute = |name: &str| {
        user.user_attributes().iter().find(|a| a.name() == name).and_then(|a| a.value()).map(str::to_owned)
    };
    assert_eq!(attribute("sub").as_deref(), Some(first.as_str()));
    assert_eq!(attribute("email_verified").as_deref(), Some("true"));
    assert_eq!(attribute("phone_number_verified").as_deref(), Some("true"));
    assert_eq!(attribute("birthdate").as_deref(), Some("1980-02-29"));
}

/// A pool with an app client that signs users in with a password (for tests only), and the
/// access token of a user in `group`.
async fn signed_in(client: &aws_sdk_cognitoidentityprovider::Client, group: &str) -> (String, String, String) {
    use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ExplicitAuthFlowsType};
    let name = format!("visits-tokens-{}", uuid::Uuid::new_v4());
    let pool = client.create_user_pool().pool_name(&name).send().await.expect("a user pool");
    let pool_id = pool.user_pool().and_then(|p| p.id()).expect("an id").to_owned();
    let app = client
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("portal")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
        .send()
        .await
        .expect("an app client");
    let client_id = app.user_pool_client().and_then(|c| c.client_id()).expect("a client id").to_owned();
    client.create_group().user_pool_id(&pool_id).group_name(group).send().await.expect("the group");
    client.admin_create_user().user_pool_id(&pool_id).username("someone").send().await.expect("a user");
    client
        .admin_set_user_password()
        .user_pool_id(&pool_id)
        .username("someone")
        .password("Correct-Horse-9!")
        .permanent(true)
        .send()
        .await
        .expect("a password");
    client
        .admin_add_user_to_group()
        .user_pool_id(&pool_id)
        .username("someone")
        .group_name(group)
        .send()
        .await
        .expect("in the group");
    let auth = client
        .admin_initiate_auth()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "someone")
        .auth_parameters("PASSWORD", "Correct-Horse-9!")
        .send()
        .await
        .expect("signed in");
    let token = auth.authentication_result().and_then(|r| r.access_token()).expect("an access token").to_owned();
    (pool_id, client_id, token)
}

#[tokio::test]
async fn a_users_access_token_is_checked_by_cognito_and_must_be_this_pools() {
    use visits_domain::model::Role;
    use visits_domain::ports::UserTokens;
    let client = aws_sdk_cognitoidentityprovider::Client::new(&sdk_config().await);
    let (pool_id, client_id, token) = signed_in(&client, "admin").await;
    let tokens = visits_cognito::CognitoUserTokens::new(client.clone(), "us-east-1", &pool_id, vec![client_id.clone()]);
    let caller = tokens.caller(&token).await.unwrap().expect("a valid token of this pool");
    assert_eq!(caller.role, Role::Admin);

    // Another pool's admin (anyone can make a pool), another app client, or not a token at all.
    let (other_pool, other_client, other_token) = signed_in(&client, "admin").await;
    assert!(tokens.caller(&other_token).await.unwrap().is_none(), "another pool's token");
    let strict = visits_cognito::CognitoUserTokens::new(client.clone(), "us-east-1", &pool_id, vec![other_client]);
    assert!(strict.caller(&token).await.unwrap().is_none(), "another app client's token");
    let _ = other_pool;
    for junk in ["", "not-a-jwt", "a.b.c", "eyJhbGciOiJFUzI1NiJ9.e30.c2ln"] {
        assert!(tokens.caller(junk).await.unwrap().is_none(), "{junk}");
    }
    // A token whose claims are this pool's but whose signature is not Cognito's.
    let mut parts: Vec<&str> = token.split('.').collect();
    parts[2] = "AAAA";
    assert!(tokens.caller(&parts.join(".")).await.unwrap().is_none(), "a forged signature");
}
