/*
 * camf_selftest.c — C-level checks of the camf library that the cross-language tests cannot see:
 * the CRC check value for every implementation, encoder misuse, decoder limits.
 * Prints one line per failed check and exits 1 if any failed; prints "ok N checks" otherwise.
 */
#include <stdio.h>
#include <string.h>

#include "../camf/camf.h"

static int checks = 0, failures = 0;

#define CHECK(cond)                                                   \
  do {                                                                \
    checks++;                                                         \
    if (!(cond)) {                                                    \
      failures++;                                                     \
      printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);          \
    }                                                                 \
  } while (0)

static uint8_t out[512];
static size_t out_n = 0;

static void capture(const uint8_t *data, size_t n) {
  if (out_n + n <= sizeof(out)) memcpy(out + out_n, data, n);
  out_n += n;
}

static int feed_all(camf_cmd_dec_t *dec, const uint8_t *p, size_t n, char *names, size_t cap) {
  size_t i;
  int count = 0;
  names[0] = '\0';
  for (i = 0; i < n; i++) {
    int r;
    for (r = camf_cmd_feed(dec, p[i]); r != CAMF_CMD_NONE; r = camf_cmd_poll(dec)) {
      if (r == CAMF_CMD_READY && strlen(names) + strlen(dec->name) + 2 < cap) {
        strcat(names, dec->name);
        strcat(names, ";");
      }
      count++;
    }
  }
  return count;
}

int main(void) {
  const uint8_t check[] = "123456789";
  camf_enc_t enc;
  camf_cmd_dec_t dec;
  uint8_t buf[64];
  char names[128];
  uint8_t frame[128];
  size_t frame_n;

  /* CRC-32 check value (whichever CAMF_CRC_IMPL this was built with), and continuation. */
  CHECK(camf_crc32(0, check, 9) == 0xCBF43926UL);
  CHECK(camf_crc32(camf_crc32(0, check, 4), check + 4, 5) == 0xCBF43926UL);
  CHECK(camf_crc32(0, check, 0) == 0);

  /* Encoder: header layout and misuse. */
  out_n = 0;
  CHECK(camf_begin(&enc, CAMF_TYPE_LOG, 7, 0x0102030405060708ULL, 3, capture) == 0);
  CHECK(out_n == CAMF_HEADER_SIZE);
  CHECK(memcmp(out, "CAMF\x01\x02\x00\x00\x07\x00\x00\x00\x08\x07\x06\x05\x04\x03\x02\x01\x03\x00\x00\x00", 24) == 0);
  CHECK(camf_write(&enc, (const uint8_t *)"abcd", 4) == -1); /* more than declared: refused, nothing written */
  CHECK(out_n == CAMF_HEADER_SIZE);
  CHECK(camf_write(&enc, (const uint8_t *)"ab", 2) == 0);
  CHECK(camf_end(&enc) == -1); /* one byte short: no CRC written */
  CHECK(out_n == CAMF_HEADER_SIZE + 2);
  CHECK(camf_write(&enc, (const uint8_t *)"c", 1) == -1); /* closed */
  CHECK(camf_begin(&enc, CAMF_TYPE_LOG, 0, 0, 0, NULL) == -1);
  out_n = 0;
  CHECK(camf_send_text(CAMF_TYPE_REPLY, 1, 2, "", capture) == 0); /* empty payload */
  CHECK(out_n == CAMF_OVERHEAD);

  /* Decoder: limits. */
  CHECK(camf_cmd_init(&dec, buf, CAMF_OVERHEAD) == -1);
  CHECK(camf_cmd_init(&dec, buf, sizeof(buf)) == 0);

  /* A command that fits, one that is one byte too long (oversized), then one that fits again. */
  out_n = 0;
  camf_send_text(CAMF_TYPE_COMMAND, 1, 0, "snapshot", capture);
  {
    char longcmd[64 - CAMF_OVERHEAD + 2];
    memset(longcmd, 'x', sizeof(longcmd) - 1);
    longcmd[sizeof(longcmd) - 1] = '\0'; /* payload = cap - overhead + 1 bytes */
    camf_send_text(CAMF_TYPE_COMMAND, 2, 0, longcmd, capture);
  }
  camf_send_text(CAMF_TYPE_COMMAND, 3, 0, "info", capture);
  CHECK(out_n <= sizeof(out));
  CHECK(feed_all(&dec, out, out_n, names, sizeof(names)) == 2);
  CHECK(strcmp(names, "snapshot;info;") == 0);
  CHECK(dec.stats.oversized == 1);
  CHECK(dec.n < dec.cap);

  /* name=value split; malformed payloads. */
  camf_cmd_init(&dec, buf, sizeof(buf));
  out_n = 0;
  camf_send_text(CAMF_TYPE_COMMAND, 4, 0, "framesize=VGA", capture);
  memcpy(frame, out, out_n);
  frame_n = out_n;
  {
    size_t i;
    int r = CAMF_CMD_NONE;
    for (i = 0; i < frame_n; i++) r = camf_cmd_feed(&dec, frame[i]);
    CHECK(r == CAMF_CMD_READY);
    CHECK(strcmp(dec.name, "framesize") == 0 && dec.value != NULL && strcmp(dec.value, "VGA") == 0);
    CHECK(dec.seq == 4);
  }
  out_n = 0;
  camf_send_text(CAMF_TYPE_COMMAND, 5, 0, "=VGA", capture);
  camf_send(CAMF_TYPE_COMMAND, 6, 0, (const uint8_t *)"a\0b", 3, capture);
  camf_send_text(CAMF_TYPE_COMMAND, 7, 0, "", capture);
  CHECK(feed_all(&dec, out, out_n, names, sizeof(names)) == 3);
  CHECK(dec.stats.malformed == 3);
  CHECK(names[0] == '\0');

  /* flush(): a truncated frame followed by a complete one, then the line goes quiet. */
  camf_cmd_init(&dec, buf, sizeof(buf));
  out_n = 0;
  camf_send_text(CAMF_TYPE_COMMAND, 8, 0, "framesize=UXGA&quality=10&x=123", capture); /* 62 bytes */
  out_n = 28; /* only its header arrives: the decoder waits for 34 more bytes */
  camf_send_text(CAMF_TYPE_COMMAND, 9, 0, "x", capture); /* 33 bytes: not enough to fail the CRC */
  CHECK(feed_all(&dec, out, out_n, names, sizeof(names)) == 0);
  CHECK(camf_cmd_flush(&dec) == CAMF_CMD_READY);
  CHECK(strcmp(dec.name, "x") == 0);
  CHECK(camf_cmd_flush(&dec) == CAMF_CMD_NONE);
  CHECK(dec.n == 0);

  if (failures == 0) printf("ok %d checks\n", checks);
  return failures == 0 ? 0 : 1;
}
