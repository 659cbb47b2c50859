//! The `_2threads` workloads (tlsbench_threads.c's): two threads, each with its own connection
//! pairs, sharing one `Arc`'d client and one server configuration; the figure is the process's
//! total per second of wall time, and the `#` line gives the iterations per CPU-second.

use std::sync::Barrier;
use std::thread;
use std::time::Instant;

use rustls::CipherSuite;

use super::{
    bulk_conf, die, first_session, make_ctxs, new_clock, one_full, one_resumed, report, thread_cpu,
    Bulk, Conf, Opt, BATCH,
};

/// tlsbench_threads.c's run_threads: `one` in one thread per state (each warmed up, then
/// all started together); returns the iterations of all threads per second, from the first
/// thread's start to the last one's end, and the states.
fn run<S: Send>(
    opt: &Opt,
    name: &str,
    states: Vec<S>,
    one: impl Fn(&mut S, bool) + Sync,
) -> (f64, Vec<S>) {
    let (warm, min) = opt.warm_min();
    let n = states.len();
    let start = Barrier::new(n);
    let runs: Vec<(u64, Instant, Instant, f64, S)> = thread::scope(|sc| {
        let handles: Vec<_> = states
            .into_iter()
            .map(|mut st| {
                let (start, one) = (&start, &one);
                sc.spawn(move || {
                    for i in 0..warm {
                        one(&mut st, i == 0 || opt.smoke);
                    }
                    start.wait();
                    let t0 = Instant::now();
                    let c0 = thread_cpu();
                    let mut count = 0u64;
                    loop {
                        one(&mut st, opt.smoke);
                        count += 1;
                        let t1 = Instant::now();
                        let el = (t1 - t0).as_secs_f64();
                        if count >= min && (opt.smoke || el >= opt.seconds) {
                            return (count, t0, t1, thread_cpu() - c0, st);
                        }
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| die(format!("{name}: a thread panicked")))
            })
            .collect()
    });
    let t0 = runs
        .iter()
        .map(|r| r.1)
        .min()
        .unwrap_or_else(|| die("no thread"));
    let t1 = runs
        .iter()
        .map(|r| r.2)
        .max()
        .unwrap_or_else(|| die("no thread"));
    let el = (t1 - t0).as_secs_f64();
    let counts: Vec<String> = runs.iter().map(|r| r.0.to_string()).collect();
    let total = runs.iter().map(|r| r.0).sum::<u64>();
    let cpu: f64 = runs.iter().map(|r| r.3).sum();
    println!(
        "# {name}: {n} threads, iterations {} in {el:.3} s, {cpu:.3} CPU-s: {:.0} per CPU-second",
        counts.join(" "),
        total as f64 / cpu
    );
    (total as f64 / el, runs.into_iter().map(|r| r.4).collect())
}

const THREADS: usize = 2;

/// Full handshakes in two threads on the same two configurations (`Arc` clones).
pub(super) fn bench_threads_full(opt: &Opt, name: &str, c: &Conf) {
    if !opt.selected(name) {
        return;
    }
    let ctxs = make_ctxs(opt, c, false);
    one_full(&ctxs, c, name, &mut new_clock(), true);
    let states = (0..THREADS).map(|_| (ctxs.clone(), new_clock())).collect();
    let (rate, _) = run(opt, name, states, |(ctxs, clock), chk| {
        one_full(ctxs, c, name, clock, chk)
    });
    report(name, rate, "hs/s");
}

/// Resumed handshakes in two threads. The client configuration, and so its session store
/// (rustls's in-memory one, behind a mutex), is shared: one full handshake fills it, then each
/// connection of either thread takes a ticket for "localhost" from it and puts the two new
/// ones back (so it is never empty). In tlsbench each thread keeps its own SSL_SESSION.
pub(super) fn bench_threads_resume(opt: &Opt, name: &str, c: &Conf) {
    if !opt.selected(name) {
        return;
    }
    let ctxs = make_ctxs(opt, c, true);
    first_session(&ctxs, c, name, &mut new_clock());
    let states = (0..THREADS).map(|_| (ctxs.clone(), new_clock())).collect();
    let (rate, _) = run(opt, name, states, |(ctxs, clock), chk| {
        one_resumed(ctxs, c, name, clock, chk)
    });
    report(name, rate, "hs/s");
}

/// Bulk transfers in two threads, each through its own connection pair on the same two
/// configurations.
pub(super) fn bench_threads_bulk(
    opt: &Opt,
    pattern: &[u8],
    name: &str,
    suite: CipherSuite,
    wsize: usize,
    c2s: bool,
) {
    if !opt.selected(name) {
        return;
    }
    let c = bulk_conf(suite);
    let ctxs = make_ctxs(opt, &c, false);
    let states: Vec<Bulk> = (0..THREADS)
        .map(|_| Bulk::open(&ctxs, &c, name, wsize, c2s))
        .collect();
    let (batches, states) = run(opt, name, states, |b, _| b.batch(pattern));
    report(name, batches * BATCH as f64 / 1e6, "MB/s");
    for b in states {
        b.close();
    }
}
