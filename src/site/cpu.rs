//! CPU time, for the build's own account of what its search index cost (the figure `pufa build` prints and
//! `bench/search.sh` sets against Pagefind's): the calling thread's, and the whole process's.

use std::time::Duration;

/// CPU time the calling thread has used so far (wall time on systems without a thread clock).
pub fn thread() -> Duration {
    #[cfg(unix)]
    {
        clock(libc::CLOCK_THREAD_CPUTIME_ID)
    }
    #[cfg(not(unix))]
    {
        since_start()
    }
}

/// CPU time (user and system) the whole process has used so far (wall time on systems without one).
pub fn process() -> Duration {
    #[cfg(unix)]
    {
        clock(libc::CLOCK_PROCESS_CPUTIME_ID)
    }
    #[cfg(not(unix))]
    {
        since_start()
    }
}

#[cfg(unix)]
fn clock(id: libc::clockid_t) -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid timespec to write to, and both clocks exist on every supported Unix.
    match unsafe { libc::clock_gettime(id, &mut ts) } {
        0 => Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32),
        _ => Duration::ZERO,
    }
}

#[cfg(not(unix))]
fn since_start() -> Duration {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed()
}

#[cfg(test)]
mod tests {
    #[test]
    fn work_adds_to_both_clocks() {
        let (t, p) = (super::thread(), super::process());
        let mut x = 0u64;
        for i in 0..20_000_000u64 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
        }
        assert!(x != 1);
        assert!(super::thread() > t && super::process() > p);
        // The process's clock counts this thread's time too: read later, it is never behind.
        let thread = super::thread();
        assert!(super::process() >= thread);
    }
}
