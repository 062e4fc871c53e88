//! Campaign rules (issue 12): daily rounds (`attempts_per_day`, counted in the competition's time zone), which
//! attempt ranks (`score: best | latest`) and leaving the question page (`max_leaves`). Pure: checked here from the
//! competition file, applied by `server::flow`, `server::board` and the store.

use chrono::{DateTime, Days, FixedOffset, NaiveTime, Offset, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::files::CompetitionFile;
use super::locate::Seg::Key;
use super::validate::Cx;

/// Beijing time, the zone of the days when the file names none (and its `opens` is written in UTC).
pub const BEIJING_SECS: i32 = 8 * 3600;

/// The most departures `max_leaves` may allow; also the bound of a reported count.
pub const MAX_LEAVES: u32 = 1000;

/// Which of a participant's submitted attempts ranks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScoreRule {
    /// The highest score; of equal scores the shorter time, then the earlier submission.
    #[default]
    Best,
    /// The last attempt submitted (the highest attempt number), whatever it scored.
    Latest,
}

/// The campaign rules of one competition, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignRules {
    /// Attempts a participant may start per day; None: no daily limit (only the total `attempts`).
    pub attempts_per_day: Option<u32>,
    pub score: ScoreRule,
    /// Departures from the question page allowed; the next one submits the attempt. None: counted only.
    pub max_leaves: Option<u32>,
    /// The time zone whose midnight starts a new day.
    pub zone: FixedOffset,
}

impl Default for CampaignRules {
    fn default() -> Self {
        CampaignRules { attempts_per_day: None, score: ScoreRule::Best, max_leaves: None, zone: beijing() }
    }
}

fn beijing() -> FixedOffset {
    FixedOffset::east_opt(BEIJING_SECS).unwrap_or_else(|| Utc.fix())
}

impl CampaignRules {
    /// The start of the day holding `now`, in the competition's zone.
    pub fn day_start(&self, now: DateTime<Utc>) -> DateTime<FixedOffset> {
        let local = now.with_timezone(&self.zone);
        let midnight = local.date_naive().and_time(NaiveTime::MIN);
        // A fixed offset has no gaps or folds: the local midnight exists exactly once.
        self.zone.from_local_datetime(&midnight).single().unwrap_or(local)
    }

    /// The start of the next day after the one holding `now`: when a participant who used today's attempts may
    /// start again.
    pub fn next_day(&self, now: DateTime<Utc>) -> DateTime<FixedOffset> {
        let today = self.day_start(now);
        today.checked_add_days(Days::new(1)).unwrap_or(today)
    }

    /// Whether `leaves` departures go beyond what the competition allows (the attempt is then submitted).
    pub fn too_many_leaves(&self, leaves: u32) -> bool {
        self.max_leaves.is_some_and(|max| leaves > max)
    }
}

/// Checks the campaign keys of a competition file; `opens` is its parsed opening time, when it parsed.
pub(crate) fn check(cx: &mut Cx, f: &CompetitionFile, opens: Option<DateTime<FixedOffset>>) -> CampaignRules {
    let mut rules = CampaignRules { score: f.score, max_leaves: f.max_leaves, ..CampaignRules::default() };
    match f.attempts_per_day {
        Some(0) => cx.err(
            &[Key("attempts_per_day")],
            "attempts_per_day: expected at least 1 (or leave it out for no daily limit)",
        ),
        Some(n) if n > f.attempts && f.attempts > 0 => cx.err(
            &[Key("attempts_per_day")],
            format!("attempts_per_day: {n} is more than attempts ({}), the total a participant may make", f.attempts),
        ),
        n => rules.attempts_per_day = n,
    }
    if let Some(n) = f.max_leaves.filter(|n| *n > MAX_LEAVES) {
        cx.err(&[Key("max_leaves")], format!("max_leaves: expected a number from 0 to {MAX_LEAVES}, found {n}"));
    }
    // The days are those of the zone the file names; else of the offset `opens` is written in, unless that is
    // UTC (a time converted by a program, not how a county office writes): then Beijing time.
    rules.zone = match &f.utc_offset {
        Some(text) => text.trim().parse::<FixedOffset>().unwrap_or_else(|_| {
            cx.err(&[Key("utc_offset")], format!("utc_offset: expected an offset like +08:00, found {text:?}"));
            beijing()
        }),
        None => opens.map(|o| *o.offset()).filter(|o| o.local_minus_utc() != 0).unwrap_or_else(beijing),
    };
    rules
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    // Issue 12: a Beijing day runs from 16:00 UTC to 16:00 UTC.
    #[test]
    fn days_turn_at_midnight_in_the_competition_zone() {
        let rules = CampaignRules::default();
        let late = at("2026-06-01T15:59:59Z"); // 23:59:59 in Beijing
        assert_eq!(rules.day_start(late).to_rfc3339(), "2026-06-01T00:00:00+08:00");
        assert_eq!(rules.next_day(late).to_rfc3339(), "2026-06-02T00:00:00+08:00");
        let after = at("2026-06-01T16:00:00Z"); // 00:00 the next day
        assert_eq!(rules.day_start(after).to_rfc3339(), "2026-06-02T00:00:00+08:00");
        let utc = CampaignRules { zone: Utc.fix(), ..CampaignRules::default() };
        assert_eq!(utc.day_start(late).to_rfc3339(), "2026-06-01T00:00:00+00:00");
    }

    #[test]
    fn leaves_beyond_the_maximum_submit() {
        let rules = CampaignRules { max_leaves: Some(2), ..CampaignRules::default() };
        assert!(!rules.too_many_leaves(2));
        assert!(rules.too_many_leaves(3));
        assert!(!CampaignRules::default().too_many_leaves(u32::MAX), "without max_leaves departures are only counted");
        let none = CampaignRules { max_leaves: Some(0), ..CampaignRules::default() };
        assert!(none.too_many_leaves(1));
    }
}
