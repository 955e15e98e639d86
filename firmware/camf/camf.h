/*
 * camf — CAMF v1 framing for microcontrollers (portable C99, no malloc, no stdio).
 *
 * Device -> host: a streaming encoder. camf_begin() writes the 28-byte header,
 * camf_write() passes payload pieces straight through to the write function while
 * the CRC-32 is computed on the fly, camf_end() writes the payload CRC. A camera
 * frame buffer is therefore sent as-is, with no copy.
 *
 * Host -> device: a command decoder fed one byte at a time with a caller-owned,
 * bounded buffer. It follows the receiver rules of the spec: junk is skipped, a
 * bad header or payload CRC discards that frame and the search restarts at the
 * byte after its first byte, oversize lengths are rejected.
 *
 * CRC implementation (compile-time, -DCAMF_CRC_IMPL=n):
 *   0  bitwise, no table (default on AVR: ~0 bytes of tables)
 *   1  16-entry nibble table (64 bytes of const data)
 *   2  256-entry table (1 KiB of const data; default elsewhere)
 */
#ifndef CAMF_H
#define CAMF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CAMF_VERSION 1u
#define CAMF_HEADER_SIZE 28u
#define CAMF_TRAILER_SIZE 4u
/** Bytes a frame adds around its payload (header + payload CRC). */
#define CAMF_OVERHEAD (CAMF_HEADER_SIZE + CAMF_TRAILER_SIZE)

/* Frame types. */
#define CAMF_TYPE_JPEG 0x01u
#define CAMF_TYPE_LOG 0x02u
#define CAMF_TYPE_INFO 0x03u
#define CAMF_TYPE_REPLY 0x04u
#define CAMF_TYPE_COMMAND 0x10u

#ifndef CAMF_CRC_IMPL
#if defined(__AVR__)
#define CAMF_CRC_IMPL 0
#else
#define CAMF_CRC_IMPL 2
#endif
#endif

/** Where encoded bytes go (e.g. a wrapper around Serial.write). Must write all n bytes. */
typedef void (*camf_write_fn)(const uint8_t *data, size_t n);

/* ---- CRC-32 (IEEE 802.3 / zlib) ---- */

/** Continue a CRC-32: start with crc = 0; camf_crc32(0, "123456789", 9) == 0xCBF43926. */
uint32_t camf_crc32(uint32_t crc, const uint8_t *data, size_t n);

/* ---- Encoder ---- */

typedef struct {
  camf_write_fn write;
  uint32_t crc;       /* running payload CRC, pre-inverted */
  uint32_t remaining; /* payload bytes still expected */
  uint8_t open;       /* 1 between camf_begin and camf_end */
} camf_enc_t;

/** Fill `out` with a CAMF header for a payload of `length` bytes (no I/O). */
void camf_header(uint8_t out[CAMF_HEADER_SIZE], uint8_t type, uint32_t seq, uint64_t timestamp_us,
                 uint32_t length);

/** Start a frame: writes the header. Returns 0, or -1 if a frame is already open or write_fn is NULL. */
int camf_begin(camf_enc_t *ctx, uint8_t type, uint32_t seq, uint64_t timestamp_us, uint32_t length,
               camf_write_fn write_fn);

/** Write payload bytes (any number of pieces). Returns 0, or -1 (nothing written) if they exceed the declared length. */
int camf_write(camf_enc_t *ctx, const uint8_t *data, size_t n);

/** Finish: writes the payload CRC. Returns 0, or -1 (no CRC written) if fewer bytes than declared were written. */
int camf_end(camf_enc_t *ctx);

/** One-call frame for a payload already in memory. Returns 0 or -1. */
int camf_send(uint8_t type, uint32_t seq, uint64_t timestamp_us, const uint8_t *payload, uint32_t length,
              camf_write_fn write_fn);

/** One-call frame for a NUL-terminated text (log line, reply, info JSON). Returns 0 or -1. */
int camf_send_text(uint8_t type, uint32_t seq, uint64_t timestamp_us, const char *text, camf_write_fn write_fn);

/* ---- Command decoder (host -> device, type 0x10) ---- */

/** camf_cmd_feed()/camf_cmd_poll() results. */
#define CAMF_CMD_NONE 0      /* nothing complete yet */
#define CAMF_CMD_READY 1     /* dec->name (and dec->value, maybe NULL) hold a command */
#define CAMF_CMD_MALFORMED 2 /* a valid type 0x10 frame whose payload is not `name` or `name=value` */

typedef struct {
  uint32_t bytes_in;      /* bytes fed */
  uint32_t bytes_skipped; /* bytes thrown away while searching for a frame */
  uint32_t crc_errors;    /* header or payload CRC failures */
  uint32_t oversized;     /* headers whose length exceeds the buffer */
  uint32_t frames;        /* valid frames of any type */
  uint32_t commands;      /* CAMF_CMD_READY results */
  uint32_t malformed;     /* CAMF_CMD_MALFORMED results */
} camf_cmd_stats_t;

typedef struct {
  uint8_t *buf;     /* caller-owned: the candidate frame being received (header + payload + CRC) */
  uint16_t cap;     /* buffer size; longest command payload = cap - CAMF_OVERHEAD */
  uint16_t n;       /* bytes held in buf */
  uint16_t consume; /* bytes of a returned frame to drop on the next call */
  uint8_t header_ok; /* header of the candidate at buf[0] verified */
  /* The last command: point into buf, valid until the next feed/poll/flush call. */
  const char *name;
  const char *value; /* NULL for `name` without `=` */
  uint32_t seq;      /* seq field of the last command frame */
  camf_cmd_stats_t stats;
} camf_cmd_dec_t;

/** Prepare a decoder over `buf` of `cap` bytes (at least CAMF_OVERHEAD + 1; 96 allows 64-byte commands). Returns 0 or -1. */
int camf_cmd_init(camf_cmd_dec_t *dec, uint8_t *buf, uint16_t cap);

/** Feed one byte. Returns CAMF_CMD_READY when a complete valid command is ready (see dec->name/value). */
int camf_cmd_feed(camf_cmd_dec_t *dec, uint8_t byte);

/** After a READY/MALFORMED result, call until CAMF_CMD_NONE: bytes already held may complete more commands. */
int camf_cmd_poll(camf_cmd_dec_t *dec);

/**
 * The line went quiet (e.g. no byte for 100 ms): give up on a partial frame, as if it had failed its CRC,
 * and rescan from the byte after its start. Returns like camf_cmd_poll().
 */
int camf_cmd_flush(camf_cmd_dec_t *dec);

#ifdef __cplusplus
}
#endif

#endif /* CAMF_H */
