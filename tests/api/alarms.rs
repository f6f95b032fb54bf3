//! The guessing alarm: the template's metric filter on the API access log, evaluated against
//! access log lines of every public route and answer. A small evaluator for the part of the
//! CloudWatch filter syntax the template uses: `{ … }`, `( … )`, `&&`, `||`, `$.field = "text"`,
//! with `*` as a trailing wildcard.

use serde_json::{Value, json};

use crate::template::{template, text};

/// Whether `line` matches `pattern`.
fn matches(pattern: &str, line: &Value) -> bool {
    let inner = pattern.trim().strip_prefix('{').and_then(|p| p.strip_suffix('}')).expect("a JSON filter pattern");
    let tokens = tokenize(inner);
    let (value, rest) = or(&tokens, line);
    assert!(rest.is_empty(), "unparsed: {rest:?}");
    value
}

fn tokenize(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' => {}
            '(' | ')' | '=' => tokens.push(c.to_string()),
            '&' | '|' => {
                chars.next();
                tokens.push(format!("{c}{c}"));
            }
            '"' => tokens.push(format!("\"{}", chars.by_ref().take_while(|c| *c != '"').collect::<String>())),
            _ => {
                let mut word = c.to_string();
                while chars.peek().is_some_and(|c| !" ()=&|".contains(*c)) {
                    word.extend(chars.next());
                }
                tokens.push(word);
            }
        }
    }
    tokens
}

fn or<'t>(tokens: &'t [String], line: &Value) -> (bool, &'t [String]) {
    let (mut value, mut rest) = and(tokens, line);
    while rest.first().map(String::as_str) == Some("||") {
        let (next, after) = and(&rest[1..], line);
        (value, rest) = (value || next, after);
    }
    (value, rest)
}

fn and<'t>(tokens: &'t [String], line: &Value) -> (bool, &'t [String]) {
    let (mut value, mut rest) = term(tokens, line);
    while rest.first().map(String::as_str) == Some("&&") {
        let (next, after) = term(&rest[1..], line);
        (value, rest) = (value && next, after);
    }
    (value, rest)
}

fn term<'t>(tokens: &'t [String], line: &Value) -> (bool, &'t [String]) {
    if tokens[0] == "(" {
        let (value, rest) = or(&tokens[1..], line);
        assert_eq!(rest[0], ")");
        return (value, &rest[1..]);
    }
    let field = tokens[0].strip_prefix("$.").expect("a $.field");
    assert_eq!(tokens[1], "=");
    let wanted = tokens[2].strip_prefix('"').expect("a quoted value");
    let actual = line[field].as_str().unwrap_or_default();
    let value = match wanted.strip_suffix('*') {
        Some(prefix) => actual.starts_with(prefix),
        None => actual == wanted,
    };
    (value, &tokens[3..])
}

/// An access log line as the template's format writes it.
fn access_line(route_key: &str, status: u16) -> Value {
    json!({"requestId": "r", "routeKey": route_key, "status": status.to_string(), "latency": "5",
           "integrationError": "-", "authorizerError": "-", "sourceIp": "203.0.113.7", "time": "t"})
}

#[test]
fn the_evaluator_follows_the_syntax() {
    let line = access_line("POST /join/{code}", 410);
    assert!(matches(r#"{ $.status = "410" }"#, &line));
    assert!(matches(r#"{ ($.routeKey = "GET /join*" || $.routeKey = "POST /join*") && $.status = "410" }"#, &line));
    assert!(!matches(r#"{ $.routeKey = "GET /join*" && $.status = "410" }"#, &line));
}

#[test]
fn every_refusal_on_a_public_route_is_metered_and_alarmed_and_nothing_else() {
    let template = template();
    let resources = template["Resources"].as_mapping().expect("resources");
    let format = template["Resources"]["HttpApi"]["Properties"]["AccessLogSettings"]["Format"].as_str().unwrap_or("");
    assert!(format.contains("\"routeKey\":\"$context.routeKey\"") && format.contains("\"status\":\"$context.status\""));
    let filter = resources
        .values()
        .find(|r| {
            r["Type"] == "AWS::Logs::MetricFilter"
                && r["Properties"]["MetricTransformations"][0]["MetricName"] == "JoinRefusals"
        })
        .expect("a metric filter counting join refusals");
    assert_eq!(text(&filter["Properties"]["LogGroupName"]), Some("ApiAccessLogGroup"));
    let pattern = filter["Properties"]["FilterPattern"].as_str().expect("a pattern");

    let public: Vec<&str> = redeem_token::ROUTES.iter().copied().chain([start_session::Route::Join.key()]).collect();
    for route in &public {
        for status in [401, 404, 410, 429] {
            assert!(matches(pattern, &access_line(route, status)), "{route} {status} is not metered");
        }
        for status in [200, 202, 400, 409, 503] {
            assert!(!matches(pattern, &access_line(route, status)), "{route} {status} is metered");
        }
    }
    for route in schedule_visit::ROUTES.iter().chain(mint_link::ROUTES) {
        assert!(!matches(pattern, &access_line(route, 404)), "{route} is not a join route");
    }

    let alarm = resources
        .values()
        .find(|r| r["Type"] == "AWS::CloudWatch::Alarm" && r["Properties"]["MetricName"] == "JoinRefusals")
        .expect("an alarm on JoinRefusals");
    let namespace = &filter["Properties"]["MetricTransformations"][0]["MetricNamespace"];
    assert_eq!(&alarm["Properties"]["Namespace"], namespace);
    assert_eq!(text(&alarm["Properties"]["AlarmActions"][0]), Some("AlarmTopic"));
}

#[test]
fn wrong_signup_codes_and_sms_spend_are_alarmed() {
    let template = template();
    let resources = template["Resources"].as_mapping().expect("resources");
    let filter = resources
        .values()
        .find(|r| {
            r["Type"] == "AWS::Logs::MetricFilter"
                && r["Properties"]["MetricTransformations"][0]["MetricName"] == "SignupCodeFailures"
        })
        .expect("a metric filter counting failed signup codes");
    let pattern = filter["Properties"]["FilterPattern"].as_str().expect("a pattern");
    let verify = signup::Route::Verify.key();
    for status in [400, 429] {
        assert!(matches(pattern, &access_line(verify, status)), "{status} is not metered");
    }
    assert!(!matches(pattern, &access_line(verify, 200)));
    for route in signup::ROUTES.iter().filter(|r| **r != verify).chain(redeem_token::ROUTES) {
        assert!(!matches(pattern, &access_line(route, 400)), "{route} is not a code check");
    }
    let alarm_on = |metric: &str| {
        resources
            .values()
            .find(|r| r["Type"] == "AWS::CloudWatch::Alarm" && r["Properties"]["MetricName"] == metric)
            .unwrap_or_else(|| panic!("an alarm on {metric}"))
            .clone()
    };
    assert_eq!(text(&alarm_on("SignupCodeFailures")["Properties"]["AlarmActions"][0]), Some("AlarmTopic"));
    let spend = alarm_on("SMSMonthToDateSpentUSD");
    assert_eq!(spend["Properties"]["Namespace"], "AWS/SNS");
    assert_eq!(text(&spend["Properties"]["AlarmActions"][0]), Some("AlarmTopic"));
}
