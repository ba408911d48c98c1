/*
 * commands.h — the subcommands of `escapade`, one function each.
 *
 * viewer/main.c dispatches `escapade NAME ARGS...` to the entry below whose
 * name matches, passing argv with argv[0] = NAME.  Each returns the
 * process's exit status and handles its own --help.
 */
#ifndef ESCAPADE_COMMANDS_H
#define ESCAPADE_COMMANDS_H

int cmd_record(int argc, char **argv); /* tracer/record.c */
int cmd_dump(int argc, char **argv);   /* tracer/dump.c */
int cmd_report(int argc, char **argv); /* viewer/report.c */

#endif /* ESCAPADE_COMMANDS_H */
