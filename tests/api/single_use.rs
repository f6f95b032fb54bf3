//! A link works once, however many people try it at the same moment.

use futures::future::join_all;
use serde_json::json;
use visits_tests::spawn_app;

const ATTEMPTS: usize = 50;

fn count(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_redemptions_of_one_code_have_one_winner() {
    let app = spawn_app().await;
    let visit_id = app.schedule().await;
    let link = app.mint(&visit_id).await;
    let code = link["code"].as_str().unwrap();

    let replies = join_all((0..ATTEMPTS).map(|_| app.redeem(code))).await;
    let statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();

    assert_eq!(count(&statuses, 200), 1, "{statuses:?}");
    assert_eq!(count(&statuses, 410) + count(&statuses, 429), ATTEMPTS - 1, "{statuses:?}");
    let (types, chain_valid) = app.audit_types(&visit_id).await;
    assert_eq!(types.iter().filter(|t| *t == "link.redeemed").count(), 1);
    assert!(chain_valid, "concurrent refusals keep the chain whole");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_redemptions_of_one_link_jwt_have_one_winner() {
    let app = spawn_app().await;
    let visit_id = app.schedule().await;
    let link = app.mint(&visit_id).await;
    let token = link["token"].as_str().unwrap();

    let replies =
        join_all((0..ATTEMPTS).map(|_| app.call("POST", "/join", None, Some(json!({ "token": token }))))).await;
    let statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();

    assert_eq!(count(&statuses, 200), 1, "{statuses:?}");
    assert_eq!(count(&statuses, 410) + count(&statuses, 429), ATTEMPTS - 1, "{statuses:?}");
    for refused in replies.iter().filter(|r| r.status != 200) {
        refused.assert_problem(refused.status, None);
    }
}

#[tokio::test]
async fn the_code_and_the_jwt_are_one_link() {
    let app = spawn_app().await;
    let visit_id = app.schedule().await;
    let link = app.mint(&visit_id).await;
    let by_jwt = app.call("POST", "/join", None, Some(json!({ "token": link["token"] }))).await;
    assert_eq!(by_jwt.status, 200, "{}", by_jwt.body);
    let by_code = app.redeem(link["code"].as_str().unwrap()).await;
    by_code.assert_problem(410, None);
}

/// The burst that used to answer 503: on DynamoDB, every refusal appended to the visit's chain
/// under its version lock and the losers ran out of retries. Refusals are kept beside the chain
/// now: only 200, 410 and 429 come back, and the clinician's start in the middle of it goes through.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_refusals_on_dynamodb_never_answers_503_nor_holds_up_the_clinician() {
    let app = visits_tests::spawn_aws_app().await;
    let visit_id = app.schedule().await;
    let code = app.mint(&visit_id).await["code"].as_str().unwrap().to_owned();
    let session = format!("/visits/{visit_id}/session");
    let (replies, started) = futures::join!(
        join_all((0..30).map(|_| app.redeem(&code))),
        app.call("POST", &session, Some(&app.accounts.clinician), None)
    );
    let statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
    assert_eq!(count(&statuses, 200), 1, "{statuses:?}");
    assert_eq!(count(&statuses, 410) + count(&statuses, 429), 29, "{statuses:?}");
    assert_eq!(started.status, 200, "{}", started.body);

    let trail = app.call("GET", &format!("/visits/{visit_id}/audit"), Some(&app.accounts.admin), None).await;
    assert_eq!(trail.body["chainValid"], true, "the chain and the refusals beside it are whole: {}", trail.body);
    let refused = trail.body["events"].as_array().unwrap().iter().filter(|e| e["type"] == "link.refused").count();
    assert_eq!(refused, count(&statuses, 410), "every 410 is audited: {statuses:?} {}", trail.body);
}
