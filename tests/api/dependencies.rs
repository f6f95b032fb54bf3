//! What each deployed function links, read from `cargo tree`: no demo code anywhere, and each SDK
//! crate only where it is called (aws-sdk-connect alone costs minutes of build and megabytes).

use std::collections::BTreeSet;
use std::process::Command;

/// Crates that exist for demo mode and tests only.
const DEMO_ONLY: &[&str] = &["visits-embedded", "local-server", "local-invoke", "aws-standin", "visits-tests"];

/// The SDK clients (and the HTTP runtime) each function may link, and nothing more.
const ALLOWED: &[(&str, &[&str])] = &[
    ("schedule-visit", &["aws-sdk-dynamodb", "lambda_http"]),
    ("mint-link", &["aws-sdk-dynamodb", "aws-sdk-kms", "lambda_http"]),
    // A link sent in a message is its code: the senders sign nothing.
    ("notify", &["aws-sdk-dynamodb", "aws-sdk-sesv2", "aws-sdk-sns", "lambda_http"]),
    ("redeem-token", &["aws-sdk-dynamodb", "aws-sdk-kms", "aws-sdk-chimesdkmeetings", "lambda_http"]),
    ("guests", &["aws-sdk-dynamodb", "aws-sdk-sesv2", "aws-sdk-sns", "aws-sdk-chimesdkmeetings", "lambda_http"]),
    // Media pipelines record and transcribe; reading back what they kept (S3) is `recordings`'.
    (
        "start-session",
        &[
            "aws-sdk-dynamodb",
            "aws-sdk-kms",
            "aws-sdk-chimesdkmeetings",
            "aws-sdk-chimesdkmediapipelines",
            "aws-sdk-connect",
            "lambda_http",
        ],
    ),
    ("recordings", &["aws-sdk-dynamodb", "aws-sdk-s3", "lambda_http"]),
    (
        "signup",
        &[
            "aws-sdk-dynamodb",
            "aws-sdk-kms",
            "aws-sdk-sesv2",
            "aws-sdk-sns",
            "aws-sdk-cognitoidentityprovider",
            "lambda_http",
        ],
    ),
    ("book-visit", &["aws-sdk-dynamodb", "aws-sdk-kms", "lambda_http"]),
    (
        "clinician-applications",
        &["aws-sdk-dynamodb", "aws-sdk-kms", "aws-sdk-sesv2", "aws-sdk-cognitoidentityprovider", "lambda_http"],
    ),
    // S3 is signed with aws-sigv4: no S3 client. Cognito checks a user's token (GetUser).
    ("uploads", &["aws-sdk-dynamodb", "aws-sdk-kms", "aws-sdk-cognitoidentityprovider", "lambda_http"]),
    ("upload-scanned", &["aws-sdk-dynamodb"]),
    ("reminders", &["aws-sdk-dynamodb", "aws-sdk-sesv2", "aws-sdk-sns"]),
    // A transcription's audio is deleted from S3 once joined.
    ("attendance", &["aws-sdk-dynamodb", "aws-sdk-s3"]),
    // The stream's second reader: schedules, and the patient-waiting alert.
    (
        "visit-jobs",
        &[
            "aws-sdk-dynamodb",
            "aws-sdk-scheduler",
            "aws-sdk-cognitoidentityprovider",
            "aws-sdk-sesv2",
            "aws-sdk-sns",
            "aws-sdk-eventbridge",
        ],
    ),
    ("audit-stream", &["aws-sdk-dynamodb"]),
    ("connect-flow", &["aws-sdk-dynamodb"]),
    // The hour's records, the seal key, the Object Lock bucket.
    ("access-seal", &["aws-sdk-dynamodb", "aws-sdk-kms", "aws-sdk-s3"]),
];

/// The SDK service crates and the HTTP runtime: what `ALLOWED` rations.
fn is_rationed(krate: &str) -> bool {
    (krate.starts_with("aws-sdk-") && krate != "aws-sdk-sts" && krate != "aws-sdk-sso" && krate != "aws-sdk-ssooidc")
        || krate == "lambda_http"
}

/// The names of every crate `package` links in a normal (non-dev, non-build) build.
fn linked(package: &str) -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["tree", "--locked", "--offline", "-e", "normal", "--prefix", "none", "-p", package])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(output.status.success(), "cargo tree -p {package}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn deployed_functions_link_no_demo_code_and_only_the_sdk_crates_they_call() {
    let functions: BTreeSet<String> = std::fs::read_dir(format!("{}/../functions", env!("CARGO_MANIFEST_DIR")))
        .expect("functions/")
        .map(|entry| entry.expect("an entry").file_name().into_string().expect("a name"))
        .collect();
    let listed: BTreeSet<String> = ALLOWED.iter().map(|(name, _)| (*name).to_owned()).collect();
    assert_eq!(functions, listed, "every function crate has a line in ALLOWED");
    for (function, allowed) in ALLOWED {
        let linked = linked(function);
        assert!(linked.contains("visits-domain"), "{function}: cargo tree listed {linked:?}");
        for demo in DEMO_ONLY {
            assert!(!linked.contains(*demo), "{function} links {demo}");
        }
        let rationed: BTreeSet<&str> = linked.iter().map(String::as_str).filter(|k| is_rationed(k)).collect();
        assert_eq!(rationed, allowed.iter().copied().collect(), "{function}");
    }
}

/// Every dependency a workspace crate declares is named in its sources (as cargo-machete checks,
/// without building it on every fresh machine): an unused one only costs build time.
#[test]
fn every_declared_dependency_is_used() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--locked", "--offline", "--no-deps", "--format-version", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).expect("cargo metadata's JSON");
    let mut unused = Vec::new();
    for package in metadata["packages"].as_array().expect("packages") {
        let manifest = std::path::Path::new(package["manifest_path"].as_str().expect("a manifest"));
        let sources = rust_sources(manifest.parent().expect("a crate folder"));
        for dependency in package["dependencies"].as_array().expect("dependencies") {
            let name = dependency["rename"].as_str().or(dependency["name"].as_str()).expect("a name");
            let ident = name.replace('-', "_");
            if !sources.iter().any(|source| names(source, &ident)) {
                unused.push(format!("{}: {name}", package["name"].as_str().unwrap_or_default()));
            }
        }
    }
    assert!(unused.is_empty(), "declared and never named: {unused:#?}");
}

/// The text of every `.rs` file under `dir` (its own crates' folders aside: none nest here).
fn rust_sources(dir: &std::path::Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() && path.file_name().is_some_and(|name| name != "target" && name != "node_modules") {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                found.push(std::fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }
    found
}

/// Whether `source` names `ident` as a whole word.
fn names(source: &str, ident: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    source.match_indices(ident).any(|(at, _)| {
        let before = source[..at].chars().next_back();
        let after = source[at + ident.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}
