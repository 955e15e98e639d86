/**
 * A real Prometheus text-format parser (`parse-prometheus-text-format`, a
 * CommonJS package without types), typed for the tests.
 */
import { createRequire } from 'node:module';

export interface PromSample {
  labels?: Record<string, string>;
  value?: string;
  buckets?: Record<string, string>;
  count?: string;
  sum?: string;
}

export interface PromFamily {
  name: string;
  help: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  metrics: PromSample[];
}

export const parsePrometheus = createRequire(import.meta.url)('parse-prometheus-text-format') as (
  text: string,
) => PromFamily[];

/** The value of `name` for the sample whose labels include `labels` (undefined when absent). */
export function sample(
  families: PromFamily[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const family = families.find((f) => f.name === name);
  const hit = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return hit?.value === undefined ? undefined : Number(hit.value);
}
