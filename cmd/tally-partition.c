/* tally-partition - route a stream's rows into N files by the hash of key
 * columns, so that N processes (GNU parallel, a Slurm array, Hadoop) each
 * run a command on one partition and the results merge exactly
 * (tally(7), PARTITIONED RUNS).
 *
 * Every file gets the header, rows keep their input order within a file,
 * and each file is written atomically: a failed run leaves none changed.
 * With --part K only partition K is written, to standard output: a filter
 * in each job's pipeline, which fails (and must fail the job: pipefail)
 * at a bad row after the rows before it went out. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "out.h"
#include "partition.h"
#include "tsv.h"

static noreturn void usage(FILE *f, int status)
{
	fprintf(f, "usage: tally-partition --by COLUMN[,COLUMN...] --count N --output PREFIX [FILE...]\n"
		   "       tally-partition --by COLUMN[,COLUMN...] --count N --part K [FILE...]\n"
		   "       tally-partition --help | --version\n");
	if (f == stdout)
		fputs("\n"
		      "Write each row to PREFIXK.tsv, K in 0..N-1 (zero-padded), chosen by a\n"
		      "stable hash of its key columns; every file has the header.\n"
		      "\n"
		      "  -b, --by COLUMNS   the key: one column or several, comma-separated\n"
		      "      --count N      how many partitions (1 to 256)\n"
		      "      --output PREFIX  the files' names start with this (a folder ends in /)\n"
		      "      --part K       only partition K (0..N-1), on standard output: each job\n"
		      "                     of a parallel run takes its own from the whole input\n"
		      "  -h, --help         this help\n"
		      "  -V, --version      the version\n",
		      f);
	exit(status);
}

/* "source,order" -> names[], at most PARTITION_KEYS, none empty. */
static size_t parse_by(char *arg, char *names[PARTITION_KEYS])
{
	size_t n = 0;
	if (!arg[0] || arg[0] == ',' || arg[strlen(arg) - 1] == ',' || strstr(arg, ",,"))
		diag_die(EXIT_USAGE, "--by: \"%s\" is not a list of column names", arg);
	char *save = NULL, *t = strtok_r(arg, ",", &save);
	for (; t && n < PARTITION_KEYS; t = strtok_r(NULL, ",", &save))
		names[n++] = t;
	if (t)
		diag_die(EXIT_USAGE, "--by: at most %d columns", PARTITION_KEYS);
	return n;
}

/* A whole number from lo to hi for option opt, or die naming what it is. */
static unsigned parse_number(const char *opt, const char *arg, long lo, long hi, const char *what)
{
	char *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (errno || *end || end == arg || v < lo || v > hi)
		diag_die(EXIT_USAGE, "%s: \"%s\" is not %s (%ld to %ld)", opt, arg, what, lo, hi);
	return (unsigned)v;
}

/* Open PREFIXK.tsv for each K, atomically, and write the header. */
static void open_parts(struct out *parts, struct tsv_writer *w, char **paths, unsigned n, const char *prefix,
		       const struct tsv_reader *r)
{
	int width = snprintf(NULL, 0, "%u", n - 1);
	for (unsigned k = 0; k < n; k++) {
		size_t len = strlen(prefix) + (size_t)width + 8;
		paths[k] = xmalloc(len);
		snprintf(paths[k], len, "%s%0*u.tsv", prefix, width, k);
		if (out_open_file(&parts[k], paths[k]) < 0)
			diag_die(EXIT_USAGE, "%s: %s", paths[k], strerror(errno));
		tsv_writer_init(&w[k], &parts[k]);
		tsv_put_header(&w[k], r);
		tsv_end_row(&w[k]);
	}
}

/* Open the input files (none: stdin) and read the header, or die. */
static void open_input(struct tsv_reader *r, char **files, size_t n)
{
	cli_tsv_open(r, files, n);
}

/* After the last row: die if the input could not be read to its end. */
static void read_failed(const struct tsv_reader *r, int rc)
{
	if (rc >= 0)
		return;
	if (errno)
		diag_die(EXIT_DATA, "%s: %s", r->file, strerror(errno));
	diag_die_at(EXIT_DATA, r->file, r->line, "%s", r->err);
}

/* The rows of partition part alone, to standard output: a filter, so that
 * each job of a parallel run reads the whole input (a shared file, read
 * from the page cache) and nothing is written to disk but its results. */
static void write_part(struct tsv_reader *r, const int *cols, size_t nkeys, unsigned n, unsigned part)
{
	struct out *o = out_stdout();
	struct tsv_writer w;
	tsv_writer_init(&w, o);
	tsv_put_header(&w, r);
	tsv_end_row(&w);
	int rc;
	while ((rc = tsv_next(r)) == 1)
		if (partition_of(partition_hash(r->fields, cols, nkeys), n) == part) {
			tsv_put_row(&w, r);
			tsv_end_row(&w);
		}
	read_failed(r, rc);
	tsv_close(r);
	out_stdout_close_or_die();
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"by", required_argument, NULL, 'b'},
		{"count", required_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{"output", required_argument, NULL, 'o'},
		{"part", required_argument, NULL, 'p'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	static const char *const moved[] = {"n--count", "o--output", NULL};
	char *by = NULL, *names[PARTITION_KEYS];
	const char *prefix = NULL;
	unsigned n = 0;
	const char *part = NULL;
	int ch;

	diag_init(argv[0]);
	struct cli_seen seen = {0};
	while ((ch = getopt_long(argc, argv, "b:hV", longopts, NULL)) != -1) {
		if (!cli_once(&seen, ch, longopts, NULL))
			usage(stderr, EXIT_USAGE);
		switch (ch) {
		case 'b': by = optarg; break;
		case 'h': usage(stdout, EXIT_OK);
		case 'n': n = parse_number("--count", optarg, 1, PARTITION_MAX, "a number of partitions"); break;
		case 'o': prefix = optarg; break;
		case 'p': part = optarg; break;
		case 'V': cli_version();
		default:
			cli_hint_moved(optopt, moved);
			cli_hint_option(argv[optind - 1], longopts);
			usage(stderr, EXIT_USAGE);
		}
	}
	struct tsv_reader r;
	if (!by || !n || !prefix == !part) {
		if (optind < argc) /* a missing file is named first, as by every command */
			open_input(&r, argv + optind, (size_t)(argc - optind));
		diag_warn(prefix && part ? "--output and --part cannot be used together"
					 : "--by, --count and --output (or --part) are required");
		usage(stderr, EXIT_USAGE);
	}
	unsigned k_part = part ? parse_number("--part", part, 0, (long)n - 1, "a partition of --count") : 0;
	open_input(&r, argv + optind, (size_t)(argc - optind));
	size_t nkeys = parse_by(by, names);
	int cols[PARTITION_KEYS];
	for (size_t i = 0; i < nkeys; i++)
		cols[i] = tsv_col_or_die(&r, names[i]);
	if (part) {
		write_part(&r, cols, nkeys, n, k_part);
		return EXIT_OK;
	}

	/* static: still reachable when a later step dies (no leak report) */
	static struct out *parts;
	static struct tsv_writer *w;
	static char **paths;
	parts = xcalloc(n, sizeof *parts);
	w = xcalloc(n, sizeof *w);
	paths = xcalloc(n, sizeof *paths);
	open_parts(parts, w, paths, n, prefix, &r);
	int rc;
	while ((rc = tsv_next(&r)) == 1) {
		unsigned k = partition_of(partition_hash(r.fields, cols, nkeys), n);
		tsv_put_row(&w[k], &r);
		tsv_end_row(&w[k]);
	}
	read_failed(&r, rc);
	tsv_close(&r);
	for (unsigned k = 0; k < n; k++) {
		if (out_close(&parts[k]) < 0)
			diag_die(EXIT_DATA, "%s: write error: %s", paths[k], strerror(errno));
		free(paths[k]);
	}
	free(paths);
	free(w);
	free(parts);
	return EXIT_OK;
}
