/*
 * MJPEG latency client for bench/latency.bench.ts: N HTTP/1.1 connections read
 * by one thread with epoll, so that the latency measured is the server's and
 * the kernel's, not a Node client's (50 sockets in one Node process cost about
 * as much CPU as the server does).
 *
 *   mjpeg_latency_client <port> <path> <clients>
 *
 * Each connection GETs <path> from 127.0.0.1:<port>, decodes the response
 * (identity or chunked), splits the multipart body by each part's
 * Content-Length and, for a part whose first bytes carry the bench stamp
 * (bench/lib/stamped-frame.ts: JPEG COM segment, magic 'CGB1' at 6, sequence
 * u32 BE at 10, producer's process.hrtime = CLOCK_MONOTONIC ns u64 BE at 14),
 * records CLOCK_MONOTONIC (taken right after the read() that held the part's
 * last byte) minus the stamp. A frame re-sent to a client is not counted twice.
 *
 * Protocol with the parent: prints "ready\n" on stdout once every connection
 * has a complete part (or failed). Reads "stop <from> <to>\n" on stdin; then
 * waits (at most 2 s) for every live connection to reach frame <to> - 1,
 * prints one JSON object with the window [from, to) frames and exits.
 * EOF on stdin: exit at once.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAGIC 0x43474231u
#define STAMP_BYTES 22
#define SEQ_AT 10
#define TIME_AT 14
#define HEAD_MAX 4096
#ifndef READ_BYTES
#define READ_BYTES (256 * 1024) /* -DREAD_BYTES=7 exercises every split-read path */
#endif
#define STDIN_TAG UINT64_MAX

enum transfer { T_HEAD, T_IDENTITY, T_CHUNK_SIZE, T_CHUNK_DATA, T_CHUNK_CRLF, T_DONE };
enum part { P_HEADERS, P_BODY };

struct conn {
  int fd;
  int failed; /* error or closed */
  enum transfer transfer;
  enum part part;
  char tbuf[HEAD_MAX + 1]; /* HTTP head, chunk-size line */
  size_t tlen;
  char pbuf[HEAD_MAX + 1]; /* part headers (boundary line included) */
  size_t plen;
  uint64_t chunk_left;
  int crlf_left;
  uint64_t body_left, body_len;
  unsigned char stamp[STAMP_BYTES];
  int stamp_fill;
  int64_t last_seq;
  long frames;
};

struct sample {
  uint32_t seq;
  uint32_t bytes;
  int64_t latency_ns;
};

static struct sample *samples;
static size_t n_samples, cap_samples;
static char first_error[160];

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void fail(struct conn *c, const char *why) {
  if (!c->failed && first_error[0] == 0) snprintf(first_error, sizeof first_error, "%s", why);
  c->failed = 1;
}

static void record(uint32_t seq, uint32_t bytes, int64_t latency_ns) {
  if (n_samples == cap_samples) {
    cap_samples = cap_samples ? cap_samples * 2 : 65536;
    samples = realloc(samples, cap_samples * sizeof *samples);
    if (!samples) {
      perror("realloc");
      exit(1);
    }
  }
  samples[n_samples++] = (struct sample){seq, bytes, latency_ns};
}

/*
 * Append data to buf until `term` appears. Returns the bytes of data consumed up to
 * and including the terminator (buf then holds the block, NUL-terminated, *len its
 * length), -1 if all of data went into buf without a terminator, -2 on overflow.
 */
static long accumulate(char *buf, size_t *len, const unsigned char *data, size_t n, const char *term,
                       size_t tlen) {
  size_t old = *len;
  size_t room = HEAD_MAX - old;
  size_t copied = n < room ? n : room;
  memcpy(buf + old, data, copied);
  size_t total = old + copied;
  size_t from = old >= tlen - 1 ? old - (tlen - 1) : 0;
  char *hit = memmem(buf + from, total - from, term, tlen);
  if (hit) {
    size_t at = (size_t)(hit - buf);
    *len = at;
    buf[at] = 0;
    return (long)(at + tlen - old);
  }
  if (copied < n) return -2;
  *len = total;
  return -1;
}

static int header_value(const char *block, const char *name, char *out, size_t out_len) {
  size_t nl = strlen(name);
  for (const char *line = block; line; line = strstr(line, "\r\n")) {
    while (*line == '\r' || *line == '\n') line++;
    if (strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
      const char *v = line + nl + 1;
      while (*v == ' ' || *v == '\t') v++;
      size_t i = 0;
      while (v[i] && v[i] != '\r' && i + 1 < out_len) {
        out[i] = v[i];
        i++;
      }
      out[i] = 0;
      return 1;
    }
  }
  return 0;
}

static void part_done(struct conn *c, int64_t now) {
  c->frames++;
  c->part = P_HEADERS;
  if (c->stamp_fill < STAMP_BYTES) return;
  const unsigned char *s = c->stamp;
  uint32_t magic = (uint32_t)s[6] << 24 | (uint32_t)s[7] << 16 | (uint32_t)s[8] << 8 | s[9];
  if (magic != MAGIC) return;
  uint32_t seq = (uint32_t)s[SEQ_AT] << 24 | (uint32_t)s[SEQ_AT + 1] << 16 | (uint32_t)s[SEQ_AT + 2] << 8 |
                 s[SEQ_AT + 3];
  uint64_t sent = 0;
  for (int i = 0; i < 8; i++) sent = sent << 8 | s[TIME_AT + i];
  if ((int64_t)seq <= c->last_seq) return; /* a re-sent frame is not a new delivery */
  c->last_seq = seq;
  record(seq, (uint32_t)c->body_len, now - (int64_t)sent);
}

/* Multipart body bytes, in order. */
static void body(struct conn *c, const unsigned char *data, size_t n, int64_t now) {
  while (n > 0 && !c->failed) {
    if (c->part == P_HEADERS) {
      long used = accumulate(c->pbuf, &c->plen, data, n, "\r\n\r\n", 4);
      if (used == -1) return;
      if (used == -2) {
        fail(c, "part headers longer than 4 KiB");
        return;
      }
      data += used;
      n -= (size_t)used;
      char value[32];
      if (!header_value(c->pbuf, "content-length", value, sizeof value)) {
        /* A blank line between parts is not a part. */
        if (strspn(c->pbuf, "\r\n") == c->plen) {
          c->plen = 0;
          continue;
        }
        fail(c, "part without Content-Length");
        return;
      }
      char *end;
      unsigned long long len = strtoull(value, &end, 10);
      if (end == value || len > 100u * 1024 * 1024) {
        fail(c, "bad part Content-Length");
        return;
      }
      c->plen = 0;
      c->body_len = c->body_left = len;
      c->stamp_fill = 0;
      c->part = P_BODY;
      if (len == 0) part_done(c, now);
    } else {
      size_t take = c->body_left < n ? (size_t)c->body_left : n;
      if (c->stamp_fill < STAMP_BYTES) {
        size_t want = (size_t)(STAMP_BYTES - c->stamp_fill);
        size_t k = want < take ? want : take;
        memcpy(c->stamp + c->stamp_fill, data, k);
        c->stamp_fill += (int)k;
      }
      c->body_left -= take;
      data += take;
      n -= take;
      if (c->body_left == 0) part_done(c, now);
    }
  }
}

/* Response bytes, in order: head, then identity or chunked body. */
static void feed(struct conn *c, const unsigned char *data, size_t n, int64_t now) {
  while (n > 0 && !c->failed) {
    switch (c->transfer) {
      case T_HEAD: {
        long used = accumulate(c->tbuf, &c->tlen, data, n, "\r\n\r\n", 4);
        if (used == -1) return;
        if (used == -2) {
          fail(c, "response head longer than 4 KiB");
          return;
        }
        data += used;
        n -= (size_t)used;
        if (strncmp(c->tbuf, "HTTP/1.", 7) != 0 || strncmp(c->tbuf + 8, " 200", 4) != 0) {
          fail(c, "response status is not 200");
          return;
        }
        char te[64];
        c->transfer = header_value(c->tbuf, "transfer-encoding", te, sizeof te) && strcasestr(te, "chunked")
                          ? T_CHUNK_SIZE
                          : T_IDENTITY;
        c->tlen = 0;
        break;
      }
      case T_IDENTITY:
        body(c, data, n, now);
        return;
      case T_CHUNK_SIZE: {
        long used = accumulate(c->tbuf, &c->tlen, data, n, "\r\n", 2);
        if (used == -1) return;
        if (used == -2) {
          fail(c, "chunk-size line too long");
          return;
        }
        data += used;
        n -= (size_t)used;
        char *end;
        c->chunk_left = strtoull(c->tbuf, &end, 16);
        if (end == c->tbuf || (*end && *end != ';' && *end != ' ')) {
          fail(c, "bad chunk size");
          return;
        }
        c->tlen = 0;
        if (c->chunk_left == 0) {
          c->transfer = T_DONE; /* last chunk: the server ended the stream */
          fail(c, "stream ended");
          return;
        }
        c->transfer = T_CHUNK_DATA;
        break;
      }
      case T_CHUNK_DATA: {
        size_t take = c->chunk_left < n ? (size_t)c->chunk_left : n;
        body(c, data, take, now);
        c->chunk_left -= take;
        data += take;
        n -= take;
        if (c->chunk_left == 0) {
          c->transfer = T_CHUNK_CRLF;
          c->crlf_left = 2;
        }
        break;
      }
      case T_CHUNK_CRLF: {
        size_t take = (size_t)c->crlf_left < n ? (size_t)c->crlf_left : n;
        for (size_t i = 0; i < take; i++) {
          if (data[i] != (c->crlf_left - (int)i == 2 ? '\r' : '\n')) {
            fail(c, "chunk data not followed by CRLF");
            return;
          }
        }
        c->crlf_left -= (int)take;
        data += take;
        n -= take;
        if (c->crlf_left == 0) c->transfer = T_CHUNK_SIZE;
        break;
      }
      case T_DONE:
        return;
    }
  }
}

static void close_conn(int ep, struct conn *c, const char *why) {
  fail(c, why);
  if (c->fd >= 0) {
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->fd = -1;
  }
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s <port> <path> <clients>\n", argv[0]);
    return 2;
  }
  int port = atoi(argv[1]);
  const char *path = argv[2];
  int nconn = atoi(argv[3]);
  if (port <= 0 || port > 65535 || nconn <= 0 || path[0] != '/') {
    fprintf(stderr, "bad arguments: port 1-65535, path starting with /, clients > 0\n");
    return 2;
  }
  struct conn *conns = calloc((size_t)nconn, sizeof *conns);
  unsigned char *rbuf = malloc(READ_BYTES);
  if (!conns || !rbuf) {
    perror("malloc");
    return 1;
  }
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = STDIN_TAG};
  if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, 0, &ev) < 0) {
    perror("epoll");
    return 1;
  }
  char request[512];
  int rlen = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAccept: */*\r\n\r\n",
                      path, port);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < nconn; i++) {
    struct conn *c = &conns[i];
    c->last_seq = -1;
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    /* Blocking connect and request write (loopback, tiny), then non-blocking reads. */
    if (c->fd < 0 || setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0 ||
        connect(c->fd, (struct sockaddr *)&addr, sizeof addr) < 0 ||
        write(c->fd, request, (size_t)rlen) != rlen || fcntl(c->fd, F_SETFL, O_NONBLOCK) < 0) {
      fprintf(stderr, "connection %d: %s\n", i, strerror(errno));
      return 1;
    }
    ev = (struct epoll_event){.events = EPOLLIN, .data.u64 = (uint64_t)i};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
      perror("epoll_ctl");
      return 1;
    }
  }

  int ready_sent = 0, stopping = 0;
  long long from = 0, to = 0;
  int64_t deadline = 0;
  char line[128];
  size_t line_len = 0;
  struct epoll_event events[64];
  for (;;) {
    int k = epoll_wait(ep, events, 64, 20);
    if (k < 0 && errno != EINTR) {
      perror("epoll_wait");
      return 1;
    }
    for (int e = 0; e < k; e++) {
      if (events[e].data.u64 == STDIN_TAG) {
        ssize_t r = read(0, line + line_len, sizeof line - 1 - line_len);
        if (r <= 0) {
          /* EOF after "stop": the parent closed stdin behind it; finish the window and report. */
          if (stopping) {
            epoll_ctl(ep, EPOLL_CTL_DEL, 0, NULL);
            continue;
          }
          return 0; /* the parent is gone */
        }
        line_len += (size_t)r;
        line[line_len] = 0;
        if (strchr(line, '\n')) {
          if (sscanf(line, "stop %lld %lld", &from, &to) != 2) {
            fprintf(stderr, "unknown command: %s", line);
            return 2;
          }
          stopping = 1;
          deadline = now_ns() + 2000000000LL;
          line_len = 0;
        }
        continue;
      }
      struct conn *c = &conns[events[e].data.u64];
      ssize_t r = read(c->fd, rbuf, READ_BYTES);
      int64_t now = now_ns();
      if (r > 0) {
        feed(c, rbuf, (size_t)r, now);
        if (c->failed) close_conn(ep, c, "parse error");
      } else if (r == 0) {
        close_conn(ep, c, "connection closed by the server");
      } else if (errno != EAGAIN && errno != EINTR) {
        close_conn(ep, c, strerror(errno));
      }
    }
    if (!ready_sent) {
      int all = 1;
      for (int i = 0; i < nconn && all; i++) all = conns[i].frames > 0 || conns[i].failed;
      if (all) {
        fputs("ready\n", stdout);
        fflush(stdout);
        ready_sent = 1;
      }
    }
    if (stopping) {
      int caught_up = 1;
      for (int i = 0; i < nconn && caught_up; i++)
        caught_up = conns[i].failed || conns[i].last_seq >= to - 1;
      if (caught_up || now_ns() > deadline) break;
    }
  }

  int failed = 0;
  long parts = 0;
  for (int i = 0; i < nconn; i++) {
    failed += conns[i].failed;
    parts += conns[i].frames;
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu_us = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
  unsigned long long delivered = 0, bytes = 0;
  printf("{\"clients\":%d,\"failedClients\":%d,\"firstError\":\"%s\",\"latencyNs\":[", nconn, failed,
         first_error);
  for (size_t i = 0; i < n_samples; i++) {
    const struct sample *s = &samples[i];
    if (s->seq < from || s->seq >= to) continue;
    printf(delivered ? ",%lld" : "%lld", (long long)s->latency_ns);
    delivered++;
    bytes += s->bytes;
  }
  printf("],\"delivered\":%llu,\"deliveredBytes\":%llu,\"cpuPerPartUs\":%.2f}\n", delivered, bytes,
         parts ? cpu_us / (double)parts : 0.0);
  fflush(stdout);
  return 0;
}
