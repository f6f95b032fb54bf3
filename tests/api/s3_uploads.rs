//! The S3 signer on the local AWS: a browser's form POST with the presigned fields stores the
//! object, and the presigned GET reads it back. (moto does not enforce POST policies; what the
//! policy pins is checked in visits-s3's own tests.)

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use chrono::Utc;
use visits_domain::model::{UploadContentType, UploadSize};
use visits_domain::ports::{ObjectStorage, PostPolicy};

#[tokio::test]
async fn a_presigned_post_stores_the_object_and_a_presigned_get_reads_it() {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").expect("the local AWS");
    let bucket = format!("visits-uploads-{}", uuid::Uuid::new_v4().simple());
    let client = reqwest::Client::new();
    let made = client.put(format!("{endpoint}/{bucket}")).send().await.expect("moto answers");
    assert!(made.status().is_success(), "bucket: {}", made.status());

    let credentials = SharedCredentialsProvider::new(Credentials::new("testing", "testing", None, None, "test"));
    let storage = visits_s3::S3Storage::new(
        credentials,
        "us-east-1",
        &bucket,
        "arn:aws:kms:us-east-1:123456789012:key/uploads",
        Some(endpoint.clone()),
    );
    let file = b"%PDF-1.7 signed upload".to_vec();
    let now = Utc::now();
    let policy = PostPolicy {
        key: "uploads/intake/upl_aaaaaaaaaaaaaaaaaaaa".into(),
        content_type: UploadContentType::Pdf,
        size: UploadSize::parse(file.len() as u64).unwrap(),
        expires_at: now + chrono::Duration::minutes(5),
    };
    let post = storage.presigned_post(&policy, now).await.unwrap();
    assert_eq!(post.url, format!("{endpoint}/{bucket}"));

    let (content_type, body) = visits_tests::browser::upload_form(&post.fields, &file, "application/pdf");
    let posted = client.post(&post.url).header("content-type", content_type).body(body).send().await.unwrap();
    assert!(posted.status().is_success(), "POST: {} {}", posted.status(), posted.text().await.unwrap_or_default());

    let url = storage.presigned_get(&policy.key, now, now + chrono::Duration::minutes(5)).await.unwrap();
    assert!(url.contains("X-Amz-Signature=") && url.contains("X-Amz-Expires=300"), "{url}");
    let read = client.get(&url).send().await.unwrap();
    assert!(read.status().is_success(), "GET: {}", read.status());
    assert_eq!(read.bytes().await.unwrap().as_ref(), file.as_slice());
}
