/* ingest_barecsv.c - the baseline of scripts/bench-ingest: a bare libcsv
 * pass that converts CSV on stdin to TSV on stdout (fields escaped as the
 * tally stream wants), with nothing else: no line numbers, no mapping. */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char obuf[1 << 16];
static size_t olen;
static int first = 1;

static void flush_out(void)
{
	size_t off = 0;
	while (off < olen) {
		ssize_t n = write(1, obuf + off, olen - off);
		if (n <= 0)
			exit(1);
		off += (size_t)n;
	}
	olen = 0;
}

static void put(char c)
{
	if (olen == sizeof obuf)
		flush_out();
	obuf[olen++] = c;
}

static void on_field(void *s, size_t len, void *data)
{
	(void)data;
	if (!first)
		put('\t');
	first = 0;
	const char *p = s;
	for (size_t i = 0; i < len; i++) {
		char c = p[i];
		switch (c) {
		case '\t': put('\\'); put('t'); break;
		case '\n': put('\\'); put('n'); break;
		case '\r': put('\\'); put('r'); break;
		case '\\': put('\\'); put('\\'); break;
		default: put(c);
		}
	}
}

static void on_row(int c, void *data)
{
	(void)c;
	(void)data;
	put('\n');
	first = 1;
}

int main(void)
{
	struct csv_parser p;
	static char buf[1 << 17];
	ssize_t n;

	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return 1;
	while ((n = read(0, buf, sizeof buf)) > 0)
		if (csv_parse(&p, buf, (size_t)n, on_field, on_row, NULL) != (size_t)n) {
			fprintf(stderr, "ingest_barecsv: %s\n", csv_strerror(csv_error(&p)));
			return 1;
		}
	if (csv_fini(&p, on_field, on_row, NULL) != 0) {
		fprintf(stderr, "ingest_barecsv: %s\n", csv_strerror(csv_error(&p)));
		return 1;
	}
	csv_free(&p);
	flush_out();
	return 0;
}
