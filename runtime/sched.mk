# runtime/sched.mk — goroutines, stacks, channels: the scheduler half of gort.
#
# The assembly owns the two places C cannot express: __morestack (growing a
# goroutine's stack onto a new segment) and the context switch.
gort_sched_sources += \
	runtime/asmdefs.h \
	runtime/asm_amd64.S \
	runtime/morestack_amd64.S \
	runtime/stack.c \
	runtime/proc.c \
	runtime/time.c \
	runtime/traceback.c \
	runtime/thread.c
gort_sched_sources += \
	runtime/chan.c \
	runtime/select.c \
	runtime/sync.c
