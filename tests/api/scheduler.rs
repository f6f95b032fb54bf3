//! A visit's jobs as EventBridge Scheduler schedules on the local AWS: planned by visit and kind
//! (planning again moves them), removed when the visit ends, and kept in step by the table's
//! stream (the visit-jobs function's use case).

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Duration, Utc};
use visits_domain::model::{AuditHead, AuditKind, AuditRecord, VisitId, VisitJob};
use visits_domain::ports::{JobScheduler, PlannedJob};
use visits_domain::usecases::JobPlans;
use visits_tests::local_aws::{dynamodb_store, sdk_config};

async fn scheduler() -> (aws_sdk_scheduler::Client, String, visits_scheduler::EventBridgeScheduler) {
    let client = aws_sdk_scheduler::Client::new(&sdk_config().await);
    let group = format!("visits-{}", uuid::Uuid::new_v4().simple());
    client.create_schedule_group().name(&group).send().await.expect("a schedule group");
    let scheduler = visits_scheduler::EventBridgeScheduler::new(
        client.clone(),
        &group,
        "arn:aws:lambda:us-east-1:123456789012:function:reminders",
        "arn:aws:iam::123456789012:role/scheduler-invokes-reminders",
    );
    (client, group, scheduler)
}

#[tokio::test]
async fn a_job_is_one_schedule_named_by_its_visit_planned_again_to_move_and_removed_once() {
    let (client, group, scheduler) = scheduler().await;
    let visit_id = VisitId::parse("vis_abcdefghijklmnopqrst").unwrap();
    let at = "2030-01-07T08:45:00Z".parse().unwrap();
    let mut job = PlannedJob {
        visit_id: visit_id.clone(),
        job: VisitJob::SoonBefore,
        at,
        planned_for: at + Duration::minutes(15),
    };
    scheduler.plan(&job).await.unwrap();
    let name = VisitJob::SoonBefore.schedule_name(&visit_id);
    let read = |client: aws_sdk_scheduler::Client, group: String, name: String| async move {
        client.get_schedule().group_name(group).name(name).send().await
    };
    let stored = read(client.clone(), group.clone(), name.clone()).await.expect("the schedule");
    assert_eq!(stored.schedule_expression(), Some("at(2030-01-07T08:45:00)"));
    let input: serde_json::Value = serde_json::from_str(stored.target().and_then(|t| t.input()).unwrap()).unwrap();
    assert_eq!(
        input,
        serde_json::json!({"visitId": visit_id, "job": "soon_before", "plannedFor": "2030-01-07T09:00:00Z"})
    );

    job.at = at + Duration::days(1);
    scheduler.plan(&job).await.unwrap();
    let moved = read(client.clone(), group.clone(), name.clone()).await.expect("the schedule");
    assert_eq!(moved.schedule_expression(), Some("at(2030-01-08T08:45:00)"));

    scheduler.remove(&visit_id, VisitJob::SoonBefore).await.unwrap();
    assert!(read(client.clone(), group.clone(), name).await.is_err(), "removed");
    scheduler.remove(&visit_id, VisitJob::SoonBefore).await.expect("removing again is fine");
}

#[tokio::test]
async fn the_stream_keeps_a_visits_schedules_in_step_with_it() {
    let (client, group, scheduler) = scheduler().await;
    let store = Arc::new(dynamodb_store().await);
    let core = visits_runtime::config::core(store, Arc::new(Default::default()));
    let visit_id = VisitId::parse("vis_bbbbbbbbbbbbbbbbbbbb").unwrap();
    let at = Utc::now() + Duration::days(3);
    let visit = visits_domain::testing::scheduled_visit(visit_id.clone(), "p-1", "c-1", at);
    core.create(visit, "test", |d| d.record(AuditKind::VisitScheduled, []), None, None).await.unwrap();
    let plans = JobPlans::new(core, Arc::new(scheduler));
    let record =
        |kind| AuditRecord::after(AuditHead::default(), visit_id.clone(), Utc::now(), kind, "test", BTreeMap::new());

    assert_eq!(plans.follow(&record(AuditKind::VisitScheduled)).await.unwrap(), 4);
    let listed = client.list_schedules().group_name(&group).send().await.unwrap();
    let mut names: Vec<&str> = listed.schedules().iter().filter_map(|s| s.name()).collect();
    names.sort();
    assert_eq!(names.len(), 4, "{names:?}");
    assert!(names.iter().all(|n| n.starts_with(visit_id.as_str())));
    // Other records change nothing; a cancelled visit's schedules are removed.
    assert_eq!(plans.follow(&record(AuditKind::LinkMinted)).await.unwrap(), 0);
    plans.follow(&record(AuditKind::VisitCancelled)).await.unwrap();
    let listed = client.list_schedules().group_name(&group).send().await.unwrap();
    assert!(listed.schedules().is_empty(), "{:?}", listed.schedules());
}
