/*
 * escape.h — the one escaping module every viewer output goes through.
 *
 * Symbol names come from ELF files and DWARF, i.e. from anywhere: they can
 * hold '<', '&', quotes, ';', newlines, control bytes and invalid UTF-8.
 * Each output format has its own forbidden characters, but all of them share
 * one rule: decode UTF-8 strictly, and turn every byte that is not part of a
 * valid sequence into U+FFFD.  The escapers below differ only in what they do
 * with the (valid) code points they then see.
 */
#ifndef ESCAPADE_VIEWER_ESCAPE_H
#define ESCAPADE_VIEWER_ESCAPE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* XML and HTML (text and attribute values): <>&"' become character
 * references, control characters (not allowed in XML 1.0) become U+FFFD.
 * At most max code points are written (0 = no limit); when the name is cut,
 * ".." is appended. */
void esc_xml(FILE *f, const char *s, size_t max);

/* JSON string contents (without the quotes): '"' '\\' and control characters
 * escaped, and '<' '>' '&' written as \u003c.. so the JSON may sit inside an
 * HTML <script> element. */
void esc_json(FILE *f, const char *s);

/* A frame of a folded stack line: ';' (the separator) becomes ':', newlines
 * and other control characters become a space or '?', as flamegraph.pl
 * expects one stack per line. */
void esc_folded(FILE *f, const char *s);

/* Valid UTF-8 for binary formats (pprof strings): copies s into out with
 * invalid bytes replaced by U+FFFD and returns the length written.  With out
 * NULL, only returns the length (at most 3 * strlen(s)). */
size_t esc_utf8(const char *s, char *out);

/* Writes v with thousands separators (1,234,567): plain ASCII, safe in
 * every text format, shared by the tooltips and the HTML tables. */
void esc_num(FILE *f, uint64_t v);

/* Number of code points of s as esc_xml counts them. */
size_t esc_width(const char *s);

#endif
