/*
 * avr_main.c — a minimal ATmega328P device using the camf encoder and command decoder,
 * built only to measure realistic flash/RAM with avr-size (see firmware/README.md).
 * UART at 115200 baud (16 MHz, U2X), answers each command with a type 04 reply and
 * sends a fake 1-byte-pattern "frame" on snapshot to exercise camf_begin/write/end.
 */
#include <avr/io.h>
#include <stdint.h>
#include <string.h>

#include "../camf/camf.h"

static void uart_write(const uint8_t *data, size_t n) {
  while (n--) {
    while (!(UCSR0A & (1 << UDRE0))) {
    }
    UDR0 = *data++;
  }
}

static uint8_t cmd_buf[96];

int main(void) {
  camf_cmd_dec_t dec;
  camf_enc_t enc;
  uint32_t seq = 0;
  uint64_t t = 0;
  UCSR0A = (1 << U2X0);
  UBRR0 = 16; /* 115200 baud at 16 MHz with U2X */
  UCSR0B = (1 << RXEN0) | (1 << TXEN0);
  UCSR0C = (1 << UCSZ01) | (1 << UCSZ00);
  camf_cmd_init(&dec, cmd_buf, sizeof(cmd_buf));
  camf_send_text(CAMF_TYPE_INFO, seq++, t, "{\"model\":\"avr\",\"firmware\":\"1.0.0\"}", uart_write);
  for (;;) {
    int r;
    if (!(UCSR0A & (1 << RXC0))) continue;
    for (r = camf_cmd_feed(&dec, UDR0); r != CAMF_CMD_NONE; r = camf_cmd_poll(&dec)) {
      t += 1000;
      if (r != CAMF_CMD_READY) {
        camf_send_text(CAMF_TYPE_REPLY, seq++, t, "error malformed command", uart_write);
      } else if (strcmp(dec.name, "snapshot") == 0) {
        uint8_t row[16];
        uint8_t i;
        camf_send_text(CAMF_TYPE_REPLY, seq++, t, "ok snapshot", uart_write);
        camf_begin(&enc, CAMF_TYPE_JPEG, seq++, t, 4 + 16 * 8, uart_write);
        row[0] = 0xFF;
        row[1] = 0xD8;
        camf_write(&enc, row, 2);
        memset(row, 0x55, sizeof(row));
        for (i = 0; i < 8; i++) camf_write(&enc, row, sizeof(row));
        row[0] = 0xFF;
        row[1] = 0xD9;
        camf_write(&enc, row, 2);
        camf_end(&enc);
      } else {
        camf_send_text(CAMF_TYPE_REPLY, seq++, t, "ok", uart_write);
      }
    }
  }
}
