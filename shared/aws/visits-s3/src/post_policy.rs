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

#[cfg(test)]
mod tests {
    use aws_lc_rs::hmac;
    use visits_domain::model::{UploadContentType, UploadSize};

    use super::*;

    fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
        hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data).as_ref().to_vec()
    }

    #[test]
    fn the_policy_pins_everything_and_is_signed_as_sigv4_says() {
        let now: DateTime<Utc> = "2030-05-06T07:08:09Z".parse().unwrap();
        let policy = PostPolicy {
            key: "uploads/intake/upl_aaaaaaaaaaaaaaaaaaaa".into(),
            content_type: UploadContentType::Png,
            size: UploadSize::parse(1234).unwrap(),
            expires_at: now + chrono::Duration::minutes(5),
        };
        let credentials = Credentials::new("AKIDEXAMPLE", "secret/EXAMPLE", Some("session".into()), None, "test");
        let fields = post_fields(&policy, "bucket-1", "arn:aws:kms:eu-west-1:1:key/k", "eu-west-1", &credentials, now);

        assert_eq!(fields["key"], policy.key);
        assert_eq!(fields["Content-Type"], "image/png");
        assert_eq!(fields["x-amz-credential"], "AKIDEXAMPLE/20300506/eu-west-1/s3/aws4_request");
        assert_eq!(fields["x-amz-date"], "20300506T070809Z");
        assert_eq!(fields["x-amz-security-token"], "session");
        let document: Value = serde_json::from_slice(&STANDARD.decode(&fields["policy"]).unwrap()).unwrap();
        assert_eq!(document["expiration"], "2030-05-06T07:13:09.000Z", "five minutes");
        let conditions = document["conditions"].as_array().unwrap();
        for expected in [
            json!({"bucket": "bucket-1"}),
            json!(["eq", "$key", "uploads/intake/upl_aaaaaaaaaaaaaaaaaaaa"]),
            json!(["eq", "$Content-Type", "image/png"]),
            json!(["content-length-range", 1234, 1234]),
            json!({"x-amz-server-side-encryption": "aws:kms"}),
            json!({"x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:eu-west-1:1:key/k"}),
            json!({"x-amz-algorithm": "AWS4-HMAC-SHA256"}),
            json!({"x-amz-security-token": "session"}),
        ] {
            assert!(conditions.contains(&expected), "{expected} missing from {conditions:?}");
        }
        // Every field but the policy and its signature is a condition: nothing unpinned reaches S3.
        for (name, value) in fields.iter().filter(|(n, _)| n.starts_with("x-amz-") && *n != "x-amz-signature") {
            assert!(conditions.contains(&json!({ name: value })), "{name} is not pinned");
        }

        // SigV4's POST signature, computed here by hand: HMAC chain, then the base64 policy.
        let key = [b"20300506".as_slice(), b"eu-west-1", b"s3", b"aws4_request"]
            .into_iter()
            .fold(b"AWS4secret/EXAMPLE".to_vec(), |key, part| hmac_sha256(&key, part));
        let expected: String =
            hmac_sha256(&key, fields["policy"].as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(fields["x-amz-signature"], expected);
    }
}
