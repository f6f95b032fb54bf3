//! Request input: JSON bodies, path and query values, headers. Errors name the field and never
//! echo the value, which may be PHI.

use lambda_http::{Body, Request, RequestExt};
use serde::de::DeserializeOwned;
use visits_domain::model::VisitId;

use crate::Problem;
use crate::strict::Strict;

/// Larger bodies are refused before parsing: no route needs more.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// Parses the JSON body strictly ([`Strict`]): an object only, no `null`, no unknown field (each
/// body type denies them). An empty body parses as `{}` so every field can default.
pub fn json_body<T: DeserializeOwned>(request: &Request) -> Result<T, Problem> {
    let bytes: &[u8] = match request.body() {
        Body::Empty => b"{}",
        Body::Text(text) if text.trim().is_empty() => b"{}",
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => b"{}",
    };
    parse_json(bytes)
}

/// [`json_body`] on raw bytes (the local server's own `/dev` routes).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) { b"{}" } else { bytes };
    if bytes.len() > MAX_BODY_BYTES {
        let mut problem = Problem::invalid_field("body", format!("must be at most {MAX_BODY_BYTES} bytes"));
        problem.status = 413;
        problem.title = "Payload too large";
        return Err(problem);
    }
    // Parsed as a value first: serde would otherwise accept `[..]` for a struct, field by position.
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|_| Problem::invalid_field("body", "is not valid JSON"))?;
    if !value.is_object() {
        return Err(Problem::invalid_field("body", "must be a JSON object"));
    }
    serde_path_to_error::deserialize(Strict(value)).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let (field, message) = describe(&path, &inner);
        Problem::invalid_field(&field, message)
    })
}

/// For routes that take no body: nothing, `{}`, or a 400 naming the first field sent.
pub fn no_body(request: &Request) -> Result<(), Problem> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct NoFields {}
    json_body::<NoFields>(request).map(|_| ())
}

/// Turns a serde error into (field, message) without the offending value.
fn describe(path: &str, error: &serde_json::Error) -> (String, String) {
    let text = error.to_string();
    let text = text.split(" at line ").next().unwrap_or_default();
    let at_root = path == "." || path.is_empty();
    if error.is_syntax() || error.is_eof() {
        return ("body".into(), "is not valid JSON".into());
    }
    if let Some(rest) = text.strip_prefix("unknown field `") {
        // The path already ends at the unknown key.
        let field = if at_root { rest.split('`').next().unwrap_or_default().to_owned() } else { path.to_owned() };
        return (field, "is not a field of this request".into());
    }
    if let Some(rest) = text.strip_prefix("missing field `") {
        let name = rest.trim_end_matches('`');
        let field = if at_root { name.to_owned() } else { format!("{path}.{name}") };
        return (field, "is required".into());
    }
    let field = if at_root { "body".to_owned() } else { path.to_owned() };
    let expected = text.split(", expected ").nth(1).map(|e| match e {
        "u8" | "u16" | "u32" | "u64" | "usize" | "i32" | "i64" => "a whole number",
        e if e.starts_with("struct ") => "an object",
        other => other,
    });
    let message = if text.starts_with("invalid type") {
        format!("must be {}", expected.unwrap_or("of another type"))
    } else if text.starts_with("unknown variant") {
        format!("must be one of {}", expected.map(|e| e.trim_start_matches("one of ")).unwrap_or("the allowed values"))
    } else if text.starts_with("invalid value") || text.starts_with("invalid length") {
        format!("must be {}", expected.unwrap_or("a valid value"))
    } else if text.starts_with("input contains invalid characters") || text.contains("premature end of input") {
        "must be an RFC 3339 time, e.g. 2030-01-01T10:00:00Z".into()
    } else {
        // Our own validation messages (`must be in E.164 form`), which never hold the value.
        text.to_owned()
    };
    (field, message)
}

/// The `{visitId}` path parameter.
pub fn visit_id(request: &Request) -> Result<VisitId, Problem> {
    let raw = request.path_parameters_ref().and_then(|p| p.first("visitId")).unwrap_or_default().to_owned();
    VisitId::parse(&raw).map_err(|message| Problem::invalid_field("visitId", message))
}

/// A path parameter by name, empty if missing.
pub fn path_param(request: &Request, name: &str) -> String {
    request.path_parameters_ref().and_then(|p| p.first(name)).unwrap_or_default().to_owned()
}

/// A query string value.
pub fn query(request: &Request, name: &str) -> Option<String> {
    request.query_string_parameters_ref().and_then(|q| q.first(name)).map(str::to_owned)
}

const MAX_IDEMPOTENCY_KEY: usize = 200;

/// The `Idempotency-Key` header, trimmed: 1 to 200 characters when present (header bytes are
/// checked before a handler runs).
pub fn idempotency_key(request: &Request) -> Result<Option<&str>, Problem> {
    let key = header(request, "idempotency-key").map(str::trim);
    if key.is_some_and(|k| k.is_empty() || k.len() > MAX_IDEMPOTENCY_KEY) {
        return Err(Problem::invalid_field(
            "Idempotency-Key",
            format!("must be 1 to {MAX_IDEMPOTENCY_KEY} characters"),
        ));
    }
    Ok(key)
}

pub fn header<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    header_value(request.headers(), name)
}

pub fn header_value<'h>(headers: &'h lambda_http::http::HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// The bearer token of the `Authorization` header.
pub fn bearer(request: &Request) -> Option<&str> {
    let value = header(request, "authorization")?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use visits_domain::model::PhoneNumber;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body1 {
        duration_minutes: u32,
        contact: Contact,
        #[serde(default)]
        note: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Contact {
        phone: PhoneNumber,
    }

    fn parse(body: &str) -> Problem {
        let request = lambda_http::http::Request::builder().body(Body::Text(body.into())).unwrap();
        json_body::<Body1>(&request).unwrap_err()
    }

    #[test]
    fn errors_name_the_field_and_hide_the_value() {
        let p = parse(r#"{"durationMinutes": "thirty", "contact": {"phone": "+12"}}"#);
        assert_eq!((p.errors[0].field.as_str(), p.status), ("durationMinutes", 400));
        assert!(!p.errors[0].message.contains("thirty"));

        let p = parse(r#"{"durationMinutes": 30, "contact": {"phone": "555-0100"}}"#);
        assert_eq!(p.errors[0].field, "contact.phone");
        assert!(p.errors[0].message.contains("E.164") && !p.errors[0].message.contains("555"));

        let p = parse(r#"{"durationMinutes": 30}"#);
        assert_eq!(p.errors[0].field, "contact");

        let p = parse(r#"{"durationMinutes": 30, "contact": {}}"#);
        assert_eq!(p.errors[0].field, "contact.phone");

        let p = parse("{not json");
        assert_eq!(p.errors[0].field, "body");

        let p = parse(r#"{"durationMinutes": 30, "contact": {"phone": "+15550100"}, "notes": "typo"}"#);
        assert_eq!(p.errors[0].field, "notes");
        let p = parse(r#"{"durationMinutes": 30, "contact": {"phone": "+15550100", "fax": "1"}}"#);
        assert_eq!(p.errors[0].field, "contact.fax");

        let p = parse(r#"{"durationMinutes": 30, "contact": {"phone": "+15550100"}, "note": null}"#);
        assert_eq!(p.errors[0].field, "note");
        assert!(p.errors[0].message.contains("null"));
        let p = parse(r#"{"durationMinutes": 30, "contact": null}"#);
        assert_eq!(p.errors[0].field, "contact");

        let p = parse(r#"{"durationMinutes": 30.5, "contact": {"phone": "+15550100"}}"#);
        assert_eq!(p.errors[0].field, "durationMinutes", "a fraction is not a whole number");
        let whole: Body1 = json_body(
            &lambda_http::http::Request::builder()
                .body(Body::Text(r#"{"durationMinutes": 30.0, "contact": {"phone": "+15550100"}}"#.into()))
                .unwrap(),
        )
        .expect("30.0 is the integer 30");
        assert_eq!(whole.duration_minutes, 30);

        let p = parse(r#"{"durationMinutes": 30, "contact": ["+15550100"]}"#);
        assert_eq!((p.errors[0].field.as_str(), p.errors[0].message.as_str()), ("contact", "must be an object"));

        let p = parse(&format!(r#"{{"x": "{}"}}"#, "a".repeat(MAX_BODY_BYTES)));
        assert_eq!((p.errors[0].field.as_str(), p.status), ("body", 413));
    }
}
