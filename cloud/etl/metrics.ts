/**
 * Batch metrics in CloudWatch Embedded Metric Format: one JSON line per metric set on stdout, which
 * Lambda's log pipeline turns into metrics without a PutMetricData call. Pure: summary in, lines out.
 */
export const METRICS_NAMESPACE = 'HealthcareDatalake/Etl';
/** The one dimension of every ETL metric (the CDK monitoring construct alarms on it). */
export const METRICS_SERVICE = 'vitals-etl';

export interface BatchSummary {
  recordsIn: number;
  curated: number;
  quarantined: number;
  /** Quarantined records by their first reason code. */
  quarantinedByReason: Record<string, number>;
  duplicates: number;
  news2High: number;
  /** Device measurement -> ingest, ms, over the curated rows; null for a batch without any. */
  latencyP50Ms: number | null;
  latencyMaxMs: number | null;
  objectsWritten: number;
  writeFailures: number;
}

type Unit = 'Count' | 'Milliseconds';

function emf(timestamp: number, dimensions: Record<string, string>, metrics: Record<string, { value: number; unit: Unit }>): string {
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{
        Namespace: METRICS_NAMESPACE,
        Dimensions: [Object.keys(dimensions)],
        Metrics: Object.entries(metrics).map(([Name, { unit }]) => ({ Name, Unit: unit })),
      }],
    },
    ...dimensions,
    ...Object.fromEntries(Object.entries(metrics).map(([name, { value }]) => [name, value])),
  });
}

export function metricLines(summary: BatchSummary, timestamp: number): string[] {
  const count = (value: number) => ({ value, unit: 'Count' as const });
  const metrics: Record<string, { value: number; unit: Unit }> = {
    RecordsIn: count(summary.recordsIn),
    Curated: count(summary.curated),
    Quarantined: count(summary.quarantined),
    Duplicates: count(summary.duplicates),
    News2High: count(summary.news2High),
    ObjectsWritten: count(summary.objectsWritten),
    WriteFailures: count(summary.writeFailures),
  };
  if (summary.latencyP50Ms !== null) metrics.IngestLatencyP50 = { value: summary.latencyP50Ms, unit: 'Milliseconds' };
  if (summary.latencyMaxMs !== null) metrics.IngestLatencyMax = { value: summary.latencyMaxMs, unit: 'Milliseconds' };
  const lines = [emf(timestamp, { Service: METRICS_SERVICE }, metrics)];
  for (const [reason, value] of Object.entries(summary.quarantinedByReason).sort()) {
    lines.push(emf(timestamp, { Service: METRICS_SERVICE, Reason: reason }, { Quarantined: count(value) }));
  }
  return lines;
}

/** Nearest-rank median and maximum. */
export function latencyStats(latencies: readonly number[]): { p50: number | null; max: number | null } {
  if (latencies.length === 0) return { p50: null, max: null };
  const sorted = [...latencies].sort((a, b) => a - b);
  return { p50: sorted[Math.ceil(sorted.length / 2) - 1]!, max: sorted[sorted.length - 1]! };
}
