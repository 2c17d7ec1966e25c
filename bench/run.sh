#!/usr/bin/env bash
# Benchmark dunscan against ripgrep on the same generated corpus and the same terms.
# Usage: bash bench/run.sh [SIZE_MB]   (env RUNS = timed runs per command, default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-100}
RUNS=${RUNS:-5}
OUT=bench/out
mkdir -p "$OUT"

need() { command -v "$1" >/dev/null 2>&1; }
apt_install() {
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >/dev/null && $sudo apt-get install -y -qq "$@" >/dev/null
}
need rg || apt_install ripgrep
need bc || apt_install bc
[ -x /usr/bin/time ] || apt_install time

cargo build --release -q
BIN=target/release/dunscan
CORPUS="$OUT/corpus_${SIZE}MB.txt"
[ -s "$CORPUS" ] || python3 bench/gen_corpus.py "$SIZE" "$CORPUS"
"$BIN" lexicon list --terms-only > "$OUT/terms.txt"
BYTES=$(stat -c %s "$CORPUS")

# Wall time (seconds) of one run; exit status 1 (findings) is success.
seconds() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || [ $? -eq 1 ]
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
# Median of the numbers on stdin.
med() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
median() {
  local n=$1; shift
  for _ in $(seq "$n"); do seconds "$@"; done | med
}
rg_cmd=(rg -F -c -f "$OUT/terms.txt" "$CORPUS")
j1_cmd=("$BIN" scan "$CORPUS" --format csv -o /dev/null -q -j1)
j2_cmd=("$BIN" scan "$CORPUS" --format csv -o /dev/null -q -j2)
nm_cmd=("$BIN" scan "$CORPUS" --format csv -o /dev/null -q -j2 --no-model)

# The commands take turns (rg, -j1, -j2, -j2 --no-model, rg, …) so that a busy moment of the
# machine falls on all of them alike; each figure is the median of its RUNS runs.
: > "$OUT/times.txt"
for _ in $(seq "$RUNS"); do
  echo "rg $(seconds "${rg_cmd[@]}")" >> "$OUT/times.txt"
  echo "j1 $(seconds "${j1_cmd[@]}")" >> "$OUT/times.txt"
  echo "j2 $(seconds "${j2_cmd[@]}")" >> "$OUT/times.txt"
  echo "nm $(seconds "${nm_cmd[@]}")" >> "$OUT/times.txt"
done
of() { awk -v k="$1" '$1 == k {print $2}' "$OUT/times.txt" | med; }
t_rg=$(of rg); t_j1=$(of j1); t_j2=$(of j2); t_nm=$(of nm)
t_start=$(median 20 sh -c "$BIN scan -q -f csv < /dev/null")
# Peak resident set size (MB) of one run.
peak() { { /usr/bin/time -v "$@" 2>&1 >/dev/null || true; } | awk -F: '/Maximum resident/ {printf "%.1f", $2/1024}'; }
m_rg=$(peak "${rg_cmd[@]}")
m_j1=$(peak "${j1_cmd[@]}")
m_j2=$(peak "${j2_cmd[@]}")
m_nm=$(peak "${nm_cmd[@]}")

mbps() { echo "scale=1; $BYTES / 1000000 / $1" | bc -l; }
t_rg=$(printf '%.3f' "$t_rg"); t_j1=$(printf '%.3f' "$t_j1"); t_j2=$(printf '%.3f' "$t_j2"); t_nm=$(printf '%.3f' "$t_nm")
{
  echo "corpus: $CORPUS ($(echo "scale=1; $BYTES/1000000" | bc -l) MB), terms: $(wc -l < "$OUT/terms.txt"), runs: $RUNS (median), cores: $(nproc)"
  echo
  echo "| command | median s | MB/s | peak RSS MB |"
  echo "|---|---:|---:|---:|"
  echo "| rg -F -c -f terms | $t_rg | $(mbps "$t_rg") | $m_rg |"
  echo "| dunscan scan -j1 | $t_j1 | $(mbps "$t_j1") | $m_j1 |"
  echo "| dunscan scan -j2 | $t_j2 | $(mbps "$t_j2") | $m_j2 |"
  echo "| dunscan scan -j2 --no-model | $t_nm | $(mbps "$t_nm") | $m_nm |"
  echo
  echo "- dunscan -j2 / rg time: $(echo "scale=2; $t_j2 / $t_rg" | bc -l)"
  echo "- dunscan -j2 --no-model / rg time: $(echo "scale=2; $t_nm / $t_rg" | bc -l)"
  echo "- speed-up -j2 over -j1: $(echo "scale=2; $t_j1 / $t_j2" | bc -l)"
  echo "- start-up on empty input: $(printf '%.0f' "$(echo "$t_start * 1000" | bc -l)") ms (median of 20)"
} | tee "$OUT/latest.md"
