/**
 * cam-gateway as a library: `createGateway()` for the whole thing, or the parts
 * (decoders, ring buffer, MJPEG response, HTTP app, port discovery, control).
 */

export {
  type CameraConfig,
  type CameraOptions,
  ConfigError,
  DEFAULTS,
  type GatewayOptions,
} from './config.js';
export { ControlSession } from './control/session.js';
export { createGateway, type Gateway, VERSION } from './gateway.js';
export { type AppOptions, createApp, type GatewayApp } from './http/app.js';
export { listen, type RunningServer } from './http/server.js';
export { createLogger, type Logger, type LoggerOptions, type LogLevel } from './log.js';
export * from './protocol/index.js';
export {
  formatPortList,
  KNOWN_BRIDGES,
  type ListPortsOptions,
  listPorts,
  type PortInfo,
} from './source/discover.js';
export { DEMO_FILE, ReplaySource, type ReplaySourceOptions } from './source/replay.js';
export { SerialSource, type SerialSourceOptions } from './source/serial.js';
export { type ByteSource, SourceError, type SourceSink } from './source/types.js';
export { Camera } from './stream/camera.js';
export * from './stream/camera-api.js';
export {
  type LatestFramesOptions,
  latestFrames,
  MJPEG_BOUNDARY,
  MJPEG_CONTENT_TYPE,
  type MjpegItem,
  type MjpegPart,
  type MjpegResponseInit,
  type MjpegSink,
  mjpegResponse,
  mjpegStream,
  pipeMjpeg,
} from './stream/mjpeg.js';
export { type LatestMjpegOptions, type MjpegResponseSink, pipeLatestMjpeg } from './stream/mjpeg-push.js';
export { nowSeconds, RingBuffer, type RingbufferEntry } from './stream/ring-buffer.js';
