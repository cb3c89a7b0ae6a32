#!/usr/bin/env bash
# DNS queries per second: Outpost's DNS service against dnsmasq for the same local names,
# measured with dnsperf side by side in one run (runs alternate between the two servers, both
# running at once on their own address, same CPU pinning). Derived from
# shared/bench-peers/dns-dnsperf.sh (same dnsperf settings, same noise handling); prefix opdn-
# for everything it creates, addresses only inside its own namespaces.
# Topology (created here, removed on exit):
#   netns opdn-bsrv: veth 10.78.200.1/24 (Outpost) + 10.78.200.3/24 (dnsmasq), servers on CPU0
#   netns opdn-bcli: veth 10.78.200.2/24, dnsperf on CPU1
# Query mixes (MIXES):
#   peer: the peer script's mix, 50 % `acs.site.example A`, 50 % `_cwmp._tcp.site.example SRV`
#   site: acs A, ntp A, _sip._udp SRV, _sips._tcp SRV, NAPTR, PTR of a SIP server, an NXDOMAIN
# Per mix, REPS repetitions, each: Outpost then dnsmasq:
#   max : dnsperf unthrottled, -c 4 clients, -q $OUTSTANDING (100, as the peer script) outstanding,
#         DUR s -> QPS, avg latency, lost,
#         and the server's CPU time per answered query (utime+stime from /proc: less sensitive to
#         other load on the VM than QPS)
#   lat : dnsperf -Q $LAT_QPS (fixed rate well below capacity) with -v  -> p50 / p99 / max latency
# Outpost runs as `outpost serve` (src/main.ts on Node 24) with only DNS enabled.
# Usage: scripts/bench/dns.sh          (as root, from anywhere)
# Env: MIXES="peer site" OUTSTANDING=100 REPS=3 DUR=10 LAT_QPS=10000 LAT=1 PIN=1 OUT=<a new temporary directory>
#      QUIET_MAX=15 QUIET_WAIT=90 NOISY_RETRIES=2
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
NODE="$ROOT/node_modules/.bin/node"
MIXES=${MIXES:-"peer site"}; OUTSTANDING=${OUTSTANDING:-100}; REPS=${REPS:-3}; DUR=${DUR:-10}; LAT_QPS=${LAT_QPS:-10000}; LAT=${LAT:-1}; PIN=${PIN:-1}
OUT=${OUT:-$(mktemp -d -t opdn-dns-bench-XXXX)}
NS_SRV=opdn-bsrv NS_CLI=opdn-bcli OP_IP=10.78.200.1 DM_IP=10.78.200.3 CLI_IP=10.78.200.2
QUIET_MAX=${QUIET_MAX:-15}; QUIET_WAIT=${QUIET_WAIT:-90}; NOISY_RETRIES=${NOISY_RETRIES:-2}
. "$HERE/lib/common.sh"   # need_pkgs, SRV_TS/CLI_TS, median, stop_pid, netns_*, noise_begin/noise_end
need_root
[ -x "$NODE" ] || { echo "missing $NODE (npm install)" >&2; exit 1; }
mkdir -p "$OUT"
exec 9>/run/opdn-dns-bench.lock; flock -n 9 || { echo "another DNS bench is running" >&2; exit 1; }
need_pkgs dnsmasq-base dnsperf bind9-dnsutils iproute2 util-linux python3

OP_PID="" DM_PID="" NETNS_MADE=0
cleanup() { stop_pid "$OP_PID"; stop_pid "$DM_PID"
  if [ "$NETNS_MADE" = 1 ]; then ip netns del "$NS_SRV" 2>/dev/null || true; ip netns del "$NS_CLI" 2>/dev/null || true; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM

netns_guard "$NS_SRV" "$NS_CLI"; NETNS_MADE=1
netns_pair "$NS_SRV" "$NS_CLI" opdn-bsrv0 opdn-bcli0
ip -n "$NS_SRV" addr add "$OP_IP/24" dev opdn-bsrv0; ip -n "$NS_SRV" addr add "$DM_IP/24" dev opdn-bsrv0
ip -n "$NS_CLI" addr add "$CLI_IP/24" dev opdn-bcli0

# ---- the same local names in both servers
mkdir -p "$OUT/outpost" "$OUT/dnsmasq"
cat >"$OUT/dnsmasq/dnsmasq.conf" <<EOF
listen-address=$DM_IP
bind-interfaces
port=53
no-resolv
no-hosts
no-negcache
local=/site.example/
host-record=acs.site.example,$OP_IP
host-record=ntp.site.example,$OP_IP
host-record=sip1.site.example,10.78.200.5
srv-host=_cwmp._tcp.site.example,acs.site.example,7547,0,0
srv-host=_sip._udp.site.example,sip1.site.example,5060,10,100
srv-host=_sips._tcp.site.example,sip1.site.example,5061,10,100
naptr-record=site.example,10,50,s,SIPS+D2T,,_sips._tcp.site.example
naptr-record=site.example,30,50,s,SIP+D2U,,_sip._udp.site.example
EOF
cat >"$OUT/outpost/outpost.yaml" <<EOF
site: { id: bench, domain: site.example }
stateDir: $OUT/outpost/state
log: { level: warn }
acs: { enabled: false, listen: { host: $OP_IP, port: 7547 } }
api: { enabled: false }
stun: { enabled: false }
dns:
  enabled: true
  listen: { host: $OP_IP, port: 53 }
  allow: [10.78.200.0/24]
  zone:
    ntp: $OP_IP
    sip: { servers: [{ name: sip1, addresses: 10.78.200.5, transports: [udp, tls] }] }
    reverse: [10.78.200.0/24]
EOF
printf 'acs.site.example A\n_cwmp._tcp.site.example SRV\n' >"$OUT/peer.txt"
printf '%s\n' 'acs.site.example A' 'ntp.site.example A' '_sip._udp.site.example SRV' '_sips._tcp.site.example SRV' \
  'site.example NAPTR' '5.200.78.10.in-addr.arpa PTR' 'nope.site.example AAAA' >"$OUT/site.txt"

wait_port() { for _ in $(seq 150); do ip netns exec "$NS_SRV" ss -Huln "src $1 and sport = :53" | grep -q . && return 0; sleep 0.1; done
  echo "server on $1 did not come up" >&2; exit 1; }
ip netns exec "$NS_SRV" "${SRV_TS[@]}" "$NODE" "$ROOT/src/main.ts" serve --config "$OUT/outpost/outpost.yaml" >"$OUT/outpost/stdout.log" 2>&1 &
OP_PID=$!
ip netns exec "$NS_SRV" "${SRV_TS[@]}" dnsmasq -k -C "$OUT/dnsmasq/dnsmasq.conf" --pid-file="$OUT/dnsmasq/dnsmasq.pid" \
  --log-facility="$OUT/dnsmasq/dnsmasq.log" >"$OUT/dnsmasq/stdout.log" 2>&1 &
DM_PID=$!
wait_port "$OP_IP"; wait_port "$DM_IP"; sleep 0.5

ip_of() { [ "$1" = outpost ] && echo "$OP_IP" || echo "$DM_IP"; }
RUN_N=0
pid_of() { [ "$1" = outpost ] && echo "$OP_PID" || cat "$OUT/dnsmasq/dnsmasq.pid"; }
jiffies() { awk '{print $14+$15}' "/proc/$1/stat"; }
run() { # run <server> <kind> <mix> -> sets F (output file), NOISE and CPU_US (server CPU per answered query)
  local s=$1 kind=$2 mix=$3 extra=(-q "$OUTSTANDING") pid j0 j1
  [ "$kind" = lat ] && extra=(-q 100 -Q "$LAT_QPS" -v)
  for _ in $(seq 0 "$NOISY_RETRIES"); do
    RUN_N=$((RUN_N+1)); F="$OUT/$s/$kind-$mix-$RUN_N.txt"; noise_begin
    pid=$(pid_of "$s"); j0=$(jiffies "$pid")
    ip netns exec "$NS_CLI" "${CLI_TS[@]}" timeout $((DUR+20)) dnsperf -s "$(ip_of "$s")" -d "$OUT/$mix.txt" \
      -l "$DUR" -c 4 -t 2 "${extra[@]}" >"$F" 2>&1 || true
    j1=$(jiffies "$pid")
    CPU_US=$(awk -v a="$j0" -v b="$j1" -v hz="$(getconf CLK_TCK)" -v n="$(awk '/Queries completed:/{print $3}' "$F")" \
      'BEGIN{ if (n > 0) printf "%.1f", (b-a)/hz*1e6/n; else print "nan" }')
    noise_end; if [ "$NOISY" = 0 ]; then break; fi
  done
}
pctl() { awk '$1==">" && $2!=""{print}' "$1" | grep -oE '[0-9]+\.[0-9]+$' | sort -g |
  awk '{a[NR]=$1} END { if (NR==0) {print "nan nan nan"; exit}
    printf "%.3f %.3f %.3f\n", a[int(NR*0.5)+(NR*0.5>int(NR*0.5))]*1000, a[int(NR*0.99)+(NR*0.99>int(NR*0.99))]*1000, a[NR]*1000 }'; }

echo "# $(date -u +%FT%TZ) | $(nproc) vCPU $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo) | kernel $(uname -r)"
echo "# dnsperf $(dpkg-query -W -f='${Version}' dnsperf) | $(dnsmasq --version | head -1 | awk '{print $1,$3}') | outpost $(git -C "$ROOT" rev-parse --short HEAD) on $("$NODE" --version)"
echo "# PIN=$PIN (servers cpu0, dnsperf cpu1) DUR=${DUR}s REPS=$REPS OUTSTANDING=$OUTSTANDING LAT_QPS=$LAT_QPS raw logs: $OUT"
for mix in $MIXES; do
  echo "== mix $mix: answers (Outpost | dnsmasq)"
  while read -r name type; do
    printf '   %-32s %-5s %s | %s\n' "$name" "$type" \
      "$(ip netns exec "$NS_CLI" dig +short +tries=1 @"$OP_IP" "$name" "$type" | head -2 | tr '\n' ' ')" \
      "$(ip netns exec "$NS_CLI" dig +short +tries=1 @"$DM_IP" "$name" "$type" | head -2 | tr '\n' ' ')"
  done <"$OUT/$mix.txt"
  declare -A Q=() L=() C=()
  for i in $(seq "$REPS"); do
    for s in outpost dnsmasq; do
      run "$s" max "$mix"
      q=$(awk '/Queries per second:/{print $4}' "$F"); a=$(awk '/Average Latency/{print $4*1000}' "$F"); l=$(awk '/Queries lost:/{print $3}' "$F")
      echo "    $mix rep $i $s max: qps=$q avg_ms=$a lost=$l cpu_us/query=$CPU_US $NOISE"
      Q[$s]="${Q[$s]:-} $q"; C[$s]="${C[$s]:-} $CPU_US"
    done
    echo "    $mix rep $i ratio outpost/dnsmasq = $(awk -v a="${Q[outpost]##* }" -v b="${Q[dnsmasq]##* }" 'BEGIN{printf "%.2f", a/b}')"
    if [ "$LAT" = 1 ]; then
      for s in outpost dnsmasq; do
        run "$s" lat "$mix"
        read -r p50 p99 mx < <(pctl "$F")
        echo "    $mix rep $i $s @${LAT_QPS}/s: qps=$(awk '/Queries per second:/{print $4}' "$F") p50_ms=$p50 p99_ms=$p99 max_ms=$mx $NOISE"
        L[$s]="${L[$s]:-} $p99"
      done
    fi
  done
  for s in outpost dnsmasq; do
    # shellcheck disable=SC2086
    printf "RESULT %-5s %-8s max_qps median=%s (runs:%s) cpu_us/query median=%s (runs:%s)%s\n" "$mix" "$s" \
      "$(median ${Q[$s]})" "${Q[$s]}" "$(median ${C[$s]})" "${C[$s]}" \
      "$([ "$LAT" = 1 ] && echo " | p99_ms@${LAT_QPS}/s median=$(median ${L[$s]}) (runs:${L[$s]})")"
  done
  # shellcheck disable=SC2086
  echo "RESULT $mix outpost/dnsmasq median ratio = $(awk -v a="$(median ${Q[outpost]})" -v b="$(median ${Q[dnsmasq]})" 'BEGIN{printf "%.2f", a/b}')"
  # shellcheck disable=SC2086
  echo "RESULT $mix dnsmasq/outpost cpu per query ratio = $(awk -v a="$(median ${C[dnsmasq]})" -v b="$(median ${C[outpost]})" 'BEGIN{printf "%.2f", a/b}') (the throughput ratio a CPU-bound Outpost would reach)"
  unset Q L C
done
grep -h '"level":"\(error\|fatal\)"' "$OUT/outpost/stdout.log" | head -5 || true
