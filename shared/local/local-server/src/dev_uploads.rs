//! Demo mode's S3 and GuardDuty: `POST /dev/uploads` takes a presigned POST's form (checked as S3
//! checks its policy), keeps the file, scans it, and hands the `upload-scanned` function the
//! result event GuardDuty would; `GET /dev/uploads/{key}` serves a clean file to a signed URL.

use std::collections::BTreeMap;

use hyper::StatusCode;
use lambda_http::{Body, Response};
use serde_json::json;
use visits_domain::model::ScanStatus;
use visits_embedded::LocalStorage;
use visits_http::Problem;

/// The largest upload the contract allows, and room for the form around it.
pub const MAX_UPLOAD_REQUEST_BYTES: usize = 10 * 1024 * 1024 + 64 * 1024;

/// The form's fields and its file, from a `multipart/form-data` body (the file is the last part,
/// as S3 requires).
pub fn parse_form(content_type: &str, body: &[u8]) -> Option<(BTreeMap<String, String>, Vec<u8>)> {
    let boundary = content_type.split(';').find_map(|p| p.trim().strip_prefix("boundary="))?.trim_matches('"');
    let delimiter = format!("--{boundary}");
    let mut fields = BTreeMap::new();
    let mut file = None;
    for part in split(body, delimiter.as_bytes()).into_iter().skip(1) {
        if part.starts_with(b"--") {
            break;
        }
        let part = part.strip_prefix(b"\r\n")?;
        let end_of_headers = find(part, b"\r\n\r\n")?;
        let headers = std::str::from_utf8(&part[..end_of_headers]).ok()?;
        let content = part[end_of_headers + 4..].strip_suffix(b"\r\n")?;
        let disposition = headers.lines().find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))?;
        let name = disposition.split(';').find_map(|p| p.trim().strip_prefix("name="))?.trim_matches('"');
        if name == "file" {
            file = Some(content.to_vec());
        } else {
            fields.insert(name.to_owned(), String::from_utf8(content.to_vec()).ok()?);
        }
    }
    Some((fields, file?))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

fn split<'b>(mut body: &'b [u8], delimiter: &[u8]) -> Vec<&'b [u8]> {
    let mut parts = Vec::new();
    while let Some(at) = find(body, delimiter) {
        parts.push(&body[..at]);
        body = &body[at + delimiter.len()..];
    }
    parts.push(body);
    parts
}

/// The event GuardDuty Malware Protection for S3 publishes for a scanned object.
pub fn scan_result_event(bucket: &str, key: &str, status: ScanStatus) -> serde_json::Value {
    let result = if status == ScanStatus::Infected { "THREATS_FOUND" } else { "NO_THREATS_FOUND" };
    json!({
        "version": "0",
        "id": uuid::Uuid::new_v4().to_string(),
        "detail-type": "GuardDuty Malware Protection Object Scan Result",
        "source": "aws.guardduty",
        "account": "000000000000",
        "time": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "region": "us-east-1",
        "resources": [],
        "detail": {
            "schemaVersion": "1.0",
            "scanStatus": "COMPLETED",
            "resourceType": "S3_OBJECT",
            "s3ObjectDetails": { "bucketName": bucket, "objectKey": key },
            "scanResultDetails": { "scanResultStatus": result, "threats": null },
        },
    })
}

/// S3 answers a refused POST 403 with its own body; here a problem saying which rule.
pub fn refused(detail: impl std::fmt::Display) -> Response<Body> {
    Problem::new(StatusCode::FORBIDDEN, "upload-refused", "Upload refused", detail.to_string()).into_response()
}

/// `GET /dev/uploads/{key}?expires=…&signature=…`.
pub fn download(storage: &LocalStorage, key: &str, query: Option<&str>) -> Response<Body> {
    let params: BTreeMap<String, String> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect();
    let param = |name: &str| params.get(name).map(String::as_str).unwrap_or_default();
    match storage.read_signed(key, param("expires"), param("signature")) {
        Some(bytes) => {
            let mut response = Response::new(Body::Binary(bytes));
            response
                .headers_mut()
                .insert("content-type", hyper::header::HeaderValue::from_static("application/octet-stream"));
            response
        }
        None => refused("the URL is not signed, has expired, or names no clean file"),
    }
}
