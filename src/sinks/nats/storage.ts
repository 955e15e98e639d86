/**
 * What the bus keeps, set up idempotently by whoever needs it (an origin on
 * every (re)connect, a relay when it starts): one memory-backed stream per
 * camera keeping its last N frames or seconds (the shared ring a relay primes
 * its own ring from), and one KV bucket per site holding each camera's status.
 * Both ask for 3 replicas and fall back to 1 on a server that is not a cluster,
 * so losing a cluster node loses neither.
 */
import {
  DiscardPolicy,
  type JetStreamManager,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type StoredMsg,
  type StreamConfig,
} from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import { type NatsConnection, nanos } from '@nats-io/transport-node';
import type { KeepLimit } from './keep.js';
import { type CameraSubjects, statusBucket } from './subjects.js';

/** Replicas asked for first (a 3-node cluster keeps everything when one node dies). */
const REPLICAS = 3;
/** A KV status older than this is dropped by the server (a camera gone for good leaves the list). */
const STATUS_TTL_MS = 3_600_000;

/** Try with `REPLICAS`, then with 1 (a single server refuses replicated assets). */
async function withReplicas<T>(make: (replicas: number) => Promise<T>): Promise<T> {
  try {
    return await make(REPLICAS);
  } catch (err) {
    try {
      return await make(1);
    } catch {
      throw err;
    }
  }
}

function streamConfig(
  subjects: CameraSubjects,
  keep: KeepLimit,
  replicas: number,
): Partial<StreamConfig> & { name: string } {
  return {
    name: subjects.stream,
    subjects: [subjects.frames],
    storage: StorageType.Memory,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_msgs: 'frames' in keep ? keep.frames : -1,
    max_age: 'seconds' in keep ? nanos(keep.seconds * 1000) : 0,
    num_replicas: replicas,
    allow_direct: true,
  };
}

/** Create the camera's stream, or bring an existing one to `keep` (its replica count kept). */
export async function ensureFrameStream(
  nc: NatsConnection,
  subjects: CameraSubjects,
  keep: KeepLimit,
): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const existing = await jsm.streams.info(subjects.stream).catch(() => undefined);
  if (existing) {
    const wanted = streamConfig(subjects, keep, existing.config.num_replicas);
    const c = existing.config;
    if (c.max_msgs !== wanted.max_msgs || c.max_age !== wanted.max_age || c.storage !== wanted.storage) {
      await jsm.streams.update(subjects.stream, { ...c, ...wanted });
    }
    return;
  }
  await withReplicas((replicas) => jsm.streams.add(streamConfig(subjects, keep, replicas)));
}

/** The site's status bucket, created when missing. */
export function openStatusBucket(nc: NatsConnection, site: string): Promise<KV> {
  const kvm = new Kvm(nc);
  return withReplicas((replicas) =>
    kvm.create(statusBucket(site), {
      history: 1,
      storage: StorageType.Memory,
      replicas,
      ttl: STATUS_TTL_MS,
    }),
  );
}

/** The newest frame a camera's stream holds, or undefined (no stream, empty, bus trouble). */
export async function lastStoredFrame(
  jsm: JetStreamManager,
  subjects: CameraSubjects,
): Promise<StoredMsg | undefined> {
  try {
    return (await jsm.streams.getMessage(subjects.stream, { last_by_subj: subjects.frames })) ?? undefined;
  } catch {
    return undefined;
  }
}
