//! A function's routes, declared once: the enum its handler matches exhaustively, and the list of
//! API Gateway route keys the local server and the template test read.

/// `METHOD /path/{param}` as API Gateway names routes (`routeKey`).
pub type RouteKey = &'static str;

/// Declares a function's routes: `enum Route { Variant => "METHOD /path", ... }` becomes the enum,
/// `Route::KEYS` (every key, in order), `Route::key` and `Route::of(&request)`. A route whose
/// answer carries a patient's data says so, `Variant => "GET /path" (reads patient data),`: it is
/// then in `Route::PATIENT_DATA`, and tests/api/access_log.rs fails until its read is recorded.
#[macro_export]
macro_rules! routes {
    ($vis:vis enum $name:ident { $($variant:ident => $key:literal $((reads patient $data:ident))?,)* }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name {
            $($variant,)*
        }

        impl $name {
            pub const KEYS: &'static [$crate::RouteKey] = &[$($key,)*];

            /// The routes that answer with a patient's data, each read recorded before it leaves.
            pub const PATIENT_DATA: &'static [$crate::RouteKey] = &[$($($crate::first!($key, $data),)?)*];

            pub fn key(self) -> $crate::RouteKey {
                match self {
                    $($name::$variant => $key,)*
                }
            }

            /// The route API Gateway matched for `request`, if it is one of these.
            pub fn of(request: &$crate::Request) -> Option<Self> {
                match $crate::caller::route_key(request)? {
                    $($key => Some($name::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

/// The first of its arguments (`routes!` names a key once per marker it carries).
#[doc(hidden)]
#[macro_export]
macro_rules! first {
    ($first:expr, $($rest:tt)*) => {
        $first
    };
}

#[cfg(test)]
mod tests {
    crate::routes! {
        enum Example {
            List => "GET /things" (reads patient data),
            Read => "GET /things/{id}",
        }
    }

    fn request(route_key: &str) -> crate::Request {
        let event = serde_json::json!({
            "version": "2.0", "routeKey": route_key, "rawPath": "/things", "rawQueryString": "",
            "headers": {}, "isBase64Encoded": false,
            "requestContext": {"routeKey": route_key, "http": {"method": "GET", "path": "/things"},
                "accountId": "1", "apiId": "a", "domainName": "d", "requestId": "r", "stage": "$default"},
        });
        lambda_http::request::from_str(&event.to_string()).expect("an API Gateway v2 event")
    }

    #[test]
    fn keys_and_lookup_come_from_one_declaration() {
        assert_eq!(Example::KEYS, ["GET /things", "GET /things/{id}"]);
        assert_eq!(Example::PATIENT_DATA, ["GET /things"]);
        assert_eq!(Example::Read.key(), "GET /things/{id}");
        assert_eq!(Example::of(&request("GET /things/{id}")), Some(Example::Read));
        assert_eq!(Example::of(&request("GET /other")), None);
    }
}
