//! This process's resident set size, for the benchmarks' memory figures (Linux; 0 elsewhere).

/// `VmRSS` of `/proc/self/status`, in KiB (0 when it cannot be read).
pub(crate) fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}
