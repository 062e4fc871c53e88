//! Limits on sending suggestions, in memory and per process: so many per device cookie per hour, and so many for
//! the whole server per hour, so a flood neither fills the database nor buries the real suggestions. Never by IP
//! address: a school or a village office sends everyone's suggestions from one address. A client that refuses
//! cookies gets a new device id each time and meets only the server-wide limit; that limit is what stops a script.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use crate::quiz::suggestions::SuggestionBox;

/// The window of both limits.
const HOUR_MS: i64 = 3_600_000;
/// Devices remembered at most (memory is capped); the least recently seen are forgotten first.
pub const MAX_DEVICES: usize = 20_000;

/// Recent submission times, per device and for the server.
#[derive(Debug, Default)]
pub struct Limiter {
    inner: Mutex<Recent>,
}

#[derive(Debug, Default)]
struct Recent {
    devices: HashMap<String, VecDeque<i64>>,
    all: VecDeque<i64>,
}

fn prune(times: &mut VecDeque<i64>, now: i64) {
    while times.front().is_some_and(|t| *t <= now - HOUR_MS) {
        times.pop_front();
    }
}

impl Limiter {
    /// Counts a submission from `device` at `now` (epoch ms) and says whether it is within both limits; a refused
    /// one is not counted.
    pub fn admit(&self, device: &str, now: i64, settings: &SuggestionBox) -> bool {
        let mut r = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        prune(&mut r.all, now);
        if r.all.len() >= settings.per_hour as usize {
            return false;
        }
        if r.devices.len() >= MAX_DEVICES && !r.devices.contains_key(device) {
            r.devices.retain(|_, times| {
                prune(times, now);
                !times.is_empty()
            });
            if r.devices.len() >= MAX_DEVICES {
                let oldest = r.devices.iter().min_by_key(|(_, t)| t.back().copied()).map(|(d, _)| d.clone());
                if let Some(d) = oldest {
                    r.devices.remove(&d);
                }
            }
        }
        let times = r.devices.entry(device.to_string()).or_default();
        prune(times, now);
        if times.len() >= settings.per_device_per_hour as usize {
            return false;
        }
        times.push_back(now);
        r.all.push_back(now);
        true
    }

    /// Devices remembered now.
    pub fn devices(&self) -> usize {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).devices.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_device_and_global_limits_hold_within_the_hour_and_lift_after_it() {
        let s = SuggestionBox { per_device_per_hour: 2, per_hour: 3, ..SuggestionBox::default() };
        let l = Limiter::default();
        assert!(l.admit("a", 0, &s) && l.admit("a", 1, &s));
        assert!(!l.admit("a", 2, &s), "third from one device in the hour");
        assert!(l.admit("b", 3, &s));
        assert!(!l.admit("c", 4, &s), "the server's hour is full");
        assert!(l.admit("a", HOUR_MS + 1, &s), "an hour later");
    }

    #[test]
    fn memory_is_capped() {
        let s = SuggestionBox { per_hour: u32::MAX, ..SuggestionBox::default() };
        let l = Limiter::default();
        for i in 0..(MAX_DEVICES + 10) {
            assert!(l.admit(&format!("d{i}"), i as i64, &s));
        }
        assert!(l.devices() <= MAX_DEVICES);
    }
}
