//! Uploads over HTTP, on both adapter sets (demo storage and scanning by the local server in
//! both): a patient's intake paperwork and an applicant's licence go up through the presigned
//! POST, are scanned (EICAR is malware), and only clean ones can be downloaded, by whom may.

use serde_json::{Value, json};
use visits_tests::browser::post_upload;
use visits_tests::{Reply, TestApp, spawn_app, spawn_aws_app};

const EICAR: &str = r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

async fn announce(app: &TestApp, bearer: &str, body: Value) -> Reply {
    app.call("POST", "/uploads", Some(bearer), Some(body)).await
}

fn intake(visit_id: &str, size: usize) -> Value {
    json!({"purpose": "intake", "visitId": visit_id, "contentType": "application/pdf", "sizeBytes": size})
}

async fn intake_paperwork(app: TestApp) {
    let visit = app.schedule().await;
    let patient = app.accounts.patient.clone();
    let file = b"%PDF-1.7 intake form".to_vec();
    let created = announce(&app, &patient, intake(&visit, file.len())).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["fields"]["key"], format!("uploads/intake/{}", created.body["uploadId"].as_str().unwrap()));
    let id = created.body["uploadId"].as_str().unwrap().to_owned();
    let path = format!("/uploads/{id}");
    let pending = app.call("GET", &path, Some(&patient), None).await;
    assert_eq!((pending.body["status"].as_str(), pending.body.get("downloadUrl")), (Some("pending"), None));

    // S3's policy: the exact size and type only.
    assert_eq!(post_upload(&app.client, &created.body, b"%PDF-1.7 other size!!", "application/pdf").await, 403);
    let mut retyped = created.body.clone();
    retyped["fields"]["Content-Type"] = json!("text/html");
    assert_eq!(post_upload(&app.client, &retyped, &file, "text/html").await, 403);
    assert_eq!(post_upload(&app.client, &created.body, &file, "application/pdf").await, 204);

    let clean = app.call("GET", &path, Some(&patient), None).await;
    assert_eq!(clean.body["status"], "clean", "{}", clean.body);
    assert_eq!(
        (clean.body["purpose"].as_str(), clean.body["sizeBytes"].as_u64()),
        (Some("intake"), Some(file.len() as u64))
    );
    let url = clean.body["downloadUrl"].as_str().expect("a download URL once clean");
    let downloaded = app.client.get(url).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(downloaded.as_ref(), file.as_slice());

    // The visit's clinician may read it; another clinician, another patient, an admin may not.
    assert_eq!(app.call("GET", &path, Some(&app.accounts.clinician), None).await.status, 200);
    for other in [&app.accounts.clinician2, &app.accounts.patient2, &app.accounts.admin] {
        app.call("GET", &path, Some(other), None).await.assert_problem(404, None);
    }

    // EICAR is malware: infected, and never downloadable.
    let created = announce(&app, &patient, intake(&visit, EICAR.len())).await;
    assert_eq!(post_upload(&app.client, &created.body, EICAR.as_bytes(), "application/pdf").await, 204);
    let infected = app
        .call("GET", &format!("/uploads/{}", created.body["uploadId"].as_str().unwrap()), Some(&patient), None)
        .await;
    assert_eq!((infected.body["status"].as_str(), infected.body.get("downloadUrl")), (Some("infected"), None));
}

#[tokio::test]
async fn a_patients_intake_paperwork_is_scanned_before_anyone_reads_it() {
    intake_paperwork(spawn_app().await).await;
}

#[tokio::test]
async fn a_patients_intake_paperwork_on_the_aws_adapters() {
    intake_paperwork(spawn_aws_app().await).await;
}

#[tokio::test]
async fn an_applicants_licence_must_be_clean_before_approval() {
    let app = spawn_app().await;
    let email = format!("dr-{}@clinic.example", uuid::Uuid::new_v4().simple());
    let body = json!({"givenName": "Ada", "familyName": "Lovelace", "email": email, "npi": "1234567893",
        "licenses": [{"state": "CA", "number": "A1", "expiresOn": "2031-01-01"}]});
    let started = app.call("POST", "/clinician-applications", None, Some(body)).await;
    let id = started.body["applicationId"].as_str().unwrap().to_owned();
    let code = app.code_sent_to(&email).await;
    let verified =
        app.call("POST", &format!("/clinician-applications/{id}/verify"), None, Some(json!({"code": code}))).await;
    let applicant = verified.body["applicantToken"].as_str().unwrap().to_owned();

    let licence = b"\x89PNG licence scan".to_vec();
    let announce_licence =
        json!({"purpose": "license", "applicationId": id, "contentType": "image/png", "sizeBytes": licence.len()});
    announce(&app, &app.accounts.patient, announce_licence.clone()).await.assert_problem(403, None);
    let created = announce(&app, &applicant, announce_licence).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let upload_id = created.body["uploadId"].as_str().unwrap().to_owned();

    let read = app.call("GET", &format!("/clinician-applications/{id}"), Some(&applicant), None).await;
    assert_eq!(read.body["documents"], json!([{"uploadId": upload_id, "status": "pending"}]));
    let admin = app.accounts.admin.clone();
    let status = format!("/admin/clinician-applications/{id}/status");
    let move_to = |to: &str, version: u64| json!({"status": to, "expectedVersion": version});
    let under = app
        .call("POST", &status, Some(&admin), Some(move_to("under_review", read.body["version"].as_u64().unwrap())))
        .await;
    assert_eq!(under.status, 200, "{}", under.body);
    let early = app
        .call("POST", &status, Some(&admin), Some(move_to("approved", under.body["version"].as_u64().unwrap())))
        .await;
    early.assert_problem(422, Some("status"));

    assert_eq!(post_upload(&app.client, &created.body, &licence, "image/png").await, 204);
    let read = app.call("GET", &format!("/clinician-applications/{id}"), Some(&applicant), None).await;
    assert_eq!(read.body["documents"], json!([{"uploadId": upload_id, "status": "clean"}]));
    let path = format!("/uploads/{upload_id}");
    assert_eq!(app.call("GET", &path, Some(&admin), None).await.body["status"], "clean", "admins read licences");
    assert_eq!(app.call("GET", &path, Some(&applicant), None).await.status, 200);
    app.call("GET", &path, Some(&app.accounts.clinician), None).await.assert_problem(404, None);
    let approved = app
        .call("POST", &status, Some(&admin), Some(move_to("approved", read.body["version"].as_u64().unwrap())))
        .await;
    assert_eq!(approved.status, 200, "{}", approved.body);
}

#[tokio::test]
async fn upload_requests_are_strict() {
    let app = spawn_app().await;
    let visit = app.schedule().await;
    let patient = app.accounts.patient.clone();
    let cases = [
        (json!({"sizeBytes": 0}), "sizeBytes"),
        (json!({"sizeBytes": 10 * 1024 * 1024 + 1}), "sizeBytes"),
        (json!({"contentType": "text/html"}), "contentType"),
        (json!({"purpose": "selfie"}), "purpose"),
        (json!({"visitId": null}), "visitId"),
        (json!({"applicationId": "apl_aaaaaaaaaaaaaaaaaaaa"}), "applicationId"),
        (json!({"filename": "x.pdf"}), "filename"),
    ];
    for (change, field) in cases {
        let mut body = intake(&visit, 10);
        for (key, value) in change.as_object().unwrap() {
            body[key] = value.clone();
        }
        announce(&app, &patient, body).await.assert_problem(400, Some(field));
    }
    let mut without_visit = intake(&visit, 10);
    without_visit.as_object_mut().unwrap().remove("visitId");
    announce(&app, &patient, without_visit).await.assert_problem(400, Some("visitId"));
    announce(&app, &app.accounts.patient2, intake(&visit, 10)).await.assert_problem(404, None);
    announce(&app, &app.accounts.clinician, intake(&visit, 10)).await.assert_problem(403, None);
    app.call("POST", "/uploads", None, Some(intake(&visit, 10))).await.assert_problem(401, None);
    app.call("GET", "/uploads/upl_aaaaaaaaaaaaaaaaaaaa", Some(&patient), None).await.assert_problem(404, None);
}
