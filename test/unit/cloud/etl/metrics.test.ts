import { describe, expect, it } from 'vitest';
import { latencyStats, METRICS_NAMESPACE, metricLines } from '../../../../cloud/etl/metrics.ts';

interface Emf {
  _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [field: string]: unknown;
}

describe('metricLines', () => {
  const summary = {
    recordsIn: 10, curated: 6, quarantined: 3, quarantinedByReason: { not_json: 2, out_of_range: 1 }, duplicates: 1,
    news2High: 2, latencyP50Ms: 120, latencyMaxMs: 900, objectsWritten: 3, writeFailures: 0,
  };

  it('writes the batch counts as CloudWatch embedded metrics, every metric declared and valued', () => {
    const [main] = metricLines(summary, 1_700_000_000_000).map((line) => JSON.parse(line) as Emf);
    const directive = main!._aws.CloudWatchMetrics[0]!;
    expect(main!._aws.Timestamp).toBe(1_700_000_000_000);
    expect(directive.Namespace).toBe(METRICS_NAMESPACE);
    expect(directive.Dimensions).toEqual([['Service']]);
    for (const metric of directive.Metrics) expect(typeof main![metric.Name]).toBe('number');
    expect(main).toMatchObject({ RecordsIn: 10, Curated: 6, Quarantined: 3, Duplicates: 1, News2High: 2, IngestLatencyP50: 120, IngestLatencyMax: 900 });
    expect(directive.Metrics).toContainEqual({ Name: 'IngestLatencyP50', Unit: 'Milliseconds' });
  });

  it('adds one metric set per quarantine reason, with the reason as a dimension', () => {
    const lines = metricLines(summary, 0).map((line) => JSON.parse(line) as Emf);
    expect(lines.slice(1).map((line) => [line.Reason, line.Quarantined])).toEqual([['not_json', 2], ['out_of_range', 1]]);
    expect(lines[1]!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['Service', 'Reason']]);
  });

  it('leaves latency out of a batch with no curated row', () => {
    const [main] = metricLines({ ...summary, latencyP50Ms: null, latencyMaxMs: null }, 0).map((line) => JSON.parse(line) as Emf);
    expect(main).not.toHaveProperty('IngestLatencyP50');
  });
});

describe('latencyStats', () => {
  it('returns the nearest-rank median and the maximum', () => {
    expect(latencyStats([30, 10, 20, 1000])).toEqual({ p50: 20, max: 1000 });
    expect(latencyStats([])).toEqual({ p50: null, max: null });
  });
});
