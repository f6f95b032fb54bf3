//! What a browser or a person does outside the API: post a presigned upload form, read the
//! messages "sent" to an address from `GET /dev/outbox`.

use std::collections::BTreeMap;

use crate::TestApp;

const BOUNDARY: &str = "----visits-test-boundary";

/// A `multipart/form-data` body of `fields`, then `file` as the last part (as S3 requires), and
/// its content type.
pub fn upload_form(fields: &BTreeMap<String, String>, file: &[u8], file_type: &str) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"doc\"\r\nContent-Type: {file_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

/// Posts a presigned upload (`{"url", "fields"}` as `POST /uploads` answers) with `file`, and
/// answers the status.
pub async fn post_upload(client: &reqwest::Client, created: &serde_json::Value, file: &[u8], file_type: &str) -> u16 {
    let fields: BTreeMap<String, String> = created["fields"]
        .as_object()
        .expect("fields")
        .iter()
        .map(|(name, value)| (name.clone(), value.as_str().unwrap_or_default().to_owned()))
        .collect();
    let (content_type, body) = upload_form(&fields, file, file_type);
    let url = created["url"].as_str().expect("a url");
    let response =
        client.post(url).header("content-type", content_type).body(body).send().await.expect("the upload answers");
    response.status().as_u16()
}

impl TestApp {
    /// The texts sent to `to`, oldest first, from `GET /dev/outbox`.
    pub async fn messages_to(&self, to: &str) -> Vec<String> {
        let outbox = self.call("GET", "/dev/outbox", None, None).await;
        outbox.body["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|m| m["to"] == to)
            .map(|m| m["body"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// The join code in the newest message to `to` (`…/j/{code}…`).
    pub async fn link_code_sent_to(&self, to: &str) -> String {
        let texts = self.messages_to(to).await;
        let text = texts.last().expect("a message");
        let code: String =
            text.split("/j/").nth(1).expect("a link").chars().take(visits_domain::model::CODE_LEN).collect();
        assert_eq!(code.len(), visits_domain::model::CODE_LEN, "{text}");
        code
    }

    /// The six digits of the newest message to `to` (`… code is 123456 …`).
    pub async fn code_sent_to(&self, to: &str) -> String {
        let texts = self.messages_to(to).await;
        let text = texts.last().expect("a message");
        let digits: String = text.split("code is ").nth(1).expect("a code").chars().take(6).collect();
        assert!(digits.chars().all(|c| c.is_ascii_digit()), "{text}");
        digits
    }
}
