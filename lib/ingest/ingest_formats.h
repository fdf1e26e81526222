/* ingest_formats.h - the built-in export formats of tally-ingest, each a
 * mapping (ingest_map.h) compiled in as text: adding a platform is adding
 * a mapping here, not C code. */
#ifndef TALLY_INGEST_FORMATS_H
#define TALLY_INGEST_FORMATS_H

#include <stddef.h>

struct ingest_format {
	const char *name; /* as --format takes it */
	const char *text; /* the mapping */
};

/* The built-in formats, in the order detection prefers them on a tie. */
extern const struct ingest_format ingest_formats[];
extern const size_t ingest_nformats;

#endif
