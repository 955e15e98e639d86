/** What `/status` says about a camera and each of its viewers. */
import type { ControlSpec } from '../control/schema.js';
import type { ProtocolName, ProtocolOption } from '../protocol/registry.js';
import type { DecoderStats } from '../protocol/types.js';

/** One connected viewer as shown in `/status`. */
export interface ClientStatus {
  id: number;
  kind: 'stream' | 'snapshot';
  /** Remote address:port, when known. */
  remote?: string;
  /** `?fps=` cap asked for, if any. */
  fpsCap?: number;
  /** When the client connected (epoch seconds). */
  since: number;
  /** Frames handed to the client's connection (the kernel). */
  frames: number;
  bytes: number;
  /** Frames per second actually sent to this client, over the last few seconds. */
  fps: number;
  /** Stream clients paced by TCP_INFO (Linux): frames the client has read, as far as TCP tells. */
  consumed?: number;
  /** …the age of the frame it read last, when it read it (seconds since the camera delivered it). */
  age?: number;
  /** …`fast` (frames go out as its socket takes them), `paced` (sent a frame when it asks for one) or `ahead` (a reader at about the camera's rate, sent the next frame as soon as it read the last). */
  pacing?: 'fast' | 'paced' | 'ahead';
  /** The rate this client is held to now, frames per second: its `?fps=` cap, or what it reads while paced. */
  cap?: number;
}

/** A camera in `/status`: the decoder's counters since the camera started, and the rest. */
export interface CameraStatus extends Omit<DecoderStats, 'bytesIn'> {
  name: string;
  /** Serial device path, `demo`, or `replay:<file>`. */
  port: string;
  /** What was asked for (`auto` or a concrete protocol). */
  protocol: ProtocolOption;
  /** What the bytes turned out to be; null until auto-detection decides. */
  detectedProtocol: ProtocolName | null;
  /**
   * Times auto-detection replaced a guess without framing (bare JPEG, ArduCAM text) by a framed
   * protocol whose frame showed up later (CAMF, Arducam Mega, OpenIris); 0 when it never had to.
   */
  protocolSwitches: number;
  /** The device variant whose commands are used (`ov5642`), null when the protocol has no controls. */
  sensor: string | null;
  online: boolean;
  /** Last error from the source (e.g. "port busy"), null when healthy. */
  lastError: string | null;
  fps: { received: number; served: number };
  /** Received payload rate in kB/s (1 kB = 1000 bytes), over the last few seconds. */
  kBps: number;
  /** Bytes read from the device. */
  bytes: number;
  clients: ClientStatus[];
  lastFrame: { index: number; bytes: number; timestamp: number; width?: number; height?: number } | null;
  /** Device info (CAMF type 03 JSON, Mega camera info), null until the device sent one. */
  info: Record<string, unknown> | null;
  /** The last device log lines, oldest first. */
  logs: string[];
  /** The controls this camera honours (empty: none), with current values when known. */
  controls: ControlSpec[];
  /** Idle saving (`--idle-stop`): null when off. */
  idle: { stopAfterSeconds: number; stopped: boolean } | null;
}
