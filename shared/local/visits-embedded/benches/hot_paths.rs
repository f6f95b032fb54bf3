//! `make bench`: the in-process cost of the hot paths on the embedded adapters: signing and
//! verifying tokens, scheduling, minting and redeeming a link. Prints a Markdown table (results
//! are kept in docs/benchmarks.md). AWS round trips are not here: they dominate in production and
//! are measured by AWS, not by us.

use std::sync::Arc;
use std::time::{Duration as Elapsed, Instant};

use chrono::{DateTime, Duration, Utc};
use visits_domain::model::{Caller, DurationMinutes, Provider, Role, UserId, VisitId};
use visits_domain::ports::IdSource;
use visits_domain::rules::Policy;
use visits_domain::tokens::Audience;
use visits_domain::usecases::{Joins, Links, NewVisit, Visits};
use visits_embedded::{EmbeddedWorld, ManualClock};
use visits_runtime::OsRandom;

fn summary(name: &str, mut samples: Vec<Elapsed>) -> String {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q) as usize].as_secs_f64() * 1e6;
    let mean = samples.iter().sum::<Elapsed>().as_secs_f64() * 1e6 / samples.len() as f64;
    format!("| {name} | {} | {mean:.1} | {:.1} | {:.1} |", samples.len(), at(0.5), at(0.99))
}

async fn time<F, Fut>(runs: usize, mut op: F) -> Vec<Elapsed>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut samples = Vec::with_capacity(runs);
    for i in 0..runs {
        let started = Instant::now();
        op(i).await;
        samples.push(started.elapsed());
    }
    samples
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let now: DateTime<Utc> = "2030-01-07T09:00:00Z".parse().unwrap();
    let world = EmbeddedWorld::new(Policy::default(), Arc::new(ManualClock::new(now)), false);
    let clinician = Caller { id: UserId::parse("dr").unwrap(), role: Role::Clinician };
    let visits = Visits::new(world.core());
    let links = Links::new(world.core());
    let joins = Joins::new(world.core(), world.tokens.clone(), world.video.clone());
    let patient = UserId::parse("patient").unwrap();
    let new_visit = || NewVisit {
        patient_id: patient.clone(),
        clinician_id: None,
        scheduled_at: now + Duration::minutes(10),
        duration: DurationMinutes::new(30).unwrap(),
        provider: Provider::Chime,
        patient_contact: None,
        time_zone: None,
    };
    let visit_id = VisitId::parse("vis_abcdefghijklmnopqrst").unwrap();
    let token_id = OsRandom.token_id();
    let token = world
        .tokens
        .issue(Audience::Link, &patient, &visit_id, &token_id, now, now + Duration::hours(1))
        .await
        .unwrap();

    let mut rows =
        vec!["| operation | runs | mean µs | p50 µs | p99 µs |".to_owned(), "|---|---|---|---|---|".to_owned()];
    let issue = time(2000, |_| async {
        world
            .tokens
            .issue(Audience::Link, &patient, &visit_id, &token_id, now, now + Duration::hours(1))
            .await
            .unwrap();
    });
    rows.push(summary("sign a link JWT (ES256, local key)", issue.await));
    let verify = time(5000, |_| async {
        world.tokens.verify(&token, Audience::Link, now).await.unwrap().unwrap();
    });
    rows.push(summary("verify a link JWT", verify.await));
    let schedule = time(2000, |_| async {
        visits.schedule(&clinician, new_visit(), None).await.unwrap();
    });
    rows.push(summary("schedule a visit (memory store)", schedule.await));

    let visit = visits.schedule(&clinician, new_visit(), None).await.unwrap();
    let mint = time(2000, |_| async {
        links.mint(&world.tokens, &clinician, visit.id()).await.unwrap();
    });
    rows.push(summary("mint a link (sign + store)", mint.await));

    let mut codes = Vec::new();
    for _ in 0..1000 {
        let visit = visits.schedule(&clinician, new_visit(), None).await.unwrap();
        codes.push(links.mint(&world.tokens, &clinician, visit.id()).await.unwrap().code.expose().to_owned());
    }
    let redeem = time(codes.len(), |i| {
        let code = codes[i].clone();
        let joins = &joins;
        async move {
            joins.redeem_code(&code, &format!("10.0.{}.{}", i / 250, i % 250)).await.unwrap();
        }
    });
    rows.push(summary("redeem a code (checks, sign session token, store)", redeem.await));
    println!("{}", rows.join("\n"));
}
