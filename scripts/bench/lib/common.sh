# Shared by the peer benchmarks scripts/bench/{dns,stun,dhcp}.sh (sourced, not run): root check,
# Debian packages, CPU pinning, the namespace pair, stopping a server, the median and the
# machine-noise handling. The caller sets PIN, QUIET_MAX, QUIET_WAIT and NOISY_RETRIES first.

need_root() { [ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }; }

# need_pkgs <debian package>...: installs the missing ones (no service started by the install)
need_pkgs() {
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; made_policy=1; fi
  apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ $made_policy = 1 ] && rm -f /usr/sbin/policy-rc.d
  return 0
}

# PIN=1: servers on CPU 0 ("${SRV_TS[@]}" cmd), load generator on CPU 1 ("${CLI_TS[@]}" cmd)
SRV_TS=() CLI_TS=()
if [ "${PIN:-1}" = 1 ]; then SRV_TS=(taskset -c 0); CLI_TS=(taskset -c 1); fi

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# stop_pid <pid>: TERM, up to 5 s, then KILL (an empty or gone pid is fine)
stop_pid() { local p=$1; [ -n "$p" ] && kill -0 "$p" 2>/dev/null || return 0
  kill "$p" 2>/dev/null || true; for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.1; done; kill -9 "$p" 2>/dev/null || true; }

netns_exists() { ip netns list | awk '{print $1}' | grep -qx "$1"; }
# netns_guard <ns>...: refuse to run over namespaces this run did not make
netns_guard() { local n; for n in "$@"; do if netns_exists "$n"; then
  echo "netns '$n' already exists (not made by this run): delete it (ip netns del $n)" >&2; exit 1; fi; done; }
# netns_pair <server ns> <client ns> <server veth> <client veth>: both namespaces joined by one veth
# pair, every link up; the caller adds the addresses
netns_pair() {
  ip netns add "$1"; ip netns add "$2"
  ip link add "$3" netns "$1" type veth peer name "$4" netns "$2"
  local n; for n in "$1" "$2"; do ip -n "$n" link set lo up; done
  ip -n "$1" link set "$3" up; ip -n "$2" link set "$4" up
}

# ---- machine noise: this VM may be shared with other work, so before every run wait for a quiet
# moment (whole-machine busy <= QUIET_MAX %, at most QUIET_WAIT s), and during the run measure the
# CPU used by processes outside this script's process tree (bg during, % of all CPUs). A caller
# repeats a run whose bg during > QUIET_MAX (NOISY=1) up to NOISY_RETRIES times and keeps the last
# attempt. Hypervisor steal during the run (% of all CPU time, from /proc/stat) is logged, not acted on.
# noise_begin ... noise_end -> NOISE="bg=<before>%/<during>%,steal=<steal>%[(noisy)]", NOISY=0|1
cpu_sample() { awk '/^cpu /{idle=$5+$6; tot=0; for(i=2;i<=9;i++) tot+=$i; print tot, idle}' /proc/stat; }
busy_pct() { local t1 i1 t2 i2; read -r t1 i1 < <(cpu_sample); sleep "${1:-1}"; read -r t2 i2 < <(cpu_sample)
  awk -v a=$((t2-t1)) -v b=$((i2-i1)) 'BEGIN{ if (a<=0) print 0; else printf "%.0f", 100*(a-b)/a }'; }
# CPU jiffies of every user process outside this script's process tree (a test by session would be
# blind to other jobs started from the same session, e.g. other benchmarks on a shared VM).
others_jiffies() { python3 -c '
import os, sys
root = int(sys.argv[1]); ppid = {}; cpu = {}
for p in os.listdir("/proc"):
    if not p.isdigit(): continue
    try: s = open("/proc/%s/stat" % p).read()
    except OSError: continue
    f = s[s.rfind(")") + 2:].split()
    if int(f[3]) == 0 or int(f[1]) == 2: continue   # kernel threads (sid 0, parent kthreadd)
    ppid[int(p)] = int(f[1]); cpu[int(p)] = int(f[11]) + int(f[12])
def mine(p):
    for _ in range(64):
        if p == root: return True
        p = ppid.get(p)
        if p is None: return False
    return False
print(sum(c for p, c in cpu.items() if not mine(p)))' "$$"; }
steal_sample() { awk '/^cpu /{t=0; for(i=2;i<=9;i++) t+=$i; print $9, t}' /proc/stat; }
noise_begin() { local t0=$SECONDS; while :; do BG_BEFORE=$(busy_pct 1)
    [ "$BG_BEFORE" -le "$QUIET_MAX" ] && break; [ $((SECONDS-t0)) -ge "$QUIET_WAIT" ] && break; done
  OJ0=$(others_jiffies); NT0=$(date +%s.%N); read -r ST0 TT0 < <(steal_sample); }
noise_end() { local oj1 nt1 st1 tt1; oj1=$(others_jiffies); nt1=$(date +%s.%N)
  BG_DURING=$(awk -v a="$OJ0" -v b="$oj1" -v t0="$NT0" -v t1="$nt1" -v hz="$(getconf CLK_TCK)" -v n="$(nproc)" \
    'BEGIN{ v = 100*(b-a)/hz/(t1-t0)/n; if (v < 0) v = 0; printf "%.0f", v }')
  read -r st1 tt1 < <(steal_sample)
  STEAL=$(awk -v a="$ST0" -v b="$st1" -v c="$TT0" -v d="$tt1" 'BEGIN{ printf "%.0f", (d>c) ? 100*(b-a)/(d-c) : 0 }')
  NOISE="bg=${BG_BEFORE}%/${BG_DURING}%,steal=${STEAL}%"; NOISY=0
  if [ "$BG_DURING" -gt "$QUIET_MAX" ]; then NOISE="$NOISE(noisy)"; NOISY=1; fi; }
