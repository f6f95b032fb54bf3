//! The HTTPS client of every AWS call, and which roots it trusts.

use aws_smithy_http_client::tls;
use aws_smithy_runtime_api::client::http::SharedHttpClient;

/// The roots of Amazon Trust Services, which every AWS service endpoint's certificate chains to
/// (Amazon Root CA 1–4, and Starfield Services G2 which cross-signs them).
const AMAZON_TRUST_SERVICES_ROOTS: &[u8] = include_bytes!("amazon-trust-services-roots.pem");

/// Which certificates the AWS calls trust (`TLS_ROOTS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsRoots {
    /// Amazon Trust Services' five roots (the default). Reading and parsing the platform's whole
    /// store instead costs every cold start 3–6 ms, most of a function's init.
    Amazon,
    /// The platform's store (`TLS_ROOTS=platform`), e.g. behind a TLS-inspecting egress proxy.
    Platform,
}

impl TlsRoots {
    /// `TLS_ROOTS` from the environment: `platform` or, by default, `amazon`.
    pub fn from_env() -> Self {
        Self::named(std::env::var("TLS_ROOTS").ok().as_deref())
    }

    fn named(setting: Option<&str>) -> Self {
        match setting {
            Some("platform") => Self::Platform,
            _ => Self::Amazon,
        }
    }
}

/// The SDK's own HTTPS client (rustls with aws-lc), trusting `roots`. The roots are read at the
/// first connection.
pub fn https_client(roots: TlsRoots) -> SharedHttpClient {
    let trust = match roots {
        TlsRoots::Amazon => tls::TrustStore::empty().with_pem_certificate(AMAZON_TRUST_SERVICES_ROOTS),
        TlsRoots::Platform => tls::TrustStore::default(),
    };
    let context = tls::TlsContext::builder().with_trust_store(trust).build().unwrap_or_default();
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::AwsLc))
        .tls_context(context)
        .build_https()
}

#[cfg(test)]
mod tests {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;

    use super::*;

    #[test]
    fn the_amazon_roots_are_five_certificates_rustls_accepts() {
        let text = std::str::from_utf8(AMAZON_TRUST_SERVICES_ROOTS).unwrap();
        for name in ["Amazon Root CA 1", "Amazon Root CA 4", "Starfield Services Root Certificate Authority - G2"] {
            assert!(text.contains(name), "{name} is in the bundle");
        }
        // As the client reads them at its first connection (it panics on one it cannot parse).
        let certificates: Vec<_> =
            CertificateDer::pem_slice_iter(AMAZON_TRUST_SERVICES_ROOTS).collect::<Result<_, _>>().expect("PEM");
        let mut roots = rustls::RootCertStore::empty();
        assert_eq!(roots.add_parsable_certificates(certificates), (5, 0));
        let _ = https_client(TlsRoots::Amazon);
        let _ = https_client(TlsRoots::Platform);
    }

    #[test]
    fn only_platform_turns_the_platform_store_on() {
        assert_eq!(TlsRoots::named(None), TlsRoots::Amazon);
        assert_eq!(TlsRoots::named(Some("amazon")), TlsRoots::Amazon);
        assert_eq!(TlsRoots::named(Some("platform")), TlsRoots::Platform);
        assert_eq!(TlsRoots::named(Some("PLATFORM")), TlsRoots::Amazon, "exact value only");
    }
}
