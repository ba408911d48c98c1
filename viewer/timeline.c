/*
 * timeline.c — Chrome trace-event JSON writer (see timeline.h).
 *
 * Streams: each event is written as it comes, with the separating comma
 * before it, so memory does not grow with the run.  Timestamps are in
 * microseconds (the format's unit) printed with nanosecond decimals.
 * Goroutine tracks are thread ids GOID_TID + goid, named "goroutine N" by a
 * metadata event written with the goroutine's slice; the GC has tid 1.
 */
#include "timeline.h"

#include <stdbool.h>
#include <stdlib.h>

#include "escape.h"

#define GC_TID   1
#define GOID_TID 1000

struct tl_writer {
	FILE *out;
	uint64_t pid;
	bool first;
};

static void sep(tl_writer *w)
{
	fputs(w->first ? "\n" : ",\n", w->out);
	w->first = false;
}

static void put_str(FILE *f, const char *s)
{
	putc('"', f);
	esc_json(f, s ? s : "?");
	putc('"', f);
}

/* The common head of an event: name, phase, timestamp, pid, tid. */
static void head(tl_writer *w, const char *name, const char *cat, char ph, uint64_t ts_ns,
                 uint64_t tid)
{
	sep(w);
	fputs("{\"name\":", w->out);
	put_str(w->out, name);
	fprintf(w->out,
	        ",\"cat\":\"%s\",\"ph\":\"%c\",\"ts\":%llu.%03llu,\"pid\":%llu,\"tid\":%llu", cat,
	        ph, (unsigned long long)(ts_ns / 1000), (unsigned long long)(ts_ns % 1000),
	        (unsigned long long)w->pid, (unsigned long long)tid);
}

static void meta(tl_writer *w, const char *what, uint64_t tid, const char *prefix, uint64_t n)
{
	sep(w);
	fprintf(w->out,
	        "{\"name\":\"%s\",\"ph\":\"M\",\"pid\":%llu,\"tid\":%llu,\"args\":{\"name\":\"%s",
	        what, (unsigned long long)w->pid, (unsigned long long)tid, prefix);
	if (n != UINT64_MAX)
		fprintf(w->out, " %llu", (unsigned long long)n);
	fputs("\"}}", w->out);
}

tl_writer *tl_open(FILE *out, const char *program, uint64_t pid)
{
	tl_writer *w = calloc(1, sizeof *w);

	if (!w)
		return NULL;
	w->out = out;
	w->pid = pid;
	w->first = true;
	fputs("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"program\":", out);
	put_str(out, program);
	fputs("},\"traceEvents\":[", out);
	sep(w);
	fprintf(out, "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%llu,\"args\":{\"name\":",
	        (unsigned long long)pid);
	put_str(out, program);
	fputs("}}", out);
	meta(w, "thread_name", GC_TID, "GC", UINT64_MAX);
	return w;
}

static void dur(tl_writer *w, uint64_t dur_ns)
{
	fprintf(w->out, ",\"dur\":%llu.%03llu", (unsigned long long)(dur_ns / 1000),
	        (unsigned long long)(dur_ns % 1000));
}

int tl_add(tl_writer *w, const tl_event *ev)
{
	FILE *f = w->out;

	switch (ev->kind) {
	case TL_GOROUTINE:
		meta(w, "thread_name", GOID_TID + ev->goid, "goroutine", ev->goid);
		head(w, ev->name, "goroutine", 'X', ev->ts_ns, GOID_TID + ev->goid);
		dur(w, ev->dur_ns);
		fprintf(f, ",\"args\":{\"goid\":%llu", (unsigned long long)ev->goid);
		if (ev->state) {
			fputs(",\"state_at_end\":", f);
			put_str(f, ev->state);
		}
		fputs("}}", f);
		if (ev->state) { /* visible on the track, not only in the details */
			head(w, ev->state, "goroutine", 'i', ev->ts_ns + ev->dur_ns,
			     GOID_TID + ev->goid);
			fputs(",\"s\":\"t\"}", f);
		}
		return 0;
	case TL_GC:
		head(w, "GC", "gc", 'X', ev->ts_ns, GC_TID);
		dur(w, ev->dur_ns);
		fputs("}", f);
		return 0;
	case TL_STACK_GROW:
		head(w, "stack grow", "stack", 'i', ev->ts_ns, GOID_TID + ev->goid);
		fprintf(f, ",\"s\":\"t\",\"args\":{\"segment_bytes\":%llu,\"function\":",
		        (unsigned long long)ev->value);
		put_str(f, ev->name);
		fputs("}}", f);
		return 0;
	case TL_HEAP:
	case TL_STACK:
		head(w, ev->kind == TL_HEAP ? "heap in use" : "stack in use", "memory", 'C',
		     ev->ts_ns, 0);
		fprintf(f, ",\"args\":{\"bytes\":%llu}}", (unsigned long long)ev->value);
		return 0;
	}
	return -1;
}

int tl_close(tl_writer *w)
{
	int rc;

	fputs("\n]}\n", w->out);
	rc = ferror(w->out) ? -1 : 0;
	free(w);
	return rc;
}
