/** The tool table, its PATH lookup and the notes the summary reporter reads back. */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { missingToolsLine } from '../reporters/summary.js';
import { REPO_ROOT } from './cli.js';
import {
  findOnPath,
  missingMessage,
  packagesFor,
  parseMissingMessage,
  parseSkipNote,
  skipNote,
  TOOL_PACKAGES,
  type Tool,
} from './tools.js';

describe('tool notes', () => {
  it('a skip note names the tools and their Debian packages, and reads back', () => {
    expect(skipNote(['socat'])).toBe('needs socat (Debian package socat)');
    expect(skipNote(['exiftool'], 1)).toBe(
      'needs exiftool (Debian package libimage-exiftool-perl) for 1 test',
    );
    const avr = skipNote(['avr-gcc', 'avr-size'], 2);
    expect(avr).toBe('needs avr-gcc, avr-size (Debian packages gcc-avr, avr-libc, binutils-avr) for 2 tests');
    expect(parseSkipNote(avr)).toEqual({
      tools: ['avr-gcc', 'avr-size'],
      packages: ['gcc-avr', 'avr-libc', 'binutils-avr'],
      tests: 2,
    });
    expect(parseSkipNote(skipNote(['ffmpeg', 'ffprobe']))).toEqual({
      tools: ['ffmpeg', 'ffprobe'],
      packages: ['ffmpeg'],
      tests: 1,
    });
    expect(parseSkipNote('flaky on Tuesdays')).toBeUndefined();
    expect(parseSkipNote(undefined)).toBeUndefined();
  });

  it('the CI failure says "<tool> is missing: apt-get install <packages>", and reads back', () => {
    const message = missingMessage(['gcc', 'avr-gcc']);
    expect(message).toBe(
      'gcc is missing: apt-get install gcc; avr-gcc is missing: apt-get install gcc-avr avr-libc',
    );
    expect(parseMissingMessage(message)).toEqual([
      { tool: 'gcc', packages: ['gcc'] },
      { tool: 'avr-gcc', packages: ['gcc-avr', 'avr-libc'] },
    ]);
    expect(parseMissingMessage('expected 1 to be 2')).toEqual([]);
  });

  it('the summary line: most tests first, "needs" for one', () => {
    expect(
      missingToolsLine([
        { tools: ['ffmpeg'], packages: ['ffmpeg'], tests: 4 },
        { tools: ['socat'], packages: ['socat'], tests: 23 },
        { tools: ['gcc', 'socat'], packages: ['gcc', 'socat'], tests: 1 },
      ]),
    ).toBe(
      'skipped for missing tools: 23 tests need socat (apt install socat), 4 need ffmpeg (apt install ffmpeg), 1 needs gcc + socat (apt install gcc socat)',
    );
    expect(missingToolsLine([{ tools: ['exiftool'], packages: ['libimage-exiftool-perl'], tests: 1 }])).toBe(
      'skipped for missing tools: 1 test needs exiftool (apt install libimage-exiftool-perl)',
    );
  });
});

describe('findOnPath', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cam-tools-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds executable files only, in PATH order, ignoring relative and empty entries', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((d) => join(dir, d)) as [string, string, string];
    for (const d of [a, b, c]) mkdirSync(d);
    writeFileSync(join(a, 'tool'), 'not executable');
    writeFileSync(join(b, 'tool'), '#!/bin/sh\n');
    chmodSync(join(b, 'tool'), 0o755);
    mkdirSync(join(c, 'dir-tool'));
    const path = ['', 'relative', a, b, c].join(delimiter);
    expect(findOnPath('tool', path)).toBe(join(b, 'tool'));
    expect(findOnPath('dir-tool', path)).toBeUndefined();
    expect(findOnPath('tool', a)).toBeUndefined();
    expect(findOnPath('tool', '')).toBeUndefined();
  });
});

describe('.ci/run', () => {
  it('installs the packages of every tool in the table', () => {
    const script = readFileSync(join(REPO_ROOT, '.ci', 'run'), 'utf8');
    for (const tool of Object.keys(TOOL_PACKAGES) as Tool[])
      expect(script, tool).toContain(`\nwant ${tool} ${packagesFor([tool]).join(' ')}\n`);
  });
});
