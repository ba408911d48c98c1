# tests/sched.mk — tests of the sched.
