/*
 * camf.c — CAMF v1 encoder and command decoder. See camf.h.
 * Portable C99: no malloc, no stdio; only <string.h> for memcpy/memmove/memcmp.
 */
#include "camf.h"

#include <string.h>

/* ---- CRC-32 ---- */

#if CAMF_CRC_IMPL == 2
static const uint32_t camf_crc_table[256] = {
    0x00000000UL, 0x77073096UL, 0xee0e612cUL, 0x990951baUL, 0x076dc419UL, 0x706af48fUL,
    0xe963a535UL, 0x9e6495a3UL, 0x0edb8832UL, 0x79dcb8a4UL, 0xe0d5e91eUL, 0x97d2d988UL,
    0x09b64c2bUL, 0x7eb17cbdUL, 0xe7b82d07UL, 0x90bf1d91UL, 0x1db71064UL, 0x6ab020f2UL,
    0xf3b97148UL, 0x84be41deUL, 0x1adad47dUL, 0x6ddde4ebUL, 0xf4d4b551UL, 0x83d385c7UL,
    0x136c9856UL, 0x646ba8c0UL, 0xfd62f97aUL, 0x8a65c9ecUL, 0x14015c4fUL, 0x63066cd9UL,
    0xfa0f3d63UL, 0x8d080df5UL, 0x3b6e20c8UL, 0x4c69105eUL, 0xd56041e4UL, 0xa2677172UL,
    0x3c03e4d1UL, 0x4b04d447UL, 0xd20d85fdUL, 0xa50ab56bUL, 0x35b5a8faUL, 0x42b2986cUL,
    0xdbbbc9d6UL, 0xacbcf940UL, 0x32d86ce3UL, 0x45df5c75UL, 0xdcd60dcfUL, 0xabd13d59UL,
    0x26d930acUL, 0x51de003aUL, 0xc8d75180UL, 0xbfd06116UL, 0x21b4f4b5UL, 0x56b3c423UL,
    0xcfba9599UL, 0xb8bda50fUL, 0x2802b89eUL, 0x5f058808UL, 0xc60cd9b2UL, 0xb10be924UL,
    0x2f6f7c87UL, 0x58684c11UL, 0xc1611dabUL, 0xb6662d3dUL, 0x76dc4190UL, 0x01db7106UL,
    0x98d220bcUL, 0xefd5102aUL, 0x71b18589UL, 0x06b6b51fUL, 0x9fbfe4a5UL, 0xe8b8d433UL,
    0x7807c9a2UL, 0x0f00f934UL, 0x9609a88eUL, 0xe10e9818UL, 0x7f6a0dbbUL, 0x086d3d2dUL,
    0x91646c97UL, 0xe6635c01UL, 0x6b6b51f4UL, 0x1c6c6162UL, 0x856530d8UL, 0xf262004eUL,
    0x6c0695edUL, 0x1b01a57bUL, 0x8208f4c1UL, 0xf50fc457UL, 0x65b0d9c6UL, 0x12b7e950UL,
    0x8bbeb8eaUL, 0xfcb9887cUL, 0x62dd1ddfUL, 0x15da2d49UL, 0x8cd37cf3UL, 0xfbd44c65UL,
    0x4db26158UL, 0x3ab551ceUL, 0xa3bc0074UL, 0xd4bb30e2UL, 0x4adfa541UL, 0x3dd895d7UL,
    0xa4d1c46dUL, 0xd3d6f4fbUL, 0x4369e96aUL, 0x346ed9fcUL, 0xad678846UL, 0xda60b8d0UL,
    0x44042d73UL, 0x33031de5UL, 0xaa0a4c5fUL, 0xdd0d7cc9UL, 0x5005713cUL, 0x270241aaUL,
    0xbe0b1010UL, 0xc90c2086UL, 0x5768b525UL, 0x206f85b3UL, 0xb966d409UL, 0xce61e49fUL,
    0x5edef90eUL, 0x29d9c998UL, 0xb0d09822UL, 0xc7d7a8b4UL, 0x59b33d17UL, 0x2eb40d81UL,
    0xb7bd5c3bUL, 0xc0ba6cadUL, 0xedb88320UL, 0x9abfb3b6UL, 0x03b6e20cUL, 0x74b1d29aUL,
    0xead54739UL, 0x9dd277afUL, 0x04db2615UL, 0x73dc1683UL, 0xe3630b12UL, 0x94643b84UL,
    0x0d6d6a3eUL, 0x7a6a5aa8UL, 0xe40ecf0bUL, 0x9309ff9dUL, 0x0a00ae27UL, 0x7d079eb1UL,
    0xf00f9344UL, 0x8708a3d2UL, 0x1e01f268UL, 0x6906c2feUL, 0xf762575dUL, 0x806567cbUL,
    0x196c3671UL, 0x6e6b06e7UL, 0xfed41b76UL, 0x89d32be0UL, 0x10da7a5aUL, 0x67dd4accUL,
    0xf9b9df6fUL, 0x8ebeeff9UL, 0x17b7be43UL, 0x60b08ed5UL, 0xd6d6a3e8UL, 0xa1d1937eUL,
    0x38d8c2c4UL, 0x4fdff252UL, 0xd1bb67f1UL, 0xa6bc5767UL, 0x3fb506ddUL, 0x48b2364bUL,
    0xd80d2bdaUL, 0xaf0a1b4cUL, 0x36034af6UL, 0x41047a60UL, 0xdf60efc3UL, 0xa867df55UL,
    0x316e8eefUL, 0x4669be79UL, 0xcb61b38cUL, 0xbc66831aUL, 0x256fd2a0UL, 0x5268e236UL,
    0xcc0c7795UL, 0xbb0b4703UL, 0x220216b9UL, 0x5505262fUL, 0xc5ba3bbeUL, 0xb2bd0b28UL,
    0x2bb45a92UL, 0x5cb36a04UL, 0xc2d7ffa7UL, 0xb5d0cf31UL, 0x2cd99e8bUL, 0x5bdeae1dUL,
    0x9b64c2b0UL, 0xec63f226UL, 0x756aa39cUL, 0x026d930aUL, 0x9c0906a9UL, 0xeb0e363fUL,
    0x72076785UL, 0x05005713UL, 0x95bf4a82UL, 0xe2b87a14UL, 0x7bb12baeUL, 0x0cb61b38UL,
    0x92d28e9bUL, 0xe5d5be0dUL, 0x7cdcefb7UL, 0x0bdbdf21UL, 0x86d3d2d4UL, 0xf1d4e242UL,
    0x68ddb3f8UL, 0x1fda836eUL, 0x81be16cdUL, 0xf6b9265bUL, 0x6fb077e1UL, 0x18b74777UL,
    0x88085ae6UL, 0xff0f6a70UL, 0x66063bcaUL, 0x11010b5cUL, 0x8f659effUL, 0xf862ae69UL,
    0x616bffd3UL, 0x166ccf45UL, 0xa00ae278UL, 0xd70dd2eeUL, 0x4e048354UL, 0x3903b3c2UL,
    0xa7672661UL, 0xd06016f7UL, 0x4969474dUL, 0x3e6e77dbUL, 0xaed16a4aUL, 0xd9d65adcUL,
    0x40df0b66UL, 0x37d83bf0UL, 0xa9bcae53UL, 0xdebb9ec5UL, 0x47b2cf7fUL, 0x30b5ffe9UL,
    0xbdbdf21cUL, 0xcabac28aUL, 0x53b39330UL, 0x24b4a3a6UL, 0xbad03605UL, 0xcdd70693UL,
    0x54de5729UL, 0x23d967bfUL, 0xb3667a2eUL, 0xc4614ab8UL, 0x5d681b02UL, 0x2a6f2b94UL,
    0xb40bbe37UL, 0xc30c8ea1UL, 0x5a05df1bUL, 0x2d02ef8dUL,
};

static uint32_t crc_update(uint32_t c, const uint8_t *p, size_t n) {
  while (n--) {
    c = camf_crc_table[(c ^ *p++) & 0xFFu] ^ (c >> 8);
  }
  return c;
}
#elif CAMF_CRC_IMPL == 1
static const uint32_t camf_crc_table16[16] = {
    0x00000000UL, 0x1db71064UL, 0x3b6e20c8UL, 0x26d930acUL, 0x76dc4190UL, 0x6b6b51f4UL,
    0x4db26158UL, 0x5005713cUL, 0xedb88320UL, 0xf00f9344UL, 0xd6d6a3e8UL, 0xcb61b38cUL,
    0x9b64c2b0UL, 0x86d3d2d4UL, 0xa00ae278UL, 0xbdbdf21cUL,
};

static uint32_t crc_update(uint32_t c, const uint8_t *p, size_t n) {
  while (n--) {
    c ^= *p++;
    c = camf_crc_table16[c & 0x0Fu] ^ (c >> 4);
    c = camf_crc_table16[c & 0x0Fu] ^ (c >> 4);
  }
  return c;
}
#elif CAMF_CRC_IMPL == 0
static uint32_t crc_update(uint32_t c, const uint8_t *p, size_t n) {
  uint8_t k;
  while (n--) {
    c ^= *p++;
    for (k = 0; k < 8; k++) {
      c = (c & 1u) ? (c >> 1) ^ 0xEDB88320UL : (c >> 1);
    }
  }
  return c;
}
#else
#error "CAMF_CRC_IMPL must be 0, 1 or 2"
#endif

uint32_t camf_crc32(uint32_t crc, const uint8_t *data, size_t n) {
  return ~crc_update(~crc, data, n);
}

/* ---- little-endian helpers ---- */

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static const uint8_t camf_magic[4] = {0x43u, 0x41u, 0x4Du, 0x46u}; /* "CAMF" */

/* ---- Encoder ---- */

void camf_header(uint8_t out[CAMF_HEADER_SIZE], uint8_t type, uint32_t seq, uint64_t timestamp_us,
                 uint32_t length) {
  memcpy(out, camf_magic, 4);
  out[4] = (uint8_t)CAMF_VERSION;
  out[5] = type;
  out[6] = 0; /* flags */
  out[7] = 0;
  put32(out + 8, seq);
  put32(out + 12, (uint32_t)timestamp_us);
  put32(out + 16, (uint32_t)(timestamp_us >> 32));
  put32(out + 20, length);
  put32(out + 24, camf_crc32(0, out, 24));
}

int camf_begin(camf_enc_t *ctx, uint8_t type, uint32_t seq, uint64_t timestamp_us, uint32_t length,
               camf_write_fn write_fn) {
  uint8_t header[CAMF_HEADER_SIZE];
  if (ctx == NULL || write_fn == NULL) return -1;
  camf_header(header, type, seq, timestamp_us, length);
  ctx->write = write_fn;
  ctx->crc = 0xFFFFFFFFUL;
  ctx->remaining = length;
  ctx->open = 1;
  write_fn(header, CAMF_HEADER_SIZE);
  return 0;
}

int camf_write(camf_enc_t *ctx, const uint8_t *data, size_t n) {
  if (ctx == NULL || !ctx->open || n > ctx->remaining) return -1;
  if (n == 0) return 0;
  ctx->crc = crc_update(ctx->crc, data, n);
  ctx->remaining -= (uint32_t)n;
  ctx->write(data, n);
  return 0;
}

int camf_end(camf_enc_t *ctx) {
  uint8_t trailer[CAMF_TRAILER_SIZE];
  if (ctx == NULL || !ctx->open) return -1;
  ctx->open = 0;
  if (ctx->remaining != 0) return -1;
  put32(trailer, ~ctx->crc);
  ctx->write(trailer, CAMF_TRAILER_SIZE);
  return 0;
}

int camf_send(uint8_t type, uint32_t seq, uint64_t timestamp_us, const uint8_t *payload, uint32_t length,
              camf_write_fn write_fn) {
  camf_enc_t ctx;
  if (camf_begin(&ctx, type, seq, timestamp_us, length, write_fn) != 0) return -1;
  if (camf_write(&ctx, payload, length) != 0) return -1;
  return camf_end(&ctx);
}

int camf_send_text(uint8_t type, uint32_t seq, uint64_t timestamp_us, const char *text, camf_write_fn write_fn) {
  if (text == NULL) return -1;
  return camf_send(type, seq, timestamp_us, (const uint8_t *)text, (uint32_t)strlen(text), write_fn);
}

/* ---- Command decoder ---- */

int camf_cmd_init(camf_cmd_dec_t *dec, uint8_t *buf, uint16_t cap) {
  if (dec == NULL || buf == NULL || cap < CAMF_OVERHEAD + 1u) return -1;
  memset(dec, 0, sizeof(*dec));
  dec->buf = buf;
  dec->cap = cap;
  return 0;
}

/* Forget the first k held bytes (a finished frame, or a failed candidate's first byte). */
static void drop(camf_cmd_dec_t *dec, uint16_t k) {
  if (k >= dec->n) {
    dec->n = 0;
  } else {
    memmove(dec->buf, dec->buf + k, (size_t)(dec->n - k));
    dec->n = (uint16_t)(dec->n - k);
  }
  dec->header_ok = 0;
}

/* The candidate at buf[0] failed: skip its first byte; the rest is searched again. */
static void resync(camf_cmd_dec_t *dec) {
  dec->stats.bytes_skipped++;
  drop(dec, 1);
}

/* Split a verified command payload (buf[HEADER .. HEADER+len)) into name and value. */
static int parse_command(camf_cmd_dec_t *dec, uint32_t len) {
  char *text = (char *)(dec->buf + CAMF_HEADER_SIZE);
  uint32_t i;
  dec->name = NULL;
  dec->value = NULL;
  dec->seq = get32(dec->buf + 8);
  text[len] = '\0'; /* overwrites the (already checked) payload CRC */
  for (i = 0; i < len; i++) {
    uint8_t c = (uint8_t)text[i];
    if (c < 0x20u || c == 0x7Fu) {
      dec->stats.malformed++;
      return CAMF_CMD_MALFORMED;
    }
    if (c == '=' && dec->value == NULL) {
      text[i] = '\0';
      dec->value = text + i + 1;
    }
  }
  if (text[0] == '\0') { /* empty payload or `=value` */
    dec->value = NULL;
    dec->stats.malformed++;
    return CAMF_CMD_MALFORMED;
  }
  dec->name = text;
  dec->stats.commands++;
  return CAMF_CMD_READY;
}

static int step(camf_cmd_dec_t *dec) {
  if (dec->consume != 0) {
    drop(dec, dec->consume);
    dec->consume = 0;
  }
  for (;;) {
    uint16_t n = dec->n;
    uint32_t len;
    uint32_t total;
    if (n == 0) return CAMF_CMD_NONE;
    if (memcmp(dec->buf, camf_magic, n < 4u ? n : 4u) != 0) {
      resync(dec);
      continue;
    }
    if (n < CAMF_HEADER_SIZE) return CAMF_CMD_NONE;
    len = get32(dec->buf + 20);
    if (!dec->header_ok) {
      if (camf_crc32(0, dec->buf, 24) != get32(dec->buf + 24)) {
        dec->stats.crc_errors++;
        resync(dec);
        continue;
      }
      if (dec->buf[4] != CAMF_VERSION) {
        resync(dec);
        continue;
      }
      if (len > (uint32_t)(dec->cap - CAMF_OVERHEAD)) {
        dec->stats.oversized++;
        resync(dec);
        continue;
      }
      dec->header_ok = 1;
    }
    total = CAMF_OVERHEAD + len;
    if (n < total) return CAMF_CMD_NONE;
    if (camf_crc32(0, dec->buf + CAMF_HEADER_SIZE, len) != get32(dec->buf + CAMF_HEADER_SIZE + len)) {
      dec->stats.crc_errors++;
      resync(dec);
      continue;
    }
    dec->stats.frames++;
    if (dec->buf[5] != CAMF_TYPE_COMMAND) { /* not for us: skipped by its length */
      drop(dec, (uint16_t)total);
      continue;
    }
    dec->consume = (uint16_t)total;
    return parse_command(dec, len);
  }
}

int camf_cmd_feed(camf_cmd_dec_t *dec, uint8_t byte) {
  if (dec->consume != 0) {
    drop(dec, dec->consume);
    dec->consume = 0;
  }
  if (dec->n >= dec->cap) resync(dec); /* cannot happen while the invariants hold; stay bounded anyway */
  dec->buf[dec->n++] = byte;
  dec->stats.bytes_in++;
  return step(dec);
}

int camf_cmd_poll(camf_cmd_dec_t *dec) {
  return step(dec);
}

int camf_cmd_flush(camf_cmd_dec_t *dec) {
  int r = step(dec);
  while (r == CAMF_CMD_NONE && dec->n > 0) {
    resync(dec);
    r = step(dec);
  }
  return r;
}
