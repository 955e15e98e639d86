/**
 * Deterministic building blocks shared by the fixture scripts and the decoder
 * tests: a seeded PRNG and the text an ESP32 prints before any application runs.
 */

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1), the same on every run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The ESP32 ROM boot log lines, as printed on UART0 at 115200 baud after a power-on reset. */
export const ESP32_ROM_LOG_LINES: readonly string[] = [
  'ets Jun  8 2016 00:22:57',
  '',
  'rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)',
  'configsip: 0, SPIWP:0xee',
  'clk_drv:0x00,q_drv:0x00,d_drv:0x00,cs0_drv:0x00,hd_drv:0x00,wp_drv:0x00',
  'mode:DIO, clock div:1',
  'load:0x3fff0030,len:1344',
  'load:0x40078000,len:13964',
  'load:0x40080400,len:3600',
  'entry 0x400805f0',
];

/** The ROM boot log as one CRLF-terminated block of text. */
export const ESP32_BOOT_LOG: string = [...ESP32_ROM_LOG_LINES, ''].join('\r\n');
