import { describe, expect, it } from 'vitest';
import type { TcpView } from '../../src/platform/tcp.js';
import { BACKLOG_PARTS, STUCK_MS } from '../../src/stream/fast-check.js';
import { Freshness, STALE_MS } from '../../src/stream/freshness.js';
import { DRAIN_ACK_MS, LATE_ACK_MS, READ_ACK_MS } from '../../src/stream/tcp-signals.js';

const PART = 12_000;
const WINDOW = 110_592;
const FRAME_MS = 33;

/**
 * What TCP_INFO shows at `now`: everything written acknowledged, the last ACK at `ackAt`, the
 * receiver advertising `window` (WINDOW when its buffer is empty).
 */
function look(now: number, ackAt: number, window = WINDOW): TcpView {
  return {
    acked: 5000,
    sent: 5000,
    window,
    notSent: 0,
    sinceAckMs: now - ackAt,
    minRttMs: 0.02,
    windowUnit: 1024,
  };
}

/** A paced client right after a part written at `at` (its JPEG `ageMs` old then), and its first probe, which does not count. */
function pacedAfterPart(f: Freshness, at: number, ageMs = 5): void {
  expect(f.ready(at, null)).toBe(true);
  f.partWritten(at, PART, at - ageMs);
  expect(f.probeAfterPart).toBe(true);
  f.probeWritten(at, false);
}

/**
 * Answer every probe at once — a reader draining its socket, or a receiver in quickack mode.
 * Returns when the freshness said `taken`, and how many counted probes that took.
 */
function quickUntilTaken(f: Freshness, from: number): { takenAt: number; counted: number } {
  let t = from;
  let probeAt = from - 1; // the probe right after the part, which does not count
  let counted = -1;
  for (;;) {
    const result = f.poll(t, look(t, probeAt + 0.5));
    if (result === 'taken') return { takenAt: t, counted: counted + 1 };
    if (result === 'probe') {
      f.probeWritten(t, true);
      probeAt = t;
      counted++;
    } else expect(result).toBe('wait'); // probes are spread out for a slow reader
    t += 2;
  }
}

/**
 * Answer probes the way a Linux receiver whose reader is busy until `readAt` does: each by the
 * delayed-ACK timer (40 ms), until the reader drains the socket and answers the pending one at
 * once. Returns when the freshness said `taken`, and how many probes went out.
 */
function busyUntil(f: Freshness, from: number, readAt: number): { takenAt: number; probes: number } {
  let t = from + 2;
  let probeAt = from;
  let probes = 0;
  for (;;) {
    const ackAt = Math.min(probeAt + 40, Math.max(readAt, probeAt + 0.2));
    if (t < ackAt) {
      t = ackAt + 2;
      continue;
    }
    const result = f.poll(t, look(t, ackAt));
    if (result === 'taken') return { takenAt: t, probes };
    expect(result).toBe('probe');
    f.probeWritten(t, true);
    probeAt = t;
    probes++;
    t += 2;
  }
}

/**
 * A reader at the camera's rate that reads each part 25 ms after it went out (busy in between: no
 * quick answer), one per frame, until it turns fast (looked at every frame at first). Returns the
 * time then.
 */
function untilNearRateFast(f: Freshness): number {
  let t = 0;
  for (let frames = 0; f.mode === 'paced' && frames < 12; frames++) {
    t = Math.ceil(t / FRAME_MS) * FRAME_MS;
    expect(f.ready(t, null)).toBe(true);
    f.partWritten(t, PART, t - 5, FRAME_MS);
    f.probeWritten(t, false);
    t = busyUntil(f, t, t + 25).takenAt;
  }
  expect(f.mode).toBe('fast');
  return t;
}

/**
 * The reader of `untilNearRateFast`, fast and looked at every frame. Then it falls a frame
 * behind — one part unread, one unsent — and is paced one part ahead. Returns when it took the
 * part it had.
 */
function untilAhead(f: Freshness): number {
  let t = Math.ceil(untilNearRateFast(f) / FRAME_MS) * FRAME_MS;
  expect(f.checkDue).toBe(true);
  expect(f.ready(t, { ...look(t, t - 1, WINDOW - PART), notSent: PART })).toBe(false);
  expect(f.ahead).toBe(true);
  expect(f.mode).toBe('paced');
  expect(f.stats().mode).toBe('ahead');
  expect(f.poll(t + 5, look(t + 5, t + 4))).toBe('taken');
  return t + 5;
}

describe('Freshness (latency-bounded delivery for one client)', () => {
  it('starts paced: the first frame goes at once, the next only once a probe finds the reader waiting', () => {
    const f = new Freshness({ probeBytes: 42 });
    expect(f.mode).toBe('paced');
    pacedAfterPart(f, 0);
    expect(f.waiting).toBe(true);
    expect(f.ready(1, null)).toBe(false);
    expect(f.poll(2, look(2, 1))).toBe('probe'); // the first probe does not count
    f.probeWritten(2, true);
    const { takenAt, probes } = busyUntil(f, 2, 250);
    expect(takenAt).toBeGreaterThanOrEqual(250);
    expect(takenAt).toBeLessThan(256);
    expect(probes).toBeGreaterThan(2);
    expect(f.ready(takenAt, null)).toBe(true);
    const stats = f.stats();
    expect(stats.mode).toBe('paced');
    expect(stats.consumed).toBe(1);
    // A new client waits for its first frame: it was read as soon as it arrived.
    expect(stats.ageMs).toBe(5);
  });

  it('holds each next frame until the reader asks, so it reads frames as old as when they went out, at its own pace', () => {
    const f = new Freshness({ probeBytes: 42 });
    let at = 0;
    for (let frame = 0; frame < 7; frame++) {
      pacedAfterPart(f, at, 10);
      expect(f.poll(at + 2, look(at + 2, at + 1))).toBe('probe');
      f.probeWritten(at + 2, true);
      at = busyUntil(f, at + 2, at + 250).takenAt; // a 4 fps reader
    }
    const stats = f.stats();
    expect(stats.mode).toBe('paced');
    expect(stats.consumed).toBe(7);
    expect(stats.ageMs).toBe(10); // read at once: as old as when it was written
    expect(stats.readFps).toBeGreaterThan(3.5);
    expect(stats.readFps).toBeLessThan(4.1);
  });

  it('after a pause longer than a receiver’s RTO its quick answers say nothing until quickack’s 16 are spent', () => {
    const f = new Freshness({ probeBytes: 42 });
    pacedAfterPart(f, 0);
    expect(f.poll(2, look(2, 1))).toBe('probe');
    f.probeWritten(2, true);
    const first = busyUntil(f, 2, 100).takenAt;
    // The camera pauses: the next part goes out 1 s later, and the receiver acknowledges at once again.
    pacedAfterPart(f, first + 1000);
    expect(quickUntilTaken(f, first + 1002).counted).toBe(17);
    // With no pause before it, one quick answer is enough.
    const next = f.stats().consumed;
    pacedAfterPart(f, first + 1100);
    expect(quickUntilTaken(f, first + 1102).counted).toBe(1);
    expect(f.stats().consumed).toBe(next + 1);
  });

  it('a window that showed the part unread and opened again means it was read (systems without quick answers)', () => {
    const f = new Freshness({ probeBytes: 42 });
    pacedAfterPart(f, 0);
    expect(f.poll(2, look(2, 1, WINDOW))).toBe('probe');
    f.probeWritten(2, true);
    // Answered late (a 100 ms delayed-ACK timer) with the part unread in the window.
    expect(f.poll(105, look(105, 102, WINDOW - PART))).toBe('probe');
    f.probeWritten(105, true);
    expect(f.poll(210, look(210, 205, WINDOW - PART))).toBe('probe');
    f.probeWritten(210, true);
    // The reader read it: the window update came with the next answer.
    expect(f.poll(315, look(315, 310, WINDOW))).toBe('taken');
    expect(f.stats().consumed).toBe(1);
  });

  it('a peer that answers only late with nothing unread keeps up: parts count as read, three make it fast', () => {
    const f = new Freshness({ probeBytes: 42 });
    let t = 0;
    for (let frame = 0; frame < 3; frame++) {
      pacedAfterPart(f, t);
      expect(f.poll(t + 2, look(t + 2, t + 1))).toBe('probe');
      f.probeWritten(t + 2, true);
      const answered = t + 2 + LATE_ACK_MS + 40;
      expect(f.poll(answered + 1, look(answered + 1, answered))).toBe('taken');
      t = answered + 1;
    }
    expect(f.mode).toBe('fast');
  });

  it('with the probes spent and no answer that tells, the part counts as read after STALE_MS', () => {
    const f = new Freshness({ probeBytes: 2 });
    pacedAfterPart(f, 0);
    // Delayed answers (a Linux receiver whose reader is busy): no take, until the two probe bytes are spent.
    expect(f.poll(45, look(45, 40))).toBe('probe');
    f.probeWritten(45, true);
    expect(f.poll(90, look(90, 85))).toBe('wait');
    expect(f.poll(45 + STALE_MS - 1, look(45 + STALE_MS - 1, 85))).toBe('wait');
    expect(f.poll(45 + STALE_MS, look(45 + STALE_MS, 85))).toBe('taken');
  });

  it('a reader that comes back about as often as the camera sends frames becomes fast', () => {
    const f = new Freshness({ probeBytes: 42 });
    let t = 0;
    let frames = 0;
    while (f.mode === 'paced' && frames < 10) {
      t = Math.ceil(t / FRAME_MS) * FRAME_MS;
      pacedAfterPart(f, t);
      t = quickUntilTaken(f, t + 1).takenAt;
      frames++;
    }
    expect(f.mode).toBe('fast');
    expect(frames).toBeLessThanOrEqual(6);
  });

  it('a reader at the camera’s rate that falls a frame behind is paced one part ahead: its read of a part (acknowledged within READ_ACK_MS) lets the next frame out at once', () => {
    const f = new Freshness({ probeBytes: 42 });
    let t = untilAhead(f);
    expect(f.mode).toBe('paced');
    // A part and its probe, read by the reader 30 ms later when it resumes: taken then — the start of
    // its work on that part — so the next frame goes out as soon as there is one, and waits for it.
    f.partWritten(t, PART, t - 5);
    f.probeWritten(t, false);
    expect(f.ready(t + 10, null)).toBe(false);
    expect(f.poll(t + 28, { ...look(t + 28, t - 5), acked: 4999 })).toBe('wait'); // looked at often
    expect(f.poll(t + 31, look(t + 31, t + 30))).toBe('taken');
    expect(f.ready(t + 31, null)).toBe(true);
    expect(f.stats().ageMs).toBe(36);
    // Nothing new yet: a probe asks whether the reader is idle; it answers only when it reads again.
    expect(f.takeIdleProbe(t + 31)).toBe(true);
    f.probeWritten(t + 31, true);
    expect(f.takeIdleProbe(t + 31)).toBe(false); // asked once
    expect(f.checkDue).toBe(true);
    t += FRAME_MS;
    expect(f.ready(t, { ...look(t, t - 10), acked: 4999 })).toBe(true);
    expect(f.checkDue).toBe(false);
    f.partWritten(t, PART, t - 1);
    f.probeWritten(t, false);
    // An ACK READ_ACK_MS or more after the write is the delayed-ACK timer, not a read: ask with a probe.
    const late = t + READ_ACK_MS + 2;
    expect(f.poll(late, look(late, late - 1))).toBe('probe');
    f.probeWritten(late, true);
    expect(f.poll(late + 20, look(late + 20, late + 19))).toBe('taken');
    expect(f.mode).toBe('paced');
    // An ACK whose window still shows the part unread came when it arrived, not with a read.
    t = late + 40;
    f.partWritten(t, PART, t - 1);
    f.probeWritten(t, false);
    expect(f.poll(t + 1, look(t + 1, t + 0.5, WINDOW - PART))).toBe('probe');
    f.probeWritten(t + 1, true);
    expect(f.poll(t + 25, look(t + 25, t + 24, WINDOW))).toBe('taken');
    expect(f.ahead).toBe(true);
  });

  it('a reader at the camera’s rate that keeps clear is looked at less and less often; with half a part queued, at every frame', () => {
    const f = new Freshness({ probeBytes: 42 });
    let t = untilNearRateFast(f);
    const write = (): void => {
      t += FRAME_MS;
      f.partWritten(t, PART, t - 5);
    };
    let looks = 0;
    for (let frame = 0; frame < 16; frame++) {
      if (f.checkDue) {
        looks++;
        expect(f.ready(t, look(t, t - 1))).toBe(true);
      } else expect(f.ready(t, null)).toBe(true);
      write();
    }
    expect(looks).toBeLessThanOrEqual(5);
    while (!f.checkDue) {
      expect(f.ready(t, null)).toBe(true);
      write();
    }
    for (let frame = 0; frame < 4; frame++) {
      expect(f.checkDue).toBe(true);
      expect(f.ready(t, look(t, t - 1, WINDOW - PART / 2))).toBe(true);
      write();
    }
    expect(f.mode).toBe('fast');
  });

  it('a reader paced one part ahead that is idle right after each read waits for frames: it turns fast, looked at as any fast reader', () => {
    const f = new Freshness({ probeBytes: 42 });
    let t = untilAhead(f);
    let frames: number;
    // Now it reads each part at once and answers the probe after it at once too.
    for (frames = 0; frames < 40; frames++) {
      t = Math.ceil((t + 1) / FRAME_MS) * FRAME_MS;
      if (f.checkDue) expect(f.ready(t, look(t, t - FRAME_MS + 1))).toBe(true);
      else expect(f.ready(t, null)).toBe(true);
      if (f.mode === 'fast') break;
      f.partWritten(t, PART, t - 5);
      f.probeWritten(t, false);
      expect(f.poll(t + 0.2, { ...look(t + 0.2, t - 5), acked: 4999 })).toBe('wait');
      expect(f.poll(t + 1, look(t + 1, t + 0.5))).toBe('taken');
      expect(f.takeIdleProbe(t + 1)).toBe(true);
      f.probeWritten(t + 1, true);
      t += 1;
    }
    expect(f.mode).toBe('fast');
    expect(frames).toBeGreaterThanOrEqual(29);
    // Fast like any reader that keeps up: looked at every 1, 2, 4 … frames, not at every one.
    let looks = 0;
    for (let frame = 0; frame < 16; frame++) {
      t += FRAME_MS;
      if (f.checkDue) {
        looks++;
        expect(f.ready(t, look(t, t - 1))).toBe(true);
      } else expect(f.ready(t, null)).toBe(true);
      f.partWritten(t, PART, t - 5);
    }
    expect(looks).toBeLessThanOrEqual(5);
  });

  it('fast: every frame goes; the window is looked at every 16th frame while nothing shows; a backlog of 1.5 parts at two looks skips a frame, and for STUCK_MS makes the client paced', () => {
    const f = new Freshness({ probeBytes: 42 });
    let t = 0;
    while (f.mode === 'paced') {
      t = Math.ceil(t / FRAME_MS) * FRAME_MS;
      pacedAfterPart(f, t);
      t = quickUntilTaken(f, t + 1).takenAt;
    }
    let looks = 0;
    for (let frame = 0; frame < 64; frame++) {
      t += FRAME_MS;
      const due = f.checkDue;
      if (due) looks++;
      expect(f.ready(t, due ? look(t, t - 1) : null)).toBe(true);
      f.partWritten(t, PART, t - 5);
      expect(f.probeAfterPart).toBe(false);
    }
    expect(looks).toBeLessThanOrEqual(64 / 16 + 4);
    expect(f.stats().consumed).toBeGreaterThan(50);
    // A moment's lag (a busy reader) costs nothing: the frame still goes, the window is looked at every frame.
    while (!f.checkDue) {
      t += FRAME_MS;
      f.ready(t, null);
      f.partWritten(t, PART, t - 5);
    }
    t += FRAME_MS;
    expect(f.ready(t, look(t, t - 1, WINDOW - BACKLOG_PARTS * PART))).toBe(true);
    f.partWritten(t, PART, t - 5);
    expect(f.checkDue).toBe(true);
    expect(f.ready(t + FRAME_MS, look(t + FRAME_MS, t, WINDOW))).toBe(true);
    f.partWritten(t + FRAME_MS, PART, t);
    // A backlog at two looks in a row: a reader a little slower than the camera; that frame is skipped.
    const from = t + 2 * FRAME_MS;
    expect(f.ready(from, look(from, from - 1, WINDOW - 2 * PART))).toBe(true);
    f.partWritten(from, PART, from - 5);
    expect(f.ready(from + FRAME_MS, look(from + FRAME_MS, from, WINDOW - 2 * PART))).toBe(false);
    expect(f.mode).toBe('fast');
    // One that stays STUCK_MS: paced, the frame held back until the reader asks.
    expect(f.ready(from + STUCK_MS, look(from + STUCK_MS, from, WINDOW - 2 * PART))).toBe(false);
    expect(f.mode).toBe('paced');
    expect(f.waiting).toBe(true);
    // Paced now: a quick answer with the window empty again is the reader asking for more.
    const at = from + STUCK_MS + 2;
    f.probeWritten(at, true);
    expect(f.poll(at + 3, look(at + 3, at + 1, WINDOW))).toBe('taken');
  });

  it('a reader that stalls is looked at less and less often (2 ms right after a part, 50 ms after a second)', () => {
    const f = new Freshness({ probeBytes: 42 });
    pacedAfterPart(f, 1000);
    expect(f.pollMs(1001)).toBe(2);
    expect(f.pollMs(1400)).toBe(20);
    expect(f.pollMs(2000)).toBe(50);
    expect(f.pollMs(9000)).toBe(50);
  });

  it('a quick answer needs the ACK within DRAIN_ACK_MS of the probe (plus the path’s RTT)', () => {
    const f = new Freshness({ probeBytes: 42 });
    pacedAfterPart(f, 0);
    expect(f.poll(2, look(2, 1))).toBe('probe');
    f.probeWritten(2, true);
    expect(f.poll(2 + DRAIN_ACK_MS + 2, look(2 + DRAIN_ACK_MS + 2, 2 + DRAIN_ACK_MS + 0.5))).toBe('probe');
    f.probeWritten(100, true);
    expect(f.poll(135, look(135, 100 + DRAIN_ACK_MS - 1))).toBe('taken');
  });
});
