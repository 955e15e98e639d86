/**
 * Which serial ports exist and what is plugged into them. `SerialPort.list()`
 * needs udev on Linux, which is often absent (containers, minimal images), so
 * the list is always merged with what sysfs and `/dev/serial/by-id` say.
 */
import { readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { SerialBinding } from './types.js';

export interface PortInfo {
  /** Device path, e.g. `/dev/ttyUSB0`. */
  path: string;
  /** Stable name under `/dev/serial/by-id/`, when there is one. */
  byId?: string;
  /** USB vendor id, 4 lowercase hex digits. */
  vendorId?: string;
  /** USB product id, 4 lowercase hex digits. */
  productId?: string;
  manufacturer?: string;
  product?: string;
  serialNumber?: string;
  /** Likely board for a known camera USB bridge. */
  board?: string;
}

export interface ListPortsOptions {
  /** Root of sysfs. Default `/sys`; tests build a fake tree. */
  sysRoot?: string;
  /** Root of device nodes. Default `/dev`. */
  devRoot?: string;
  /** Binding whose `list()` is merged in. Default: `@serialport/bindings-cpp` `autoDetect()`; null to skip. */
  binding?: SerialBinding | null;
}

/** USB bridges that microcontroller cameras ship with, by `vid:pid`. */
export const KNOWN_BRIDGES: Readonly<Record<string, string>> = {
  '10c4:ea60': 'CP210x bridge: ESP32-CAM-MB, ESP32 DevKit, ArduCAM ESP32 UNO',
  '1a86:7523': 'CH340 bridge: ESP32-CAM-MB, Arduino clone + ArduCAM',
  '1a86:55d4': 'CH9102 bridge: ESP32 DevKit / ESP32-CAM-MB',
  '0403:6001': 'FTDI FT232R: ESP32-CAM on an FTDI adapter',
  '0403:6015': 'FTDI FT231X: ESP32-CAM on an FTDI adapter',
  '303a:1001': 'Espressif native USB (ESP32-S3/C3 Serial/JTAG): XIAO ESP32S3 Sense, ESP32-S3-EYE',
  '2341:0043': 'Arduino Uno + ArduCAM shield',
  '2341:0001': 'Arduino Uno + ArduCAM shield',
};

/** Likely board for a USB id pair, if it is a known camera bridge. */
export function boardFor(vendorId?: string, productId?: string): string | undefined {
  if (!vendorId || !productId) return undefined;
  return KNOWN_BRIDGES[`${vendorId.toLowerCase()}:${productId.toLowerCase()}`];
}

function readText(path: string): string | undefined {
  try {
    const text = readFileSync(path, 'utf8').trim();
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
}

function listDir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

/** Walk up from a tty's `device` directory to the USB device that has `idVendor`. */
function usbInfo(deviceDir: string): Partial<PortInfo> {
  let dir = deviceDir;
  for (let i = 0; i < 6 && dir !== dirname(dir); i++, dir = dirname(dir)) {
    const vendorId = readText(join(dir, 'idVendor'));
    if (vendorId) {
      const info: Partial<PortInfo> = { vendorId: vendorId.toLowerCase() };
      const productId = readText(join(dir, 'idProduct'));
      const manufacturer = readText(join(dir, 'manufacturer'));
      const product = readText(join(dir, 'product'));
      const serialNumber = readText(join(dir, 'serial'));
      if (productId) info.productId = productId.toLowerCase();
      if (manufacturer) info.manufacturer = manufacturer;
      if (product) info.product = product;
      if (serialNumber) info.serialNumber = serialNumber;
      return info;
    }
  }
  return {};
}

function fromSysfs(sysRoot: string, devRoot: string): PortInfo[] {
  const ttyDir = join(sysRoot, 'class', 'tty');
  const ports: PortInfo[] = [];
  for (const name of listDir(ttyDir).sort()) {
    let deviceDir: string;
    try {
      deviceDir = realpathSync(join(ttyDir, name, 'device'));
    } catch {
      continue; // virtual tty (console, pty, ptmx): no device behind it
    }
    const usb = usbInfo(deviceDir);
    // Legacy 8250 UARTs (ttyS0..31) are registered whether or not a chip is there; serial core says
    // `type` 0 (PORT_UNKNOWN) for the empty ones. Keep real ones (a Raspberry Pi's GPIO UART).
    if (/^ttyS\d+$/.test(name) && !usb.vendorId && (readText(join(ttyDir, name, 'type')) ?? '0') === '0')
      continue;
    ports.push({ path: join(devRoot, name), ...usb });
  }
  return ports;
}

function byIdLinks(devRoot: string): Map<string, string> {
  const dir = join(devRoot, 'serial', 'by-id');
  const links = new Map<string, string>();
  for (const name of listDir(dir)) {
    try {
      links.set(join(devRoot, basename(realpathSync(join(dir, name)))), join(dir, name));
    } catch {
      // dangling link: the device just went away
    }
  }
  return links;
}

async function fromBinding(binding: SerialBinding | null | undefined): Promise<PortInfo[]> {
  try {
    const b = binding === undefined ? (await import('@serialport/bindings-cpp')).autoDetect() : binding;
    if (!b) return [];
    const listed = await b.list();
    return listed.map((p) => {
      const info: PortInfo = { path: p.path };
      if (p.vendorId) info.vendorId = p.vendorId.toLowerCase();
      if (p.productId) info.productId = p.productId.toLowerCase();
      if (p.manufacturer) info.manufacturer = p.manufacturer;
      if (p.serialNumber) info.serialNumber = p.serialNumber;
      return info;
    });
  } catch {
    return []; // udevadm missing, no permission …: sysfs still answers
  }
}

/** Serial ports present now, with USB details and the likely board when known. Never rejects. */
export async function listPorts(options: ListPortsOptions = {}): Promise<PortInfo[]> {
  const sysRoot = options.sysRoot ?? '/sys';
  const devRoot = options.devRoot ?? '/dev';
  const merged = new Map<string, PortInfo>();
  for (const port of fromSysfs(sysRoot, devRoot)) merged.set(port.path, port);
  for (const port of await fromBinding(options.binding)) {
    const known = merged.get(port.path);
    if (known) {
      merged.set(port.path, { ...port, ...known });
    } else if (!/\/ttyS\d+$/.test(port.path) || port.vendorId) {
      merged.set(port.path, port);
    }
  }
  for (const [path, link] of byIdLinks(devRoot)) {
    const known = merged.get(path) ?? { path };
    merged.set(path, { ...known, byId: link });
  }
  return [...merged.values()]
    .map((p) => {
      const board = boardFor(p.vendorId, p.productId);
      return board ? { ...p, board } : p;
    })
    .sort((a, b) => a.path.localeCompare(b.path));
}

/** One line per port for `--list` and error messages. */
export function formatPortList(ports: readonly PortInfo[]): string {
  if (ports.length === 0) return '  (no serial ports found: is the camera plugged in? try another USB cable)';
  return ports
    .map((p) => {
      const ids = p.vendorId && p.productId ? ` ${p.vendorId}:${p.productId}` : '';
      const what = [p.manufacturer, p.product].filter(Boolean).join(' ');
      const parts = [`  ${p.path}${ids}`];
      if (what) parts.push(what);
      if (p.board) parts.push(`likely ${p.board}`);
      if (p.byId) parts.push(p.byId);
      return parts.join('  ');
    })
    .join('\n');
}

/**
 * Who holds a device open, as `pid 1234 screen`, by scanning `/proc/<pid>/fd`
 * links (Linux only; undefined when unknown or not permitted).
 */
export function describePortHolder(path: string, procRoot = '/proc'): string | undefined {
  let target: string;
  try {
    target = realpathSync(path);
    if (!statSync(target).isCharacterDevice()) return undefined;
  } catch {
    return undefined;
  }
  const holders: string[] = [];
  for (const pid of listDir(procRoot)) {
    if (!/^\d+$/.test(pid)) continue;
    const fdDir = join(procRoot, pid, 'fd');
    for (const fd of listDir(fdDir)) {
      let link: string;
      try {
        link = readlinkSync(join(fdDir, fd));
      } catch {
        continue;
      }
      if (link === target) {
        const comm = readText(join(procRoot, pid, 'comm'));
        const self = Number(pid) === process.pid ? ', this gateway' : '';
        holders.push(`pid ${pid}${comm ? ` ${comm}` : ''}${self}`);
        break;
      }
    }
  }
  return holders.length > 0 ? holders.join(', ') : undefined;
}
