/*
 * viewer/report.h — `escapade report`: totals and top allocation sites.
 */
#ifndef ESCAPADE_VIEWER_REPORT_H
#define ESCAPADE_VIEWER_REPORT_H

/* Runs the command (argv[0] is "report"); returns the exit status. */
int report_main(int argc, char **argv);

#endif
