//! Role-based access. Strangers to a visit are told it does not exist, so ids cannot be probed.

use crate::DomainError;
use crate::model::{Caller, Parties, Role, UserId, Visit};

/// How a caller stands to one visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    Admin,
    TheClinician,
    ThePatient,
    Stranger,
}

pub fn relation(caller: &Caller, visit: &impl Parties) -> Relation {
    match caller.role {
        Role::Admin => Relation::Admin,
        Role::Clinician if caller.id == *visit.clinician_id() => Relation::TheClinician,
        Role::Patient if caller.id == *visit.patient_id() => Relation::ThePatient,
        _ => Relation::Stranger,
    }
}

/// Reading a visit: its patient, its clinician, an admin.
pub fn may_view(caller: &Caller, visit: &Visit) -> Result<Relation, DomainError> {
    match relation(caller, visit) {
        Relation::Stranger => Err(DomainError::VisitNotFound),
        related => Ok(related),
    }
}

/// Changing a visit (cancel, end, links, notify, audit): its clinician or an admin. Its patient
/// knows the visit exists, so they get 403, not 404.
pub fn may_manage(caller: &Caller, visit: &Visit) -> Result<Relation, DomainError> {
    match relation(caller, visit) {
        Relation::Stranger => Err(DomainError::VisitNotFound),
        Relation::ThePatient => Err(DomainError::Forbidden),
        related => Ok(related),
    }
}

/// Scheduling: a clinician for themself, an admin for any clinician. Returns the clinician.
pub fn may_schedule_for(caller: &Caller, clinician_id: Option<UserId>) -> Result<UserId, DomainError> {
    match (caller.role, clinician_id) {
        (Role::Patient, _) => Err(DomainError::Forbidden),
        (Role::Admin, Some(clinician)) => Ok(clinician),
        (Role::Admin, None) => Err(DomainError::invalid("clinicianId", "is required when an admin schedules")),
        (Role::Clinician, None) => Ok(caller.id.clone()),
        (Role::Clinician, Some(clinician)) if clinician == caller.id => Ok(clinician),
        (Role::Clinician, Some(_)) => Err(DomainError::Forbidden),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::visit::tests::visit_at;

    fn caller(role: Role, id: &str) -> Caller {
        Caller { id: UserId::parse(id).unwrap(), role }
    }

    #[test]
    fn each_relation_gets_its_answer() {
        let visit = visit_at("2030-01-01T10:00:00Z".parse().unwrap());
        let cases = [
            (caller(Role::Admin, "anyone"), Ok(Relation::Admin), Ok(Relation::Admin)),
            (caller(Role::Clinician, "clinician-1"), Ok(Relation::TheClinician), Ok(Relation::TheClinician)),
            (caller(Role::Clinician, "clinician-2"), Err("404"), Err("404")),
            (caller(Role::Patient, "patient-1"), Ok(Relation::ThePatient), Err("403")),
            (caller(Role::Patient, "patient-2"), Err("404"), Err("404")),
            // Ids match but the role does not: a clinician whose id is the patient's is a stranger.
            (caller(Role::Clinician, "patient-1"), Err("404"), Err("404")),
        ];
        let code = |r: Result<Relation, DomainError>| {
            r.map_err(|e| match e {
                DomainError::VisitNotFound => "404",
                DomainError::Forbidden => "403",
                _ => "other",
            })
        };
        for (who, view, manage) in cases {
            assert_eq!(code(may_view(&who, &visit)), view, "view {who:?}");
            assert_eq!(code(may_manage(&who, &visit)), manage, "manage {who:?}");
        }
    }

    #[test]
    fn scheduling_rights() {
        let dr = caller(Role::Clinician, "dr");
        assert_eq!(may_schedule_for(&dr, None).unwrap().as_str(), "dr");
        assert!(may_schedule_for(&dr, Some(UserId::parse("dr").unwrap())).is_ok());
        assert!(matches!(may_schedule_for(&dr, Some(UserId::parse("dr2").unwrap())), Err(DomainError::Forbidden)));
        assert!(matches!(may_schedule_for(&caller(Role::Patient, "p"), None), Err(DomainError::Forbidden)));
        let admin = caller(Role::Admin, "a");
        assert!(matches!(may_schedule_for(&admin, None), Err(DomainError::Invalid(_))));
        assert_eq!(may_schedule_for(&admin, Some(UserId::parse("dr").unwrap())).unwrap().as_str(), "dr");
    }
}
