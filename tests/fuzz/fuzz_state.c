/* fuzz_state.c - the split state's round trip.  Input: an agreements file,
 * a NUL, a state file (without a NUL: fixed capped agreements).  Any state
 * is read or refused without a memory error; a state that is read and
 * bound is written, and what was written must read and bind again and
 * write back byte for byte: a run must always be able to read the state
 * the run before it wrote. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "out.h"
#include "split_rules.h"
#include "split_state.h"

static const char fixed_agreements[] =
	"match\ttier\tpayee\tshare\tcap\n"
	"*\t1\tMara (manager)\t15%\n"
	"*\t2\tAna\t50%\n"
	"*\t2\tBen\t50%\n"
	"Lanterns*\t1\tOrchard Records\t100%\t500.00 USD\n"
	"Lanterns*\t2\tAna\t1\n"
	"Lanterns*\t2\tBen\t1\n";

static bool parse(struct split_rules *r, const uint8_t *text, size_t len)
{
	long line;
	char err[512];
	memset(r, 0, sizeof *r);
	return split_rules_parse(r, "fuzz", (const char *)text, len, &line, err, sizeof err) ==
	       SPLIT_OK;
}

/* Read the state at path and bind it to agreements text; write it to
 * slot 2 and return its bytes (caller frees), or NULL when refused. */
static char *read_bind_write(const uint8_t *agr, size_t alen, const char *path, size_t *len,
			     bool must)
{
	struct split_rules r;
	struct split_state s;
	long line;
	char err[512];
	char *bytes = NULL;

	memset(&s, 0, sizeof s);
	FUZZ_CHECK(parse(&r, agr, alen));
	int rc = split_state_read(&s, path, &line, err, sizeof err);
	if (must && rc != 0)
		fprintf(stderr, "re-read refused: line %ld: %s\n", line, err);
	FUZZ_CHECK(!must || rc == 0);
	if (rc == 0) {
		rc = split_state_bind(&s, &r, err, sizeof err);
		if (must && rc != 0)
			fprintf(stderr, "re-bind refused: %s\n", err);
		FUZZ_CHECK(!must || rc == 0);
	}
	if (rc == 0) {
		const char *out_path = fuzz_path(2, "", 0);
		int fd = open(out_path, O_WRONLY | O_TRUNC);
		struct out o;
		FUZZ_CHECK(fd >= 0 && out_open_fd(&o, fd, "state") == 0);
		split_state_write(&s, &r, &o);
		FUZZ_CHECK(out_close(&o) == 0);
		close(fd);
		bytes = fuzz_slurp(out_path, len);
	}
	split_state_free(&s);
	split_rules_free(&r);
	return bytes;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *agr, *state;
	size_t alen, slen;
	struct split_rules probe;

	fuzz_split(data, size, &agr, &alen, &state, &slen);
	bool ok = parse(&probe, agr, alen);
	split_rules_free(&probe);
	if (!ok || slen == 0) {
		/* not agreements: the whole input is a state for the fixed ones */
		agr = (const uint8_t *)fixed_agreements;
		alen = sizeof fixed_agreements - 1;
		state = data;
		slen = size;
	}
	size_t n1, n2;
	char *b1 = read_bind_write(agr, alen, fuzz_path(0, state, slen), &n1, false);
	if (!b1)
		return 0;
	char *b2 = read_bind_write(agr, alen, fuzz_path(1, b1, n1), &n2, true);
	FUZZ_CHECK(n1 == n2 && memcmp(b1, b2, n1) == 0);
	free(b1);
	free(b2);
	return 0;
}
