//! Demo mode's object storage: presigned POSTs and GETs that point at the local server, which
//! checks them as S3 would (the key, the exact type and size, the expiry, the signature), keeps the
//! file under the cache folder and scans it (the EICAR test string is malware).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use visits_domain::model::ScanStatus;
use visits_domain::ports::{Clock, Dependency, DependencyError, ObjectStorage, PostPolicy, PresignedPost};

/// The EICAR anti-malware test file's signature: what every scanner reports as malware.
const EICAR: &[u8] = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

/// What a local presigned POST allows, as its `policy` field carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LocalPolicy {
    key: String,
    content_type: String,
    size: u64,
    expires_at: DateTime<Utc>,
}

/// Why the local server refuses an upload (S3 would answer 403 or 400 alike).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UploadRefused {
    #[error("the policy or its signature is not this server's")]
    BadSignature,
    #[error("the upload's {0} is not the one the policy allows")]
    Mismatch(&'static str),
    #[error("the policy has expired")]
    Expired,
}

pub struct LocalStorage {
    key: hmac::Key,
    clock: Arc<dyn Clock>,
    /// The local server's address, once it listens.
    base: RwLock<String>,
    folder: PathBuf,
}

impl LocalStorage {
    /// Files go under `folder`; `key_bytes` signs the policies (fresh per process).
    pub fn new(key_bytes: &[u8], clock: Arc<dyn Clock>, folder: PathBuf) -> Self {
        Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, key_bytes),
            clock,
            base: RwLock::new("http://127.0.0.1:3001".into()),
            folder,
        }
    }

    /// Where the local server listens: the URLs it signs point there.
    pub fn set_base(&self, base: &str) {
        *self.base.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = base.trim_end_matches('/').to_owned();
    }

    fn base(&self) -> String {
        self.base.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    fn sign(&self, message: &str) -> String {
        hex(hmac::sign(&self.key, message.as_bytes()).as_ref())
    }

    /// Checks a POST's form fields and file against its signed policy, and returns the key.
    pub fn accept_post(&self, fields: &BTreeMap<String, String>, file: &[u8]) -> Result<String, UploadRefused> {
        let field = |name: &str| fields.get(name).map(String::as_str).unwrap_or_default();
        let encoded = field("policy");
        let signature = field("x-signature").as_bytes();
        let expected = self.sign(encoded);
        if signature.len() != expected.len()
            || aws_lc_rs::constant_time::verify_slices_are_equal(signature, expected.as_bytes()).is_err()
        {
            return Err(UploadRefused::BadSignature);
        }
        let policy: LocalPolicy = URL_SAFE_NO_PAD
            .decode(encoded)
            .ok()
            .and_then(|json| serde_json::from_slice(&json).ok())
            .ok_or(UploadRefused::BadSignature)?;
        if policy.expires_at <= self.clock.now() {
            return Err(UploadRefused::Expired);
        }
        if field("key") != policy.key {
            return Err(UploadRefused::Mismatch("key"));
        }
        if field("Content-Type") != policy.content_type {
            return Err(UploadRefused::Mismatch("content type"));
        }
        if file.len() as u64 != policy.size {
            return Err(UploadRefused::Mismatch("size"));
        }
        Ok(policy.key)
    }

    /// Keeps the file and scans it: clean files are readable, infected ones are kept apart.
    pub fn store_and_scan(&self, key: &str, file: &[u8]) -> std::io::Result<ScanStatus> {
        let status = if file.windows(EICAR.len()).any(|window| window == EICAR) {
            ScanStatus::Infected
        } else {
            ScanStatus::Clean
        };
        let path = self.path(key, status);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, file)?;
        Ok(status)
    }

    /// A download's file, if the URL is one this storage signed, unexpired, for a clean file.
    pub fn read_signed(&self, key: &str, expires: &str, signature: &str) -> Option<Vec<u8>> {
        let expected = self.sign(&format!("{key}\n{expires}"));
        if aws_lc_rs::constant_time::verify_slices_are_equal(expected.as_bytes(), signature.as_bytes()).is_err() {
            return None;
        }
        let expires_at = DateTime::parse_from_rfc3339(expires).ok()?;
        if expires_at <= self.clock.now() {
            return None;
        }
        std::fs::read(self.path(key, ScanStatus::Clean)).ok()
    }

    /// A clean file as kept, for the adapters that keep their own (demo recordings).
    pub fn read(&self, key: &str) -> std::io::Result<Vec<u8>> {
        std::fs::read(self.path(key, ScanStatus::Clean))
    }

    fn path(&self, key: &str, status: ScanStatus) -> PathBuf {
        // Keys are ours (`uploads/{purpose}/{id}`): no `..` can come from a client.
        let shelf = if status == ScanStatus::Clean { "clean" } else { "quarantine" };
        self.folder.join(shelf).join(key.replace(['/', '\\'], "_"))
    }
}

#[async_trait]
impl ObjectStorage for LocalStorage {
    async fn presigned_post(&self, policy: &PostPolicy, _now: DateTime<Utc>) -> Result<PresignedPost, DependencyError> {
        let local = LocalPolicy {
            key: policy.key.clone(),
            content_type: policy.content_type.as_str().to_owned(),
            size: policy.size.bytes(),
            expires_at: policy.expires_at,
        };
        let json =
            serde_json::to_vec(&local).map_err(|e| DependencyError::failed(Dependency::Storage, e.to_string()))?;
        let encoded = URL_SAFE_NO_PAD.encode(json);
        let fields = BTreeMap::from([
            ("key".to_owned(), policy.key.clone()),
            ("Content-Type".to_owned(), policy.content_type.as_str().to_owned()),
            ("x-signature".to_owned(), self.sign(&encoded)),
            ("policy".to_owned(), encoded),
        ]);
        Ok(PresignedPost { url: format!("{}/dev/uploads", self.base()), fields })
    }

    async fn presigned_get(
        &self,
        key: &str,
        _now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<String, DependencyError> {
        let expires = expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let signature = self.sign(&format!("{key}\n{expires}"));
        Ok(format!("{}/dev/uploads/{key}?expires={expires}&signature={signature}", self.base()))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use visits_domain::model::{UploadContentType, UploadSize};

    use super::*;
    use crate::ManualClock;

    fn storage() -> (LocalStorage, Arc<ManualClock>, PathBuf) {
        let clock = Arc::new(ManualClock::new("2030-01-01T00:00:00Z".parse().unwrap()));
        let folder = std::env::temp_dir().join(format!("visits-storage-{}", std::process::id()));
        (LocalStorage::new(b"test key", clock.clone(), folder.clone()), clock, folder)
    }

    fn policy(clock: &ManualClock) -> PostPolicy {
        PostPolicy {
            key: "uploads/license/upl_aaaaaaaaaaaaaaaaaaaa".into(),
            content_type: UploadContentType::Pdf,
            size: UploadSize::parse(5).unwrap(),
            expires_at: clock.now() + chrono::Duration::minutes(5),
        }
    }

    #[tokio::test]
    async fn a_post_is_accepted_only_as_signed() {
        let (storage, clock, _) = storage();
        let post = storage.presigned_post(&policy(&clock), clock.now()).await.unwrap();
        assert_eq!(storage.accept_post(&post.fields, b"12345"), Ok("uploads/license/upl_aaaaaaaaaaaaaaaaaaaa".into()));
        assert_eq!(storage.accept_post(&post.fields, b"1234"), Err(UploadRefused::Mismatch("size")));
        let mut other = post.fields.clone();
        other.insert("key".into(), "uploads/license/upl_bbbbbbbbbbbbbbbbbbbb".into());
        assert_eq!(storage.accept_post(&other, b"12345"), Err(UploadRefused::Mismatch("key")));
        let mut typed = post.fields.clone();
        typed.insert("Content-Type".into(), "text/html".into());
        assert_eq!(storage.accept_post(&typed, b"12345"), Err(UploadRefused::Mismatch("content type")));
        let mut forged = post.fields.clone();
        forged.insert("x-signature".into(), "00".repeat(32));
        assert_eq!(storage.accept_post(&forged, b"12345"), Err(UploadRefused::BadSignature));
        clock.advance(chrono::Duration::minutes(6));
        assert_eq!(storage.accept_post(&post.fields, b"12345"), Err(UploadRefused::Expired));
    }

    #[tokio::test]
    async fn eicar_is_infected_and_only_clean_files_download() {
        let (storage, clock, folder) = storage();
        assert_eq!(storage.store_and_scan("uploads/intake/upl_c", b"%PDF fine").unwrap(), ScanStatus::Clean);
        let mut eicar = b"prefix ".to_vec();
        eicar.extend_from_slice(EICAR);
        assert_eq!(storage.store_and_scan("uploads/intake/upl_d", &eicar).unwrap(), ScanStatus::Infected);
        let expires = clock.now() + chrono::Duration::minutes(5);
        let url = storage.presigned_get("uploads/intake/upl_c", clock.now(), expires).await.unwrap();
        let query = url.split_once('?').unwrap().1;
        let params: BTreeMap<&str, &str> = query.split('&').filter_map(|p| p.split_once('=')).collect();
        assert_eq!(
            storage.read_signed("uploads/intake/upl_c", params["expires"], params["signature"]),
            Some(b"%PDF fine".to_vec())
        );
        assert_eq!(storage.read_signed("uploads/intake/upl_d", params["expires"], params["signature"]), None);
        let _ = std::fs::remove_dir_all(folder);
    }
}
