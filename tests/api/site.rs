//! The pages' site: the local server serves them as CloudFront does in AWS. Its security headers
//! are the template's response-headers policy, its page paths the template's routing function,
//! and the API's CORS admits the site and every method the pages call.

use std::collections::BTreeSet;

use local_server::pages::{CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY, file_for};
use visits_tests::spawn_app;

use crate::template::{template, text};

/// A CSP as directive → sources.
fn directives(policy: &str) -> Vec<(String, BTreeSet<String>)> {
    policy
        .split(';')
        .filter_map(|directive| {
            let mut words = directive.split_whitespace();
            Some((words.next()?.to_owned(), words.map(str::to_owned).collect()))
        })
        .collect()
}

#[test]
fn the_local_pages_send_the_sites_security_headers() {
    let template = template();
    let config = &template["Resources"]["SiteHeaders"]["Properties"]["ResponseHeadersPolicyConfig"];
    let security = &config["SecurityHeadersConfig"];
    // !Sub [template, variables]: the template string.
    let csp = security["ContentSecurityPolicy"]["ContentSecurityPolicy"].clone();
    let csp = match &csp {
        serde_norway::Value::Tagged(tagged) => tagged.value[0].as_str().unwrap().to_owned(),
        other => text(other).unwrap().to_owned(),
    };
    let deployed = directives(&csp);
    let local = directives(CONTENT_SECURITY_POLICY);
    assert_eq!(
        deployed.iter().map(|(name, _)| name).collect::<Vec<_>>(),
        local.iter().map(|(name, _)| name).collect::<Vec<_>>()
    );
    for ((name, deployed), (_, local)) in deployed.iter().zip(&local) {
        if name == "connect-src" {
            // AWS adds the API's hosts and the hosted UI; the local API is 'self'.
            let extra: BTreeSet<_> = deployed.difference(local).cloned().collect();
            assert_eq!(
                extra,
                BTreeSet::from([
                    "https://*.execute-api.${AWS::Region}.amazonaws.com".to_owned(),
                    "https://${HostedUi}".to_owned()
                ])
            );
            assert!(local.is_subset(deployed));
            assert!(local.contains("wss://*.chime.aws") && local.contains("https://*.chime.aws"));
        } else {
            assert_eq!(deployed, local, "{name}");
        }
    }
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "no inline script");
    assert_eq!(security["FrameOptions"]["FrameOption"], "DENY");
    assert_eq!(security["ReferrerPolicy"]["ReferrerPolicy"], "no-referrer");
    assert!(security["StrictTransportSecurity"]["AccessControlMaxAgeSec"].as_u64().unwrap() >= 31_536_000);
    let custom = &config["CustomHeadersConfig"]["Items"][0];
    assert_eq!(
        (text(&custom["Header"]), text(&custom["Value"])),
        (Some("Permissions-Policy"), Some(PERMISSIONS_POLICY))
    );
}

#[test]
fn the_sites_routing_function_sends_page_paths_where_the_local_server_does() {
    let template = template();
    let code = text(&template["Resources"]["SiteRoutes"]["Properties"]["FunctionCode"]).unwrap();
    for (path, file) in
        [("/j/", "join.html"), ("/portal", "portal.html"), ("/portal/", "portal.html"), ("/desk", "desk.html")]
    {
        assert!(code.contains(&format!("'{path}'")), "CloudFront routes {path}");
        assert!(code.contains(&format!("'/{file}'")));
        assert_eq!(file_for(&format!("{path}x")).or_else(|| file_for(path)).unwrap().to_str(), Some(file));
    }
}

/// The methods the pages' API calls use (`method: "…"` in web/src).
fn methods_the_pages_use() -> BTreeSet<String> {
    let mut methods = BTreeSet::from(["GET".to_owned()]);
    let mut stack = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../web/src"))];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().map(|entry| entry.unwrap().path()));
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        for (at, found) in source.match_indices("method: \"") {
            // `method`, not `code_challenge_method`.
            if source[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                continue;
            }
            methods.insert(source[at + found.len()..].split('"').next().unwrap().to_owned());
        }
    }
    methods
}

#[test]
fn the_apis_cors_admits_the_site_and_every_method_the_pages_use() {
    let template = template();
    let cors = &template["Resources"]["HttpApi"]["Properties"]["CorsConfiguration"];
    let allowed: BTreeSet<String> =
        cors["AllowMethods"].as_sequence().unwrap().iter().map(|m| m.as_str().unwrap().to_owned()).collect();
    let used = methods_the_pages_use();
    assert!(used.contains("DELETE") && used.contains("POST"), "{used:?}");
    assert!(used.is_subset(&allowed), "the pages use {used:?}; CORS allows {allowed:?}");
    let origins = serde_norway::to_string(&cors["AllowOrigins"]).unwrap();
    assert!(origins.contains("https://${Site.DomainName}"), "the site's origin: {origins}");
    assert!(origins.contains("JoinBaseUrl"), "a join page on its own domain");
    let join_base = &template["Parameters"]["JoinBaseUrl"];
    assert_eq!(join_base["Default"], "", "by default, links open the stack's site");
    let join_urls: Vec<String> = template["Resources"]
        .as_mapping()
        .unwrap()
        .values()
        .filter_map(|resource| resource["Properties"]["Environment"]["Variables"].get("JOIN_BASE_URL"))
        .map(|value| serde_norway::to_string(value).unwrap())
        .collect();
    assert!(!join_urls.is_empty());
    for url in join_urls {
        assert!(
            url.contains("https://${Site.DomainName}"),
            "links open the site unless JoinBaseUrl names another: {url}"
        );
    }
}

#[tokio::test]
async fn the_local_server_serves_the_pages_with_their_headers_and_the_api_beside_them() {
    let app = spawn_app().await;
    let web = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../web/dist/join.html"));
    let page = app.client.get(format!("{}/j/ABCDEFGHJKMN", app.base)).send().await.unwrap();
    if web.exists() {
        assert_eq!(page.status(), 200);
        assert_eq!(page.headers()["content-security-policy"], CONTENT_SECURITY_POLICY);
        assert_eq!(page.headers()["referrer-policy"], "no-referrer");
        assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        let html = page.text().await.unwrap();
        assert!(html.contains("/assets/join.js") && !html.contains("<script>"), "no inline script");
    } else {
        // Not built (`make web`): a clear problem, not the API's 404.
        assert_eq!(page.status(), 503);
    }
    let api = app.client.get(format!("{}/join/ABCDEFGHJKMN", app.base)).send().await.unwrap();
    assert_eq!(api.status(), 404, "the API's own join route is untouched");
    assert_eq!(api.headers()["content-type"], "application/problem+json");
    let outside = app.client.get(format!("{}/assets/..%2F..%2FCargo.toml", app.base)).send().await.unwrap();
    // Never the file: not found, or the pages' "not built" when `make web` has not run.
    assert_eq!(outside.status(), if web.exists() { 404 } else { 503 });
    assert_eq!(outside.headers()["content-type"], "application/problem+json");
}
