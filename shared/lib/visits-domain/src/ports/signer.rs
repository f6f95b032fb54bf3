use super::DependencyError;
use async_trait::async_trait;

/// An uncompressed P-256 public key: the 32-byte x and y coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey {
    pub x: [u8; 32],
    pub y: [u8; 32],
}

impl PublicKey {
    /// From the SEC1 uncompressed point `04 ‖ x ‖ y`, or from a DER SubjectPublicKeyInfo that
    /// ends with one (what KMS GetPublicKey returns).
    pub fn from_sec1_tail(bytes: &[u8]) -> Option<Self> {
        let point = bytes.get(bytes.len().checked_sub(65)?..)?;
        if point[0] != 0x04 {
            return None;
        }
        let mut x = [0u8; 32];
        let mut y = [0u8; 32];
        x.copy_from_slice(&point[1..33]);
        y.copy_from_slice(&point[33..65]);
        Some(Self { x, y })
    }
}

/// Signs with an ECDSA P-256 key (KMS, or a local key in demo mode).
#[async_trait]
pub trait Signer: Send + Sync {
    /// The public key, for local verification. Callers cache it.
    async fn public_key(&self) -> Result<PublicKey, DependencyError>;
    /// ES256 over `message` (hashed with SHA-256 by the signer), as the 64-byte `r ‖ s` JWS needs.
    async fn sign(&self, message: &[u8]) -> Result<[u8; 64], DependencyError>;
}
