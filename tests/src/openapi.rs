//! Every response the end-to-end tests get is checked against `docs/openapi.yaml`: the status
//! must be one the operation documents, and the body must match that response's schema.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use local_server::routes::RouteTable;
use serde_json::Value;

struct Contract {
    doc: Value,
    routes: RouteTable,
    validators: Mutex<HashMap<String, std::sync::Arc<jsonschema::Validator>>>,
}

fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| {
        let path = format!("{}/../docs/openapi.yaml", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let yaml: serde_norway::Value = serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        let doc = serde_json::to_value(yaml).unwrap_or_else(|e| panic!("{path}: {e}"));
        Contract { doc, routes: RouteTable::new(), validators: Mutex::default() }
    })
}

/// A JSON pointer segment (`/` and `~` escaped).
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Follows an OpenAPI `$ref` (to a response object) within the document.
fn resolve(doc: &Value, pointer: String) -> (String, &Value) {
    let value = doc.pointer(&pointer).unwrap_or_else(|| panic!("openapi: nothing at {pointer}"));
    match value.get("$ref").and_then(Value::as_str) {
        Some(target) => resolve(doc, target.trim_start_matches('#').to_owned()),
        None => (pointer, value),
    }
}

/// A validator for the schema at `pointer`, with every `#/components/...` reference resolvable:
/// the whole document is the root and `$ref` points into it.
fn validator(pointer: &str) -> std::sync::Arc<jsonschema::Validator> {
    let contract = contract();
    let mut validators = contract.validators.lock().unwrap_or_else(|p| p.into_inner());
    validators
        .entry(pointer.to_owned())
        .or_insert_with(|| {
            let mut root = contract.doc.clone();
            // A URI fragment: the braces of path templates are percent-encoded.
            let fragment = pointer.replace('{', "%7B").replace('}', "%7D");
            root["$ref"] = Value::String(format!("#{fragment}"));
            root["$schema"] = Value::String("https://json-schema.org/draft/2020-12/schema".into());
            let built = jsonschema::options().should_validate_formats(true).build(&root);
            std::sync::Arc::new(built.unwrap_or_else(|e| panic!("openapi: the schema at {pointer}: {e}")))
        })
        .clone()
}

/// Panics, naming the route, when a response breaks the contract. Routes the API does not
/// serve (the local server's `/dev/...`, unknown paths) are only held to the problem format.
pub fn check(method: &str, path: &str, status: u16, content_type: Option<&str>, body: &Value) {
    let contract = contract();
    let path = path.split('?').next().unwrap_or(path);
    if path.starts_with("/dev/") {
        return;
    }
    let Some((route, _)) = contract.routes.find(method, path) else {
        if status >= 400 {
            validate("/components/schemas/Problem", body, &format!("{method} {path} {status}"));
        }
        return;
    };
    let (route_method, template) = route.key.split_once(' ').expect("METHOD /path");
    let operation = format!("/paths/{}/{}", escape(template), route_method.to_lowercase());
    let responses = format!("{operation}/responses/{status}");
    let what = format!("{} {status}", route.key);
    assert!(contract.doc.pointer(&responses).is_some(), "openapi: {what} is not documented");
    let (response, documented) = resolve(&contract.doc, responses);
    let Some(content) = documented.get("content") else {
        assert!(body.is_null(), "openapi: {what} documents no body but got {body}");
        return;
    };
    let content_type = content_type.unwrap_or_default().split(';').next().unwrap_or_default().trim().to_owned();
    assert!(content.get(&content_type).is_some(), "openapi: {what} does not document {content_type:?}");
    validate(&format!("{response}/content/{}/schema", escape(&content_type)), body, &what);
}

fn validate(pointer: &str, body: &Value, what: &str) {
    let validator = validator(pointer);
    let errors: Vec<String> = validator.iter_errors(body).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "openapi: {what} breaks its schema: {errors:?}\nbody: {body}");
}
