//! The Cognito directory on the local AWS: a verified signup's patient is created once, in the
//! group `patient`, with the proven contact marked verified and no message from Cognito.

use chrono::NaiveDate;
use visits_domain::model::{DateOfBirth, Email, PatientContact, Person, PersonName, PhoneNumber};
use visits_domain::ports::Directory;
use visits_tests::local_aws::sdk_config;

#[tokio::test]
async fn a_patient_is_created_once_in_the_patient_group() {
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

    let users = client.list_users().user_pool_id(&pool_id).send().await.unwrap();
    assert_eq!(users.users().len(), 1);
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
