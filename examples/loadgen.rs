//! Load client for `bench/load.sh`: N concurrent students that start and submit attempts, and in the same run the
//! `/healthz` rate with the same N connections; prints the figures.
//!
//! Usage: loadgen BASE_URL… [--connections 256] [--seconds 4] [--rounds 3] [--competition open] [--organization school-a]
//!        [--boards 64]
//!
//! With `--boards N` (`bench/board.sh`) it measures the polled ranking instead: in each round N clients fetch the
//! leaderboard in a loop while `--connections` students start, resume (start again) and submit; it prints
//! leaderboards/s and the p99 of the students' start and resume requests.
//!
//! With several base URLs (several `pufa serve` processes on one database) requests go to them in turn, and a
//! student's submit goes to the process after the one that took the start, as behind a round-robin proxy: every
//! submit then crosses processes, the case the database's guarantees must hold for.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Args {
    bases: Vec<String>,
    connections: usize,
    seconds: u64,
    rounds: usize,
    competition: String,
    organization: String,
    boards: usize,
}

fn args() -> Args {
    let mut a = Args {
        bases: Vec::new(),
        connections: 256,
        seconds: 4,
        rounds: 3,
        competition: "open".into(),
        organization: "school-a".into(),
        boards: 0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut val = || it.next().expect("a value after the flag");
        match arg.as_str() {
            "--connections" => a.connections = val().parse().expect("a number"),
            "--seconds" => a.seconds = val().parse().expect("a number"),
            "--rounds" => a.rounds = val().parse().expect("a number"),
            "--competition" => a.competition = val(),
            "--organization" => a.organization = val(),
            "--boards" => a.boards = val().parse().expect("a number"),
            _ => a.bases.push(arg),
        }
    }
    if a.bases.is_empty() {
        a.bases.push("http://127.0.0.1:8080".into());
    }
    a
}

impl Args {
    /// The process for the `n`th request of a connection, in turn.
    fn base(&self, n: u64) -> &str {
        &self.bases[n as usize % self.bases.len()]
    }
}

#[derive(Default)]
struct Stats {
    /// Latencies in microseconds: of whole flows, and of single requests.
    flows: Mutex<Vec<u64>>,
    requests: Mutex<Vec<u64>>,
    errors: AtomicU64,
}

fn percentile(v: &mut [u64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_unstable();
    let i = ((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1;
    v[i] as f64 / 1000.0
}

async fn timed<F: std::future::Future<Output = Option<T>>, T>(stats: &Stats, f: F) -> Option<T> {
    let t = Instant::now();
    let out = f.await;
    stats.requests.lock().unwrap().push(t.elapsed().as_micros() as u64);
    if out.is_none() {
        stats.errors.fetch_add(1, Ordering::Relaxed);
    }
    out
}

/// The parts of a started attempt the client needs; the rest of the body is skipped unparsed.
#[derive(serde::Deserialize)]
struct Started {
    attempt: String,
    questions: Vec<QuestionId>,
}

#[derive(serde::Deserialize)]
struct QuestionId {
    id: String,
}

/// The parts of a result the client checks.
#[derive(serde::Deserialize)]
struct Submitted {
    #[allow(dead_code)]
    score: u32,
}

/// The join form, serialized straight from borrowed fields.
#[derive(serde::Serialize)]
struct Join<'a> {
    name: &'a str,
    organization: &'a str,
    group: &'a str,
}

/// A submission: every question answered with the letters given.
#[derive(serde::Serialize)]
struct Answers<'a> {
    answers: std::collections::HashMap<&'a str, [&'a str; 1]>,
}

/// Starts (or resumes: the same participant again) an attempt, timed.
async fn start(client: &reqwest::Client, a: &Args, stats: &Stats, name: &str, n: u64) -> Option<Started> {
    let body = Join { name, organization: &a.organization, group: "压测班" };
    let url = format!("{}/api/competitions/{}/attempts", a.base(n), a.competition);
    timed(stats, async {
        let r = client.post(&url).json(&body).send().await.ok()?;
        if !r.status().is_success() {
            eprintln!("start: {} {}", r.status(), r.text().await.unwrap_or_default());
            return None;
        }
        r.json().await.ok()
    })
    .await
}

/// A student: start, then (with `resume`) start again as after a reload, which must give the same attempt, then
/// submit. `stats.requests` holds the starts and resumes; with `resume` the submit is left out of it.
async fn student(client: &reqwest::Client, a: &Args, stats: &Stats, name: String, n: u64, resume: bool) -> Option<()> {
    let t = Instant::now();
    let started = start(client, a, stats, &name, n).await?;
    if resume {
        let again = start(client, a, stats, &name, n).await?;
        if again.attempt != started.attempt {
            eprintln!("resume gave another attempt");
            return None;
        }
    }
    let untimed = Stats::default();
    let stats = if resume { &untimed } else { stats };
    // Every question answered "A" (wrong for some, which is what a real mix of answers looks like to the grader).
    let answers = Answers { answers: started.questions.iter().map(|q| (q.id.as_str(), ["A"])).collect() };
    let url = format!("{}/api/attempts/{}/submit", a.base(n + 1), started.attempt);
    timed(stats, async {
        let r = client.post(&url).json(&answers).send().await.ok()?;
        if !r.status().is_success() {
            eprintln!("submit: {}", r.status());
            return None;
        }
        r.json::<Submitted>().await.ok()
    })
    .await?;
    stats.flows.lock().unwrap().push(t.elapsed().as_micros() as u64);
    Some(())
}

fn client(connections: usize) -> reqwest::Client {
    reqwest::Client::builder().pool_max_idle_per_host(connections).timeout(Duration::from_secs(30)).build().unwrap()
}

/// Runs `connections` loops of `job` for `seconds`; returns completed jobs per second.
async fn phase<F, Fut>(a: &Arc<Args>, job: F) -> (f64, Arc<Stats>)
where
    F: Fn(reqwest::Client, Arc<Args>, Arc<Stats>, u64) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = Option<()>> + Send,
{
    let stats = Arc::new(Stats::default());
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let client = client(a.connections);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..a.connections {
        let (client, a, stats, stop, done, job) =
            (client.clone(), a.clone(), stats.clone(), stop.clone(), done.clone(), job.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                if job(client.clone(), a.clone(), stats.clone(), (w as u64) << 32 | n).await.is_some() {
                    done.fetch_add(1, Ordering::Relaxed);
                }
                n += 1;
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(a.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let counted = done.load(Ordering::Relaxed);
    let elapsed = start.elapsed().as_secs_f64();
    for t in tasks {
        let _ = t.await;
    }
    (counted as f64 / elapsed, stats)
}

/// Median of a few figures.
fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// One round of the ranking benchmark: `boards` pollers and `connections` students at once for `seconds`;
/// returns leaderboards/s and the students' start/resume latencies.
async fn board_round(a: &Arc<Args>, round: usize) -> (f64, Vec<u64>, u64) {
    let stop = Arc::new(AtomicBool::new(false));
    let boards = Arc::new(AtomicU64::new(0));
    let (students, pollers) = (Arc::new(Stats::default()), Arc::new(Stats::default()));
    let client = client(a.connections + a.boards);
    let run = std::process::id();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..a.boards {
        let (client, a, stop, boards, pollers) =
            (client.clone(), a.clone(), stop.clone(), boards.clone(), pollers.clone());
        tasks.push(tokio::spawn(async move {
            let url = format!("{}/api/competitions/{}/leaderboard", a.base(w as u64), a.competition);
            while !stop.load(Ordering::Relaxed) {
                let ok = timed(&pollers, async {
                    let r = client.get(&url).send().await.ok()?;
                    r.status().is_success().then_some(())?;
                    r.bytes().await.ok().map(|_| ())
                })
                .await;
                if ok.is_some() {
                    boards.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for w in 0..a.connections {
        let (client, a, stop, students) = (client.clone(), a.clone(), stop.clone(), students.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let name = format!("榜测{run}-{round}-{w}-{n}");
                let _ = student(&client, &a, &students, name, (w as u64) << 32 | n, true).await;
                n += 1;
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(a.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let rate = boards.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64();
    for t in tasks {
        let _ = t.await;
    }
    let errors = students.errors.load(Ordering::Relaxed) + pollers.errors.load(Ordering::Relaxed);
    let latencies = std::mem::take(&mut *students.requests.lock().unwrap());
    (rate, latencies, errors)
}

async fn boards_main(a: Arc<Args>) {
    let (mut rates, mut p99s, mut all, mut errors) = (Vec::new(), Vec::new(), Vec::new(), 0);
    for round in 0..a.rounds {
        let (rate, mut lat, e) = board_round(&a, round).await;
        let p99 = percentile(&mut lat, 0.99);
        eprintln!("round {}: {rate:.0} leaderboards/s, start/resume p99 {p99:.1} ms", round + 1);
        rates.push(rate);
        p99s.push(p99);
        all.append(&mut lat);
        errors += e;
    }
    println!("pollers {}  students {}  ({} rounds of {} s)", a.boards, a.connections, a.rounds, a.seconds);
    println!(
        "RESULT boards_per_s={:.0} start_resume_p99_ms={:.1} start_resume_p50_ms={:.1} starts={} errors={errors}",
        median(&rates),
        median(&p99s),
        percentile(&mut all, 0.50),
        all.len()
    );
}

#[tokio::main]
async fn main() {
    let a = Arc::new(args());
    if a.boards > 0 {
        return boards_main(a).await;
    }
    let run = std::process::id();
    // Phases alternate (healthz, flows, healthz, flows…) so that a noisy neighbour weighs on both alike; each
    // round gives one ratio, and the median round is reported.
    let (mut health_rates, mut flow_rates, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let (mut hz, mut fl, mut rq, mut health_errors, mut flow_errors) = (Vec::new(), Vec::new(), Vec::new(), 0, 0);
    for round in 0..a.rounds {
        let (health_rate, health) = phase(&a, |client, a, stats, n| async move {
            timed(&stats, async {
                let r = client.get(format!("{}/healthz", a.base(n))).send().await.ok()?;
                r.status().is_success().then_some(())?;
                r.bytes().await.ok().map(|_| ())
            })
            .await
        })
        .await;
        let (flow_rate, flows) = phase(&a, move |client, a, stats, n| async move {
            student(&client, &a, &stats, format!("压测{run}-{round}-{n:x}"), n, false).await
        })
        .await;
        eprintln!("round {}: healthz {health_rate:.0} req/s, flows {flow_rate:.0}/s", round + 1);
        health_rates.push(health_rate);
        flow_rates.push(flow_rate);
        ratios.push(flow_rate / health_rate.max(1.0));
        hz.append(&mut health.requests.lock().unwrap());
        fl.append(&mut flows.flows.lock().unwrap());
        rq.append(&mut flows.requests.lock().unwrap());
        health_errors += health.errors.load(Ordering::Relaxed);
        flow_errors += flows.errors.load(Ordering::Relaxed);
    }
    println!(
        "connections       {}  ({} rounds of {} s per phase; rates are medians)",
        a.connections, a.rounds, a.seconds
    );
    println!(
        "healthz           {:.0} req/s  p50 {:.1} ms  p99 {:.1} ms  errors {}",
        median(&health_rates),
        percentile(&mut hz, 0.50),
        percentile(&mut hz, 0.99),
        health_errors
    );
    println!("flows             {:.0} flows/s ({} flows, 2 requests each)", median(&flow_rates), fl.len());
    println!("flow latency      p50 {:.1} ms  p99 {:.1} ms", percentile(&mut fl, 0.50), percentile(&mut fl, 0.99));
    println!("request latency   p50 {:.1} ms  p99 {:.1} ms", percentile(&mut rq, 0.50), percentile(&mut rq, 0.99));
    println!("errors            {flow_errors}");
    let ratio = median(&ratios);
    let (flow_rate, health_rate) = (median(&flow_rates), median(&health_rates));
    println!("ratio             {ratio:.3} flows/s per healthz req/s (median of rounds; target >= 0.2)");
    // One line for scripts (bench/compare.sh takes medians of these).
    println!(
        "RESULT flows_per_s={flow_rate:.0} healthz_per_s={health_rate:.0} ratio={ratio:.3} request_p99_ms={:.1} \
         flow_p99_ms={:.1} errors={}",
        percentile(&mut rq, 0.99),
        percentile(&mut fl, 0.99),
        flow_errors + health_errors
    );
}
