//! The pages (`web/`, built into `web/dist`) on the API's own origin, as CloudFront serves them in
//! AWS: `/j/{code}` is the join page, `/portal…` the portal, `/desk…` the desk, `/assets/…` their
//! scripts and styles, `/config.json` where the API is and how people sign in (demo accounts).
//! The security headers are the site's response-headers policy in template.yaml (a test holds
//! the two equal), with `connect-src` on this origin instead of the API's.

use std::path::{Component, Path, PathBuf};

use hyper::StatusCode;
use lambda_http::{Body, Response};
use visits_http::Problem;

/// The Content-Security-Policy of every page: scripts and styles from the site only (no inline
/// script), the API and Chime's media and signalling hosts, never framed. The Chime SDK starts a
/// worker from a `blob:` URL.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; worker-src 'self' blob:; connect-src 'self' https://*.chime.aws wss://*.chime.aws; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
/// Camera and microphone for the site itself, nothing for frames or other origins.
pub const PERMISSIONS_POLICY: &str = "camera=(self), microphone=(self), display-capture=(), geolocation=()";

/// Where the built pages are: `WEB_DIR`, or `web/dist` in this checkout.
pub fn web_dir() -> PathBuf {
    std::env::var_os("WEB_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../web/dist"))
}

/// The file a page path is served from, or `None` when the path is the API's.
pub fn file_for(path: &str) -> Option<PathBuf> {
    let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
    if path.starts_with("/j/") {
        return Some(PathBuf::from("join.html"));
    }
    if under("/portal") {
        return Some(PathBuf::from("portal.html"));
    }
    if under("/desk") {
        return Some(PathBuf::from("desk.html"));
    }
    let asset = Path::new(path.strip_prefix("/assets/")?);
    // One plain file name: nothing outside assets/ is reachable.
    let plain = asset.components().count() == 1 && matches!(asset.components().next(), Some(Component::Normal(_)));
    plain.then(|| Path::new("assets").join(asset))
}

/// The page or asset at `file` under `dir`, with the site's headers.
pub fn serve(dir: &Path, file: &Path) -> Response<Body> {
    match std::fs::read(dir.join(file)) {
        Ok(bytes) => respond(StatusCode::OK, content_type(file), Body::Binary(bytes)),
        Err(_) if !dir.join("join.html").exists() => Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "pages-not-built",
            "Pages not built",
            "the pages are built by `make web` (make dev builds them)",
        )
        .into_response(),
        Err(_) => Problem::route_not_found().into_response(),
    }
}

fn respond(status: StatusCode, content_type: &str, body: Body) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .header("cache-control", "no-cache")
        .header("content-security-policy", CONTENT_SECURITY_POLICY)
        .header("permissions-policy", PERMISSIONS_POLICY)
        .header("referrer-policy", "no-referrer")
        .header("x-content-type-options", "nosniff")
        .header("x-frame-options", "DENY")
        .body(body)
        .unwrap_or_else(|_| Response::new(Body::Empty))
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|ext| ext.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "text/plain; charset=utf-8",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_paths_map_to_their_files_and_nothing_else_does() {
        assert_eq!(file_for("/j/ABCDEFGHJKMN"), Some(PathBuf::from("join.html")));
        assert_eq!(file_for("/j/"), Some(PathBuf::from("join.html")));
        assert_eq!(file_for("/portal"), Some(PathBuf::from("portal.html")));
        assert_eq!(file_for("/portal/visits/vis_1"), Some(PathBuf::from("portal.html")));
        assert_eq!(file_for("/desk"), Some(PathBuf::from("desk.html")));
        assert_eq!(file_for("/assets/join.js"), Some(PathBuf::from("assets/join.js")));
        assert_eq!(file_for("/portalx"), None);
        assert_eq!(file_for("/join/ABC"), None, "the API's join routes stay the API's");
        assert_eq!(file_for("/assets/../Cargo.toml"), None);
        assert_eq!(file_for("/assets/a/b.js"), None);
        assert_eq!(file_for("/assets/"), None);
        assert_eq!(file_for("/visits"), None);
    }
}
