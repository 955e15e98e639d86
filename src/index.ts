/**
 * cam-gateway as a library. Every name exported here is documented in README's
 * *Library* section (a test keeps the two equal); everything else is internal.
 */

export { Camera } from './camera/camera.js';
export type { CameraHandle, ControlResult, ViewerLease, ViewerMeta, ViewerPacing } from './camera/handle.js';
export type { CameraStatus, ClientStatus } from './camera/status.js';
export type { CameraOptions, GatewayOptions } from './config.js';
export { ControlError, type ControlErrorKind } from './control/errors.js';
export type { ControlSpec } from './control/schema.js';
export { createGateway, type Gateway, VERSION } from './gateway.js';
export { type AppOptions, createApp, type GatewayApp } from './http/app.js';
export { listen, type RunningServer } from './http/server.js';
export { createLogger, type Logger, type LogLevel } from './log.js';
export { ConfigError } from './options.js';
export { CamfCommandDecoder } from './protocol/camf/decoder.js';
export { CamfEncoder } from './protocol/camf/frame.js';
export { createDecoder } from './protocol/detect.js';
export { jpegSize } from './protocol/jpeg/info.js';
export { PROTOCOL_NAMES, type ProtocolName, type ProtocolOption } from './protocol/registry.js';
export type { Decoder, DecoderStats, DeviceEvent } from './protocol/types.js';
export type { RecordingOptions, RecordingStatus } from './sinks/recording/service.js';
export { listPorts, type PortInfo } from './source/discover.js';
export { ReplaySource } from './source/replay.js';
export { SerialSource } from './source/serial.js';
export type { ByteSource, SourceSink } from './source/types.js';
export { type NodeStreamOptions, streamMjpegToNode } from './stream/node-writer.js';
export { nowSeconds, RingBuffer, type RingbufferEntry } from './stream/ring-buffer.js';
export { type MjpegResponseOptions, mjpegResponse } from './stream/web-writer.js';
