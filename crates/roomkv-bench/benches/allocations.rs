//! The rows of `request_build.rs` with divan's counting allocator: heap allocations and bytes
//! per call of every row (section 1 of `BENCHMARKS.md`, "Allocations per request").
//!
//! A separate binary, so that counting never slows the timed rows of `request_build`:
//! `cargo bench -p roomkv-bench --bench allocations -- _send minimum_request` prints the
//! `alloc` and `dealloc` lines under each row (its times include the counting).

#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

#[path = "request_build.rs"]
mod request_build;

fn main() {
    request_build::main();
}
