//! The access log as FHIR R4: a `searchset` `Bundle` of `AuditEvent`s in the shape of IHE Basic
//! Audit Log Patterns' PatientRead (type rest, subtype read, action R, the client and server
//! agents, the user, and two entities: the resource read and the patient).

use serde_json::{Value, json};
use visits_domain::model::{AccessOutcome, AccessRecord, UserId};

pub const PATIENT_READ_PROFILE: &str =
    "https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PatientRead";
const DCM: &str = "http://dicom.nema.org/resources/ontology/DCM";
const ENTITY_TYPE: &str = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
const OBJECT_ROLE: &str = "http://terminology.hl7.org/CodeSystem/object-role";

pub fn bundle(patient_id: &UserId, records: &[AccessRecord], next_cursor: Option<&str>) -> Value {
    let mut bundle = json!({
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": records.iter().map(|record| json!({
            "fullUrl": format!("urn:uuid:{}", entry_id(record)),
            "resource": audit_event(record),
            "search": {"mode": "match"},
        })).collect::<Vec<_>>(),
    });
    if let Some(cursor) = next_cursor {
        bundle["link"] = json!([{
            "relation": "next",
            "url": format!("patients/{patient_id}/access-log?cursor={cursor}"),
        }]);
    }
    bundle
}

fn audit_event(record: &AccessRecord) -> Value {
    let outcome = match record.outcome {
        AccessOutcome::Allowed => "0",
        // A refused read: "serious failure" in AuditEvent's outcome codes.
        AccessOutcome::Refused => "8",
    };
    let mut user = json!({
        "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "IRCP", "display": "information recipient"}]},
        "who": {"identifier": {"system": "urn:video-visits:user", "value": record.actor.id}},
        "role": [{"coding": [{"system": "urn:video-visits:role", "code": record.actor.role}]}],
        "requestor": true,
    });
    if let Some(client) = &record.actor.client {
        user["altId"] = json!(client);
    }
    json!({
        "resourceType": "AuditEvent",
        "meta": {"profile": [PATIENT_READ_PROFILE]},
        "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest", "display": "Restful Operation"},
        "subtype": [{"system": "http://hl7.org/fhir/restful-interaction", "code": "read", "display": "read"}],
        "action": "R",
        "recorded": record.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "outcome": outcome,
        "outcomeDesc": record.action.as_str(),
        "agent": [
            {
                "type": {"coding": [{"system": DCM, "code": "110153", "display": "Source Role ID"}]},
                "who": {"display": record.actor.client.as_deref().unwrap_or("video-visits client")},
                "requestor": false,
            },
            {
                "type": {"coding": [{"system": DCM, "code": "110152", "display": "Destination Role ID"}]},
                "who": {"display": "video-visits API"},
                "requestor": false,
            },
            user,
        ],
        "source": {
            "observer": {"display": "video-visits API"},
            "type": [{"system": "http://terminology.hl7.org/CodeSystem/security-source-type", "code": "4", "display": "Application Server"}],
        },
        "entity": [
            {
                "what": {"reference": record.resource},
                "type": {"system": ENTITY_TYPE, "code": "2", "display": "System Object"},
                "role": {"system": OBJECT_ROLE, "code": "4", "display": "Domain Resource"},
            },
            {
                "what": {"reference": format!("Patient/{}", record.patient_id)},
                "type": {"system": ENTITY_TYPE, "code": "1", "display": "Person"},
                "role": {"system": OBJECT_ROLE, "code": "1", "display": "Patient"},
            },
        ],
    })
}

/// A stable id for the record's bundle entry: its patient and sort key, hashed.
fn entry_id(record: &AccessRecord) -> String {
    let digest = visits_domain::model::Digest::of(format!("{}|{}", record.patient_id, record.sort_key()).as_bytes());
    let hex = digest.to_hex();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}
