//! Who may continue a running attempt: the device that started it (its attempt cookie or link), or anyone who
//! gives the attempt's resume code (续答码), shown when it started. Typing a classmate's name, school and class
//! is not enough. Wrong codes are counted per participant, so the code cannot be guessed online.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// Letters of a resume code: no 0/O, 1/I/L, so it survives being read aloud or copied by hand.
const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ.";
/// Characters in a code: 31^6 ≈ 887 million codes.
pub const CODE_LEN: usize = 6;
/// Wrong codes allowed for one participant within `LOCK_FOR`; the next ones are refused without being checked.
pub const MAX_WRONG: u32 = 5;
/// How long wrong codes are remembered.
pub const LOCK_FOR: Duration = Duration::from_secs(15 * 60);
/// Participants remembered at most (memory is capped; the oldest are forgotten first).
const MAX_TRACKED: usize = 10_000;

/// The resume code of attempt `id`. Derived from the id, which is itself secret and unguessable (whoever holds
/// the id may continue anyway), so nothing more is stored and every process computes the same code.
pub fn code(attempt_id: &str) -> String {
    let digest = Sha256::new().chain_update(b"pufa resume code\0").chain_update(attempt_id.as_bytes()).finalize();
    // 31 letters (the final '.' is never used): bytes 0..=247 map evenly, the rest are skipped.
    digest.iter().filter(|&&b| b < 248).take(CODE_LEN).map(|&b| ALPHABET[(b % 31) as usize] as char).collect()
}

/// Whether `typed` is the code of `attempt_id`: case, spaces and dashes do not matter.
pub fn matches(attempt_id: &str, typed: &str) -> bool {
    let typed: String = typed.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect();
    let want = code(attempt_id);
    subtle::ConstantTimeEq::ct_eq(typed.as_bytes(), want.as_bytes()).into()
}

/// Wrong resume codes per participant key, in memory only.
#[derive(Debug, Default)]
pub struct Failures(Mutex<HashMap<String, (u32, Instant)>>);

impl Failures {
    /// Whether `key` has used up its wrong codes for now.
    pub fn locked(&self, key: &str) -> bool {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key).is_some_and(|(n, since)| *n >= MAX_WRONG && since.elapsed() < LOCK_FOR)
    }

    /// Counts a wrong code for `key`.
    pub fn record(&self, key: &str) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_TRACKED && !map.contains_key(key) {
            map.retain(|_, (_, since)| since.elapsed() < LOCK_FOR);
            if map.len() >= MAX_TRACKED {
                if let Some(oldest) = map.iter().min_by_key(|(_, (_, since))| *since).map(|(k, _)| k.clone()) {
                    map.remove(&oldest);
                }
            }
        }
        let e = map.entry(key.to_string()).or_insert((0, Instant::now()));
        if e.1.elapsed() >= LOCK_FOR {
            *e = (0, Instant::now());
        }
        e.0 += 1;
    }

    /// Forgets `key`'s wrong codes (the right one was given).
    pub fn forget(&self, key: &str) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_short_unambiguous_and_differ_between_attempts() {
        let a = code("0190f3a1b2c3d4e5f60718293a4b5c6d");
        assert_eq!(a.len(), CODE_LEN);
        assert!(a.chars().all(|c| c.is_ascii_uppercase() || ('2'..='9').contains(&c)), "{a}");
        assert!(!a.contains(['0', 'O', '1', 'I', 'L', '.']), "{a}");
        assert_eq!(a, code("0190f3a1b2c3d4e5f60718293a4b5c6d"), "stable");
        let distinct: std::collections::HashSet<String> = (0..2000).map(|i| code(&format!("{i:032x}"))).collect();
        assert!(distinct.len() > 1990, "codes spread: {}", distinct.len());
    }

    #[test]
    fn typed_codes_forgive_case_and_spaces() {
        let id = "00000000000000000000000000000abc";
        let c = code(id);
        assert!(matches(id, &c));
        assert!(matches(id, &c.to_lowercase()));
        assert!(matches(id, &format!(" {}-{} ", &c[..3], &c[3..])));
        assert!(!matches(id, ""));
        assert!(!matches(id, &c[..5]));
    }

    #[test]
    fn wrong_codes_lock_one_participant_only() {
        let f = Failures::default();
        for _ in 0..MAX_WRONG - 1 {
            f.record("a");
        }
        assert!(!f.locked("a"));
        f.record("a");
        assert!(f.locked("a"));
        assert!(!f.locked("b"));
        f.forget("a");
        assert!(!f.locked("a"));
    }
}
