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

/**
 * The histogram `name` when it has one series: its count and cumulative buckets by `le`. (The
 * parser keeps neither the labels nor the count of a histogram whose `le` comes first, as
 * prom-client writes it: the `+Inf` bucket is the count.)
 */
export function histogram(
  families: PromFamily[],
  name: string,
): { count: number; buckets: Record<string, number> } | undefined {
  const family = families.find((f) => f.name === name && f.type === 'HISTOGRAM');
  if (family?.metrics.length !== 1) return undefined;
  const buckets = Object.fromEntries(
    Object.entries(family.metrics[0]!.buckets ?? {}).map(([le, n]) => [le, Number(n)]),
  );
  return { count: buckets['+Inf'] ?? 0, buckets };
}
