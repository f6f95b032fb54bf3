//! The required elements of IHE Basic Audit Log Patterns' PatientRead profile
//! (`https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PatientRead`, derived
//! from BALP Read and FHIR R4 `AuditEvent`), checked on one resource.

use serde_json::Value;

const AUDIT_EVENT_TYPE: &str = "http://terminology.hl7.org/CodeSystem/audit-event-type";
const RESTFUL_INTERACTION: &str = "http://hl7.org/fhir/restful-interaction";
const DCM: &str = "http://dicom.nema.org/resources/ontology/DCM";
const ENTITY_TYPE: &str = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
const OBJECT_ROLE: &str = "http://terminology.hl7.org/CodeSystem/object-role";

fn coded(value: &Value, system: &str, code: &str) -> bool {
    value["system"] == system && value["code"] == code
}

fn agent_of_type<'a>(event: &'a Value, code: &str) -> Option<&'a Value> {
    let agents = event["agent"].as_array()?;
    agents.iter().find(|agent| {
        agent["type"]["coding"].as_array().is_some_and(|codings| codings.iter().any(|c| coded(c, DCM, code)))
    })
}

/// Panics naming the first required element `event` lacks.
pub fn assert_patient_read(event: &Value, patient_id: &str) {
    assert_eq!(event["resourceType"], "AuditEvent", "{event}");
    // AuditEvent (R4): type 1..1, recorded 1..1, agent 1..* (each with requestor), source 1..1
    // with observer, entity what/type/role.
    assert!(coded(&event["type"], AUDIT_EVENT_TYPE, "rest"), "type rest: {event}");
    let subtypes = event["subtype"].as_array().expect("subtype");
    assert!(subtypes.iter().any(|s| coded(s, RESTFUL_INTERACTION, "read")), "subtype read: {event}");
    assert_eq!(event["action"], "R", "action R: {event}");
    let recorded = event["recorded"].as_str().expect("recorded");
    chrono::DateTime::parse_from_rfc3339(recorded).expect("recorded is an instant");
    assert!(["0", "4", "8", "12"].contains(&event["outcome"].as_str().expect("outcome")), "{event}");
    let agents = event["agent"].as_array().expect("agent");
    assert!(agents.iter().all(|agent| agent["requestor"].is_boolean()), "every agent says requestor: {event}");
    assert!(agent_of_type(event, "110153").is_some(), "agent:client (Source Role ID): {event}");
    assert!(agent_of_type(event, "110152").is_some(), "agent:server (Destination Role ID): {event}");
    assert!(agents.iter().any(|agent| agent["requestor"] == true && agent["who"].is_object()), "a requestor: {event}");
    assert!(event["source"]["observer"].is_object(), "source.observer: {event}");
    let entities = event["entity"].as_array().expect("entity");
    assert!(entities.len() >= 2, "entity 2..*: {event}");
    let patient = entities.iter().find(|e| e["what"]["reference"] == format!("Patient/{patient_id}"));
    let patient = patient.unwrap_or_else(|| panic!("entity:patient names Patient/{patient_id}: {event}"));
    assert!(coded(&patient["type"], ENTITY_TYPE, "1") && coded(&patient["role"], OBJECT_ROLE, "1"), "{event}");
    let data = entities.iter().find(|e| !e["what"]["reference"].as_str().unwrap_or_default().starts_with("Patient/"));
    let data = data.unwrap_or_else(|| panic!("entity:data, what was read: {event}"));
    assert!(data["what"]["reference"].is_string() && data["type"].is_object(), "{event}");
}
