//! Campaign rules on the server (issue 12): the refusal when today's attempts are used and the bound on reported
//! departures from the question page. The rules themselves are `quiz::campaign`'s.

use chrono::{DateTime, FixedOffset, Utc};

use super::ApiError;
use crate::i18n::{fill, t, Lang};
use crate::quiz::{campaign::MAX_LEAVES, Competition};

/// The refusal of a start when today's attempts are used: it tells when the next day begins, or that the
/// competition closes before.
pub fn daily_limit(comp: &Competition, now: DateTime<Utc>) -> ApiError {
    let per_day = comp.campaign.attempts_per_day.unwrap_or(0);
    let next = comp.campaign.next_day(now);
    ApiError::DailyLimit { per_day, next: (next < comp.closes).then_some(next) }
}

/// "您今天的 1 次答题机会已用完，2026年6月2日 00:00 起可以再次作答".
pub fn daily_limit_message(lang: Lang, per_day: u32, next: Option<&DateTime<FixedOffset>>) -> String {
    let n = per_day.to_string();
    match next {
        Some(at) => fill(t(lang, "error.daily_limit"), &[("n", &n), ("time", &super::pages::view::when(lang, at))]),
        None => fill(t(lang, "error.daily_limit_final"), &[("n", &n)]),
    }
}

/// Refuses a count of departures no page could have made (the OpenAPI document's `maximum`).
pub fn check_leaves(leaves: u32) -> Result<(), ApiError> {
    if leaves > MAX_LEAVES {
        return Err(ApiError::LeavesInvalid);
    }
    Ok(())
}
