//! The KMS signer against the local AWS: tokens verify with the public key alone, signatures are
//! JWS-shaped, and verification makes no KMS call.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use visits_domain::model::{UserId, VisitId};
use visits_domain::ports::{IdSource, Signer};
use visits_domain::testing::CountingIds;
use visits_domain::tokens::{Audience, Claims, Tokens, VisitClaim};
use visits_kms::KmsSigner;
use visits_tests::local_aws::kms_key;

#[tokio::test]
async fn a_kms_signed_token_verifies_with_jsonwebtoken_and_the_public_key() {
    let (client, key_id, counter) = kms_key().await;
    let signer = Arc::new(KmsSigner::new(client, key_id));
    let tokens = Tokens::new(signer.clone(), "video-visits");
    let now = Utc::now();
    let visit = VisitId::parse("vis_abcdefghijklmnopqrst").unwrap();
    let token = tokens
        .issue(
            Audience::Link,
            &UserId::parse("patient-1").unwrap(),
            &visit,
            &CountingIds::default().token_id(),
            now,
            now + Duration::hours(1),
        )
        .await
        .expect("KMS signs");

    let signature = URL_SAFE_NO_PAD.decode(token.rsplit('.').next().unwrap()).unwrap();
    assert_eq!(signature.len(), 64, "JWS ES256 signatures are r ‖ s, not DER");

    // Verified by jsonwebtoken itself, with only the public key from GetPublicKey.
    let public = signer.public_key().await.unwrap();
    let key =
        DecodingKey::from_ec_components(&URL_SAFE_NO_PAD.encode(public.x), &URL_SAFE_NO_PAD.encode(public.y)).unwrap();
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_audience(&[Audience::Link.as_str()]);
    validation.set_issuer(&["video-visits"]);
    let claims =
        jsonwebtoken::decode::<Claims<VisitClaim>>(&token, &key, &validation).expect("a valid ES256 JWT").claims;
    assert_eq!(claims.extra.vid, visit.as_str());
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(header.kid.as_deref(), Some(Tokens::key_id(&public).as_str()));

    // A tampered token fails.
    let mut tampered = token.clone();
    let at = tampered.find('.').unwrap() + 3;
    tampered.replace_range(at..at + 1, if &tampered[at..at + 1] == "A" { "B" } else { "A" });
    assert!(tokens.verify(&tampered, Audience::Link, now).await.unwrap().is_err());

    // Verification uses the cached public key: no KMS request, however many tokens.
    assert!(tokens.verify(&token, Audience::Link, now).await.unwrap().is_ok());
    let before = counter.count();
    for _ in 0..100 {
        assert!(tokens.verify(&token, Audience::Link, now).await.unwrap().is_ok());
    }
    assert_eq!(counter.count(), before, "verifying made KMS calls");
}

/// The key is fetched once, in the background, however often a request asks for the prefetch;
/// signing and verifying after it make no further `GetPublicKey`.
#[tokio::test]
async fn the_public_key_is_prefetched_once_and_then_used() {
    let (client, key_id, counter) = kms_key().await;
    let tokens = Arc::new(Tokens::new(Arc::new(KmsSigner::new(client, key_id)), "video-visits"));
    let fetches = || counter.calls().iter().filter(|call| call.operation == "GetPublicKey").count();
    for _ in 0..5 {
        tokens.prefetch();
    }
    for _ in 0..100 {
        if fetches() == 1 && counter.calls().iter().all(|call| call.finished.is_some()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(fetches(), 1, "one fetch for five prefetches");
    let now = Utc::now();
    let visit = VisitId::parse("vis_abcdefghijklmnopqrst").unwrap();
    let token = tokens
        .issue(
            Audience::Session,
            &UserId::parse("patient-1").unwrap(),
            &visit,
            &CountingIds::default().token_id(),
            now,
            now + Duration::hours(1),
        )
        .await
        .expect("KMS signs");
    assert!(tokens.verify(&token, Audience::Session, now).await.unwrap().is_ok());
    tokens.prefetch();
    assert_eq!(fetches(), 1, "signing, verifying and a later prefetch used the fetched key");
}

/// The KMS HMAC key makes the MACs of one-time codes: 32 bytes, the same for the same message,
/// different for another, and no KMS call reveals the key.
#[tokio::test]
async fn a_kms_hmac_key_macs_codes() {
    use aws_sdk_kms::types::{KeySpec, KeyUsageType};
    use visits_domain::ports::Mac;
    let (client, _, _) = kms_key().await;
    let key = client
        .create_key()
        .key_spec(KeySpec::Hmac256)
        .key_usage(KeyUsageType::GenerateVerifyMac)
        .send()
        .await
        .expect("the local AWS creates an HMAC key");
    let mac = visits_kms::KmsMac::new(client, key.key_metadata().unwrap().key_id());
    let a = mac.mac(b"signup-code:sgn_x:123456").await.unwrap();
    assert_eq!(a, mac.mac(b"signup-code:sgn_x:123456").await.unwrap());
    assert_ne!(a, mac.mac(b"signup-code:sgn_x:123457").await.unwrap());
    assert_ne!(a, visits_domain::model::Digest::of(b"signup-code:sgn_x:123456"), "keyed, not a plain hash");
}
