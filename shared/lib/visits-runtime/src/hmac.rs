//! HMAC-SHA256 with a key held in this process (aws-lc): the `Mac` of one-time codes when the key
//! comes from a secret, and of demo mode with a key drawn at start.

use async_trait::async_trait;
use aws_lc_rs::hmac;
use visits_domain::model::Digest;
use visits_domain::ports::{Dependency, DependencyError, Mac};

pub struct HmacSha256(hmac::Key);

impl HmacSha256 {
    /// At least 32 bytes: HMAC-SHA256 gains nothing from a longer key and loses from a shorter.
    pub fn new(key: &[u8]) -> Result<Self, String> {
        if key.len() < 32 {
            return Err("an HMAC key needs at least 32 bytes".into());
        }
        Ok(Self(hmac::Key::new(hmac::HMAC_SHA256, key)))
    }
}

#[async_trait]
impl Mac for HmacSha256 {
    async fn mac(&self, message: &[u8]) -> Result<Digest, DependencyError> {
        let tag = hmac::sign(&self.0, message);
        let bytes: [u8; 32] =
            tag.as_ref().try_into().map_err(|_| DependencyError::failed(Dependency::MacKey, "HMAC-SHA256 tag size"))?;
        Ok(Digest::from_bytes(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231, test case 2 has a short key; case 6's key is 131 bytes of 0xaa.
    #[tokio::test]
    async fn matches_rfc_4231() {
        let mac = HmacSha256::new(&[0xaa; 131]).unwrap();
        let tag = mac.mac(b"Test Using Larger Than Block-Size Key - Hash Key First").await.unwrap();
        assert_eq!(tag.to_hex(), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    }

    #[tokio::test]
    async fn keys_are_long_and_tags_depend_on_them() {
        assert!(HmacSha256::new(&[1; 31]).is_err());
        let (a, b) = (HmacSha256::new(&[1; 32]).unwrap(), HmacSha256::new(&[2; 32]).unwrap());
        assert_ne!(a.mac(b"123456").await.unwrap(), b.mac(b"123456").await.unwrap());
        assert_eq!(a.mac(b"123456").await.unwrap(), a.mac(b"123456").await.unwrap());
    }
}
