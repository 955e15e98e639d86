/*
 * camf_tool — host test program for the camf library (uses stdio/POSIX; the library does not).
 *
 *   camf_tool encode [--seq N] [--ts US] [--ts-step US] [--chunk N] ITEM...
 *       Write one CAMF frame per ITEM to stdout. ITEM is jpeg:FILE | log:TEXT | info:TEXT | reply:TEXT
 *       | cmd:TEXT | type=HEX:TEXT | repeat=N:FILE. Files are streamed in --chunk byte pieces (default
 *       1000) through camf_begin/camf_write/camf_end, as firmware sends a frame buffer; repeat=N:FILE
 *       loads FILE (up to 1 MiB) once and sends it N times as JPEG frames (encoder/CRC speed).
 *   camf_tool commands [--cap N]
 *       Read host->device bytes from stdin, feed them one at a time to the command decoder and print
 *       each command on its own line (`name` or `name=value`; `!malformed` for a bad payload).
 *       Decoder statistics go to stderr as one line.
 *   camf_tool device [--ignore NAME]... [--interval-ms N] [--no-boot] JPEG...
 *       A fake CAMF camera on stdin/stdout (e.g. behind `socat PTY,... EXEC:`): sends a boot log line and
 *       an info frame, answers every command with a type 04 reply (`ok framesize=VGA`, `error …`), logs
 *       each command as type 02, sends JPEG frames on `snapshot` and continuously while `stream=1`.
 *       --ignore NAME: never answer that command (to test host timeouts).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../camf/camf.h"
#include "../camf/camf_vars.h"

static int out_failed = 0;

static void write_stdout(const uint8_t *data, size_t n) {
  while (n > 0) {
    ssize_t w = write(STDOUT_FILENO, data, n);
    if (w < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      out_failed = 1;
      return;
    }
    data += w;
    n -= (size_t)w;
  }
}

static uint64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int send_file(uint8_t type, uint32_t seq, uint64_t ts, const char *path, size_t chunk) {
  static uint8_t buf[65536];
  camf_enc_t enc;
  FILE *f = fopen(path, "rb");
  long size;
  size_t got;
  if (f == NULL) {
    fprintf(stderr, "camf_tool: cannot open %s: %s\n", path, strerror(errno));
    return -1;
  }
  if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
    fprintf(stderr, "camf_tool: cannot size %s\n", path);
    fclose(f);
    return -1;
  }
  if (chunk == 0 || chunk > sizeof(buf)) chunk = sizeof(buf);
  camf_begin(&enc, type, seq, ts, (uint32_t)size, write_stdout);
  while ((got = fread(buf, 1, chunk, f)) > 0) {
    if (camf_write(&enc, buf, got) != 0) break;
  }
  fclose(f);
  if (camf_end(&enc) != 0) {
    fprintf(stderr, "camf_tool: %s changed size while reading\n", path);
    return -1;
  }
  return 0;
}

/* Send the file `path` `times` times from memory, in `chunk`-byte pieces (no file I/O per frame). */
static int send_repeated(uint32_t *seq, uint64_t *ts, uint64_t ts_step, const char *path, unsigned long times,
                         size_t chunk) {
  static uint8_t data[1 << 20];
  size_t len, off;
  unsigned long k;
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "camf_tool: cannot open %s: %s\n", path, strerror(errno));
    return -1;
  }
  len = fread(data, 1, sizeof(data), f);
  fclose(f);
  if (chunk == 0) chunk = len;
  for (k = 0; k < times; k++) {
    camf_enc_t enc;
    camf_begin(&enc, CAMF_TYPE_JPEG, (*seq)++, *ts, (uint32_t)len, write_stdout);
    for (off = 0; off < len; off += chunk) camf_write(&enc, data + off, len - off < chunk ? len - off : chunk);
    if (camf_end(&enc) != 0) return -1;
    *ts += ts_step;
  }
  return 0;
}

/* ---- encode ---- */

static int cmd_encode(int argc, char **argv) {
  uint32_t seq = 0;
  uint64_t ts = 0, ts_step = 1000;
  size_t chunk = 1000;
  int i;
  for (i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--seq") == 0 && i + 1 < argc) {
      seq = (uint32_t)strtoul(argv[++i], NULL, 0);
    } else if (strcmp(a, "--ts") == 0 && i + 1 < argc) {
      ts = (uint64_t)strtoull(argv[++i], NULL, 0);
    } else if (strcmp(a, "--ts-step") == 0 && i + 1 < argc) {
      ts_step = (uint64_t)strtoull(argv[++i], NULL, 0);
    } else if (strcmp(a, "--chunk") == 0 && i + 1 < argc) {
      chunk = (size_t)strtoul(argv[++i], NULL, 0);
    } else {
      const char *colon = strchr(a, ':');
      const char *text = colon ? colon + 1 : "";
      size_t kind = colon ? (size_t)(colon - a) : strlen(a);
      int r;
      if (kind == 4 && strncmp(a, "jpeg", 4) == 0) {
        r = send_file(CAMF_TYPE_JPEG, seq, ts, text, chunk);
      } else if (kind == 3 && strncmp(a, "log", 3) == 0) {
        r = camf_send_text(CAMF_TYPE_LOG, seq, ts, text, write_stdout);
      } else if (kind == 4 && strncmp(a, "info", 4) == 0) {
        r = camf_send_text(CAMF_TYPE_INFO, seq, ts, text, write_stdout);
      } else if (kind == 5 && strncmp(a, "reply", 5) == 0) {
        r = camf_send_text(CAMF_TYPE_REPLY, seq, ts, text, write_stdout);
      } else if (kind == 3 && strncmp(a, "cmd", 3) == 0) {
        r = camf_send_text(CAMF_TYPE_COMMAND, seq, ts, text, write_stdout);
      } else if (kind > 7 && strncmp(a, "repeat=", 7) == 0) {
        if (send_repeated(&seq, &ts, ts_step, text, strtoul(a + 7, NULL, 10), chunk) != 0) return 1;
        continue;
      } else if (kind > 5 && strncmp(a, "type=", 5) == 0) {
        r = camf_send_text((uint8_t)strtoul(a + 5, NULL, 16), seq, ts, text, write_stdout);
      } else {
        fprintf(stderr, "camf_tool encode: unknown item '%s' (use jpeg:FILE, log:, info:, reply:, cmd:, type=HEX:, repeat=N:FILE)\n",
                a);
        return 2;
      }
      if (r != 0) return 1;
      seq++;
      ts += ts_step;
    }
  }
  return out_failed ? 1 : 0;
}

/* ---- commands ---- */

static void print_command(camf_cmd_dec_t *dec, int r) {
  if (r == CAMF_CMD_READY) {
    if (dec->value != NULL) {
      printf("%s=%s\n", dec->name, dec->value);
    } else {
      printf("%s\n", dec->name);
    }
  } else if (r == CAMF_CMD_MALFORMED) {
    printf("!malformed\n");
  }
}

static int cmd_commands(int argc, char **argv) {
  static uint8_t buf[4096];
  camf_cmd_dec_t dec;
  uint16_t cap = 96;
  uint8_t in[512];
  ssize_t got;
  int i, r;
  for (i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--cap") == 0 && i + 1 < argc) {
      unsigned long c = strtoul(argv[++i], NULL, 0);
      cap = (uint16_t)(c > sizeof(buf) ? sizeof(buf) : c);
    } else {
      fprintf(stderr, "camf_tool commands: unknown option '%s'\n", argv[i]);
      return 2;
    }
  }
  if (camf_cmd_init(&dec, buf, cap) != 0) {
    fprintf(stderr, "camf_tool commands: --cap must be at least %u\n", (unsigned)CAMF_OVERHEAD + 1u);
    return 2;
  }
  while ((got = read(STDIN_FILENO, in, sizeof(in))) != 0) {
    ssize_t k;
    if (got < 0) {
      if (errno == EINTR) continue;
      perror("camf_tool: read");
      return 1;
    }
    for (k = 0; k < got; k++) {
      for (r = camf_cmd_feed(&dec, in[k]); r != CAMF_CMD_NONE; r = camf_cmd_poll(&dec)) print_command(&dec, r);
    }
  }
  while ((r = camf_cmd_flush(&dec)) != CAMF_CMD_NONE) print_command(&dec, r);
  fflush(stdout);
  fprintf(stderr, "stats bytes_in=%lu bytes_skipped=%lu crc_errors=%lu oversized=%lu frames=%lu commands=%lu malformed=%lu\n",
          (unsigned long)dec.stats.bytes_in, (unsigned long)dec.stats.bytes_skipped,
          (unsigned long)dec.stats.crc_errors, (unsigned long)dec.stats.oversized, (unsigned long)dec.stats.frames,
          (unsigned long)dec.stats.commands, (unsigned long)dec.stats.malformed);
  return 0;
}

/* ---- device ---- */

static const char *const framesizes[] = {"96X96", "QQVGA", "128X128", "QCIF", "HQVGA", "240X240",
                                         "QVGA",  "320X320", "CIF",   "HVGA",  "VGA",   "SVGA",
                                         "XGA",   "HD",   "SXGA",  "UXGA"};

typedef struct {
  char framesize[16];
  int quality;
  int streaming;
  uint32_t seq;
  const char *const *jpegs;
  int njpegs;
  int next_jpeg;
} device_t;

static int parse_int(const char *s, int *out) {
  char *end;
  long v;
  if (s == NULL || *s == '\0') return -1;
  errno = 0;
  v = strtol(s, &end, 10);
  if (*end != '\0' || errno != 0 || v < -100000 || v > 100000) return -1;
  *out = (int)v;
  return 0;
}

static void dev_text(device_t *d, uint8_t type, const char *text) {
  camf_send_text(type, d->seq++, now_us(), text, write_stdout);
}

static void dev_info(device_t *d) {
  char json[160];
  snprintf(json, sizeof(json),
           "{\"model\":\"camf_tool\",\"sensor\":\"fake\",\"firmware\":\"1.0.0\",\"framesize\":\"%s\",\"quality\":%d}",
           d->framesize, d->quality);
  dev_text(d, CAMF_TYPE_INFO, json);
}

static void dev_frame(device_t *d) {
  if (d->njpegs == 0) return;
  if (send_file(CAMF_TYPE_JPEG, d->seq, now_us(), d->jpegs[d->next_jpeg], 4096) == 0) d->seq++;
  d->next_jpeg = (d->next_jpeg + 1) % d->njpegs;
}

/* Carry out one command and answer it, like the ESP32 sketch does. */
static void dev_command(device_t *d, const char *name, const char *value, char **ignore, int nignore) {
  char reply[96];
  size_t i;
  int v, k;
  snprintf(reply, sizeof(reply), "cmd %s%s%s", name, value ? "=" : "", value ? value : "");
  dev_text(d, CAMF_TYPE_LOG, reply);
  for (k = 0; k < nignore; k++) {
    if (strcmp(ignore[k], name) == 0) return;
  }
  if (strcmp(name, "info") == 0) {
    dev_info(d);
    dev_text(d, CAMF_TYPE_REPLY, "ok info");
    return;
  }
  if (strcmp(name, "snapshot") == 0) {
    if (d->njpegs == 0) {
      dev_text(d, CAMF_TYPE_REPLY, "error no camera");
      return;
    }
    dev_text(d, CAMF_TYPE_REPLY, "ok snapshot");
    dev_frame(d);
    return;
  }
  if (strcmp(name, "stream") == 0) {
    if (value == NULL || (strcmp(value, "0") != 0 && strcmp(value, "1") != 0)) {
      dev_text(d, CAMF_TYPE_REPLY, "error stream must be 0 or 1");
      return;
    }
    d->streaming = value[0] == '1';
    dev_text(d, CAMF_TYPE_REPLY, d->streaming ? "ok stream=1" : "ok stream=0");
    return;
  }
  if (strcmp(name, "framesize") == 0) {
    for (i = 0; i < sizeof(framesizes) / sizeof(framesizes[0]); i++) {
      if (value != NULL && strcmp(value, framesizes[i]) == 0) {
        snprintf(d->framesize, sizeof(d->framesize), "%s", value);
        snprintf(reply, sizeof(reply), "ok framesize=%s", value);
        dev_text(d, CAMF_TYPE_REPLY, reply);
        return;
      }
    }
    dev_text(d, CAMF_TYPE_REPLY, "error framesize must be one of 96X96..UXGA");
    return;
  }
  for (i = 0; i < CAMF_VAR_RANGE_COUNT; i++) {
    if (strcmp(name, CAMF_VAR_RANGES[i].name) != 0) continue;
    if (parse_int(value, &v) != 0 || v < CAMF_VAR_RANGES[i].min || v > CAMF_VAR_RANGES[i].max) {
      snprintf(reply, sizeof(reply), "error %s must be %d..%d", name, CAMF_VAR_RANGES[i].min, CAMF_VAR_RANGES[i].max);
    } else {
      if (strcmp(name, "quality") == 0) d->quality = v;
      snprintf(reply, sizeof(reply), "ok %s=%d", name, v);
    }
    dev_text(d, CAMF_TYPE_REPLY, reply);
    return;
  }
  snprintf(reply, sizeof(reply), "error unknown command %.60s", name);
  dev_text(d, CAMF_TYPE_REPLY, reply);
}

static int cmd_device(int argc, char **argv) {
  static uint8_t buf[128];
  static char *ignore[16];
  camf_cmd_dec_t dec;
  device_t d;
  int nignore = 0, interval_ms = 100, boot = 1, i, r;
  uint64_t next_frame = 0, last_rx = 0;
  memset(&d, 0, sizeof(d));
  snprintf(d.framesize, sizeof(d.framesize), "QVGA");
  d.quality = 12;
  d.jpegs = (const char *const *)argv;
  for (i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--ignore") == 0 && i + 1 < argc && nignore < 16) {
      ignore[nignore++] = argv[++i];
    } else if (strcmp(argv[i], "--interval-ms") == 0 && i + 1 < argc) {
      interval_ms = atoi(argv[++i]);
    } else if (strcmp(argv[i], "--no-boot") == 0) {
      boot = 0;
    } else {
      break;
    }
  }
  d.jpegs = (const char *const *)(argv + i);
  d.njpegs = argc - i;
  camf_cmd_init(&dec, buf, sizeof(buf));
  if (boot) {
    dev_text(&d, CAMF_TYPE_LOG, "camf_tool fake device ready");
    dev_info(&d);
  }
  for (;;) {
    struct pollfd pfd;
    uint8_t in[256];
    ssize_t got, k;
    int timeout = dec.n > 0 ? 100 : -1;
    if (d.streaming) {
      uint64_t t = now_us();
      int wait_ms = next_frame > t ? (int)((next_frame - t) / 1000u) : 0;
      if (timeout < 0 || wait_ms < timeout) timeout = wait_ms;
    }
    pfd.fd = STDIN_FILENO;
    pfd.events = POLLIN;
    pfd.revents = 0;
    r = poll(&pfd, 1, timeout);
    if (r < 0 && errno != EINTR) return 1;
    if (r > 0) {
      got = read(STDIN_FILENO, in, sizeof(in));
      if (got == 0) return 0; /* host closed */
      if (got < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        return errno == EIO ? 0 : 1;
      }
      last_rx = now_us();
      for (k = 0; k < got; k++) {
        for (r = camf_cmd_feed(&dec, in[k]); r != CAMF_CMD_NONE; r = camf_cmd_poll(&dec)) {
          if (r == CAMF_CMD_READY) {
            dev_command(&d, dec.name, dec.value, ignore, nignore);
          } else {
            dev_text(&d, CAMF_TYPE_REPLY, "error malformed command");
          }
        }
      }
    } else if (dec.n > 0 && now_us() - last_rx >= 100000u) {
      /* 100 ms of silence inside a frame: the rest is not coming. */
      while ((r = camf_cmd_flush(&dec)) != CAMF_CMD_NONE) {
        if (r == CAMF_CMD_READY) dev_command(&d, dec.name, dec.value, ignore, nignore);
      }
    }
    if (d.streaming && now_us() >= next_frame) {
      dev_frame(&d);
      next_frame = now_us() + (uint64_t)interval_ms * 1000u;
    }
    if (out_failed) return 1;
  }
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "encode") == 0) return cmd_encode(argc - 2, argv + 2);
  if (argc >= 2 && strcmp(argv[1], "commands") == 0) return cmd_commands(argc - 2, argv + 2);
  if (argc >= 2 && strcmp(argv[1], "device") == 0) return cmd_device(argc - 2, argv + 2);
  fprintf(stderr, "usage: camf_tool encode ITEM... | commands [--cap N] | device [--ignore NAME]... JPEG...\n");
  return 2;
}
