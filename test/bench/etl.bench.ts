/**
 * `npm run bench -- etl`: what the ETL costs (DESIGN §9). A simulated ward's batch, at the deployed batch
 * size, goes through what the Lambda handler does between reading the event and writing: the transform
 * (unwrap, JSON.parse, validate, NEWS2, pseudonym) and every lake object (raw gzip JSON lines, curated
 * Parquet, quarantine). Rows per second per core are from the process's CPU time (one thread: one core).
 *
 * Lambda cost, from that CPU time: Lambda gives a function CPU in proportion to its memory, one vCPU at
 * 1,769 MB (AWS Lambda docs), so at the deployed memory size a batch's billed duration is its CPU time
 * times max(1, 1769 / memory MB). Price: arm64, $0.0000133334 per GB-second (us-east-1, from memory of
 * AWS's Lambda pricing page as of 2025; check it before quoting). Requests ($0.20 per million invocations)
 * and S3 PUTs (objects per batch) are printed apart: they are not compute.
 */
import { ETL_DEFAULTS } from '../../cloud/stack/defaults.ts';
import { createPseudonymiser } from '../../cloud/etl/pseudonym.ts';
import { transformBatch } from '../../cloud/etl/transform.ts';
import { planLakeObjects } from '../../cloud/etl/writers/lake-objects.ts';
import { encodeVitals } from '../../device/contract/index.ts';
import { buildVitalsMessage, createPatientModel, deriveSeed, SCENARIOS } from '../../device/vitals/index.ts';
import { kinesisRecord, T0 } from '../unit/cloud/etl/kinesis-fixtures.ts';
import type { Benchmark } from './harness.ts';
import type { KinesisStreamRecord } from 'aws-lambda';

const TARGET_ROWS_PER_CORE_SECOND = 25_000;
const TARGET_DOLLARS_PER_MILLION = 0.05;
const ARM64_DOLLARS_PER_GB_SECOND = 0.0000133334;
const MB_PER_VCPU = 1769;

/**
 * A batch as a ward sends it: `monitors` patients of the vitals model (every scenario in turn, artefacts,
 * nulls and quality flags included), one message a second each, interleaved by time as on the stream.
 */
export function wardBatch(size: number, monitors = 200): KinesisStreamRecord[] {
  const models = Array.from({ length: monitors }, (_, i) => createPatientModel({ seed: deriveSeed(20261201, i), scenario: SCENARIOS[i % SCENARIOS.length]!, startMs: T0, speed: 60 }));
  return Array.from({ length: size }, (_, n) => {
    const i = n % monitors;
    const at = T0 + Math.floor(n / monitors) * 1000;
    const device = `bedside-${String(i + 1).padStart(4, '0')}`;
    const message = buildVitalsMessage(models[i]!.sample(at), {
      device_id: device, patient_id: `MRN-${String(i + 1).padStart(6, '0')}`, ward: `ward-${1 + (i % 4)}`, bed: `bed-${String(i + 1).padStart(3, '0')}`,
      seq: Math.floor(n / monitors) + 1, timestamp: new Date(at).toISOString(),
    });
    return kinesisRecord(encodeVitals(message), { n, thing: device, arrivedAt: at + 150 });
  });
}

/** CPU seconds (user + system) per call of fn, the least of `rounds` runs of at least `ms` each. */
function cpuSecondsPerCall(fn: () => void, rounds: number, ms: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round += 1) {
    const wallStart = Date.now();
    const start = process.cpuUsage();
    let calls = 0;
    do {
      fn();
      calls += 1;
    } while (Date.now() - wallStart < ms);
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1e6 / calls);
  }
  return best;
}

export const benchmark: Benchmark = {
  name: 'etl',
  description: 'ETL rows per second per core and Lambda compute per million readings, at the deployed batch and memory size',
  async run({ quick, progress = () => {} }) {
    const size = ETL_DEFAULTS.batchSize;
    const memoryMb = ETL_DEFAULTS.memoryMb;
    const rounds = quick ? 3 : 7;
    const budgetMs = quick ? 300 : 1_500;
    const batch = wardBatch(size);
    const pseudonymise = createPseudonymiser('bench-key-0123456789abcdef');
    let objects = 0;
    let curated = 0;
    const handlerPath = (): void => {
      const result = transformBatch(batch, { pseudonymise, now: T0 + 60_000 });
      curated = result.curated.length;
      objects = planLakeObjects(result).length;
    };
    const transformOnly = (): void => {
      curated = transformBatch(batch, { pseudonymise, now: T0 + 60_000 }).curated.length;
    };
    progress(`ward batch of ${size.toLocaleString('en-US')} records (the deployed batch size); warming up`);
    cpuSecondsPerCall(handlerPath, 1, quick ? 200 : 1_000);
    progress(`${rounds} rounds of ${budgetMs} ms: transform + lake objects, then transform alone (the least CPU time counts)`);
    const perBatch = cpuSecondsPerCall(handlerPath, rounds, budgetMs);
    const transformPerBatch = cpuSecondsPerCall(transformOnly, rounds, budgetMs);

    const rowsPerCoreSecond = size / perBatch;
    const billedSecondsPerBatch = perBatch * Math.max(1, MB_PER_VCPU / memoryMb);
    const gbSecondsPerMillion = (billedSecondsPerBatch / size) * 1e6 * (memoryMb / 1024);
    const dollarsPerMillion = gbSecondsPerMillion * ARM64_DOLLARS_PER_GB_SECOND;
    return {
      name: 'etl',
      columns: ['what', 'value'],
      rows: [
        ['records per batch (ETL_DEFAULTS.batchSize)', size],
        ['curated rows per batch (the rest quarantined or duplicates)', curated],
        ['lake objects per batch (raw, curated per hour, quarantine)', objects],
        ['CPU ms per batch: transform + lake objects', Number((perBatch * 1e3).toFixed(1))],
        ['CPU ms per batch: transform alone', Number((transformPerBatch * 1e3).toFixed(1))],
        ['rows/s per core', Math.round(rowsPerCoreSecond)],
        [`Lambda memory (MB, cloud/stack/etl.ts)`, memoryMb],
        ['Lambda GB-s per million readings', Number(gbSecondsPerMillion.toFixed(3))],
        ['Lambda compute $ per million readings (arm64)', `$${dollarsPerMillion.toFixed(4)}`],
      ],
      figures: {
        batch_records: size,
        curated_rows_per_batch: curated,
        objects_per_batch: objects,
        cpu_ms_per_batch: Number((perBatch * 1e3).toFixed(2)),
        transform_cpu_ms_per_batch: Number((transformPerBatch * 1e3).toFixed(2)),
        rows_per_core_second: Math.round(rowsPerCoreSecond),
        lambda_memory_mb: memoryMb,
        lambda_gb_seconds_per_million: Number(gbSecondsPerMillion.toFixed(3)),
        lambda_dollars_per_million: Number(dollarsPerMillion.toFixed(4)),
        arm64_dollars_per_gb_second: ARM64_DOLLARS_PER_GB_SECOND,
      },
      targets: [
        { what: 'ETL rows per second per core', target: `>= ${TARGET_ROWS_PER_CORE_SECOND.toLocaleString('en-US')}`, actual: Math.round(rowsPerCoreSecond).toLocaleString('en-US'), met: rowsPerCoreSecond >= TARGET_ROWS_PER_CORE_SECOND },
        { what: 'Lambda compute per million readings', target: `<= $${TARGET_DOLLARS_PER_MILLION}`, actual: `$${dollarsPerMillion.toFixed(4)}`, met: dollarsPerMillion <= TARGET_DOLLARS_PER_MILLION },
      ],
    };
  },
};
