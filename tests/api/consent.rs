//! The consent ledger through HTTP: the patient (join token) and the clinician (for themself)
//! each give their word, replace it, withdraw; staff see every word on the Visit, the patient
//! none; each change is on the audit chain; bad bodies are 400 naming the field. Both adapter sets.

use serde_json::json;
use visits_tests::{TestApp, spawn_app, spawn_aws_app};

#[tokio::test]
async fn participants_give_replace_and_withdraw_consent() {
    consent(spawn_app().await).await;
}

#[tokio::test]
async fn participants_give_replace_and_withdraw_consent_on_the_aws_adapters() {
    consent(spawn_aws_app().await).await;
}

async fn consent(app: TestApp) {
    let visit_id = app.schedule().await;
    let code = app.mint(&visit_id).await["code"].as_str().unwrap().to_owned();
    let join = app.redeem(&code).await.body["joinToken"].as_str().unwrap().to_owned();
    let put = |bearer: Option<String>, path: String, body: serde_json::Value| {
        let app = &app;
        async move { app.call("PUT", &path, bearer.as_deref(), Some(body)).await }
    };
    let mine = "/join/session/consent".to_owned();
    let theirs = format!("/visits/{visit_id}/consent");
    let word = json!({"telehealthTerms": "2026-11", "recording": true, "transcription": false});

    let given = put(Some(join.clone()), mine.clone(), word.clone()).await;
    assert_eq!(given.status, 200, "{}", given.body);
    assert_eq!(
        (given.body["participant"].as_str(), given.body["telehealthTerms"].as_str(), given.body["recording"].as_bool()),
        (Some("patient"), Some("2026-11"), Some(true))
    );
    assert_eq!(put(None, mine.clone(), word.clone()).await.status, 401);
    for (body, field) in [
        (json!({"recording": true}), "transcription"),
        (json!({"recording": true, "transcription": true, "shout": 1}), "shout"),
        (json!({"telehealthTerms": "", "recording": true, "transcription": true}), "telehealthTerms"),
        (json!({"recording": "yes", "transcription": true}), "recording"),
    ] {
        put(Some(join.clone()), mine.clone(), body).await.assert_problem(400, Some(field));
    }

    let dr = app.accounts.clinician.clone();
    let clinician = put(Some(dr.clone()), theirs.clone(), json!({"recording": true, "transcription": true})).await;
    assert_eq!(
        (clinician.status, clinician.body["participant"].as_str()),
        (200, Some("clinician")),
        "{}",
        clinician.body
    );
    for (bearer, status) in [(&app.accounts.patient, 403), (&app.accounts.admin, 403), (&app.accounts.clinician2, 404)]
    {
        let refused =
            put(Some(bearer.clone()), theirs.clone(), json!({"recording": true, "transcription": true})).await;
        refused.assert_problem(status, None);
    }

    // The same word again changes nothing; a withdrawal replaces the earlier word.
    assert_eq!(put(Some(join.clone()), mine.clone(), word).await.status, 200);
    let withdrawn = json!({"telehealthTerms": "2026-11", "recording": false, "transcription": false});
    assert_eq!(put(Some(join.clone()), mine.clone(), withdrawn).await.body["recording"], false);

    let staff = app.call("GET", &format!("/visits/{visit_id}"), Some(&dr), None).await;
    let consents = staff.body["consents"].as_array().expect("staff see the consents");
    assert_eq!(consents.len(), 2, "{consents:?}");
    let patient_word = consents.iter().find(|c| c["participant"] == "patient").unwrap();
    assert_eq!(
        (patient_word["recording"].as_bool(), patient_word["telehealthTerms"].as_str()),
        (Some(false), Some("2026-11"))
    );
    let patient_view = app.call("GET", &format!("/visits/{visit_id}"), Some(&app.accounts.patient), None).await;
    assert!(patient_view.body.get("consents").is_none(), "{}", patient_view.body);
    let (types, valid) = app.audit_types(&visit_id).await;
    assert_eq!(types.iter().filter(|t| *t == "consent.given").count(), 3, "{types:?}");
    assert!(valid);

    // Once the visit is over, nobody's word changes.
    app.call("POST", &format!("/visits/{visit_id}/cancel"), Some(&dr), None).await;
    put(Some(dr), theirs, json!({"recording": false, "transcription": false})).await.assert_problem(409, None);
}

#[tokio::test]
async fn the_clinics_terms_are_accepted_before_entering() {
    terms_first(visits_tests::spawn_app_with_policy(terms_policy()).await).await;
}

#[tokio::test]
async fn the_clinics_terms_are_accepted_before_entering_on_the_aws_adapters() {
    terms_first(visits_tests::spawn_aws_app_with_policy(terms_policy()).await).await;
}

fn terms_policy() -> visits_domain::rules::Policy {
    let version = visits_domain::model::TermsVersion::parse("2026-11").unwrap();
    visits_domain::rules::Policy { telehealth_terms: Some(version), ..Default::default() }
}

/// While the clinic has set terms, the preview names them and joining waits for them: an older
/// version or none is 409 `consent-required` naming the version; accepting it lets the patient in.
async fn terms_first(app: TestApp) {
    let visit_id = app.schedule().await;
    let code = app.mint(&visit_id).await["code"].as_str().unwrap().to_owned();
    let preview = app.call("GET", &format!("/join/{code}"), None, None).await;
    assert_eq!(preview.body["telehealthTerms"], "2026-11", "{}", preview.body);
    let join = app.redeem(&code).await.body["joinToken"].as_str().unwrap().to_owned();
    let refused = app.call("POST", "/join/session", Some(&join), None).await;
    refused.assert_problem(409, None);
    assert_eq!(
        (refused.body["type"].as_str(), refused.body["telehealthTerms"].as_str()),
        (Some("urn:video-visits:problem:consent-required"), Some("2026-11"))
    );
    let older = json!({"telehealthTerms": "2025-01", "recording": false, "transcription": false});
    assert_eq!(app.call("PUT", "/join/session/consent", Some(&join), Some(older)).await.status, 200);
    app.call("POST", "/join/session", Some(&join), None).await.assert_problem(409, None);
    let current = json!({"telehealthTerms": "2026-11", "recording": false, "transcription": false});
    assert_eq!(app.call("PUT", "/join/session/consent", Some(&join), Some(current)).await.status, 200);
    let waiting = app.call("POST", "/join/session", Some(&join), None).await;
    assert_eq!(waiting.status, 202, "in the waiting room once the terms are accepted: {}", waiting.body);
}
