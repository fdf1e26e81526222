# scripts/bench-lib.sh - helpers the bench-* scripts source.
#
# bench_time RUNS OUTFILE CMD...: run CMD (a shell string) RUNS times,
# stdout to OUTFILE's sink, and print the median wall time in seconds.
# bench_peak_kb CMD: peak resident memory (KiB) of one run, via GNU time.

bench_median() {
	sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

bench_time() {
	local runs=$1 cmd=$2 i s e
	for ((i = 0; i < runs; i++)); do
		s=$(date +%s.%N)
		bash -c "$cmd" >/dev/null 2>&1
		e=$(date +%s.%N)
		echo "$e - $s" | bc -l
	done | bench_median
}

bench_peak_kb() {
	/usr/bin/time -f '%M' bash -c "$1 >/dev/null 2>/dev/null" 2>&1 | tail -n 1
}

# ratio A B: A / B with two decimals
bench_ratio() {
	echo "scale=2; $1 / $2" | bc -l
}
