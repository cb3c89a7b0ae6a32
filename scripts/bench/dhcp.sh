#!/usr/bin/env bash
# DHCP handshakes per second: Outpost against Kea dhcp4 (memfile) on the same namespace topology
# in one run, measured with perfdhcp (Debian kea-admin). Topology, Kea config and the perfdhcp
# parameters follow /work/shared/bench-peers/dhcp-perfdhcp.sh (its "site" scenario):
#
#   netns opdh-bsrv: opdh-bs 10.77.0.1/16  <-- server under test (CPU 0)
#   netns opdh-bcli: opdh-bc 10.77.0.2/16  <-- perfdhcp as a relay (giaddr 10.77.0.2; the server
#                                             answers unicast to 10.77.0.2:67) (CPU 1)
# Both servers hand out option 66 = $ACS_URL to everybody and option 43 sub-option 1 = $ACS_URL to
# vendor class "dslforum.org"; perfdhcp sends option 60 "dslforum.org" and asks for 43 and 66.
# Outpost's leases are durable (SQLite WAL, synchronous=FULL: fsync before each ACK batch); Kea
# memfile appends to its CSV without fsync (survives a crash of Kea, not a power loss).
#
# Usage: scripts/bench/dhcp.sh            (as root)
# Env:   SERVERS="kea outpost"  RATES="1000 2000 3000 4000"  REPS=3  DUR=10  CLIENTS=500
#        POOL_START=10.77.4.1 POOL_END=10.77.7.254 (1022 addresses, as the peers' "site" scenario)
#        MAXSEARCH=1 LADDER="1000 2000 2500 3000 3500 4000 5000 6000 8000" LADDER_DUR=5
#        PIN=1 (server CPU 0, perfdhcp CPU 1)  QUIET_MAX=15 QUIET_WAIT=120 (wait for a quiet
#        machine before each run; a run with other load during it is marked "noisy" and
#        repeated up to NOISY_RETRIES=2 times, the last attempt is kept)
#        OUT=<temporary directory for raw logs>
# Every server starts with an empty lease database before every run; each rate runs the servers
# alternately (kea, outpost, kea, outpost, ...) so both see the same machine conditions.
set -euo pipefail

SERVERS=(${SERVERS:-kea outpost})
RATES=${RATES:-"1000 2000 3000 4000"}
REPS=${REPS:-3}
DUR=${DUR:-10}
CLIENTS=${CLIENTS:-500}
POOL_START=${POOL_START:-10.77.4.1} POOL_END=${POOL_END:-10.77.7.254}
MAXSEARCH=${MAXSEARCH:-1}
LADDER=${LADDER:-"1000 2000 2500 3000 3500 4000 5000 6000 8000"}
LADDER_DUR=${LADDER_DUR:-5}
PIN=${PIN:-1}
QUIET_MAX=${QUIET_MAX:-15} QUIET_WAIT=${QUIET_WAIT:-120} NOISY_RETRIES=${NOISY_RETRIES:-2}
ACS_URL=${ACS_URL:-"http://acs.site.example:7547/"}
OUT=${OUT:-$(mktemp -d -t opdh-bench-XXXX)}
NS_SRV=opdh-bsrv NS_CLI=opdh-bcli SRV_IP=10.77.0.1 CLI_IP=10.77.0.2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OPT60_HEX=$(printf 'dslforum.org' | od -An -tx1 | tr -d ' \n')
PERF_OPTS=(-4 -g single -l opdh-bc -R "$CLIENTS" -d 1 -W 2000000 -o "60,$OPT60_HEX" -o 55,2b42)

. "$(dirname "$0")/lib/common.sh"   # SRV_TS/CLI_TS, median, stop_pid, netns_*, noise_begin/noise_end
need_root
command -v perfdhcp >/dev/null && command -v kea-dhcp4 >/dev/null || { echo "needs kea-admin (perfdhcp) and kea-dhcp4-server" >&2; exit 1; }
mkdir -p "$OUT"

# ---- topology
netns_up() {
  local n; for n in "$NS_SRV" "$NS_CLI"; do netns_exists "$n" && ip netns del "$n"; done
  netns_pair "$NS_SRV" "$NS_CLI" opdh-bs opdh-bc
  ip -n "$NS_SRV" addr add "$SRV_IP/16" dev opdh-bs; ip -n "$NS_CLI" addr add "$CLI_IP/16" dev opdh-bc
}
SERVER_PID=""
cpu_ticks() { awk '{ s = $0; sub(/^.*\) /, "", s); split(s, f, " "); print f[12] + f[13] }' "/proc/$1/stat" 2>/dev/null || echo 0; }
stop_server() {
  stop_pid "$SERVER_PID"; SERVER_PID=""
  local lp="$OUT/kea/leases4.csv.pid"   # Kea's lease file cleanup child
  if [ -f "$lp" ]; then local p; p=$(cat "$lp" 2>/dev/null || true)
    [ -n "$p" ] && kill "$p" 2>/dev/null || true; rm -f "$lp"; fi
}
cleanup() { stop_server; ip netns del "$NS_SRV" 2>/dev/null || true; ip netns del "$NS_CLI" 2>/dev/null || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

write_configs() {
  mkdir -p "$OUT/kea" "$OUT/outpost"
  cat >"$OUT/kea/kea-dhcp4.conf" <<EOF
{ "Dhcp4": {
  "interfaces-config": { "interfaces": [ "opdh-bs" ], "dhcp-socket-type": "raw" },
  "lease-database": { "type": "memfile", "persist": true, "name": "$OUT/kea/leases4.csv", "lfc-interval": 5 },
  "valid-lifetime": 3600, "renew-timer": 900, "rebind-timer": 1800,
  "option-def": [ { "name": "acs-url", "code": 1, "space": "vendor-encapsulated-options-space", "type": "string" } ],
  "option-data": [ { "name": "tftp-server-name", "data": "$ACS_URL" } ],
  "client-classes": [ { "name": "cwmp", "test": "option[60].text == 'dslforum.org'",
      "option-data": [ { "name": "vendor-encapsulated-options" },
                       { "name": "acs-url", "space": "vendor-encapsulated-options-space", "data": "$ACS_URL" } ] } ],
  "subnet4": [ { "id": 1, "subnet": "10.77.0.0/16", "pools": [ { "pool": "$POOL_START - $POOL_END" } ],
                 "option-data": [ { "name": "routers", "data": "$SRV_IP" } ] } ],
  "loggers": [ { "name": "kea-dhcp4", "output_options": [ { "output": "$OUT/kea/kea.log" } ], "severity": "WARN" } ]
} }
EOF
  cat >"$OUT/outpost/outpost.yaml" <<EOF
site: { id: bench, domain: site.example }
stateDir: $OUT/outpost/state
log: { level: warn }
acs: { enabled: false, url: "$ACS_URL" }
api: { enabled: false }
dhcp:
  enabled: true
  listen: [$SRV_IP]
  leaseTime: 1h
  vendorClasses: [{ match: dslforum.org, tr069: true }]
  scopes:
    - name: bench
      subnet: 10.77.0.0/16
      serverId: $SRV_IP
      ranges: [{ start: $POOL_START, end: $POOL_END }]
      router: [$SRV_IP]
      option66: "$ACS_URL"
EOF
}

start_server() {  # $1 = kea|outpost, empty lease database
  stop_server
  local d="$OUT/$1"
  case "$1" in
    kea) rm -f "$d"/leases4.csv* "$d"/*.pid
      KEA_PIDFILE_DIR="$d" KEA_LOCKFILE_DIR="$d" ip netns exec "$NS_SRV" "${SRV_TS[@]}" kea-dhcp4 -c "$d/kea-dhcp4.conf" >>"$d/stdout.log" 2>&1 &
      SERVER_PID=$! ;;
    outpost) rm -rf "$d/state"
      ip netns exec "$NS_SRV" "${SRV_TS[@]}" "$ROOT/node_modules/.bin/node" "$ROOT/src/main.ts" serve --config "$d/outpost.yaml" >>"$d/stdout.log" 2>&1 &
      SERVER_PID=$! ;;
  esac
  for _ in $(seq 200); do
    ip netns exec "$NS_SRV" ss -Huln 'sport = :67' 2>/dev/null | grep -q . && { sleep 0.5; CPU0=$(cpu_ticks "$SERVER_PID"); return 0; }
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "$1 died: see $d/stdout.log" >&2; return 1; }
    sleep 0.1
  done
  echo "$1 did not bind port 67" >&2; return 1
}

# one run -> RES="ack_per_s fail_pct do_avg_ms ra_avg_ms do_max_ms ra_max_ms noise"
RUN_N=0
run_perf() {  # $1 server $2 rate $3 duration; a noisy run is repeated up to NOISY_RETRIES times
  local srv=$1 rate=$2 dur=$3 f attempt
  for attempt in $(seq 0 "$NOISY_RETRIES"); do
    RUN_N=$((RUN_N+1)); f="$OUT/$srv/perf-r$rate-$RUN_N.txt"
    noise_begin
    start_server "$srv"
    ip netns exec "$NS_CLI" "${CLI_TS[@]}" timeout $((dur+30)) perfdhcp "${PERF_OPTS[@]}" -r "$rate" -p "$dur" "$SRV_IP" >"$f" 2>&1 || true
    CPU_MS=$(( ( $(cpu_ticks "$SERVER_PID") - CPU0 ) * 1000 / $(getconf CLK_TCK) ))  # server CPU during the load
    stop_server
    noise_end; echo "$NOISE" >>"$f"
    [ "$NOISY" = 0 ] && break
    echo "    ($srv $rate: noisy run $NOISE, repeating)" >&2
  done
  RES=$(awk -v dur="$dur" '
    /Statistics for: DISCOVER-OFFER/ {s="do"} /Statistics for: REQUEST-ACK/ {s="ra"}
    /^sent packets:/ {sent[s]=$3} /^received packets:/ {recv[s]=$3}
    /^avg delay: [0-9.]+ ms/ {avg[s]=$3} /^max delay: [0-9.]+ ms/ {max[s]=$3}
    END { if (sent["do"]==0 || sent["ra"]==0) { print "0 100 nan nan nan nan"; exit }
      ok=(recv["do"]/sent["do"])*(recv["ra"]/sent["ra"])
      printf "%.0f %.3f %s %s %s %s\n", recv["ra"]/dur, (1-ok)*100, avg["do"], avg["ra"], max["do"], max["ra"] }' "$f")" $NOISE $CPU_MS"
}

netns_up
write_configs
echo "# $(date -u +%Y-%m-%dT%H:%MZ) nproc=$(nproc) cpu='$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')' kernel=$(uname -r)"
echo "# perfdhcp $(perfdhcp -v 2>&1 | tail -1) | kea $(kea-dhcp4 -v) | outpost $(git -C "$ROOT" rev-parse --short HEAD) node $("$ROOT/node_modules/.bin/node" --version)"
echo "# pool $POOL_START-$POOL_END CLIENTS=$CLIENTS DUR=${DUR}s REPS=$REPS PIN=$PIN raw logs: $OUT"
echo "# fail% = 1 - (OFFER/DISCOVER)*(ACK/REQUEST); ack/s = ACKs / DUR; grant = DO avg + RA avg (ms); bg = busy% before / others' CPU% during, steal = hypervisor steal during"
echo "# cpu/ack = server CPU time (user+sys, all threads) during the load / ACKs: what one DORA costs, whatever the noise"
printf "%-8s %6s %8s %8s %8s %8s %9s %9s %8s  %s\n" server target ack/s fail% DO_avg RA_avg grant_ms max_ms cpu/ack noise
declare -A ACKS FAILS GRANTS CPUS
for r in $RATES; do
  for i in $(seq "$REPS"); do
    for s in "${SERVERS[@]}"; do
      run_perf "$s" "$r" "$DUR"; read -r a f d q dm qm nz cpu <<<"$RES"
      g=$(awk -v x="$d" -v y="$q" 'BEGIN{ if (x==""||y==""||x=="nan") print "nan"; else printf "%.3f", x+y }')
      m=$(awk -v x="$dm" -v y="$qm" 'BEGIN{ if (x==""||x=="nan") print "nan"; else printf "%.1f", (x>y?x:y) }')
      c=$(awk -v c="$cpu" -v a="$a" -v d="$DUR" 'BEGIN{ if (a<=0) print "nan"; else printf "%.0fus", 1000*c/(a*d) }')
      printf "%-8s %6s %8s %8s %8s %8s %9s %9s %8s  %s\n" "$s" "$r" "$a" "$f" "$d" "$q" "$g" "$m" "$c" "$nz"
      ACKS[$s.$r]+="$a "; FAILS[$s.$r]+="$f "; GRANTS[$s.$r]+="$g "; CPUS[$s.$r]+="${c%us} "
    done
  done
done
echo "# medians over $REPS runs"
for r in $RATES; do for s in "${SERVERS[@]}"; do
  printf "%-8s %6s ack/s=%s fail%%=%s grant_ms=%s cpu/ack=%sus   (runs ack/s: %s)\n" "$s" "$r" "$(median ${ACKS[$s.$r]})" "$(median ${FAILS[$s.$r]})" "$(median ${GRANTS[$s.$r]})" "$(median ${CPUS[$s.$r]})" "${ACKS[$s.$r]}"
done; done

if [ "$MAXSEARCH" = 1 ]; then
  echo "# max rate with < 1 % failures (ladder of ${LADDER_DUR}s runs, best of 2 per step), then $REPS confirmation runs"
  for s in "${SERVERS[@]}"; do
    best=0
    for r in $LADDER; do
      ok=0
      for k in 1 2; do run_perf "$s" "$r" "$LADDER_DUR"; read -r a f _ _ _ _ nz cpu <<<"$RES"
        echo "  $s ladder $r try $k: ack/s=$a fail%=$f $nz server_cpu=${cpu}ms" >&2
        if awk -v f="$f" 'BEGIN{exit !(f<1)}'; then ok=1; break; fi; done
      [ $ok = 1 ] && best=$r || break
    done
    if [ "$best" = 0 ]; then echo "MAX $s: fails (>= 1 %) already at ${LADDER%% *}/s"; continue; fi
    confirm=""
    for i in $(seq "$REPS"); do run_perf "$s" "$best" "$DUR"; read -r a f d q _ _ nz _ <<<"$RES"; confirm+="$a/$f%/${d}+${q}ms/$nz "; done
    echo "MAX $s: $best DORA/s offered (<1 % failed in the ladder); confirmation at $best (ack/s/fail%/grant/noise): $confirm"
  done
fi
