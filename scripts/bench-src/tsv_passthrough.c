/* tsv_passthrough - the TSV benchmark's subject: read a stream with lib/tsv
 * (validating and unescaping every field) and write it back to stdout with
 * tsv_put_row, as the commands pass columns through.  With --each-field,
 * every field is re-escaped with tsv_put instead (the slower path, shown
 * beside it).  Built only for `make bench`. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "diag.h"
#include "out.h"
#include "tsv.h"

int main(int argc, char **argv)
{
	struct tsv_reader r;
	struct tsv_writer w;
	int rc;
	bool each_field = argc > 1 && strcmp(argv[1], "--each-field") == 0;

	diag_init(argv[0]);
	if (each_field)
		argv++, argc--;
	if (tsv_open(&r, argv + 1, (size_t)(argc - 1)) < 0)
		diag_die_at(EXIT_DATA, r.file, r.line, "%s", errno ? strerror(errno) : r.err);
	tsv_writer_init(&w, out_stdout());
	tsv_put_header(&w, &r);
	tsv_end_row(&w);
	while ((rc = tsv_next(&r)) == 1) {
		if (each_field)
			for (size_t i = 0; i < r.ncols; i++)
				tsv_put(&w, r.fields[i].s, r.fields[i].len);
		else
			tsv_put_row(&w, &r);
		tsv_end_row(&w);
	}
	if (rc < 0)
		diag_die_at(EXIT_DATA, r.file, r.line, "%s", errno ? strerror(errno) : r.err);
	tsv_close(&r);
	out_stdout_close_or_die();
	return 0;
}
