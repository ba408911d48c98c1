/*
 * dump.c — `escapade dump TRACE`: every event of a trace, one line each.
 *
 * A debugging aid and the tests' window into traces: the lines are stable
 * `key=value` text.  Events come from the reader (tracer/reader.h), so the
 * order is the reader's time-merged order and stack ids are process-wide.
 * Exit status: 0 for a sound trace (a truncated one included: a comment
 * line says so), 1 when the file is not a trace or is damaged.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tracer/reader.h"
#include "viewer/commands.h"

static const char *const ref_kinds[] = {"none", "local", "remote", "unknown"};
static const char *const end_reasons[] = {"?", "exit", "_exit", "quick_exit", "exec"};

static void print_ref(const char *key, const struct esc_ref *ref)
{
	printf(" %s=%s", key, ref_kinds[ref->kind & 3]);
	if (ref->id != 0)
		printf(":%" PRIu64 ":%" PRIu64, ref->id >> 40, ref->id & ((UINT64_C(1) << 40) - 1));
	printf(" live=%d same=%d", ref->live, ref->same);
}

static void print_header(const esc_reader *r)
{
	const struct esc_trace_info *i = esc_reader_info(r);

	printf("# escapade trace version=%u pid=%u ppid=%u exe=%s clock=%s flags=%s%s%s%s "
	       "chunk_size=%u depth=%u\n",
	       i->version, i->pid, i->ppid, i->exe, i->clock == ESC_CLOCK_TSC ? "tsc" : "monotonic",
	       i->flags & ESC_FLAG_COST ? "cost," : "",
	       i->flags & ESC_FLAG_COMPACT ? "compact," : "",
	       i->flags & ESC_FLAG_CLEAN ? "clean," : "",
	       i->flags & ESC_FLAG_FRAMES ? "frames," : "", i->chunk_size, i->max_depth);
}

static void print_alloc(const struct esc_event *ev)
{
	const char *fn = ev->u.alloc.fn == ESC_FN_NEWOBJECT ? "newobject"
	                                                    : esc_alloc_fn_name(ev->u.alloc.fn);
	printf(" fn=%s id=%" PRIu64 ":%" PRIu64 " size=%" PRIu64 " stack=%u frame=0x%" PRIx64
	       " cost_ns=%" PRIu64,
	       fn, ev->u.alloc.id >> 40, ev->u.alloc.id & ((UINT64_C(1) << 40) - 1),
	       ev->u.alloc.size, ev->u.alloc.stack, ev->u.alloc.frame, ev->u.alloc.cost_ns);
	if (ev->u.alloc.fn == ESC_FN_NEWOBJECT)
		printf(" sizeclass=%d", ev->u.alloc.sizeclass);
	else if (esc_alloc_fn_has_ref(ev->u.alloc.fn))
		print_ref("old", &ev->u.alloc.old);
}

static void print_event(const struct esc_event *ev)
{
	static const char *const names[] = {
	        "module", "stack",       "thread_name",   "alloc",     "free",     "gc_start",
	        "gc_end", "stack_grow",  "stack_release", "go_create", "go_exit",  "lost",
	        "end",    "frame_enter", "frame_exit",    "escape",    "go_state",
	};
	printf("%s t=%" PRIu64 " thread=%u tid=%u g=%" PRIu64, names[ev->type], ev->time_ns,
	       ev->thread, ev->tid, ev->goid);
	switch (ev->type) {
	case ESC_EV_MODULE:
		printf(" base=0x%" PRIx64 " size=0x%" PRIx64 " build_id=", ev->u.module.base,
		       ev->u.module.size);
		for (size_t i = 0; i < ev->u.module.build_id_len; i++)
			printf("%02x", ev->u.module.build_id[i]);
		printf(" path=%s", ev->u.module.path);
		break;
	case ESC_EV_STACK:
		printf(" id=%u depth=%u truncated=%d pcs=", ev->u.stack.id, ev->u.stack.depth,
		       ev->u.stack.truncated);
		for (uint32_t i = 0; i < ev->u.stack.depth; i++)
			printf("%s0x%" PRIx64, i ? "," : "", ev->u.stack.pcs[i]);
		break;
	case ESC_EV_THREAD_NAME:
		printf(" name=%s", ev->u.thread_name.name);
		break;
	case ESC_EV_ALLOC:
		print_alloc(ev);
		break;
	case ESC_EV_FREE:
		printf(" fn=%s", esc_free_fn_name(ev->u.free.fn));
		print_ref("block", &ev->u.free.block);
		break;
	case ESC_EV_GC_START:
	case ESC_EV_GC_END:
		printf(" cycle=%" PRIu64 " heap_live=%" PRIu64 " heap_goal=%" PRIu64
		       " forced=%d objects_live=%" PRIu64 " freed_objects=%" PRIu64
		       " freed_bytes=%" PRIu64 " pause_ns=%" PRIu64 " mark_ns=%" PRIu64,
		       ev->u.gc.cycle, ev->u.gc.heap_live, ev->u.gc.heap_goal, ev->u.gc.forced,
		       ev->u.gc.objects_live, ev->u.gc.freed_objects, ev->u.gc.freed_bytes,
		       ev->u.gc.pause_ns, ev->u.gc.mark_ns);
		break;
	case ESC_EV_STACK_GROW:
	case ESC_EV_STACK_RELEASE:
		printf(" goid=%" PRIu64 " frame_size=%" PRIu64 " seg_size=%" PRIu64 " stack=%u",
		       ev->u.stack_grow.goid, ev->u.stack_grow.frame_size,
		       ev->u.stack_grow.seg_size, ev->u.stack_grow.stack);
		break;
	case ESC_EV_GO_CREATE:
	case ESC_EV_GO_EXIT:
		printf(" goid=%" PRIu64 " parent=%" PRIu64 " fn=0x%" PRIx64 " stack=%u",
		       ev->u.go.goid, ev->u.go.parent, ev->u.go.fn, ev->u.go.stack);
		break;
	case ESC_EV_LOST:
		printf(" count=%" PRIu64, ev->u.lost.count);
		break;
	case ESC_EV_FRAME_ENTER:
		printf(" fn=0x%" PRIx64 " sp=0x%" PRIx64, ev->u.frame.fn, ev->u.frame.sp);
		break;
	case ESC_EV_FRAME_EXIT:
		break;
	case ESC_EV_ESCAPE:
		printf(" escaped=%d", ev->u.escape.escaped);
		print_ref("block", &ev->u.escape.block);
		break;
	case ESC_EV_GO_STATE:
		printf(" goid=%" PRIu64 " state=%s", ev->u.go_state.goid, ev->u.go_state.state);
		break;
	case ESC_EV_END:
		printf(" reason=%s status=%" PRId64,
		       end_reasons[ev->u.end.reason < 5 ? ev->u.end.reason : 0], ev->u.end.status);
		break;
	}
	putchar('\n');
}

int cmd_dump(int argc, char **argv)
{
	char err[512];

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: escapade dump TRACE\n\n"
		       "Print every event of TRACE, one `kind key=value...` line each, in time\n"
		       "order, after a `#` line with the trace's header.  A last `#` line counts\n"
		       "the events and says whether the trace is truncated (the program crashed\n"
		       "or was killed).  Exit status 1 when TRACE is not a trace or is damaged.\n");
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: escapade dump TRACE (see escapade dump --help)\n");
		return 2;
	}
	esc_reader *r = esc_reader_open(argv[1], err, sizeof err);
	if (r == NULL) {
		fprintf(stderr, "escapade dump: %s\n", err);
		return 1;
	}
	print_header(r);
	struct esc_event ev;
	uint64_t n = 0;
	int rc;
	while ((rc = esc_reader_next(r, &ev)) > 0) {
		print_event(&ev);
		n++;
	}
	if (rc < 0) {
		fprintf(stderr, "escapade dump: %s: %s\n", argv[1], esc_reader_error(r));
		printf("# damaged after %" PRIu64 " events: %s\n", n, esc_reader_error(r));
		esc_reader_close(r);
		return 1;
	}
	printf("# events=%" PRIu64 " truncated=%s%s%s\n", n, esc_reader_truncated(r) ? "yes" : "no",
	       esc_reader_truncated(r) ? " reason=" : "",
	       esc_reader_truncated(r) ? esc_reader_error(r) : "");
	esc_reader_close(r);
	return 0;
}
