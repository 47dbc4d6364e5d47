/**
 * Pipeline figures for the dashboard, read from what the ETL handler logs anyway (its summary line and
 * CloudWatch EMF lines), so the handler needs no local-only hook: in AWS, the same lines feed CloudWatch.
 */
export class EtlStatsCollector {
  curated = 0;
  quarantined = 0;
  recordsIn = 0;
  duplicates = 0;
  readonly quarantinedByReason: Record<string, number> = {};
  private readonly batchP50: number[] = [];
  private readonly batchMax: number[] = [];
  private lastBatchMax: number | null = null;
  private lastRate = { at: 0, forwarded: 0, perSecond: 0 };

  constructor(private readonly clock: () => number = Date.now, private readonly keepBatches = 300) {}

  /** Takes one log line of the handler; lines it does not know are ignored. */
  observe(line: string): void {
    if (!line.startsWith('{')) return;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    // A partly written batch is retried from its first unsafe record: count it when the retry succeeds.
    if (typeof entry.message === 'string' && typeof entry.records === 'number' && entry.retry_from_sequence === undefined) {
      this.recordsIn += entry.records;
      this.curated += Number(entry.curated ?? 0);
      this.quarantined += Number(entry.quarantined ?? 0);
      this.duplicates += Number(entry.duplicates ?? 0);
      for (const [reason, count] of Object.entries((entry.quarantined_by_reason ?? {}) as Record<string, number>)) {
        this.quarantinedByReason[reason] = (this.quarantinedByReason[reason] ?? 0) + count;
      }
      return;
    }
    if (entry._aws !== undefined && entry.Reason === undefined) {
      if (typeof entry.IngestLatencyP50 === 'number') push(this.batchP50, entry.IngestLatencyP50, this.keepBatches);
      if (typeof entry.IngestLatencyMax === 'number') {
        push(this.batchMax, entry.IngestLatencyMax, this.keepBatches);
        this.lastBatchMax = entry.IngestLatencyMax;
      }
    }
  }

  /**
   * Device measurement to written in the lake, over the last batches: p50 is the median of the batches'
   * medians, p99 the 99th percentile of the batches' maxima (an upper bound of the true p99).
   */
  latencyPercentiles(): { p50: number | null; p99: number | null } {
    return { p50: nearestRank(this.batchP50, 50), p99: nearestRank(this.batchMax, 99) };
  }

  lastBatchLatencyMs(): number | null {
    return this.lastBatchMax;
  }

  /** Records/s the rule forwarded to the stream, from the rules engine's running count. */
  ingestRate(forwarded: number): number {
    const now = this.clock();
    const elapsed = (now - this.lastRate.at) / 1000;
    if (this.lastRate.at === 0) {
      this.lastRate = { at: now, forwarded, perSecond: 0 };
    } else if (elapsed >= 1) {
      this.lastRate = { at: now, forwarded, perSecond: (forwarded - this.lastRate.forwarded) / elapsed };
    }
    return Math.round(this.lastRate.perSecond);
  }
}

function push(values: number[], value: number, keep: number): void {
  values.push(value);
  if (values.length > keep) values.shift();
}

function nearestRank(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
