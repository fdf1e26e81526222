/* fuzz_tsv.c - the TSV reader: any bytes are read without a memory error,
 * and what it accepts writes back (tsv_put_row) to a stream that reads as
 * the same header and rows. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "hash.h"
#include "out.h"
#include "tsv.h"

/* Read all of path; *h sums every field of every row.  Returns the rows
 * read, or -1 when the reader refused the input.  With w, rows are
 * written back. */
static long read_all(const char *path, uint64_t *h, struct tsv_writer *w)
{
	char *paths[1] = {(char *)path};
	struct tsv_reader r;
	long rows = 0;
	int rc = tsv_open(&r, paths, 1);

	*h = HASH_FNV_OFFSET;
	if (rc == 0) {
		for (size_t i = 0; i < r.ncols; i++)
			*h = hash_fnv1a(*h, r.cols[i], strlen(r.cols[i]) + 1);
		if (w) {
			tsv_put_header(w, &r);
			tsv_end_row(w);
		}
		while ((rc = tsv_next(&r)) == 1) {
			for (size_t i = 0; i < r.ncols; i++)
				*h = hash_fnv1a(*h, r.fields[i].s, r.fields[i].len + 1);
			if (w) {
				tsv_put_row(w, &r);
				tsv_end_row(w);
			}
			rows++;
		}
	}
	tsv_close(&r);
	return rc < 0 ? -1 : rows;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = fuzz_path(0, data, size);
	const char *back = fuzz_path(1, "", 0);
	int fd = open(back, O_WRONLY | O_TRUNC);
	struct out o;
	struct tsv_writer w;
	uint64_t h1, h2;

	FUZZ_CHECK(fd >= 0 && out_open_fd(&o, fd, "back") == 0);
	tsv_writer_init(&w, &o);
	long n1 = read_all(in, &h1, &w);
	FUZZ_CHECK(out_close(&o) == 0);
	close(fd);
	if (n1 >= 0) {
		long n2 = read_all(back, &h2, NULL);
		FUZZ_CHECK(n2 == n1);
		FUZZ_CHECK(h2 == h1);
	}
	return 0;
}
