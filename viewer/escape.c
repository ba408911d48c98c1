/*
 * escape.c — escaping of names for every output format (see escape.h).
 *
 * One strict UTF-8 decoder (utf8_next) feeds every escaper, so a name that
 * survives one output survives all of them the same way: overlong forms,
 * surrogates, code points past U+10FFFF and truncated sequences each count
 * as one bad byte and become U+FFFD, the replacement character.
 */
#define _GNU_SOURCE
#include "escape.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define BAD 0xFFFD

/* Decodes the code point at *p and advances *p past it (one byte when the
 * sequence is invalid, in which case BAD is returned). */
static uint32_t utf8_next(const unsigned char **p)
{
	const unsigned char *s = *p;
	uint32_t c = s[0];
	int n;
	uint32_t min;

	if (c < 0x80) {
		*p = s + 1;
		return c;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 1, c &= 0x1F, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 2, c &= 0x0F, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 3, c &= 0x07, min = 0x10000;
	} else {
		*p = s + 1;
		return BAD;
	}
	for (int i = 1; i <= n; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*p = s + 1;
			return BAD;
		}
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
		*p = s + 1;
		return BAD;
	}
	*p = s + n + 1;
	return c;
}

/* Encodes c as UTF-8 into out (at least 4 bytes); returns the length. */
static size_t utf8_put(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

static void put_cp(FILE *f, uint32_t c)
{
	char buf[4];
	size_t n = utf8_put(c, buf);

	if (n == 1)
		putc_unlocked(buf[0], f);
	else
		fwrite_unlocked(buf, 1, n, f);
}

/* The escaping loop every text format shares: runs of ASCII bytes that
 * `plain` accepts are copied in one write (names are mostly such runs);
 * anything else is decoded and handed to `special`, one code point at a
 * time.  At most max code points are written (0 = all), then "..". */
static void escape(FILE *f, const char *s, size_t max, const unsigned char plain[128],
                   void (*special)(FILE *f, uint32_t c))
{
	const unsigned char *p = (const unsigned char *)s;
	size_t count = 0;

	while (*p) {
		const unsigned char *run = p;
		while (*p < 0x80 && plain[*p] && (!max || count < max))
			p++, count++;
		if (p > run)
			fwrite_unlocked(run, 1, (size_t)(p - run), f);
		if (!*p)
			return;
		if (max && count == max) {
			fputs("..", f);
			return;
		}
		special(f, utf8_next(&p));
		count++;
	}
}

/* plain[c] for the printable ASCII characters but those listed. */
static void plain_table(unsigned char plain[128], const char *except)
{
	for (int c = 0; c < 128; c++)
		plain[c] = c >= 0x20 && c < 0x7F && !strchr(except, c);
}

static void xml_special(FILE *f, uint32_t c)
{
	switch (c) {
	case '<':
		fputs("&lt;", f);
		break;
	case '>':
		fputs("&gt;", f);
		break;
	case '&':
		fputs("&amp;", f);
		break;
	case '"':
		fputs("&quot;", f);
		break;
	case '\'':
		fputs("&#39;", f);
		break;
	default:
		/* XML 1.0 allows no C0 control but tab/LF/CR; names stay on
		 * one line, so those go too, with C1 controls and the
		 * non-characters U+FFFE/U+FFFF. */
		if (c < 0x20 || (c >= 0x7F && c < 0xA0) || c == 0xFFFE || c == 0xFFFF)
			c = BAD;
		put_cp(f, c);
	}
}

void esc_xml(FILE *f, const char *s, size_t max)
{
	static unsigned char plain[128];

	if (!plain['a'])
		plain_table(plain, "<>&\"'");
	escape(f, s, max, plain, xml_special);
}

size_t esc_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t count = 0;

	while (*p) {
		utf8_next(&p);
		count++;
	}
	return count;
}

static void json_special(FILE *f, uint32_t c)
{
	switch (c) {
	case '"':
		fputs("\\\"", f);
		break;
	case '\\':
		fputs("\\\\", f);
		break;
	case '\n':
		fputs("\\n", f);
		break;
	case '\t':
		fputs("\\t", f);
		break;
	default:
		if (c < 0x20 || c == 0x7F || c == '<' || c == '>' || c == '&' || c == 0x2028 ||
		    c == 0x2029)
			fprintf(f, "\\u%04x", (unsigned)c);
		else
			put_cp(f, c);
	}
}

void esc_json(FILE *f, const char *s)
{
	static unsigned char plain[128];

	if (!plain['a'])
		plain_table(plain, "\"\\<>&");
	escape(f, s, 0, plain, json_special);
}

static void folded_special(FILE *f, uint32_t c)
{
	if (c == ';')
		c = ':';
	else if (c == '\n' || c == '\r' || c == '\t')
		c = ' ';
	else if (c < 0x20 || c == 0x7F)
		c = '?';
	put_cp(f, c);
}

void esc_folded(FILE *f, const char *s)
{
	static unsigned char plain[128];

	if (!plain['a'])
		plain_table(plain, ";");
	escape(f, s, 0, plain, folded_special);
}

size_t esc_utf8(const char *s, char *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = 0;
	char buf[4];

	while (*p) {
		size_t n = utf8_put(utf8_next(&p), out ? out + len : buf);
		len += n;
	}
	return len;
}

void esc_num(FILE *f, uint64_t v)
{
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);

	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			putc_unlocked(',', f);
		putc_unlocked(buf[i], f);
	}
}
