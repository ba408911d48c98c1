# runtime/sched.mk — goroutines, stacks, channels (filled in by the scheduler work).
