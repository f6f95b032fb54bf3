//! `template.yaml` against the code: every function is deployed, every route is wired to the
//! function that owns it (with the authorizer only where the contract wants one), and no IAM
//! policy grants a wildcard action.

use std::collections::BTreeSet;

use serde_norway::Value;

pub(crate) fn template() -> Value {
    let path = format!("{}/../template.yaml", env!("CARGO_MANIFEST_DIR"));
    serde_norway::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A value with any `!Ref`/`!Sub` tag taken off.
fn untag(value: &Value) -> &Value {
    match value {
        Value::Tagged(tagged) => &tagged.value,
        other => other,
    }
}

pub(crate) fn text(value: &Value) -> Option<&str> {
    untag(value).as_str()
}

fn list(value: &Value) -> Vec<&Value> {
    match untag(value) {
        Value::Sequence(items) => items.iter().collect(),
        Value::Null => vec![],
        other => vec![other],
    }
}

fn resources(template: &Value) -> Vec<(&str, &Value)> {
    template["Resources"].as_mapping().unwrap().iter().map(|(k, v)| (k.as_str().unwrap(), v)).collect()
}

fn functions(template: &Value) -> Vec<(&str, &Value)> {
    resources(template).into_iter().filter(|(_, r)| r["Type"] == "AWS::Serverless::Function").collect()
}

/// The IAM actions the role of the function serving `method path` allows, e.g. `dynamodb:GetItem`.
pub(crate) fn actions_allowed_for_route(method: &str, path: &str) -> BTreeSet<String> {
    let template = template();
    let (_, function) = functions(&template)
        .into_iter()
        .find(|(_, function)| {
            function["Properties"]["Events"].as_mapping().into_iter().flatten().any(|(_, event)| {
                let properties = &event["Properties"];
                text(&properties["Method"]) == Some(method) && text(&properties["Path"]) == Some(path)
            })
        })
        .unwrap_or_else(|| panic!("no function serves {method} {path}"));
    actions_allowed_for(&template, function)
}

/// The IAM actions the role of the function built from `binary` allows.
pub(crate) fn actions_allowed_for_binary(name: &str) -> BTreeSet<String> {
    let template = template();
    let (_, function) = functions(&template)
        .into_iter()
        .find(|(_, function)| binary(function) == name)
        .unwrap_or_else(|| panic!("no function is built from {name}"));
    actions_allowed_for(&template, function)
}

fn actions_allowed_for(template: &Value, function: &Value) -> BTreeSet<String> {
    let role = text(&function["Properties"]["Role"]).and_then(|arn| arn.strip_suffix(".Arn")).expect("a role");
    let role = &template["Resources"][role];
    list(&role["Properties"]["Policies"])
        .into_iter()
        .flat_map(|policy| list(&policy["PolicyDocument"]["Statement"]))
        .filter(|statement| statement["Effect"] == "Allow")
        .flat_map(|statement| list(&statement["Action"]))
        .filter_map(|action| text(action).map(str::to_owned))
        .collect()
}

fn binary(function: &Value) -> &str {
    text(&function["Metadata"]["BuildProperties"]["Binary"]).expect("every function names its binary")
}

#[test]
fn every_function_crate_is_deployed() {
    let template = template();
    let deployed: BTreeSet<&str> = functions(&template).into_iter().map(|(_, f)| binary(f)).collect();
    let crates: BTreeSet<String> = std::fs::read_dir(format!("{}/../functions", env!("CARGO_MANIFEST_DIR")))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(deployed, crates.iter().map(String::as_str).collect());
    for (name, function) in functions(&template) {
        assert_eq!(function["Metadata"]["BuildMethod"], "rust-cargolambda", "{name}");
    }
}

#[test]
fn every_route_is_wired_to_its_owner_with_the_right_authorizer() {
    let template = template();
    let mut wired = BTreeSet::new();
    for (_, function) in functions(&template) {
        let events = function["Properties"]["Events"].as_mapping().into_iter().flatten();
        for (_, event) in events.filter(|(_, e)| e["Type"] == "HttpApi") {
            let properties = &event["Properties"];
            let route = format!("{} {}", text(&properties["Method"]).unwrap(), text(&properties["Path"]).unwrap());
            let public = properties["Auth"]["Authorizer"] == "NONE";
            wired.insert((binary(function).to_owned(), route.clone(), public));
        }
    }
    let mut expected = BTreeSet::new();
    for (owner, routes, _) in local_server::routes::OWNERS {
        for route in routes {
            expected.insert((owner.to_owned(), (*route).to_owned(), local_server::routes::is_public(route)));
        }
    }
    assert_eq!(wired, expected, "routes in the template (function, route, public) differ from the code");

    // The lander's route takes only the lander client's tokens, with the booking scope.
    let book = &template["Resources"]["BookVisitFunction"]["Properties"]["Events"]["Book"]["Properties"]["Auth"];
    assert_eq!(book["Authorizer"], "Service");
    assert_eq!(
        list(&book["AuthorizationScopes"]).iter().filter_map(|s| text(s)).collect::<Vec<_>>(),
        [visits_domain::model::ServiceClient::SCHEDULE_SCOPE]
    );
    let service = &template["Resources"]["HttpApi"]["Properties"]["Auth"]["Authorizers"]["Service"];
    let audience = format!("{:?}", service["JwtConfiguration"]["audience"]);
    assert!(audience.contains("LanderClient"), "{audience}");
}

#[test]
fn no_policy_grants_a_wildcard_action_or_an_unnamed_resource_without_reason() {
    let template = template();
    // X-Ray has no resource-level permissions; SMS to a phone number has no ARN.
    let unnamable = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "sns:Publish"];
    let mut statements = Vec::new();
    for (name, resource) in resources(&template) {
        match resource["Type"].as_str() {
            Some("AWS::IAM::Role") => {
                assert!(resource["Properties"]["ManagedPolicyArns"].is_null(), "{name} uses a managed policy");
                for policy in list(&resource["Properties"]["Policies"]) {
                    for statement in list(&policy["PolicyDocument"]["Statement"]) {
                        statements.push((name, statement, true));
                    }
                }
            }
            Some("AWS::KMS::Key") => {
                for statement in list(&resource["Properties"]["KeyPolicy"]["Statement"]) {
                    statements.push((name, statement, false));
                }
            }
            _ => {}
        }
    }
    assert!(statements.len() > 20);
    for (name, statement, is_role) in statements {
        let actions: Vec<&str> = list(&statement["Action"]).into_iter().filter_map(text).collect();
        assert!(!actions.is_empty(), "{name}: a statement without actions");
        for action in &actions {
            assert!(!action.contains('*'), "{name} grants the wildcard action {action}");
        }
        // In a key policy, "*" is the key itself; in a role it means every resource.
        let every_resource = list(&statement["Resource"]).iter().any(|r| text(r) == Some("*"));
        if is_role && every_resource {
            assert!(actions.iter().all(|a| unnamable.contains(a)), "{name} grants {actions:?} on every resource");
        }
    }
}

#[test]
fn the_audit_trail_is_kept_seven_years_and_every_function_logs_json_to_a_group_with_retention() {
    let template = template();
    let audit = &template["Resources"]["AuditLogGroup"]["Properties"];
    assert_eq!(audit["RetentionInDays"], 2557);
    for (name, function) in functions(&template) {
        let logging = &function["Properties"]["LoggingConfig"];
        assert_eq!(logging["LogFormat"], "JSON", "{name}");
        let group = text(&logging["LogGroup"]).unwrap_or_else(|| panic!("{name} has no log group"));
        let group = &template["Resources"][group]["Properties"];
        assert!(!group["RetentionInDays"].is_null(), "{name}: its log group keeps logs forever");
    }
    let stream = &template["Resources"]["AuditStreamFunction"]["Properties"]["Events"]["Stream"]["Properties"];
    assert_eq!(stream["FunctionResponseTypes"][0], "ReportBatchItemFailures");
    assert!(!stream["DestinationConfig"]["OnFailure"]["Destination"].is_null());
}

#[test]
fn the_stream_filter_selects_audit_records_as_the_store_writes_them() {
    let template = template();
    let stream = &template["Resources"]["AuditStreamFunction"]["Properties"]["Events"]["Stream"]["Properties"];
    let filters = list(&stream["FilterCriteria"]["Filters"]);
    assert_eq!(filters.len(), 1);
    let pattern: serde_json::Value =
        serde_json::from_str(text(&filters[0]["Pattern"]).expect("a pattern")).expect("the pattern is JSON");
    assert_eq!(pattern, visits_dynamodb::audit_stream_filter());
}

/// What the stream's and EventBridge's retries cannot get through is kept in a dead-letter queue
/// that an alarm watches, never dropped.
#[test]
fn what_visit_jobs_and_attendance_cannot_process_is_kept_and_alarmed_on() {
    let template = template();
    let resources = &template["Resources"];
    let stream = &resources["VisitJobsFunction"]["Properties"]["Events"]["Stream"]["Properties"];
    let rule = &resources["AttendanceFunction"]["Properties"]["Events"]["AttendeeEvent"]["Properties"];
    for destination in [&stream["DestinationConfig"]["OnFailure"]["Destination"], &rule["DeadLetterConfig"]["Arn"]] {
        assert_eq!(text(destination), Some("FollowersDeadLetterQueue.Arn"));
    }
    let alarm = &resources["FollowersDeadLetterAlarm"]["Properties"];
    assert_eq!(alarm["MetricName"], "ApproximateNumberOfMessagesVisible");
    assert!(format!("{:?}", alarm["Dimensions"]).contains("FollowersDeadLetterQueue"));
}

/// visit-jobs is delivered exactly the audit records its use cases act on.
#[test]
fn visit_jobs_follows_the_records_its_use_cases_act_on() {
    let template = template();
    let stream = &template["Resources"]["VisitJobsFunction"]["Properties"]["Events"]["Stream"]["Properties"];
    let filters = list(&stream["FilterCriteria"]["Filters"]);
    let pattern: serde_json::Value = serde_json::from_str(text(&filters[0]["Pattern"]).unwrap()).unwrap();
    let kinds = &pattern["dynamodb"]["NewImage"]["record"]["M"]["type"]["S"];
    let kinds: BTreeSet<&str> = kinds.as_array().unwrap().iter().filter_map(|k| k.as_str()).collect();
    let followed: BTreeSet<&str> = visit_jobs::FOLLOWED.iter().map(|kind| kind.as_str()).collect();
    assert_eq!(kinds, followed);
}

/// The attendance function gets each of Chime's event types it follows, and the patient-waiting
/// rule is the one a desk attaches to, on the bus visit-jobs may publish to.
#[test]
fn the_eventbridge_rules_match_what_the_code_sends_and_reads() {
    use visits_domain::model::AttendeeEventKind;
    let template = template();
    let rule = &template["Resources"]["AttendanceFunction"]["Properties"]["Events"]["AttendeeEvent"]["Properties"];
    let pattern = &rule["Pattern"];
    assert_eq!(list(&pattern["source"]).iter().filter_map(|s| text(s)).collect::<Vec<_>>(), ["aws.chime"]);
    let types: BTreeSet<&str> = list(&pattern["detail"]["eventType"]).into_iter().filter_map(text).collect();
    let followed: BTreeSet<&str> = [
        AttendeeEventKind::Joined,
        AttendeeEventKind::Left,
        AttendeeEventKind::Dropped,
        AttendeeEventKind::MeetingEnded,
    ]
    .map(AttendeeEventKind::as_chime)
    .into();
    assert_eq!(types, followed);

    let waiting = &template["Resources"]["PatientWaitingRule"]["Properties"];
    assert_eq!(text(&waiting["EventBusName"]), Some("VisitEventBus"));
    let source: Vec<&str> = list(&waiting["EventPattern"]["source"]).into_iter().filter_map(text).collect();
    let detail_type: Vec<&str> = list(&waiting["EventPattern"]["detail-type"]).into_iter().filter_map(text).collect();
    assert_eq!(source, [visits_domain::ports::EVENT_SOURCE]);
    let event = visits_domain::ports::PublishedEvent::PatientWaiting {
        visit_id: visits_domain::model::VisitId::parse("vis_abcdefghijklmnopqrst").unwrap(),
        clinician_id: visits_domain::model::UserId::parse("c").unwrap(),
    };
    assert_eq!(detail_type, [event.detail_type()]);
    let role = &template["Resources"]["VisitJobsRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"];
    let puts = list(role).into_iter().find(|s| list(&s["Action"]).iter().any(|a| text(a) == Some("events:PutEvents")));
    let resource = puts.map(|s| untag(&s["Resource"]));
    assert!(
        resource.is_some_and(|r| format!("{r:?}").contains("VisitEventBus")),
        "visit-jobs may put events on the bus"
    );
}

#[test]
fn the_table_indexes_are_the_stores_and_project_only_what_their_listings_show() {
    let template = template();
    let (_, table) = resources(&template)
        .into_iter()
        .find(|(_, resource)| resource["Type"] == "AWS::DynamoDB::Table")
        .expect("the table");
    let declared = list(&table["Properties"]["GlobalSecondaryIndexes"]);
    assert_eq!(declared.len(), visits_dynamodb::schema::INDEXES.len());
    for (index, declared) in visits_dynamodb::schema::INDEXES.iter().zip(declared) {
        assert_eq!(declared["IndexName"], index.name);
        let keys: Vec<(&str, &str)> = list(&declared["KeySchema"])
            .into_iter()
            .map(|key| (text(&key["AttributeName"]).unwrap(), text(&key["KeyType"]).unwrap()))
            .collect();
        assert_eq!(keys, [(index.pk, "HASH"), (index.sk, "RANGE")]);
        let projection = &declared["Projection"];
        assert_eq!(
            projection["ProjectionType"], "INCLUDE",
            "{}: bookkeeping changes must not write the index",
            index.name
        );
        assert_eq!(list(&projection["NonKeyAttributes"]), [index.projects]);
    }
}

/// The README's sections that name the template's parameters and the functions.
fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap()
}

/// The backticked names in the first column of the README table whose header row is `header`.
fn readme_table_names(readme: &str, header: &str) -> BTreeSet<String> {
    let table = readme.split(header).nth(1).unwrap_or_else(|| panic!("the README has the table {header}"));
    table
        .lines()
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .flat_map(|line| line.split('|').nth(1).unwrap_or_default().split('`').skip(1).step_by(2).map(str::to_owned))
        .collect()
}

#[test]
fn the_readme_names_every_template_parameter_and_no_other() {
    let template = template();
    let parameters: BTreeSet<String> =
        template["Parameters"].as_mapping().unwrap().keys().map(|k| k.as_str().unwrap().to_owned()).collect();
    assert_eq!(readme_table_names(&readme(), "| parameter | what to give |"), parameters);
}

#[test]
fn the_readme_lists_every_function() {
    let deployed: BTreeSet<String> = functions(&template()).iter().map(|(_, f)| binary(f).to_owned()).collect();
    let listed = readme_table_names(&readme(), "| function | routes | AWS SDK crates it links |");
    assert_eq!(listed, deployed);
    let count = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
    ];
    let said = format!("{} functions", count.get(deployed.len()).copied().unwrap_or("many"));
    assert!(readme().contains(&said), "the README says {said}");
}
