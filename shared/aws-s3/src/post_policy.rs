//! The POST policy of a browser upload and its SigV4 signature (the "POST policy" of S3's
//! browser-based uploads: the base64 policy is the string to sign).

use std::collections::BTreeMap;
use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::sign::v4;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use visits_domain::ports::PostPolicy;

/// The form fields of a presigned POST for `policy`: every condition the policy pins is also a
/// field, so the form S3 receives is exactly what the policy allows.
pub fn post_fields(
    policy: &PostPolicy,
    bucket: &str,
    kms_key: &str,
    region: &str,
    credentials: &Credentials,
    now: DateTime<Utc>,
) -> BTreeMap<String, String> {
    let date = now.format("%Y%m%d").to_string();
    let amz_date = now.format("%Y%m%dT%H%M%SZ").to_string();
    let credential = format!("{}/{date}/{region}/s3/aws4_request", credentials.access_key_id());
    let mut fields = BTreeMap::from([
        ("key".to_owned(), policy.key.clone()),
        ("Content-Type".to_owned(), policy.content_type.as_str().to_owned()),
        ("x-amz-server-side-encryption".to_owned(), "aws:kms".to_owned()),
        ("x-amz-server-side-encryption-aws-kms-key-id".to_owned(), kms_key.to_owned()),
        ("x-amz-algorithm".to_owned(), "AWS4-HMAC-SHA256".to_owned()),
        ("x-amz-credential".to_owned(), credential),
        ("x-amz-date".to_owned(), amz_date),
    ]);
    if let Some(token) = credentials.session_token() {
        fields.insert("x-amz-security-token".to_owned(), token.to_owned());
    }
    let size = policy.size.bytes();
    let mut conditions: Vec<Value> = vec![
        json!({ "bucket": bucket }),
        json!(["eq", "$key", policy.key]),
        json!(["eq", "$Content-Type", policy.content_type.as_str()]),
        json!(["content-length-range", size, size]),
    ];
    for (name, value) in fields.iter().filter(|(name, _)| name.starts_with("x-amz-")) {
        conditions.push(json!({ name: value }));
    }
    let document = json!({
        "expiration": policy.expires_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "conditions": conditions,
    });
    let encoded = STANDARD.encode(document.to_string());
    let signing_key = v4::generate_signing_key(credentials.secret_access_key(), SystemTime::from(now), region, "s3");
    let signature = v4::calculate_signature(signing_key, encoded.as_bytes());
    fields.insert("policy".to_owned(), encoded);
    fields.insert("x-amz-signature".to_owned(), signature);
    fields
}
