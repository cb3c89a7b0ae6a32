/*
 * outpost-dhcp-ifsock — the small native helper of services/dhcp (see ../README.md, "Which
 * networks are served").
 *
 * Node's dgram cannot bind a socket to an interface (no SO_BINDTODEVICE, no IP_PKTINFO), and a
 * socket bound to 0.0.0.0:67 receives the broadcast DISCOVERs of every interface of the box, with
 * nothing telling which one. This helper opens one UDP socket per served interface with
 * SO_BINDTODEVICE, so the kernel delivers to it only what arrived on that interface, and sends
 * replies out of that interface (limited broadcast included, no route needed). It carries
 * packets between those sockets and the Node process over its stdin/stdout:
 *
 *   frame = u16 length (big endian, of what follows) | u8 interface index (argv order)
 *           | u32 IPv4 address | u16 port | DHCP payload
 *
 * stdout: packets received (address/port = sender); stdin: packets to send (address/port =
 * destination). A frame with index 255 and no payload on stdout means "all sockets bound".
 * Exits when stdin closes (the service stopped or died) or its parent dies.
 *
 * Usage: outpost-dhcp-ifsock PORT IFNAME [IFNAME ...]      (needs CAP_NET_RAW for
 * SO_BINDTODEVICE on older kernels, and CAP_NET_BIND_SERVICE for port 67)
 * Build: cc -O2 -Wall -o outpost-dhcp-ifsock ifsock.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_IFS 32
#define MAX_PKT 65535
#define HDR 7

static int socks[MAX_IFS];
static int nsocks;

static void die(const char *what, const char *arg) {
  fprintf(stderr, "outpost-dhcp-ifsock: %s %s: %s\n", what, arg ? arg : "", strerror(errno));
  exit(2);
}

static int write_all(int fd, const uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) { if (errno == EINTR) continue; return -1; }
    p += w; n -= (size_t)w;
  }
  return 0;
}

static int open_if(const char *ifname, int port) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) die("socket", ifname);
  int one = 1, buf = 4 << 20;
  /* several helpers/sockets share port 67, one per device */
  if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) die("SO_REUSEADDR", ifname);
  if (setsockopt(s, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) < 0) die("SO_BROADCAST", ifname);
  if (setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname) + 1) < 0) die("SO_BINDTODEVICE", ifname);
  setsockopt(s, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf); /* best effort: bursts of DISCOVERs */
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_ANY) };
  if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) die("bind", ifname);
  return s;
}

static void on_socket(int idx) {
  static uint8_t frame[HDR + 2 + MAX_PKT];
  struct sockaddr_in from;
  socklen_t fl = sizeof from;
  ssize_t n = recvfrom(socks[idx], frame + 2 + HDR, MAX_PKT, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
  if (n < 0) return;
  uint16_t len = (uint16_t)(HDR + n);
  frame[0] = (uint8_t)(len >> 8); frame[1] = (uint8_t)len;
  frame[2] = (uint8_t)idx;
  memcpy(frame + 3, &from.sin_addr.s_addr, 4); /* network order = big endian */
  memcpy(frame + 7, &from.sin_port, 2);
  if (write_all(1, frame, (size_t)len + 2) < 0) exit(0);
}

/* Parse complete frames from the stdin buffer and send them; returns bytes consumed. */
static size_t on_frames(uint8_t *b, size_t have) {
  size_t off = 0;
  while (have - off >= 2) {
    size_t len = ((size_t)b[off] << 8) | b[off + 1];
    if (have - off < 2 + len) break;
    uint8_t *f = b + off + 2;
    if (len >= HDR && f[0] < nsocks) {
      struct sockaddr_in to = { .sin_family = AF_INET };
      memcpy(&to.sin_addr.s_addr, f + 1, 4);
      memcpy(&to.sin_port, f + 5, 2);
      sendto(socks[f[0]], f + HDR, len - HDR, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof to);
    }
    off += 2 + len;
  }
  return off;
}

int main(int argc, char **argv) {
  if (argc < 3 || argc - 2 > MAX_IFS) { fprintf(stderr, "usage: %s PORT IFNAME [IFNAME ...]\n", argv[0]); return 64; }
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  signal(SIGPIPE, SIG_IGN);
  int port = atoi(argv[1]);
  for (int i = 2; i < argc; i++) socks[nsocks++] = open_if(argv[i], port);
  uint8_t ready[3] = { 0, 1, 255 };
  if (write_all(1, ready, 3) < 0) return 0;

  static uint8_t in[4 * (2 + HDR + MAX_PKT)];
  size_t have = 0;
  struct pollfd pf[MAX_IFS + 1];
  for (int i = 0; i < nsocks; i++) pf[i] = (struct pollfd){ .fd = socks[i], .events = POLLIN };
  pf[nsocks] = (struct pollfd){ .fd = 0, .events = POLLIN };
  for (;;) {
    if (poll(pf, (nfds_t)nsocks + 1, -1) < 0) { if (errno == EINTR) continue; die("poll", NULL); }
    for (int i = 0; i < nsocks; i++) if (pf[i].revents & POLLIN) on_socket(i);
    if (pf[nsocks].revents & (POLLIN | POLLHUP)) {
      ssize_t r = read(0, in + have, sizeof in - have);
      if (r <= 0) { if (r < 0 && errno == EINTR) continue; return 0; } /* service gone */
      have += (size_t)r;
      size_t used = on_frames(in, have);
      memmove(in, in + used, have - used);
      have -= used;
      if (have == sizeof in) have = 0; /* a frame larger than the buffer cannot exist: resync */
    }
  }
}
