#!/usr/bin/env bash
# Submits a sweep as a Slurm job array of N shards plus the merge that waits for it.
#
#   scripts/slurm/submit.sh [--wait] [--tasks LIST] [--limit K] SWEEP N OUTDIR [-- SBATCH OPTIONS…]
#
#   SWEEP        the sweep file (npm run bench -- --sweep SWEEP)
#   N            the number of shards, one array task each
#   OUTDIR       where everything lands: shard-I-of-N/ per task, merged/ (results.json,
#                results.csv, summary.md), logs/ (one log per task and one for the merge)
#   --wait       return only when the merge has finished, with its exit code (sbatch --wait)
#   --tasks LIST submit only these array tasks (e.g. 3,5 or 2-4) of the N, to redo them
#   --limit K    run at most K tasks at a time (--array=…%K)
#   after --      options for both sbatch calls (--partition, --account, --time, --qos, …);
#                sbatch's own SBATCH_PARTITION, SBATCH_ACCOUNT, SBATCH_TIMELIMIT work too
#
# Prints the array job id and the merge job id, one line each ("array 1234",
# "merge 1235"). Submitting again with the same SWEEP, N and OUTDIR resumes:
# every shard skips the runs it has already written.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

die() {
  echo "submit.sh: $*" >&2
  exit 2
}

wait=0
tasks=
limit=
while [ $# -gt 0 ]; do
  case $1 in
  --wait) wait=1 ;;
  --tasks) tasks=${2:?submit.sh: --tasks needs a list such as 3,5 or 2-4}; shift ;;
  --tasks=*) tasks=${1#--tasks=} ;;
  --limit) limit=${2:?submit.sh: --limit needs a number}; shift ;;
  --limit=*) limit=${1#--limit=} ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  --) break ;;
  -*) die "unknown option $1 (accepted: --wait, --tasks LIST, --limit K, then SWEEP N OUTDIR [-- SBATCH OPTIONS])" ;;
  *) break ;;
  esac
  shift
done
[ $# -ge 3 ] || die "usage: submit.sh [--wait] [--tasks LIST] [--limit K] SWEEP N OUTDIR [-- SBATCH OPTIONS…]"
sweep=$1 shards=$2 outdir=$3
shift 3
if [ $# -gt 0 ]; then
  [ "$1" = -- ] || die "unexpected argument $1 after OUTDIR (sbatch options go after --)"
  shift
fi
extra=("$@")

[ -f "$sweep" ] && [ -r "$sweep" ] || die "sweep file $sweep is not a readable file"
[[ $shards =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer, got '$shards'"
if [ -n "$tasks" ]; then
  [[ $tasks =~ ^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$ ]] || die "--tasks must be a list such as 3,5 or 2-4, got '$tasks'"
  for t in $(tr ',-' '  ' <<<"$tasks"); do
    [ "$t" -lt "$shards" ] || die "--tasks names task $t, past the last shard ($((shards - 1))) of $shards"
  done
fi
[ -z "$limit" ] || [[ $limit =~ ^[1-9][0-9]*$ ]] || die "--limit must be a positive integer, got '$limit'"
command -v sbatch >/dev/null || die "sbatch not found: run this on a Slurm login node (or scripts/slurm/cluster.sh up and source its env.sh)"

sweep=$(realpath -e "$sweep")
outdir=$(realpath -m "$outdir")
mkdir -p "$outdir/logs"
array=${tasks:-0-$((shards - 1))}${limit:+%$limit}

# The jobs run in the repository (npm run bench needs its package.json), which
# must therefore be on a file system the compute nodes share, with node_modules.
array_id=$(sbatch --parsable --chdir="$repo" --array="$array" \
  --output="$outdir/logs/shard-%a-of-$shards.log" \
  "${extra[@]}" "$here/sweep-array.sbatch" "$sweep" "$shards" "$outdir")
array_id=${array_id%%;*}
echo "array $array_id"

# afterany, not afterok: see merge.sbatch.
merge=(sbatch --parsable --chdir="$repo" --dependency="afterany:$array_id"
  --output="$outdir/logs/merge.log" "${extra[@]}")
if [ $wait -eq 0 ]; then
  merge_id=$("${merge[@]}" "$here/merge.sbatch" "$shards" "$outdir")
  echo "merge ${merge_id%%;*}"
  exit 0
fi
# sbatch --wait prints the id at once, then returns when the job has ended.
reply=$(mktemp)
trap 'rm -f "$reply"' EXIT
set +e
"${merge[@]}" --wait "$here/merge.sbatch" "$shards" "$outdir" >"$reply" &
waiter=$!
while [ ! -s "$reply" ] && kill -0 "$waiter" 2>/dev/null; do sleep 0.1; done
merge_id=$(head -n 1 "$reply")
merge_id=${merge_id%%;*}
[ -n "$merge_id" ] && echo "merge $merge_id"
wait "$waiter"
rc=$?
set -e
[ -n "$merge_id" ] || exit "$rc"
# A merge cancelled before it ran is exit 0 to sbatch --wait; the job state tells.
states=$(scontrol show job -o "$array_id" | grep -o 'JobState=[A-Z_]*' | cut -d= -f2 | sort | uniq -c |
  awk '{printf "%s%s %d", (NR > 1 ? ", " : ""), $2, $1}')
merge_state=$(scontrol show job -o "$merge_id" | grep -o 'JobState=[A-Z_]*' | cut -d= -f2)
echo "shards: $states; merge: $merge_state"
if [ "$merge_state" != COMPLETED ] && [ "$rc" -eq 0 ]; then rc=1; fi
exit "$rc"
