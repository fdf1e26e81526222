/* tsv_passthrough - the TSV benchmark's subject: read a stream with lib/tsv,
 * unescape every field, re-escape it and write it to stdout.  Built only
 * for `make bench`. */
#include <errno.h>
#include <string.h>

#include "diag.h"
#include "out.h"
#include "tsv.h"

int main(int argc, char **argv)
{
	struct tsv_reader r;
	struct tsv_writer w;
	int rc;

	diag_init(argv[0]);
	if (tsv_open(&r, argv + 1, (size_t)(argc - 1)) < 0)
		diag_die_at(EXIT_DATA, r.file, r.line, "%s", errno ? strerror(errno) : r.err);
	tsv_writer_init(&w, out_stdout());
	tsv_put_header(&w, &r);
	tsv_end_row(&w);
	while ((rc = tsv_next(&r)) == 1) {
		tsv_put_row(&w, &r);
		tsv_end_row(&w);
	}
	if (rc < 0)
		diag_die_at(EXIT_DATA, r.file, r.line, "%s", errno ? strerror(errno) : r.err);
	tsv_close(&r);
	out_stdout_close_or_die();
	return 0;
}
