/**
 * Regenerate fixtures/vectors/ (see vectors.ts for what each file holds):
 *   npx tsx test/firmware/make-vectors.ts
 * device-frames.bin comes from the C encoder (camf_tool, built here with gcc); commands.bin from
 * the TS encoder. The .json files list what a receiver must decode.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { camfTool, run } from './c-build.js';
import { commandVectors, deviceEncodeArgs, expectedDeviceEvents, VECTORS_DIR } from './vectors.js';

async function main(): Promise<void> {
  mkdirSync(VECTORS_DIR, { recursive: true });
  const tool = await camfTool();
  const device = await run(tool, deviceEncodeArgs());
  if (device.code !== 0) throw new Error(`camf_tool encode failed: ${device.stderr}`);
  writeFileSync(join(VECTORS_DIR, 'device-frames.bin'), device.stdout);
  writeFileSync(
    join(VECTORS_DIR, 'device-frames.json'),
    `${JSON.stringify({ madeBy: `camf_tool ${deviceEncodeArgs().join(' ')}`, events: expectedDeviceEvents() }, null, 2)}\n`,
  );
  const commands = commandVectors();
  writeFileSync(join(VECTORS_DIR, 'commands.bin'), commands.bytes);
  writeFileSync(
    join(VECTORS_DIR, 'commands.json'),
    `${JSON.stringify({ madeBy: 'test/firmware/vectors.ts commandVectors() (TS encoder)', commands: commands.expected }, null, 2)}\n`,
  );
  console.log(
    `wrote ${VECTORS_DIR}: device-frames.bin ${device.stdout.length} B, commands.bin ${commands.bytes.length} B`,
  );
}

await main();
