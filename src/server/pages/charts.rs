//! The organizer's pictures, drawn by the server as SVG data for the templates (no script, nothing from outside
//! the site, printable): the distribution of scores (each participant's best attempt) in ten bands, and the
//! participation rate of each town and organization.

use serde::Serialize;

use super::view;
use crate::quiz::ScoreRule;
use crate::server::board;
use crate::server::summary::Town;
use crate::store::Standing;

/// One column of the score histogram, in the chart's units (a 300 × 120 drawing, columns 30 wide).
#[derive(Debug, Serialize)]
pub struct Column {
    /// The scores it counts, e.g. "60–69".
    pub label: String,
    pub count: usize,
    pub x: usize,
    /// Its height, 0–100; the top is at 110 − height.
    pub height: u32,
    pub y: u32,
}

/// Ten bands of a tenth of the highest possible score each (the last one holds full marks too), counting each
/// participant's attempt that ranks (`score: best | latest`, `board::counted`).
pub fn score_bands(standings: &[Standing], rule: ScoreRule, max_score: u32) -> Vec<Column> {
    let max = i64::from(max_score.max(1));
    let mut counts = [0usize; 10];
    for s in board::counted(rule, standings) {
        counts[((s.score.clamp(0, max) * 10) / max).min(9) as usize] += 1;
    }
    let top = counts.iter().copied().max().unwrap_or(0);
    (0..10)
        .map(|i| {
            let low = max * i as i64 / 10;
            let high = if i == 9 { max } else { max * (i as i64 + 1) / 10 - 1 };
            let height = view::bar_width(counts[i] as f64, top as f64);
            Column { label: format!("{low}–{high}"), count: counts[i], x: 30 * i, height, y: 110 - height }
        })
        .collect()
}

/// One bar of a participation chart: a name, the rate as text and the bar's length (0–100).
#[derive(Debug, Serialize)]
pub struct RateBar {
    pub name: String,
    pub rate: String,
    pub width: u32,
    /// Its top in the chart's units (28 a bar).
    pub y: usize,
}

/// The participation rate of each town (the county's total left out: it is the page's headline).
pub fn town_rates(towns: &[Town]) -> Vec<RateBar> {
    towns
        .iter()
        .filter(|t| !t.total)
        .enumerate()
        .map(|(i, t)| RateBar {
            name: t.name.clone(),
            rate: view::percent(f64::from(t.participants), f64::from(t.headcount)),
            width: view::bar_width(f64::from(t.participants), f64::from(t.headcount)),
            y: 28 * i,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standing(key: &str, score: i64) -> Standing {
        Standing {
            id: key.into(),
            organization: "o".into(),
            name: key.into(),
            grp: "g".into(),
            participant_key: key.into(),
            score,
            max_score: 100,
            passed: score >= 60,
            duration_ms: 1,
            submitted_at: 1,
            number: score,
        }
    }

    #[test]
    fn bands_count_each_participants_best_attempt() {
        let s = [standing("a", 40), standing("a", 95), standing("b", 100), standing("c", 0), standing("d", 69)];
        let bands = score_bands(&s, ScoreRule::Best, 100);
        let counts: Vec<usize> = bands.iter().map(|c| c.count).collect();
        assert_eq!(counts, [1, 0, 0, 0, 0, 0, 1, 0, 0, 2], "a's 95 and b's full marks share the top band");
        // Issue 12: under `score: latest` a's later attempt counts, whatever it scored (here numbered by score).
        let s = [standing("a", 95), standing("a", 40)];
        let latest: Vec<usize> = score_bands(&s, ScoreRule::Latest, 100).iter().map(|c| c.count).collect();
        assert_eq!(latest, [0, 0, 0, 0, 0, 0, 0, 0, 0, 1], "attempt number 95 is a's latest");
        assert_eq!((bands[6].label.as_str(), bands[9].label.as_str()), ("60–69", "90–100"));
        assert_eq!((bands[9].height, bands[9].y, bands[0].height), (100, 10, 50));
    }
}
