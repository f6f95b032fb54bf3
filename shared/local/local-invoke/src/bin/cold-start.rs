//! `cold-start RUNS BIN_DIR ENV_FILE OUT_FILE NAME=EVENT...`: cold-starts each binary
//! `BIN_DIR/NAME` RUNS times on its event through the local Runtime API (runs interleaved, so a
//! slow moment of the machine falls on every binary alike) and writes the medians of init,
//! first response and peak memory, and their ratio to the first binary's (the hello-world
//! baseline), into OUT_FILE's `cold-start` section. Run inside `.ci/local-aws run` with the local
//! AWS provisioned (`.ci/cold-start` does it). It fails, after writing the table, when a function
//! starts more than [`MAX_INIT_RATIO`] times slower than the baseline or peaks above
//! [`MAX_RSS_MB`].

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use local_invoke::{ColdStart, Logs, Outcome, invoke_timed, section, settings};

/// A function's init may take at most this many times the hello-world's (medians).
const MAX_INIT_RATIO: f64 = 1.5;
/// Nor peak above this many megabytes (median peak RSS).
const MAX_RSS_MB: f64 = 10.0;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(table) => {
            print!("{table}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("cold-start: {message}");
            ExitCode::FAILURE
        }
    }
}

struct Subject {
    name: String,
    event: serde_json::Value,
    env: BTreeMap<String, String>,
    runs: Vec<ColdStart>,
}

async fn run() -> Result<String, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: cold-start RUNS BIN_DIR ENV_FILE OUT_FILE NAME=EVENT...";
    let [runs, bin_dir, env_file, out, pairs @ ..] = args.as_slice() else { return Err(usage.into()) };
    let runs: usize = runs.parse().map_err(|_| usage)?;
    if pairs.is_empty() || runs == 0 {
        return Err(usage.into());
    }
    let read = |path: &str| -> Result<serde_json::Value, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))
    };
    let env_file = read(env_file)?;
    let mut subjects = Vec::new();
    for pair in pairs {
        let (name, event) = pair.split_once('=').ok_or(usage)?;
        let env = settings::from_env_file(&env_file, &settings::logical_id(name))
            .into_iter()
            .map(|(key, value)| {
                let value = std::env::var(&key).unwrap_or(value);
                (key, value)
            })
            .collect();
        subjects.push(Subject { name: name.to_owned(), event: read(event)?, env, runs: Vec::new() });
    }
    for _ in 0..runs {
        for subject in &mut subjects {
            let binary = PathBuf::from(bin_dir).join(&subject.name);
            let timeout = Duration::from_secs(30);
            let (outcome, timed) =
                invoke_timed(&binary, &subject.name, &subject.env, &subject.event, Logs::Hide, timeout).await?;
            match (outcome, timed) {
                (Outcome::Response(answer), Some(timed)) if answer["statusCode"].as_u64().is_none_or(|s| s < 500) => {
                    subject.runs.push(timed);
                }
                (outcome, _) => return Err(format!("{} did not answer well: {outcome:?}", subject.name)),
            }
        }
    }
    let table = table(&subjects, runs);
    section::replace(out, "cold-start", &table)?;
    let over = over_bounds(&subjects);
    if !over.is_empty() {
        print!("{table}");
        return Err(format!(
            "over the bounds ({MAX_INIT_RATIO}× the baseline's init, {MAX_RSS_MB} MB):\n  {}",
            over.join("\n  ")
        ));
    }
    Ok(table)
}

/// The functions past either bound, with what they measured.
fn over_bounds(subjects: &[Subject]) -> Vec<String> {
    let init = |subject: &Subject| median(subject.runs.iter().map(|r| r.init.as_secs_f64() * 1000.0).collect());
    let rss =
        |subject: &Subject| median(subject.runs.iter().map(|r| r.peak_rss_kib.unwrap_or(0) as f64 / 1024.0).collect());
    let baseline = init(&subjects[0]);
    subjects[1..]
        .iter()
        .filter_map(|subject| {
            let (ratio, mb) = (init(subject) / baseline, rss(subject));
            (ratio > MAX_INIT_RATIO || mb > MAX_RSS_MB)
                .then(|| format!("{}: init {ratio:.2}×, peak {mb:.1} MB", subject.name))
        })
        .collect()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len() % 2 == 1 { values[middle] } else { (values[middle - 1] + values[middle]) / 2.0 }
}

fn table(subjects: &[Subject], runs: usize) -> String {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let medians = |subject: &Subject| {
        (
            median(subject.runs.iter().map(|r| ms(r.init)).collect()),
            median(subject.runs.iter().map(|r| ms(r.first_response)).collect()),
            median(subject.runs.iter().map(|r| r.peak_rss_kib.unwrap_or(0) as f64 / 1024.0).collect()),
        )
    };
    let (hello_init, hello_first, hello_rss) = medians(&subjects[0]);
    let machine =
        format!("{} × {}", std::thread::available_parallelism().map_or(0, |n| n.get()), std::env::consts::ARCH);
    let mut out = format!(
        "Medians of {runs} cold starts each ({machine}), against the local AWS; ratios to `{}`.\n\n\
         | binary | init ms | × | first response ms | × | peak RSS MB | × |\n|---|---|---|---|---|---|---|\n",
        subjects[0].name
    );
    for subject in subjects {
        let (init, first, rss) = medians(subject);
        out += &format!(
            "| `{}` | {init:.1} | {:.2} | {first:.1} | {:.2} | {rss:.1} | {:.2} |\n",
            subject.name,
            init / hello_init,
            first / hello_first,
            rss / hello_rss
        );
    }
    out
}
