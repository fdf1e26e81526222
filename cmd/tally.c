/* tally - the front command: "tally split ARGS" runs "tally-split ARGS".
 *
 * The command is looked for first beside this executable, then on PATH, in
 * the manner of git.  "tally" and "tally --help" list the commands;
 * "tally help CMD" shows the command's man page, or its --help when man or
 * the page is missing. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "diag.h"
#include "out.h"

struct command {
	const char *name;    /* without the "tally-" prefix */
	const char *summary; /* one line for the list */
};

static const struct command commands[] = {
	{"ingest", "platform exports (CSV/TSV) -> the canonical sales stream"},
	{"split", "sales -> per-payee allocations by written split agreements"},
	{"attribute", "contributions -> exact shares, split agreements, credits"},
	{"forecast", "series -> forecasts of the next periods, with intervals"},
	{"report", "allocations -> payout statements, ledger, business summary"},
	{"partition", "any stream -> N files by a stable hash of key columns"},
};

/* "'NAME' is not a tally command", then the nearest command or word
 * ("did you mean 'split'?"), as a mistyped option is answered; exit 2. */
static noreturn void not_a_command(const char *name)
{
	const char *names[sizeof commands / sizeof commands[0] + 2];
	size_t n = 0;
	for (; n < sizeof commands / sizeof commands[0]; n++)
		names[n] = commands[n].name;
	names[n++] = "help";
	names[n++] = "completion";
	diag_warn("'%s' is not a tally command (see 'tally --help')", name);
	cli_hint_word(name, names, n);
	exit(EXIT_USAGE);
}

static void usage(FILE *f, int status)
{
	fprintf(f, "usage: tally COMMAND [ARG...]\n"
		   "       tally help [COMMAND] | completion bash|zsh | --help | --version\n");
	exit(status);
}

/* Directory holding this executable ("" if unknown), with a trailing '/'. */
static void own_dir(char *buf, size_t cap)
{
	ssize_t n = readlink("/proc/self/exe", buf, cap - 1);
	if (n <= 0) {
		buf[0] = '\0';
		return;
	}
	buf[n] = '\0';
	char *slash = strrchr(buf, '/');
	if (slash)
		slash[1] = '\0';
	else
		buf[0] = '\0';
}

/* Full path of tally-NAME beside us, or NULL to search PATH. */
static char *beside_path(const char *name)
{
	char dir[PATH_MAX];
	static char path[PATH_MAX + 64];

	own_dir(dir, sizeof dir);
	if (!dir[0])
		return NULL;
	snprintf(path, sizeof path, "%stally-%s", dir, name);
	return access(path, X_OK) == 0 ? path : NULL;
}

static int on_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	while (path && *path) {
		const char *colon = strchr(path, ':');
		size_t n = colon ? (size_t)(colon - path) : strlen(path);
		snprintf(buf, sizeof buf, "%.*s/%s", (int)n, path, prog);
		if (n > 0 && access(buf, X_OK) == 0)
			return 1;
		path = colon ? colon + 1 : NULL;
	}
	return 0;
}

/* The man page of tally-NAME installed beside this executable (PREFIX/bin
 * and PREFIX/share/man/man1) or in the source tree (bin/ and man/), in
 * buf; false when there is none. */
static bool page_beside(const char *name, char *buf, size_t cap)
{
	static const char *const dirs[] = {"../share/man/man1/", "../man/"};
	char dir[PATH_MAX];

	own_dir(dir, sizeof dir);
	for (size_t i = 0; dir[0] && i < sizeof dirs / sizeof dirs[0]; i++) {
		snprintf(buf, cap, "%s%stally-%s.1", dir, dirs[i], name);
		if (access(buf, R_OK) == 0)
			return true;
	}
	return false;
}

/* Whether "man -w PAGE" finds PAGE on the manual path (quietly). */
static bool man_knows(const char *page)
{
	pid_t pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, 1), dup2(null, 2);
		execlp("man", "man", "-w", page, (char *)NULL);
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* "tally help NAME", as git's: exec man on tally-NAME's page when man and
 * the page are there; returns (for the caller to run NAME --help) when
 * either is missing. */
static void show_man_page(const char *name)
{
	char page[PATH_MAX + 64], title[PATH_MAX];

	if (!on_path("man"))
		return;
	fflush(stdout);
	if (page_beside(name, page, sizeof page))
		execlp("man", "man", "-l", page, (char *)NULL);
	snprintf(title, sizeof title, "tally-%s", name);
	if (man_knows(title))
		execlp("man", "man", title, (char *)NULL);
}

/* Whether tally-NAME is somewhere on PATH. */
static int on_path_cmd(const char *name)
{
	char prog[PATH_MAX];
	snprintf(prog, sizeof prog, "tally-%s", name);
	return on_path(prog);
}

static void list_commands(FILE *f)
{
	fprintf(f, "usage: tally COMMAND [ARG...]\n"
		   "       tally help [COMMAND] | completion bash|zsh | --help | --version\n"
		   "\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (beside_path(commands[i].name) || on_path_cmd(commands[i].name))
			fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	}
	fprintf(f, "\n'tally COMMAND --help' shows a command's options; "
		   "man tally(7) describes the streams.\n");
}

/* Shell completion, printed by "tally completion bash|zsh".  Options come
 * from each command's own --help at completion time, so they follow the
 * commands installed and never go stale; zsh runs the same function
 * through its bashcompinit. */
static const char completion_bash[] =
	"# bash completion for tally and its commands (\"tally completion bash\").\n"
	"# Options come from each command's own --help, so they are always those of\n"
	"# the commands installed; formats from tally-ingest --list-formats.\n"
	"_tally_words() { # CMD...: the long options its --help names\n"
	"\t\"$@\" --help 2>/dev/null | grep -o -- '--[a-z][a-z0-9-]*' | sort -u\n"
	"}\n"
	"_tally() {\n"
	"\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	"\tlocal -a cmd=(\"${COMP_WORDS[0]}\")\n"
	"\tif [ \"${COMP_WORDS[0]##*/}\" = tally ]; then\n"
	"\t\tif [ \"$COMP_CWORD\" -eq 1 ] || [ \"${COMP_WORDS[1]}\" = help ]; then\n"
	"\t\t\t[ \"$COMP_CWORD\" -le 2 ] || return\n"
	"\t\t\tlocal names\n"
	"\t\t\tnames=$(\"${COMP_WORDS[0]}\" --help 2>/dev/null |\n"
	"\t\t\t\tawk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')\n"
	"\t\t\t[ \"$COMP_CWORD\" -eq 1 ] && names=\"$names help completion --help --version\"\n"
	"\t\t\tCOMPREPLY=($(compgen -W \"$names\" -- \"$cur\"))\n"
	"\t\t\treturn\n"
	"\t\tfi\n"
	"\t\t[ \"${COMP_WORDS[1]}\" = completion ] && {\n"
	"\t\t\tCOMPREPLY=($(compgen -W \"bash zsh\" -- \"$cur\"))\n"
	"\t\t\treturn\n"
	"\t\t}\n"
	"\t\tcmd+=(\"${COMP_WORDS[1]}\")\n"
	"\tfi\n"
	"\tcase \"${cmd[*]##*/}:$prev\" in\n"
	"\t*ingest:-f | *ingest:--format | *ingest:--show-format)\n"
	"\t\tCOMPREPLY=($(compgen -W \"$(\"${cmd[@]}\" --list-formats 2>/dev/null |\n"
	"\t\t\tawk '/^[a-z]/ { print $1 }')\" -- \"$cur\"))\n"
	"\t\treturn ;;\n"
	"\t*report:--payouts)\n"
	"\t\tCOMPREPLY=($(compgen -W \"paypal wise tsv paypal,wise\" -- \"$cur\"))\n"
	"\t\treturn ;;\n"
	"\tesac\n"
	"\tcase \"$cur\" in\n"
	"\t-*) COMPREPLY=($(compgen -W \"$(_tally_words \"${cmd[@]}\")\" -- \"$cur\")) ;;\n"
	"\t*) COMPREPLY=() ;; # file names, by -o default\n"
	"\tesac\n"
	"}\n"
	"complete -o default -F _tally tally tally-ingest tally-split tally-attribute tally-forecast tally-report "
	"tally-partition\n";

static const char completion_zsh_head[] =
	"# zsh completion for tally: source <(tally completion zsh) in ~/.zshrc\n"
	"autoload -U +X compinit && compinit\n"
	"autoload -U +X bashcompinit && bashcompinit\n";

static int print_completion(int argc, char **argv)
{
	if (argc != 1)
		usage(stderr, EXIT_USAGE);
	if (strcmp(argv[0], "zsh") == 0)
		fputs(completion_zsh_head, stdout);
	else if (strcmp(argv[0], "bash") != 0)
		diag_die(EXIT_USAGE, "completion: '%s' is not a shell tally completes (bash, zsh)",
			 argv[0]);
	fputs(completion_bash, stdout);
	out_stdout_close_or_die();
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int c;

	diag_init(argv[0]);
	/* '+': stop at the first operand, so the command's own options pass. */
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			list_commands(stdout);
			out_stdout_close_or_die();
			return EXIT_OK;
		case 'V':
			cli_version();
		default:
			cli_hint_option(argv[optind - 1], longopts);
			usage(stderr, EXIT_USAGE);
		}
	}
	if (optind == argc) {
		list_commands(stdout);
		out_stdout_close_or_die();
		return EXIT_OK;
	}
	const char *name = argv[optind];
	if (strcmp(name, "completion") == 0)
		return print_completion(argc - optind - 1, argv + optind + 1);
	/* "tally help CMD" is CMD's man page, else "tally CMD --help" */
	char help_flag[] = "--help";
	if (strcmp(name, "help") == 0) {
		if (optind + 1 == argc) {
			list_commands(stdout);
			out_stdout_close_or_die();
			return EXIT_OK;
		}
		if (optind + 2 != argc)
			usage(stderr, EXIT_USAGE);
		name = argv[optind + 1];
		if (!strchr(name, '/') && *name && (beside_path(name) || on_path_cmd(name)))
			show_man_page(name);
		argv[optind + 1] = help_flag;
	}
	if (strchr(name, '/') || !*name)
		diag_die(EXIT_USAGE, "'%s' is not a tally command", name);

	char prog[PATH_MAX];
	snprintf(prog, sizeof prog, "tally-%s", name);
	argv[optind] = prog;
	const char *beside = beside_path(name);
	if (beside)
		execv(beside, argv + optind);
	execvp(prog, argv + optind);
	if (errno == ENOENT)
		not_a_command(name);
	diag_die(EXIT_USAGE, "%s: %s", prog, strerror(errno));
}
