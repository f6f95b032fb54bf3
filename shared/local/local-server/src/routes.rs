//! The route table: every function's route keys, matched against a request path the way API
//! Gateway matches them (literal segments beat parameters).

use std::collections::HashMap;

use visits_http::RouteKey;

/// Which function serves a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    ScheduleVisit,
    MintLink,
    Notify,
    RedeemToken,
    StartSession,
    Recordings,
    Signup,
    BookVisit,
    ClinicianApplications,
    Uploads,
    Guests,
}

/// Every function that serves HTTP: its crate (the binary template.yaml deploys), its routes.
pub const OWNERS: [(&str, &[RouteKey], Function); 11] = [
    ("schedule-visit", schedule_visit::ROUTES, Function::ScheduleVisit),
    ("mint-link", mint_link::ROUTES, Function::MintLink),
    ("notify", notify::ROUTES, Function::Notify),
    ("redeem-token", redeem_token::ROUTES, Function::RedeemToken),
    ("start-session", start_session::ROUTES, Function::StartSession),
    ("recordings", recordings::ROUTES, Function::Recordings),
    ("signup", signup::ROUTES, Function::Signup),
    ("book-visit", book_visit::ROUTES, Function::BookVisit),
    ("clinician-applications", clinician_applications::ROUTES, Function::ClinicianApplications),
    ("uploads", uploads::ROUTES, Function::Uploads),
    ("guests", guests::ROUTES, Function::Guests),
];

/// Routes without the Cognito authorizer: the patient's join routes, signup, and those an
/// applicant uses (who holds no Cognito token: applying, the code, reading, uploading; a user's
/// token there is checked by the function).
pub fn is_public(key: &str) -> bool {
    let path = key.split_once(' ').map_or(key, |(_, path)| path);
    let first = path.trim_start_matches('/').split('/').next();
    matches!(first, Some("join" | "signup" | "clinician-applications" | "uploads"))
}

pub struct Route {
    pub key: RouteKey,
    pub function: Function,
    method: &'static str,
    segments: Vec<&'static str>,
}

impl Route {
    pub fn is_public(&self) -> bool {
        is_public(self.key)
    }
}

pub struct RouteTable(Vec<Route>);

impl RouteTable {
    pub fn new() -> Self {
        let routes = OWNERS
            .into_iter()
            .flat_map(|(_, keys, function)| keys.iter().map(move |key| (*key, function)))
            .map(|(key, function)| {
                let (method, path) = key.split_once(' ').unwrap_or(("", key));
                Route { key, function, method, segments: path.trim_matches('/').split('/').collect() }
            })
            .collect();
        Self(routes)
    }

    pub fn all(&self) -> &[Route] {
        &self.0
    }

    /// The methods of the most specific route template matching `path`, for a 405's `Allow`:
    /// `/join/session` takes POST, though `GET /join/{code}` would also match it.
    pub fn methods_at(&self, path: &str) -> Vec<&'static str> {
        let matches: Vec<(usize, &Route)> = self
            .0
            .iter()
            .filter_map(|route| {
                self.find(route.method, path).filter(|(found, _)| found.key == route.key).map(|_| route)
            })
            .map(|route| (route.segments.iter().filter(|s| !s.starts_with('{')).count(), route))
            .collect();
        let most_specific = matches.iter().map(|(literals, _)| *literals).max().unwrap_or(0);
        let mut methods: Vec<&'static str> = matches
            .into_iter()
            .filter(|(literals, _)| *literals == most_specific)
            .map(|(_, route)| route.method)
            .collect();
        methods.sort_unstable();
        methods.dedup();
        methods
    }

    /// The route for a method and path, and its path parameters.
    pub fn find(&self, method: &str, path: &str) -> Option<(&Route, HashMap<String, String>)> {
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        self.0
            .iter()
            .filter(|route| route.method == method && route.segments.len() == parts.len())
            .filter_map(|route| {
                let mut params = HashMap::new();
                let mut literals = 0;
                for (pattern, part) in route.segments.iter().zip(&parts) {
                    match pattern.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                        Some(name) if !part.is_empty() => {
                            params.insert(name.to_owned(), (*part).to_owned());
                        }
                        Some(_) => return None,
                        None if pattern == part => literals += 1,
                        None => return None,
                    }
                }
                Some((literals, route, params))
            })
            .max_by_key(|(literals, _, _)| *literals)
            .map(|(_, route, params)| (route, params))
    }
}

impl Default for RouteTable {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_has_exactly_one_owner() {
        let table = RouteTable::new();
        let mut keys: Vec<_> = table.all().iter().map(|r| r.key).collect();
        let count = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), count, "a route key is owned twice");
        assert_eq!(
            count, 37,
            "15 visit and join routes, 2 consents, 6 of recording and transcription, a patient's access log, 2 \
             guests, 3 signup, the lander's booking, 5 of applications, 2 uploads"
        );
    }

    #[test]
    fn literal_segments_beat_parameters() {
        let table = RouteTable::new();
        let (route, params) = table.find("POST", "/join/session").unwrap();
        assert_eq!((route.key, params.len()), ("POST /join/session", 0));
        let (route, params) = table.find("POST", "/join/ABCD").unwrap();
        assert_eq!((route.key, params["code"].as_str()), ("POST /join/{code}", "ABCD"));
        assert!(route.is_public());
        let (route, _) = table.find("GET", "/visits/vis_x/audit").unwrap();
        assert_eq!(route.function, Function::ScheduleVisit);
        assert!(!route.is_public());
        assert!(table.find("DELETE", "/visits").is_none());
        assert_eq!(table.methods_at("/visits"), ["GET", "POST"]);
        assert_eq!(table.methods_at("/join/session"), ["POST"], "the literal path wins over GET /join/{{code}}");
        assert_eq!(table.methods_at("/join/ABCD"), ["GET", "POST"]);
        assert!(table.methods_at("/nowhere").is_empty());
        let (route, params) = table.find("POST", "/signup/sgn_x/verify").unwrap();
        assert_eq!((route.function, params["signupId"].as_str()), (Function::Signup, "sgn_x"));
        assert!(route.is_public());
        assert!(table.find("GET", "/visits//audit").is_none());
    }
}
