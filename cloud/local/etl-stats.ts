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
  /** Batches of the start-up burst and after it, kept apart so the burst does not pass for the steady state. */
  private readonly startup = { p50: [] as number[], max: [] as number[] };
  private readonly steady = { p50: [] as number[], max: [] as number[] };
  private firstBatchAtMs: number | null = null;
  private lastBatchMax: number | null = null;
  private lastRate = { at: 0, forwarded: 0, perSecond: 0 };

  /**
   * `startupMs`: how long after the first batch counts as the start-up burst (monitors connecting, outboxes
   * and the stream's backlog replaying old readings, a cold ETL); default 60 s.
   */
  constructor(private readonly clock: () => number = Date.now, private readonly keepBatches = 300, private readonly startupMs = 60_000) {}

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
      if (typeof entry.IngestLatencyP50 !== 'number' && typeof entry.IngestLatencyMax !== 'number') return;
      const now = this.clock();
      this.firstBatchAtMs ??= now;
      const batches = this.inStartup(now) ? this.startup : this.steady;
      if (typeof entry.IngestLatencyP50 === 'number') push(batches.p50, entry.IngestLatencyP50, this.keepBatches);
      if (typeof entry.IngestLatencyMax === 'number') {
        push(batches.max, entry.IngestLatencyMax, this.keepBatches);
        this.lastBatchMax = entry.IngestLatencyMax;
      }
    }
  }

  /**
   * Device measurement to written in the lake, over the last batches: p50 is the median of the batches'
   * medians, p99 the 99th percentile of the batches' maxima (an upper bound of the true p99). Steady state:
   * once the start-up burst is over its batches are left out (during it, these are the burst's figures).
   */
  latencyPercentiles(): { p50: number | null; p99: number | null } {
    const batches = this.inStartup(this.clock()) ? this.startup : this.steady;
    return { p50: nearestRank(batches.p50, 50), p99: nearestRank(batches.max, 99) };
  }

  /** The start-up burst's window and p99, null before the first batch. */
  startupBurst(): { fromMs: number; untilMs: number; latencyP99Ms: number | null } | null {
    if (this.firstBatchAtMs === null) return null;
    return { fromMs: this.firstBatchAtMs, untilMs: this.firstBatchAtMs + this.startupMs, latencyP99Ms: nearestRank(this.startup.max, 99) };
  }

  private inStartup(nowMs: number): boolean {
    return this.firstBatchAtMs === null || nowMs < this.firstBatchAtMs + this.startupMs;
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
