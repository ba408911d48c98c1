/*
 * commands.h — the subcommands of `escapade`, one function each.
 *
 * viewer/main.c dispatches `escapade NAME ARGS...` to the entry below whose
 * name matches, passing argv with argv[0] = NAME.  Each returns the
 * process's exit status and handles its own --help.
 */
#ifndef ESCAPADE_COMMANDS_H
#define ESCAPADE_COMMANDS_H

int cmd_record(int argc, char **argv);   /* tracer/record.c */
int cmd_dump(int argc, char **argv);     /* tracer/dump.c */
int cmd_report(int argc, char **argv);   /* viewer/report.c */
int cmd_folded(int argc, char **argv);   /* viewer/cmd_folded.c */
int cmd_flame(int argc, char **argv);    /* viewer/cmd_flame.c */
int cmd_pprof(int argc, char **argv);    /* viewer/cmd_pprof.c */
int cmd_diff(int argc, char **argv);     /* viewer/cmd_diff.c */
int cmd_html(int argc, char **argv);     /* viewer/cmd_html.c */
int cmd_timeline(int argc, char **argv); /* viewer/cmd_timeline.c */

#endif /* ESCAPADE_COMMANDS_H */
