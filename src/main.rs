//! The `touchbase` binary: the allocator, then the library's `run`.

/// mimalloc rather than the system allocator: a vault is tens of thousands of small strings.
/// Measured on 10,000 contacts (README, performance): a cached `due` in 64 ms instead of 83 ms,
/// a full parse in 250 ms instead of 314 ms.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc.h (v2 and v3): how long freed memory is kept before it
/// is returned to the system. The default (10 ms) let `watch` peak at 110 MB on 10,000
/// contacts while it read them all; returning it at once keeps the peak near 85 MB.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> std::process::ExitCode {
    // SAFETY: sets a plain integer option; mimalloc allows it at any time.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    touchbase::run(std::env::args_os())
}
