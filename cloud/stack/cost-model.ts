/**
 * The monthly cost of a profile at a fleet size, as arithmetic over list prices: the cost table in
 * cloud/stack/README.md is this model's output (`npx tsx cloud/stack/cost-model.ts` prints it), and the
 * infra test holds the trial profile to its target. Prices: us-east-1 on-demand list prices as published in
 * 2025, written without access to the pricing pages from this machine: check https://calculator.aws before
 * budgeting. No free tier is counted.
 */
import { FLEET_TASK, fleetLayout, type FleetTransport } from '../fleet-image/sizing.ts';
import { ETL_DEFAULTS, PROFILES, type ProfileName } from './defaults.ts';

export const PRICES = {
  iotConnectionPerMillionMinutes: 0.08,
  /** Per million messages (5 KB each): the first billion, then the next four. */
  iotMessagesPerMillion: 1.0,
  iotMessagesPerMillionAbove1B: 0.8,
  /** Rules triggered + actions executed (one Kinesis action), per million each. */
  iotRulePerMillion: 0.15,
  iotActionPerMillion: 0.15,
  /** Registry and Device Shadow operations (1 KB each), per million. */
  iotShadowOpsPerMillion: 1.25,
  kinesisOnDemandStreamHour: 0.04,
  kinesisOnDemandPerGbIn: 0.08,
  kinesisOnDemandPerGbOut: 0.04,
  kinesisShardHour: 0.015,
  /** Provisioned PUT payload units (25 KB each), per million. */
  kinesisPutUnitsPerMillion: 0.014,
  lambdaRequestsPerMillion: 0.2,
  lambdaArmGbSecond: 0.0000133334,
  s3PutPerThousand: 0.005,
  s3GetPerThousand: 0.0004,
  s3GbMonth: 0.023,
  athenaPerTb: 5,
  kmsKeyMonth: 1,
  kmsPer10kRequests: 0.03,
  secretMonth: 0.4,
  cloudwatchDashboardMonth: 3,
  cloudwatchAlarmMonth: 0.1,
  cloudwatchMetricMonth: 0.3,
  cloudwatchLogsPerGbIngested: 0.5,
  /** Fargate Linux/ARM64 (Graviton), per vCPU-hour and per GB-hour (from memory, not the pricing page). */
  fargateArmVcpuHour: 0.03238,
  fargateArmGbHour: 0.00356,
  /** A public IPv4 address, per hour (each fleet task has one: no NAT gateway). */
  publicIpv4Hour: 0.005,
  /** QuickSight Enterprise, monthly: one author, readers. */
  quickSightAuthorMonth: 24,
  quickSightReaderMonth: 3,
} as const;

const HOURS = 720;
const SECONDS = HOURS * 3600;

/** What the model assumes beyond the profile (each a round figure, stated in the README). */
export const ASSUMPTIONS = {
  /** Bytes of curated Parquet + raw gzip per reading (measured on the sample data, rounded up). */
  bytesStoredPerReading: 120,
  /** Kinesis on-demand bills each record rounded up to 1 KB. */
  kinesisRecordKb: 1,
  /** On-demand streams start with 4 shards; one ETL invocation per shard and batching window. */
  onDemandShards: 4,
  /** ETL invocation duration (1 GB) by records per invocation. */
  etlSecondsPerInvocation: (records: number) => 0.1 + records * 0.00015,
  /** Objects written per ETL invocation (raw + curated; quarantine is rare). */
  objectsPerInvocation: 2,
  /** Compaction: hourly, ~10 s at 2 GB, 2 PUTs (compacted + rollup) and one GET per small file. */
  compactionGbSecondsPerPass: 20,
  /** Shadow and registry operations per monitor per day (connects, reported state). */
  shadowOpsPerMonitorDay: 5,
  /** Athena: 100 queries a day, MB scanned per query by readings per second (10 MB minimum). */
  athenaQueriesPerDay: 100,
  athenaMbPerQuery: (readingsPerSecond: number) => Math.max(10, readingsPerSecond * 0.5),
  kmsKeys: 3,
  /** Kinesis SSE, logs and S3 bucket keys call KMS a few times per shard and principal every 5 minutes. */
  kmsRequestsPerShardMonth: 20_000,
  etlMetrics: 10,
  alarms: 7,
  logBytesPerInvocation: 1_000,
  quickSightReaders: 5,
} as const;

/** The opt-in simulator fleet on Fargate (`-c fleet=N`): what it costs per hour and per month running non-stop. */
export function fleetCost(monitors: number, transport: FleetTransport = 'lite'): { tasks: number; usdPerHour: number; usdPerMonth: number } {
  const { shards } = fleetLayout(monitors, transport);
  const perTaskHour = (FLEET_TASK.cpu / 1024) * PRICES.fargateArmVcpuHour + (FLEET_TASK.memoryMiB / 1024) * PRICES.fargateArmGbHour + PRICES.publicIpv4Hour;
  return { tasks: shards, usdPerHour: shards * perTaskHour, usdPerMonth: shards * perTaskHour * HOURS };
}

export interface CostLine {
  item: string;
  usd: number;
}

export interface Estimate {
  profile: ProfileName;
  monitors: number;
  messagesPerMonth: number;
  lines: CostLine[];
  total: number;
}

export function estimate(profileName: ProfileName, monitors: number, options: { quickSight?: boolean; fleet?: boolean } = {}): Estimate {
  const profile = PROFILES[profileName];
  const p = PRICES;
  const a = ASSUMPTIONS;
  const ratePerSecond = (monitors * 1000) / profile.publishIntervalMs;
  const messages = ratePerSecond * SECONDS;
  const millions = messages / 1e6;

  const onDemand = profile.streamMode === 'ON_DEMAND';
  const shards = onDemand ? a.onDemandShards : profile.streamShards;
  const gb = (messages * a.kinesisRecordKb) / 1024 / 1024;
  const kinesis = onDemand
    ? HOURS * p.kinesisOnDemandStreamHour + gb * (p.kinesisOnDemandPerGbIn + p.kinesisOnDemandPerGbOut)
    : shards * HOURS * p.kinesisShardHour + millions * p.kinesisPutUnitsPerMillion;

  // An invocation per shard and window, or sooner when a batch fills up.
  const perShardPerSecond = ratePerSecond / shards;
  const invocationsPerShardSecond = Math.max(1 / profile.maxBatchingWindowSeconds, perShardPerSecond / ETL_DEFAULTS.batchSize);
  const invocations = Math.min(messages, invocationsPerShardSecond * shards * SECONDS);
  const recordsPerInvocation = messages / Math.max(1, invocations);
  const lambda = (invocations + HOURS) / 1e6 * p.lambdaRequestsPerMillion
    + (invocations * a.etlSecondsPerInvocation(recordsPerInvocation) + HOURS * a.compactionGbSecondsPerPass) * p.lambdaArmGbSecond;

  const puts = invocations * a.objectsPerInvocation + HOURS * 2;
  // The compactor reads each small curated file once.
  const gets = invocations;
  const storedGb = (messages * a.bytesStoredPerReading) / 1e9;
  const s3 = (puts / 1000) * p.s3PutPerThousand + (gets / 1000) * p.s3GetPerThousand + storedGb * p.s3GbMonth;

  const lines: CostLine[] = [
    { item: 'IoT connectivity', usd: ((monitors * HOURS * 60) / 1e6) * p.iotConnectionPerMillionMinutes },
    { item: 'IoT messaging', usd: Math.min(millions, 1000) * p.iotMessagesPerMillion + Math.max(0, millions - 1000) * p.iotMessagesPerMillionAbove1B },
    { item: 'IoT rules (1 action)', usd: millions * (p.iotRulePerMillion + p.iotActionPerMillion) },
    { item: 'IoT shadow and registry operations', usd: ((monitors * a.shadowOpsPerMonitorDay * 30) / 1e6) * p.iotShadowOpsPerMillion },
    { item: onDemand ? 'Kinesis on-demand' : `Kinesis provisioned, ${shards} shard(s)`, usd: kinesis },
    { item: 'Lambda arm64 (ETL + hourly compaction)', usd: lambda },
    { item: 'S3 requests and storage', usd: s3 },
    { item: 'Athena', usd: ((30 * a.athenaQueriesPerDay * a.athenaMbPerQuery(ratePerSecond)) / 1e6) * p.athenaPerTb },
    { item: 'KMS keys and requests', usd: a.kmsKeys * p.kmsKeyMonth + ((shards * a.kmsRequestsPerShardMonth) / 1e4) * p.kmsPer10kRequests },
    {
      item: 'Secrets Manager, CloudWatch',
      usd: p.secretMonth + (profile.dashboard ? p.cloudwatchDashboardMonth : 0) + a.alarms * p.cloudwatchAlarmMonth
        + a.etlMetrics * p.cloudwatchMetricMonth + ((invocations * a.logBytesPerInvocation) / 1e9) * p.cloudwatchLogsPerGbIngested,
    },
  ];
  if (options.quickSight) lines.push({ item: 'QuickSight (1 author, 5 readers)', usd: p.quickSightAuthorMonth + a.quickSightReaders * p.quickSightReaderMonth });
  if (options.fleet) {
    const fleet = fleetCost(monitors);
    lines.push({ item: `Simulator fleet on Fargate (${fleet.tasks} task(s), non-stop)`, usd: fleet.usdPerMonth });
  }
  const total = lines.reduce((sum, line) => sum + line.usd, 0);
  return { profile: profileName, monitors, messagesPerMonth: messages, lines, total };
}

/** The README's table: one column per fleet size. */
export function costTable(profileName: ProfileName, sizes: readonly number[] = [10, 100, 1_000]): string {
  const estimates = sizes.map((n) => estimate(profileName, n));
  const usd = (v: number) => `$${v < 10 ? v.toFixed(2) : v.toLocaleString('en-US', { maximumFractionDigits: 2, minimumFractionDigits: 2 })}`;
  const rows = estimates[0]!.lines.map((line, i) => `| ${line.item} | ${estimates.map((e) => usd(e.lines[i]!.usd)).join(' | ')} |`);
  return [
    `| ${profileName} (${PROFILES[profileName].publishIntervalMs / 1000} s per reading) | ${sizes.map((n, i) => `${n.toLocaleString('en-US')} monitors (${(estimates[i]!.messagesPerMonth / 1e6).toFixed(1)} M msg)`).join(' | ')} |`,
    `|---|${sizes.map(() => '---|').join('')}`,
    ...rows,
    `| **total** | ${estimates.map((e) => `**${usd(e.total)}**`).join(' | ')} |`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const profile of Object.keys(PROFILES) as ProfileName[]) console.log(`${costTable(profile)}\n`);
  console.log(`QuickSight (opt-in, either profile): +$${estimate('standard', 10, { quickSight: true }).lines.at(-1)!.usd.toFixed(2)}`);
  console.log(`\n${fleetCostTable()}`);
}

/** The README's fleet table: tasks, per hour, per month (non-stop), by fleet size. */
export function fleetCostTable(sizes: readonly number[] = [1_000, 10_000, 100_000]): string {
  const rows = sizes.map((n) => {
    const lite = fleetCost(n, 'lite');
    const mqtt = fleetCost(n, 'mqtt');
    const usd = (v: number) => `$${v.toLocaleString('en-US', { maximumFractionDigits: 2, minimumFractionDigits: 2 })}`;
    return `| ${n.toLocaleString('en-US')} | ${lite.tasks} | ${usd(lite.usdPerHour)} | ${usd(lite.usdPerMonth)} | ${mqtt.tasks} | ${usd(mqtt.usdPerMonth)} |`;
  });
  return ['| simulated monitors (-c fleet=N) | lite tasks | lite per hour | lite per month | mqtt tasks | mqtt per month |', '|---|---|---|---|---|---|', ...rows].join('\n');
}
