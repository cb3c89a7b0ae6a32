#!/usr/bin/env bash
# STUN binding responses per second: Outpost's STUN service against coturn (turnserver
# --stun-only), side by side in one run, on the same namespace pair and CPU pinning.
# Derived from shared/bench-peers/stun-bench.sh (same load generator stun_load.py, same noise
# handling); prefix opst- for everything it creates, addresses only inside its own namespaces.
# Topology (created here, removed on exit):
#   netns opst-bsrv: veth opst-bsrv0 10.79.200.1/24 (+ .3), server on CPU0
#   netns opst-bcli: veth opst-bcli0 10.79.200.2/24, load generator on CPU1
# Both servers run at once on CPU0 (Outpost on 10.79.200.1:3478, coturn on 10.79.200.3:3478; the
# idle one costs nothing), and every measurement is made for Outpost and then coturn right after
# it, repetition by repetition, so both see the same machine (this VM is shared and noisy):
#   1. behaviour probes: RFC 5389 request, classic RFC 3489 request, RFC 5389 request with the
#      TR-111 attributes CONNECTION-REQUEST-BINDING (0xC001) + BINDING-CHANGE (0xC002)
#   2. fixed-rate runs (RATES, DUR s each, REPS times): median and every run
#   3. tr111 mode at 20000/s (Outpost records the binding: requireIntegrity never, see below)
#   4. one unpaced run per rep (generator sends as fast as it can): responses/s = server ceiling
#   5. (MAXSEARCH=1) max sustained rate with <1 % loss per server: ladder, bisection, confirmation
# Outpost runs as `outpost serve` (src/main.ts on Node 24) with only STUN enabled and
# requireIntegrity: never, because the load generator sends TR-111 requests without
# MESSAGE-INTEGRITY (with the default cr-binding policy they get 401s, which it counts as lost).
# Usage: scripts/bench/stun.sh [outpost] [coturn]     (as root, from anywhere)
# Env: RATES="10000 20000 40000" (none: only the unpaced runs) REPS=3 DUR=10 MAXSEARCH=1 PIN=1 OUT=<a new temporary directory>
#      LADDER="10000 20000 30000 40000 50000 60000 80000 100000" LADDER_DUR=5
#      QUIET_MAX=15 QUIET_WAIT=20 NOISY_RETRIES=1 (a run is kept and flagged "noisy" after that)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
NODE="$ROOT/node_modules/.bin/node"
LOADGEN="$HERE/stun_load.py"
SERVERS=("$@"); [ ${#SERVERS[@]} -eq 0 ] && SERVERS=(outpost coturn)
RATES=${RATES:-"10000 20000 40000"}; REPS=${REPS:-3}; DUR=${DUR:-10}; MAXSEARCH=${MAXSEARCH:-0}; PIN=${PIN:-1}
LADDER=${LADDER:-"10000 20000 30000 40000 50000 60000 80000 100000"}; LADDER_DUR=${LADDER_DUR:-5}
OUT=${OUT:-$(mktemp -d -t opst-stun-bench-XXXX)}
NS_SRV=opst-bsrv NS_CLI=opst-bcli SRV_IP=10.79.200.1 SRV_IP2=10.79.200.3 CLI_IP=10.79.200.2
QUIET_MAX=${QUIET_MAX:-15}; QUIET_WAIT=${QUIET_WAIT:-20}; NOISY_RETRIES=${NOISY_RETRIES:-1}
. "$HERE/lib/common.sh"   # need_pkgs, SRV_TS/CLI_TS, median, stop_pid, netns_*, noise_begin/noise_end
need_root
[ -f "$LOADGEN" ] || { echo "missing $LOADGEN" >&2; exit 1; }
[ -x "$NODE" ] || { echo "missing $NODE (npm install)" >&2; exit 1; }
mkdir -p "$OUT"
exec 9>/run/opst-stun-bench.lock; flock -n 9 || { echo "another peers bench is running" >&2; exit 1; }
need_pkgs coturn python3 iproute2 util-linux
command -v python3 >/dev/null || { echo "python3 missing" >&2; exit 1; }

declare -A SERVER_PIDS=(); NETNS_MADE=0
ip_of() { case "$1" in outpost) echo "$SRV_IP" ;; coturn) echo "$SRV_IP2" ;; esac; }
netns_down() { [ "$NETNS_MADE" = 1 ] || return 0; ip netns del "$NS_SRV" 2>/dev/null || true; ip netns del "$NS_CLI" 2>/dev/null || true; }
stop_server() { stop_pid "${SERVER_PIDS[$1]:-}"; SERVER_PIDS[$1]=""; }  # $1 server
cleanup() { local s; for s in "${!SERVER_PIDS[@]}"; do stop_server "$s"; done; netns_down; }
trap cleanup EXIT
trap 'exit 130' INT TERM

netns_guard "$NS_SRV" "$NS_CLI"; NETNS_MADE=1
netns_pair "$NS_SRV" "$NS_CLI" opst-bsrv0 opst-bcli0
ip -n "$NS_SRV" addr add "$SRV_IP/24" dev opst-bsrv0; ip -n "$NS_SRV" addr add "$SRV_IP2/24" dev opst-bsrv0
ip -n "$NS_CLI" addr add "$CLI_IP/24" dev opst-bcli0

start_server() {  # $1 server: started on its own address, left running
  local ip; ip=$(ip_of "$1"); mkdir -p "$OUT/$1"
  case "$1" in
    coturn) ip netns exec "$NS_SRV" "${SRV_TS[@]}" turnserver -n --stun-only --no-cli --no-tls --no-dtls \
              -L "$ip" -p 3478 -m 1 --log-file="$OUT/coturn/turn.log" --simple-log \
              --pidfile="$OUT/coturn/turn.pid" >"$OUT/coturn/stdout.log" 2>&1 &
            SERVER_PIDS[coturn]=$! ;;
    outpost) printf '%s\n' "site: { id: bench, domain: bench.test }" "stateDir: $OUT/outpost/state" \
              "log: { level: warn }" "acs: { enabled: false }" "api: { enabled: false }" "stun:" "  enabled: true" \
              "  listen: { host: $ip, port: 3478 }" "  requireIntegrity: never" >"$OUT/outpost/config.yaml"
            ip netns exec "$NS_SRV" "${SRV_TS[@]}" "$NODE" "$ROOT/src/main.ts" serve --config "$OUT/outpost/config.yaml" \
              >"$OUT/outpost/stdout.log" 2>&1 &
            SERVER_PIDS[outpost]=$! ;;
    *) echo "unknown server $1 (outpost, coturn)" >&2; exit 2 ;;
  esac
  for _ in $(seq 150); do ip netns exec "$NS_SRV" ss -Huln "( sport = :3478 )" | grep -q "$ip:3478" && break; sleep 0.1; done
  sleep 0.5
}

round2() {  # round down to 2 significant digits (min 1): 2950 -> 2900, 95 -> 95, 7 -> 7
  awk -v x="$1" 'BEGIN{ x = int(x); if (x < 1) { print 1; exit } g = 1; while (x / g >= 100) g *= 10; print int(x / g) * g }'; }
RUN_N=0
run_load() {  # $1 server $2 rate (0 = unpaced) $3 duration [$4 mode] -> RES="resp/s loss% p50 p99 send_rate NOISE"
  local srv=$1 rate=$2 dur=$3 mode=${4:-5389} count f
  if [ "$rate" = 0 ]; then count=$((200000*dur/10)); else count=$((rate*dur)); fi
  local attempt
  for attempt in $(seq 0 "$NOISY_RETRIES"); do
    RUN_N=$((RUN_N+1)); f="$OUT/$srv/load-$mode-r$rate-$RUN_N.txt"
    noise_begin
    ip netns exec "$NS_CLI" "${CLI_TS[@]}" timeout $((dur+40)) python3 "$LOADGEN" load --server "$(ip_of "$srv")" \
      --mode "$mode" --count "$count" --rate "$rate" --max-seconds $((dur+20)) --timeout 1 --json >"$f" 2>&1 || true
    noise_end; echo "$NOISE" >>"$f"
    [ "$NOISY" = 0 ] && break
    echo "    (noisy run $NOISE, repeating)" >&2
  done
  RES=$(python3 - "$f" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    if line.startswith('JSON '):
        r = json.loads(line[5:]); print(r['resp_per_s'], r['loss_pct'], r['p50_ms'], r['p99_ms'], r['send_rate']); break
else:
    print('0 100 nan nan 0')
EOF
)" $NOISE"
}
measure_point() {  # $1 server $2 rate $3 reps [$4 mode] -> table line; sets MED_LOSS
  local srv=$1 rate=$2 reps=$3 mode=${4:-5389} i resp=() loss=() p50=() p99=() snd=() nzs=() a l q5 q9 sr nz
  for i in $(seq "$reps"); do
    run_load "$srv" "$rate" "$DUR" "$mode"; read -r a l q5 q9 sr nz <<<"$RES"
    echo "    run $i: mode=$mode target=$rate resp/s=$a loss%=$l p50=${q5}ms p99=${q9}ms send/s=$sr $nz" >&2
    resp+=("$a"); loss+=("$l"); p50+=("$q5"); p99+=("$q9"); snd+=("$sr"); nzs+=("${nz#bg=}")
  done
  MED_LOSS=$(median "${loss[@]}")
  printf "%-7s %-6s %8s %10s %8s %8s %8s %10s   runs(resp/s): %s bg: %s\n" "$srv" "$mode" "$rate" "$(median "${resp[@]}")" \
    "$MED_LOSS" "$(median "${p50[@]}")" "$(median "${p99[@]}")" "$(median "${snd[@]}")" "${resp[*]}" "${nzs[*]}"
}
try_rate() {  # best of 2 for a failing step (one noise spike must not end the search); sets TL
  local srv=$1 r=$2 tag=$3 a l rest k
  TL=101
  for k in 1 2; do
    run_load "$srv" "$r" "$LADDER_DUR"; read -r a l rest <<<"$RES"
    echo "    $tag $r (try $k): resp/s=$a loss%=$l ${rest##* }" >&2
    if awk -v f="$l" -v b="$TL" 'BEGIN{exit !(f<b)}'; then TL=$l; fi
    awk -v f="$TL" 'BEGIN{exit !(f<1)}' && break
  done
  return 0
}
find_max() {
  local srv=$1 lo=0 hi=0 r a l rest tries=0
  for r in $LADDER; do
    try_rate "$srv" "$r" ladder
    if awk -v f="$TL" 'BEGIN{exit !(f<1)}'; then lo=$r; else hi=$r; break; fi
  done
  [ "$lo" = 0 ] && { echo "MAX $srv: >1 % loss already at ${LADDER%% *}/s"; return; }
  if [ "$hi" != 0 ]; then
    while awk -v l="$lo" -v h="$hi" 'BEGIN{exit !((h-l)/l > 0.05)}'; do
      r=$(round2 $(( (lo+hi)/2 ))); [ "$r" -le "$lo" ] && break
      try_rate "$srv" "$r" bisect
      if awk -v f="$TL" 'BEGIN{exit !(f<1)}'; then lo=$r; else hi=$r; fi
    done
  fi
  while :; do
    echo "    confirm $lo x$REPS" >&2
    measure_point "$srv" "$lo" "$REPS" >"$OUT/$srv/max-line.txt"
    if awk -v f="$MED_LOSS" 'BEGIN{exit !(f<1)}' || [ $tries -ge 3 ]; then break; fi
    lo=$(round2 $(( lo*95/100 ))); tries=$((tries+1))
  done
  echo "MAX $(cat "$OUT/$srv/max-line.txt")$( [ "$hi" = 0 ] && echo '  (ladder exhausted: lower bound)')"
}

echo "# outpost $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') on node $("$NODE" --version) | coturn $(dpkg-query -W -f='${Version}' coturn) | python $(python3 -V 2>&1 | awk '{print $2}')"
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) CPUs: $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo) | kernel $(uname -r) | load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# PIN=$PIN (servers cpu0, generator cpu1) DUR=${DUR}s REPS=$REPS RATES=$RATES raw logs: $OUT"
for s in "${SERVERS[@]}"; do start_server "$s"; done
for s in "${SERVERS[@]}"; do
  echo "== $s behaviour probes"
  for m in 5389 3489 tr111; do
    echo "-- probe mode=$m"
    ip netns exec "$NS_CLI" python3 "$LOADGEN" probe --server "$(ip_of "$s")" --mode "$m" --timeout 2 | sed 's/^/   /' || true
  done
done
# Warm-up (not recorded): Node's JIT and both servers' caches, 3 s at 10000/s each.
for s in "${SERVERS[@]}"; do
  ip netns exec "$NS_CLI" "${CLI_TS[@]}" timeout 30 python3 "$LOADGEN" load --server "$(ip_of "$s")" --count 30000 --rate 10000 --timeout 1 >/dev/null 2>&1 || true
done
# Interleaved: for each point and repetition, every server in turn.
POINTS=(); if [ "$RATES" != none ]; then for r in $RATES; do POINTS+=("5389:$r"); done; POINTS+=("tr111:20000"); fi; POINTS+=("5389:0")
ALL="$OUT/all-runs.txt"; : >"$ALL"
for pt in "${POINTS[@]}"; do
  mode=${pt%%:*}; rate=${pt##*:}
  for i in $(seq "$REPS"); do
    for s in "${SERVERS[@]}"; do
      run_load "$s" "$rate" "$DUR" "$mode"; read -r a l q5 q9 sr nz <<<"$RES"
      echo "    $s run $i: mode=$mode target=$rate resp/s=$a loss%=$l p50=${q5}ms p99=${q9}ms send/s=$sr $nz" >&2
      echo "$s $mode $rate $i $a $l $q5 $q9 $sr $nz" >>"$ALL"
    done
  done
done
echo
echo "## medians (every run listed; noisy = other processes used > ${QUIET_MAX}% of the machine during the run)"
printf "%-8s %-6s %8s %10s %8s %8s %9s %10s   %s\n" server mode target resp/s loss% p50_ms p99_ms send/s "runs: resp/s (loss%, p99 ms) [noise]"
for pt in "${POINTS[@]}"; do
  mode=${pt%%:*}; rate=${pt##*:}
  for s in "${SERVERS[@]}"; do
    awk -v s="$s" -v m="$mode" -v r="$rate" '$1==s && $2==m && $3==r' "$ALL" | python3 -c '
import sys, statistics as st
rows = [l.split() for l in sys.stdin if l.strip()]
if not rows: sys.exit()
med = lambda i: st.median(float(r[i]) for r in rows)
runs = "; ".join("%s (%s, %s) [%s]" % (r[4], r[5], r[7], " ".join(r[9:])) for r in rows)
print("%-8s %-6s %8s %10.1f %8.3f %8.3f %9.3f %10.1f   %s" % (rows[0][0], rows[0][1], rows[0][2], med(4), med(5), med(6), med(7), med(8), runs))'
  done
done
if [ "$MAXSEARCH" = 1 ]; then
  for s in "${SERVERS[@]}"; do find_max "$s"; done
fi
