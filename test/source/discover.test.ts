import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { boardFor, formatPortList, listPorts } from '../../src/source/discover.js';
import type { SerialBinding } from '../../src/source/types.js';

/** A fake /sys + /dev tree: two USB camera bridges, a legacy UART, a virtual tty. */
function buildTree(root: string): { sysRoot: string; devRoot: string } {
  const sysRoot = join(root, 'sys');
  const devRoot = join(root, 'dev');
  const usb = (bus: string, ids: Record<string, string>, tty: string): void => {
    const dev = join(sysRoot, 'devices', 'pci0000:00', 'usb1', bus);
    const ttyDir = join(dev, `${bus}:1.0`, tty);
    mkdirSync(ttyDir, { recursive: true });
    for (const [file, text] of Object.entries(ids)) writeFileSync(join(dev, file), `${text}\n`);
    mkdirSync(join(sysRoot, 'class', 'tty', tty), { recursive: true });
    symlinkSync(ttyDir, join(sysRoot, 'class', 'tty', tty, 'device'));
    writeFileSync(join(devRoot, tty), '');
  };
  mkdirSync(join(devRoot, 'serial', 'by-id'), { recursive: true });
  usb(
    '1-1',
    {
      idVendor: '10c4',
      idProduct: 'ea60',
      manufacturer: 'Silicon Labs',
      product: 'CP2102 USB to UART Bridge Controller',
      serial: '0001',
    },
    'ttyUSB0',
  );
  usb('1-2', { idVendor: '303A', idProduct: '1001', manufacturer: 'Espressif', serial: 'F4:12' }, 'ttyACM0');
  // A legacy 8250 UART with nothing behind it, and a virtual console without a device.
  const uart = join(sysRoot, 'devices', 'platform', 'serial8250', 'tty', 'ttyS0');
  mkdirSync(uart, { recursive: true });
  mkdirSync(join(sysRoot, 'class', 'tty', 'ttyS0'), { recursive: true });
  symlinkSync(uart, join(sysRoot, 'class', 'tty', 'ttyS0', 'device'));
  writeFileSync(join(sysRoot, 'class', 'tty', 'ttyS0', 'type'), '0\n');
  // A real on-board UART (16550A, serial core type 4).
  const real = join(sysRoot, 'devices', 'platform', 'serial8250', 'tty', 'ttyS1');
  mkdirSync(real, { recursive: true });
  mkdirSync(join(sysRoot, 'class', 'tty', 'ttyS1'), { recursive: true });
  symlinkSync(real, join(sysRoot, 'class', 'tty', 'ttyS1', 'device'));
  writeFileSync(join(sysRoot, 'class', 'tty', 'ttyS1', 'type'), '4\n');
  mkdirSync(join(sysRoot, 'class', 'tty', 'tty0'), { recursive: true });
  symlinkSync('../../ttyUSB0', join(devRoot, 'serial', 'by-id', 'usb-Silicon_Labs_CP2102_0001-if00-port0'));
  return { sysRoot, devRoot };
}

const failingBinding = {
  list: () => Promise.reject(new Error('spawn udevadm ENOENT')),
} as unknown as SerialBinding;

describe('listPorts', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'discover-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reads USB ids, names and by-id links from sysfs when the binding cannot list (no udevadm); skips empty ttyS slots', async () => {
    const { sysRoot, devRoot } = buildTree(root);
    const ports = await listPorts({ sysRoot, devRoot, binding: failingBinding });
    expect(ports.map((p) => p.path)).toEqual([
      join(devRoot, 'ttyACM0'),
      join(devRoot, 'ttyS1'),
      join(devRoot, 'ttyUSB0'),
    ]);
    expect(ports[1]!.board).toBeUndefined();
    const cp2102 = ports.find((p) => p.path.endsWith('ttyUSB0'))!;
    expect(cp2102).toMatchObject({
      vendorId: '10c4',
      productId: 'ea60',
      manufacturer: 'Silicon Labs',
      product: 'CP2102 USB to UART Bridge Controller',
      serialNumber: '0001',
      byId: join(devRoot, 'serial', 'by-id', 'usb-Silicon_Labs_CP2102_0001-if00-port0'),
    });
    expect(cp2102.board).toMatch(/ESP32-CAM-MB/);
    const s3 = ports.find((p) => p.path.endsWith('ttyACM0'))!;
    expect(s3.vendorId).toBe('303a');
    expect(s3.board).toMatch(/ESP32-S3/);
  });

  it('merges what the binding lists, without duplicates, and drops bare ttyS ports', async () => {
    const { sysRoot, devRoot } = buildTree(root);
    const binding = {
      list: async () => [
        { path: join(devRoot, 'ttyUSB0'), manufacturer: 'Silicon Labs', vendorId: '10C4', productId: 'EA60' },
        { path: join(devRoot, 'ttyS0') },
        { path: join(devRoot, 'ttyUSB1'), vendorId: '1a86', productId: '7523' },
      ],
    } as unknown as SerialBinding;
    const ports = await listPorts({ sysRoot, devRoot, binding });
    expect(ports.map((p) => p.path.slice(devRoot.length + 1))).toEqual([
      'ttyACM0',
      'ttyS1',
      'ttyUSB0',
      'ttyUSB1',
    ]);
    expect(ports[3]!.board).toMatch(/CH340/);
  });

  it('returns an empty list for a machine without serial ports', async () => {
    expect(
      await listPorts({ sysRoot: join(root, 'none'), devRoot: join(root, 'none'), binding: null }),
    ).toEqual([]);
    expect(formatPortList([])).toMatch(/no serial ports found/);
  });

  it('knows the usual camera bridges', () => {
    expect(boardFor('10c4', 'ea60')).toBeDefined();
    expect(boardFor('1A86', '55D4')).toMatch(/CH9102/);
    expect(boardFor('0403', '6001')).toMatch(/FTDI/);
    expect(boardFor('0403', '6015')).toMatch(/FTDI/);
    expect(boardFor('1234', '5678')).toBeUndefined();
    expect(boardFor(undefined, 'ea60')).toBeUndefined();
  });

  it('formats one line per port with VID:PID, board and by-id name', async () => {
    const { sysRoot, devRoot } = buildTree(root);
    const text = formatPortList(await listPorts({ sysRoot, devRoot, binding: null }));
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain('ttyUSB0 10c4:ea60');
    expect(lines[2]).toContain('likely CP210x');
    expect(lines[2]).toContain('usb-Silicon_Labs_CP2102_0001-if00-port0');
  });
});
