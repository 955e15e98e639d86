/**
 * A byte source fed by hand: what a serial port would deliver, into a real
 * gateway's real camera (decoder, counters, ring). Tests and the benchmarks'
 * server child use it.
 */
import { type ByteSource, SourceError, type SourceSink } from '../../src/source/types.js';

export class PushSource implements ByteSource {
  online = false;
  readonly lastError = null;
  #sink: SourceSink | undefined;

  /** @param label what `/status` shows as the camera's port */
  constructor(readonly label = 'test') {}

  async start(sink: SourceSink): Promise<void> {
    this.#sink = sink;
    this.online = true;
    sink.online();
  }

  async stop(): Promise<void> {
    if (!this.online) return;
    this.online = false;
    this.#sink?.offline(null);
  }

  async write(): Promise<void> {
    throw new SourceError(`the ${this.label} source is read-only`, 'READONLY');
  }

  /** Deliver bytes as if read from the port. */
  push(bytes: Buffer): void {
    this.#sink?.data(bytes);
  }
}
