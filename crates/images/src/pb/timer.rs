//! Timers: `TaskCoreEntry::timers`.

/// One `setitimer(2)` timer (seconds and microseconds).
#[derive(Clone, PartialEq, prost::Message)]
pub struct ItimerEntry {
    /// Interval, seconds.
    #[prost(uint64, required, tag = "1")]
    pub isec: u64,
    /// Interval, microseconds.
    #[prost(uint64, required, tag = "2")]
    pub iusec: u64,
    /// Time to next expiry, seconds.
    #[prost(uint64, required, tag = "3")]
    pub vsec: u64,
    /// Time to next expiry, microseconds.
    #[prost(uint64, required, tag = "4")]
    pub vusec: u64,
}

/// One `timer_create(2)` timer.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PosixTimerEntry {
    /// Kernel timer id.
    #[prost(uint32, required, tag = "1")]
    pub it_id: u32,
    #[prost(uint32, required, tag = "2")]
    pub clock_id: u32,
    #[prost(uint32, required, tag = "3")]
    pub si_signo: u32,
    /// `SIGEV_*` notification mode.
    #[prost(uint32, required, tag = "4")]
    pub it_sigev_notify: u32,
    #[prost(uint64, required, tag = "5")]
    pub sival_ptr: u64,
    #[prost(uint32, required, tag = "6")]
    pub overrun: u32,
    /// Interval, seconds.
    #[prost(uint64, required, tag = "7")]
    pub isec: u64,
    /// Interval, nanoseconds.
    #[prost(uint64, required, tag = "8")]
    pub insec: u64,
    /// Time to next expiry, seconds.
    #[prost(uint64, required, tag = "9")]
    pub vsec: u64,
    /// Time to next expiry, nanoseconds.
    #[prost(uint64, required, tag = "10")]
    pub vnsec: u64,
    /// Target thread for `SIGEV_THREAD_ID`.
    #[prost(int32, optional, tag = "11")]
    pub notify_thread_id: Option<i32>,
}

/// All timers of a process.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TaskTimersEntry {
    /// `ITIMER_REAL`.
    #[prost(message, required, tag = "1")]
    pub real: ItimerEntry,
    /// `ITIMER_VIRTUAL`.
    #[prost(message, required, tag = "2")]
    pub virt: ItimerEntry,
    /// `ITIMER_PROF`.
    #[prost(message, required, tag = "3")]
    pub prof: ItimerEntry,
    /// POSIX timers.
    #[prost(message, repeated, tag = "4")]
    pub posix: Vec<PosixTimerEntry>,
}
