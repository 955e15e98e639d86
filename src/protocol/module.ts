/**
 * What one protocol folder (`src/protocol/<name>/index.ts`) hands the registry:
 * its decoder, its auto-detect signature, its command sets (control vocabulary
 * with value ranges and the encoder, per sensor variant) and, for devices that
 * need to be driven (the ArduCAM sketches wait for a start byte), a driver.
 * Everything about a protocol lives in its folder; the registry lists the folders.
 */
import type { ControlDef } from '../control/schema.js';
import type { Decoder, DecoderOptions, DeviceEvent } from './types.js';

/** Is there a frame start at this position? `need`: not enough bytes yet to tell. */
export type Verdict = 'yes' | 'no' | 'need';

/** A signature's answer: about itself, or that the bytes are another protocol's (`{ protocol }`). */
export type Detection = Verdict | { readonly protocol: string };

/** A detection window as a signature sees it. */
export interface ScanWindow {
  readonly buf: Buffer;
  /** Bytes of `buf` that are valid. */
  readonly len: number;
  readonly maxFrameBytes: number;
  /** No more bytes will come (the stream ended): `need` is not an answer any more. */
  readonly final: boolean;
  /**
   * Whether a container protocol's header starts at `j` (its `follows` evidence, or its full
   * signature): what the bare-JPEG signature asks about the bytes right after a whole JPEG,
   * which then was that container's payload.
   */
  containerAt(j: number): 'no' | 'need' | { readonly protocol: string };
}

/** How `--protocol auto` recognises a protocol's frames in a byte stream. */
export interface Signature {
  /** The first byte(s) a frame can start with: the scan only asks `at()` where one of these stands. */
  readonly firstBytes: readonly number[];
  /**
   * Does a validated frame start at `i`? Framed protocols check enough of their header
   * (magic, CRC, a JPEG SOI where the payload starts) that junk cannot pass.
   */
  at(w: ScanWindow, i: number): Detection;
  /**
   * Weaker evidence, asked only right after a whole JPEG (whose container header may be
   * damaged): does this protocol's header seem to start at `i`? (CAMF: magic + version.)
   */
  follows?(w: ScanWindow, i: number): Verdict;
  /** The window's bytes moved (the oldest were dropped): forget positions kept between calls. */
  reset?(): void;
  /**
   * Framed: a frame of this protocol carries its own length and check, so finding one is proof.
   * Auto-detection that settled on a weaker guess (bare JPEG, ArduCAM text) keeps watching for
   * such a signature and switches to its protocol when one shows up (`framed-watch.ts`).
   */
  readonly framed: boolean;
  /**
   * The byte sequences every frame starts with (CAMF: `43 41 4D 46`), for the watch that runs
   * behind a weaker guess: it jumps between them with `indexOf` instead of asking `at()` at every
   * byte. Absent: each of `firstBytes` alone.
   */
  readonly prefixes?: readonly Uint8Array[];
}

/** A command ready for the port. */
export interface PreparedCommand {
  /** Bytes to write to the port. */
  readonly bytes: Uint8Array;
  /** What was sent, for the reply of devices that do not answer (`sent 0x20`). */
  readonly sent: string;
}

/** One device variant's controls: what it honours, how a request becomes bytes, how it answers. */
export interface CommandSet {
  /** The controls this variant honours, in display order. */
  readonly controls: readonly ControlDef[];
  /** Encode a validated request (`canonical` from `parseControlValue`). */
  encode(name: string, canonical: string | undefined): PreparedCommand;
  /** The reply text if `event` answers the command in flight, else undefined. */
  match(event: DeviceEvent): string | undefined;
  /** Whether a reply means success (CAMF: it starts with `ok`). */
  isOk(reply: string): boolean;
  /** Current control values in a device info object, by control name (default: its keys as they are). */
  infoValues?(info: Record<string, unknown>): Record<string, unknown>;
  /**
   * Devices that do not always answer (ArduCAM sketches): silence within the timeout means
   * the request went out (`sent …`). False: silence is a timeout.
   */
  readonly silenceIsOk: boolean;
}

/** A protocol's command sets, one per sensor variant. */
export interface ProtocolControls {
  /** Variant names (`ov2640`, `ov5642`); the first is assumed until the device says otherwise. */
  readonly variants: readonly string[];
  commandSet(variant: string): CommandSet;
  /** The variant a line of device text announces (`OV5642 detected.`), if any. */
  variantFromText?(text: string): string | undefined;
}

/** What a camera lets a protocol driver do. */
export interface DriverContext {
  /** Send a control request through the camera's normal control path. */
  request(name: string, value?: string): Promise<unknown>;
  /** Frames decoded so far. */
  frames(): number;
  /** The port is open. */
  online(): boolean;
  /** The device was told to stop streaming for lack of viewers (`--idle-stop`). */
  idleStopped(): boolean;
  info(message: string): void;
  warn(message: string): void;
}

/** Protocol-specific device handling beyond decoding (timers allowed: this is not a decoder). */
export interface DeviceDriver {
  /** The port opened (or reopened). */
  online(): void;
  /** The port closed. */
  offline(): void;
  /** Every decoded event. */
  event(event: DeviceEvent): void;
  /** Bytes to send before the port closes at shutdown (ArduCAM: stop streaming), if any. */
  farewell(): Uint8Array | undefined;
  /** Forget timers. */
  close(): void;
}

/** One protocol, as its folder's index.ts describes it. */
export interface ProtocolModule<Name extends string = string> {
  readonly name: Name;
  /** Human name for help and docs (`ArduCAM Mini`). */
  readonly title: string;
  createDecoder(options?: DecoderOptions): Decoder;
  /** A fresh signature per detection (it may keep state between pushes); absent: never auto-detected. */
  readonly signature?: () => Signature;
  /** Absent: the protocol has no command channel. */
  readonly controls?: ProtocolControls;
  createDriver?(context: DriverContext): DeviceDriver;
}
