/**
 * The firmware compiles warning-free where it has to run: host gcc (C99, -Werror -pedantic, every
 * CRC implementation), AVR (ATmega328P) and the ESP32-CAM sketch against the stub headers.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWithTools } from '../helpers/tools.js';
import { FIRMWARE_DIR, run, tempDir, WARNINGS } from './c-build.js';

describeWithTools(['gcc'], 'camf library, host gcc', () => {
  it.each([0, 1, 2])(
    'CRC implementation %i builds with -std=c99 -Werror -pedantic and passes the C selftest',
    async (impl) => {
      const out = join(tempDir('camf-selftest'), 'selftest');
      const build = await run('gcc', [
        '-std=c99',
        '-O2',
        ...WARNINGS,
        '-Wconversion',
        '-Wshadow',
        `-DCAMF_CRC_IMPL=${impl}`,
        '-o',
        out,
        'test/camf_selftest.c',
        'camf/camf.c',
      ]);
      expect(build.stderr).toBe('');
      expect(build.code).toBe(0);
      const r = await run(out, []);
      expect(r.stdout.toString()).toMatch(/^ok \d+ checks\n$/);
      expect(r.code).toBe(0);
    },
  );

  it('camf_tool builds warning-free', async () => {
    const r = await run('gcc', [
      '-std=c99',
      ...WARNINGS,
      '-o',
      join(tempDir('camf-tool'), 'camf_tool'),
      'test/camf_tool.c',
      'camf/camf.c',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describeWithTools(['avr-gcc', 'avr-size'], 'camf library, avr-gcc -mmcu=atmega328p', () => {
  it('builds warning-free and fits an Uno (32 KiB flash, 2 KiB RAM) with room to spare', async () => {
    const elf = join(tempDir('camf-avr'), 'avr_main.elf');
    const build = await run('avr-gcc', [
      '-mmcu=atmega328p',
      '-Os',
      '-std=c99',
      ...WARNINGS,
      '-o',
      elf,
      'test/avr_main.c',
      'camf/camf.c',
    ]);
    expect(build.stderr).toBe('');
    expect(build.code).toBe(0);
    const size = await run('avr-size', [elf]);
    const [text, data, bss] = size.stdout.toString().split('\n')[1]!.trim().split(/\s+/).map(Number) as [
      number,
      number,
      number,
    ];
    console.log(`avr_main (encoder + decoder + UART): flash ${text + data} B, RAM ${data + bss} B`);
    expect(text + data).toBeLessThan(8 * 1024);
    expect(data + bss).toBeLessThan(512);
  });
});

describeWithTools(['g++'], 'ESP32-CAM sketch', () => {
  it.each([2, 3])(
    'compiles (g++ -std=c++17 -fsyntax-only -Werror) against the stub headers, arduino-esp32 core %i.x',
    async (core) => {
      const r = await run('g++', [
        '-std=c++17',
        ...WARNINGS,
        '-fsyntax-only',
        `-DESP_ARDUINO_VERSION_MAJOR=${core}`,
        `-I${join(FIRMWARE_DIR, 'stubs')}`,
        '-x',
        'c++',
        'esp32-cam/esp32-cam.ino',
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    },
  );
});
