# bench/sched.mk — the scheduler's benchmarks (filled in by the sched work).
