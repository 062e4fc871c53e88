//! PostgreSQL's writer: an async task on one sqlx connection. Each batch is written with a handful of set-based
//! statements (the batch's values bound as arrays and read back with UNNEST) instead of several network round
//! trips per operation. Within a batch, submissions are applied first, then draft saves, then starts; the
//! operations of a batch were all in flight together, so any order is one the callers could have seen.

use std::collections::HashMap;

use sqlx::{Connection, PgConnection};
use tokio::sync::mpsc;

use crate::store::surveys::insert_postgres;
use crate::store::writer::{created, fail, plan_start, replies, Outcome, Reply, StartPlan, MAX_BATCH};
use crate::store::{
    sql, AttemptRow, Draft, NewAttempt, Op, StartOutcome, Submission, SubmitOutcome, SurveyResponseRow,
};

/// Takes what is queued (up to `MAX_BATCH`), writes it in one transaction, answers.
pub(crate) async fn run(mut conn: PgConnection, mut rx: mpsc::Receiver<Op>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        match write_batch(&mut conn, &mut batch).await {
            Ok(replies) => replies.into_iter().for_each(Reply::send),
            Err(e) if batch.len() > 1 => {
                // The shared transaction rolled back: nobody in it was acknowledged. Write each op alone so that
                // one failing op (a constraint hit by another process, a deadlock) does not fail its neighbours.
                tracing::warn!(error = %e, ops = batch.len(), "write batch failed; retrying one by one");
                for op in batch.drain(..) {
                    let mut one = vec![op];
                    // Retried: a start that lost a race with another process sees the winner's row next time.
                    let mut result = write_batch(&mut conn, &mut one).await;
                    for _ in 0..2 {
                        if result.is_ok() {
                            break;
                        }
                        result = write_batch(&mut conn, &mut one).await;
                    }
                    match result {
                        Ok(replies) => replies.into_iter().for_each(Reply::send),
                        Err(e) => fail(one, &e),
                    }
                }
            }
            Err(e) => fail(std::mem::take(&mut batch), &e),
        }
        batch.clear();
    }
    let _ = conn.close().await;
}

type Outcomes = Vec<Option<Outcome>>;

async fn write_batch(conn: &mut PgConnection, batch: &mut Vec<Op>) -> Result<Vec<Reply>, sqlx::Error> {
    let mut tx = conn.begin().await?;
    let mut out: Outcomes = batch.iter().map(|_| None).collect();
    let submits: Vec<(usize, &Submission)> = batch
        .iter()
        .enumerate()
        .filter_map(|(i, op)| if let Op::Submit(s, _) = op { Some((i, &**s)) } else { None })
        .collect();
    let saves: Vec<(usize, &Draft)> = batch
        .iter()
        .enumerate()
        .filter_map(|(i, op)| if let Op::Save(d, _) = op { Some((i, &**d)) } else { None })
        .collect();
    let starts: Vec<(usize, &NewAttempt)> = batch
        .iter()
        .enumerate()
        .filter_map(|(i, op)| if let Op::Start(a, _) = op { Some((i, &**a)) } else { None })
        .collect();
    if !submits.is_empty() {
        submit_all(&mut tx, &submits, &mut out).await?;
    }
    if !saves.is_empty() {
        save_all(&mut tx, &saves, &mut out).await?;
    }
    if !starts.is_empty() {
        start_all(&mut tx, &starts, &mut out).await?;
    }
    let (at, responses): (Vec<usize>, Vec<&SurveyResponseRow>) = batch
        .iter()
        .enumerate()
        .filter_map(|(i, op)| if let Op::Respond(r, _) = op { Some((i, &**r)) } else { None })
        .unzip();
    if !responses.is_empty() {
        let stored = insert_postgres(&mut tx, &responses).await?;
        for (i, s) in at.into_iter().zip(stored) {
            out[i] = Some(Outcome::Respond(s));
        }
    }
    for (i, op) in batch.iter().enumerate() {
        match op {
            Op::Suggest(s, _) => out[i] = Some(Outcome::Suggest(super::suggest::suggest(&mut tx, s).await?)),
            Op::Act(a, _) => out[i] = Some(Outcome::Act(super::suggest::act(&mut tx, a).await?)),
            Op::Certify(c, _) => out[i] = Some(Outcome::Certify(super::certify::issue(&mut tx, c).await?)),
            Op::Revoke(r, _) => out[i] = Some(Outcome::Revoke(super::certify::revoke(&mut tx, r).await?)),
            _ => {}
        }
    }
    tx.commit().await?;
    Ok(replies(batch, out.into_iter().map(|o| o.expect("every op of the batch has an outcome")).collect()))
}

const SUBMIT_MANY: &str =
    "UPDATE attempts SET submitted_at = v.submitted_at, answers = v.answers, score = v.score, passed = v.passed, \
     duration_ms = v.duration_ms, grade = v.grade, leaves = GREATEST(attempts.leaves, v.leaves) \
     FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::bool[], $6::bigint[], $7::text[], \
     $8::bigint[]) AS v(id, submitted_at, answers, score, passed, duration_ms, grade, leaves) \
     WHERE attempts.id = v.id AND attempts.submitted_at IS NULL RETURNING attempts.id";

/// Records the first submission of each attempt (and its responses); every other gets the stored row.
async fn submit_all(
    conn: &mut PgConnection,
    subs: &[(usize, &Submission)],
    out: &mut Outcomes,
) -> Result<(), sqlx::Error> {
    let mut first: HashMap<&str, usize> = HashMap::new();
    let mut winners: Vec<&Submission> =
        subs.iter().filter(|(i, s)| *first.entry(&s.attempt).or_insert(*i) == *i).map(|(_, s)| *s).collect();
    // One lock order for every process's batches: fewer deadlocks between writers.
    winners.sort_by(|a, b| a.attempt.cmp(&b.attempt));
    let recorded: Vec<(String,)> = sqlx::query_as(SUBMIT_MANY)
        .bind(winners.iter().map(|s| s.attempt.as_str()).collect::<Vec<_>>())
        .bind(winners.iter().map(|s| s.submitted_at).collect::<Vec<_>>())
        .bind(winners.iter().map(|s| s.answers.as_str()).collect::<Vec<_>>())
        .bind(winners.iter().map(|s| s.score).collect::<Vec<_>>())
        .bind(winners.iter().map(|s| s.passed).collect::<Vec<_>>())
        .bind(winners.iter().map(|s| s.duration_ms).collect::<Vec<_>>())
        .bind(winners.iter().map(|s| s.grade.as_str()).collect::<Vec<_>>())
        .bind(winners.iter().map(|s| s.leaves).collect::<Vec<_>>())
        .fetch_all(&mut *conn)
        .await?;
    let recorded: std::collections::HashSet<String> = recorded.into_iter().map(|(id,)| id).collect();
    let (mut attempts, mut questions, mut correct) = (Vec::new(), Vec::new(), Vec::new());
    for s in winners.iter().filter(|s| recorded.contains(&s.attempt)) {
        for (q, c) in &s.responses {
            attempts.push(s.attempt.as_str());
            questions.push(q.as_str());
            correct.push(*c);
        }
    }
    if !attempts.is_empty() {
        sqlx::query("INSERT INTO responses (attempt, question, correct) SELECT * FROM UNNEST($1::text[], $2::text[], $3::bool[])")
            .bind(attempts)
            .bind(questions)
            .bind(correct)
            .execute(&mut *conn)
            .await?;
    }
    // Read back: attempts this batch did not record, and those submitted more than once in it (the later ones
    // get the row the first wrote).
    let again: std::collections::HashSet<&str> =
        subs.iter().filter(|(i, s)| first[s.attempt.as_str()] != *i).map(|(_, s)| s.attempt.as_str()).collect();
    let missing: Vec<&str> =
        winners.iter().map(|s| s.attempt.as_str()).filter(|id| !recorded.contains(*id) || again.contains(id)).collect();
    let stored: HashMap<String, AttemptRow> = if missing.is_empty() {
        HashMap::new()
    } else {
        let sql = concat!("SELECT ", sql::columns!(), " FROM attempts WHERE id = ANY($1)");
        let rows: Vec<AttemptRow> = sqlx::query_as(sql).bind(missing).fetch_all(&mut *conn).await?;
        rows.into_iter().map(|r| (r.id.clone(), r)).collect()
    };
    for (i, s) in subs {
        let outcome = match stored.get(&s.attempt) {
            _ if recorded.contains(&s.attempt) && first[s.attempt.as_str()] == *i => SubmitOutcome::Recorded,
            Some(r) => SubmitOutcome::AlreadySubmitted(r.clone()),
            None => SubmitOutcome::UnknownAttempt,
        };
        out[*i] = Some(Outcome::Submit(outcome));
    }
    Ok(())
}

/// Saves drafts; of several saves of one attempt in a batch the last is kept (as if written in order).
async fn save_all(conn: &mut PgConnection, saves: &[(usize, &Draft)], out: &mut Outcomes) -> Result<(), sqlx::Error> {
    let mut last: HashMap<&str, &Draft> = HashMap::new();
    for (_, d) in saves {
        last.insert(&d.attempt, d);
    }
    let mut drafts: Vec<&Draft> = last.into_values().collect();
    drafts.sort_by(|a, b| a.attempt.cmp(&b.attempt));
    let saved: Vec<(String,)> = sqlx::query_as(
        "UPDATE attempts SET answers = v.answers, leaves = GREATEST(attempts.leaves, v.leaves) \
         FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::bigint[]) AS v(id, answers, cutoff, leaves) \
         WHERE attempts.id = v.id AND attempts.submitted_at IS NULL AND attempts.deadline >= v.cutoff \
         RETURNING attempts.id",
    )
    .bind(drafts.iter().map(|d| d.attempt.as_str()).collect::<Vec<_>>())
    .bind(drafts.iter().map(|d| d.answers.as_str()).collect::<Vec<_>>())
    .bind(drafts.iter().map(|d| d.not_after_deadline_before).collect::<Vec<_>>())
    .bind(drafts.iter().map(|d| d.leaves).collect::<Vec<_>>())
    .fetch_all(&mut *conn)
    .await?;
    let saved: std::collections::HashSet<String> = saved.into_iter().map(|(id,)| id).collect();
    for (i, d) in saves {
        out[*i] = Some(Outcome::Save(saved.contains(&d.attempt)));
    }
    Ok(())
}

/// How many attempts each participant with a daily limit started since the start of their day, in one query.
/// Two processes starting for one participant at once both count the same rows, and both insert the same next
/// attempt number: the UNIQUE (competition, participant_key, number) lets one win, the other is retried and counts
/// again, so the daily limit holds across processes like the total.
async fn started_today(
    conn: &mut PgConnection,
    starts: &[(usize, &NewAttempt)],
) -> Result<HashMap<(String, String), i64>, sqlx::Error> {
    let daily: Vec<(&NewAttempt, i64)> =
        starts.iter().filter_map(|(_, a)| a.per_day.map(|(_, since)| (*a, since))).collect();
    if daily.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT v.competition, v.participant_key, COUNT(a.id) FROM UNNEST($1::text[], $2::text[], $3::bigint[]) \
         AS v(competition, participant_key, since) JOIN attempts a ON a.competition = v.competition \
         AND a.participant_key = v.participant_key AND a.started_at >= v.since \
         GROUP BY v.competition, v.participant_key",
    )
    .bind(daily.iter().map(|(a, _)| a.competition.as_str()).collect::<Vec<_>>())
    .bind(daily.iter().map(|(a, _)| a.participant_key.as_str()).collect::<Vec<_>>())
    .bind(daily.iter().map(|(_, since)| *since).collect::<Vec<_>>())
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(c, p, n)| ((c, p), n)).collect())
}

/// Looks up every participant's latest attempt at once, decides each start in order, inserts the new ones at once.
async fn start_all(
    conn: &mut PgConnection,
    starts: &[(usize, &NewAttempt)],
    out: &mut Outcomes,
) -> Result<(), sqlx::Error> {
    let sql = concat!(
        "SELECT DISTINCT ON (competition, participant_key) ",
        sql::columns!(),
        " FROM attempts WHERE (competition, participant_key) IN (SELECT * FROM UNNEST($1::text[], $2::text[])) \
         ORDER BY competition, participant_key, number DESC"
    );
    let lasts: Vec<AttemptRow> = sqlx::query_as(sql)
        .bind(starts.iter().map(|(_, a)| a.competition.as_str()).collect::<Vec<_>>())
        .bind(starts.iter().map(|(_, a)| a.participant_key.as_str()).collect::<Vec<_>>())
        .fetch_all(&mut *conn)
        .await?;
    let mut last: HashMap<(String, String), AttemptRow> =
        lasts.into_iter().map(|r| ((r.competition.clone(), r.participant_key.clone()), r)).collect();
    let mut today = started_today(conn, starts).await?;
    let mut new = Vec::new();
    for (i, a) in starts {
        let key = (a.competition.clone(), a.participant_key.clone());
        let outcome = match plan_start(last.get(&key).cloned(), a, today.get(&key).copied().unwrap_or(0)) {
            StartPlan::Done(outcome) => *outcome,
            StartPlan::Insert(number) => {
                let row = created(a, number);
                *today.entry(key.clone()).or_default() += 1;
                last.insert(key, row.clone());
                new.push(row.clone());
                StartOutcome::Created(row)
            }
        };
        out[*i] = Some(Outcome::Start(outcome));
    }
    if new.is_empty() {
        return Ok(());
    }
    let text = |f: fn(&AttemptRow) -> &str| new.iter().map(f).collect::<Vec<_>>();
    let int = |f: fn(&AttemptRow) -> i64| new.iter().map(f).collect::<Vec<_>>();
    sqlx::query(
        "INSERT INTO attempts (id, competition, organization, name, grp, participant_key, number, seed, drawn, \
         started_at, deadline, max_score) SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], \
         $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::text[], $10::bigint[], $11::bigint[], $12::bigint[])",
    )
    .bind(text(|r| &r.id))
    .bind(text(|r| &r.competition))
    .bind(text(|r| &r.organization))
    .bind(text(|r| &r.name))
    .bind(text(|r| &r.grp))
    .bind(text(|r| &r.participant_key))
    .bind(int(|r| r.number))
    .bind(int(|r| r.seed))
    .bind(text(|r| &r.drawn))
    .bind(int(|r| r.started_at))
    .bind(int(|r| r.deadline))
    .bind(int(|r| r.max_score))
    .execute(&mut *conn)
    .await?;
    Ok(())
}
