/**
 * `npm run bench -- etl`: records per second through the ETL transform + curated Parquet encode, against
 * a bare JSON.parse loop over the same Kinesis batch, in the same run (DESIGN §9 target: ratio >= 0.3).
 *
 * Baseline: for each record, decode the base64 Kinesis data and JSON.parse it: the least any consumer
 * of the stream does. A stricter baseline (JSON.parse of the already-decoded payload text) is printed
 * too. Rounds alternate between baseline and ETL and the best round of each counts, so a neighbour's
 * load on the shared machine hits both alike.
 */
import { validatePayload } from '../../device/contract/index.ts';
import { unwrapRecord } from '../../cloud/etl/kinesis-record.ts';
import { createPseudonymiser } from '../../cloud/etl/pseudonym.ts';
import { transformBatch } from '../../cloud/etl/transform.ts';
import { planLakeObjects } from '../../cloud/etl/writers/lake-objects.ts';
import { encodeCuratedColumns, encodeCuratedParquet } from '../../cloud/etl/writers/parquet.ts';
import { encodeVitals } from '../../device/contract/index.ts';
import { buildVitalsMessage, createPatientModel, deriveSeed, SCENARIOS } from '../../device/vitals/index.ts';
import { kinesisRecord, T0, validBatch } from '../unit/cloud/etl/kinesis-fixtures.ts';
import { measureRate, type Benchmark } from './harness.ts';
import type { KinesisStreamRecord } from 'aws-lambda';

const TARGET_RATIO = 0.3;

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

export const benchmark: Benchmark = {
  name: 'etl',
  description: 'ETL transform + Parquet encode vs a bare JSON.parse loop over the same Kinesis batch',
  async run({ quick, progress = () => {} }) {
    const size = quick ? 2_000 : 10_000;
    const rounds = quick ? 3 : 5;
    const budgetMs = quick ? 200 : 1_500;
    const batch = validBatch(size, { devices: 200 });
    const ward = wardBatch(size);
    const payloadTexts = batch.map((record) => {
      const envelope = JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')) as { payload: string };
      return Buffer.from(envelope.payload, 'base64').toString('utf8');
    });
    const payloadBytes = payloadTexts.map((text) => Buffer.from(text, 'utf8'));
    const pseudonymise = createPseudonymiser('bench-key-0123456789abcdef');
    const curatedColumns = transformBatch(batch, { pseudonymise, now: T0 }).curatedColumns;
    const curatedRows = transformBatch(batch, { pseudonymise, now: T0 }).curated.map((row) => row.value);

    let sink = 0;
    const cases: Record<string, () => number> = {
      'JSON.parse of each record (baseline)': () => {
        for (const record of batch) sink += (JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')) as object) === null ? 1 : 0;
        return batch.length;
      },
      'JSON.parse of each payload text': () => {
        for (const text of payloadTexts) sink += (JSON.parse(text) as object) === null ? 1 : 0;
        return payloadTexts.length;
      },
      // Where the time goes: the two steps the transform cannot skip.
      'step: unwrap (base64, envelope JSON, payload base64)': () => {
        for (const record of batch) sink += unwrapRecord(record, T0).payload.byteLength;
        return batch.length;
      },
      'step: contract validatePayload (fast path, zod for rejects)': () => {
        for (const payload of payloadBytes) sink += validatePayload(payload).ok ? 1 : 0;
        return payloadBytes.length;
      },
      'step: Parquet encode of the curated columns': () => {
        sink += encodeCuratedColumns(curatedColumns, null).byteLength;
        return curatedColumns.length;
      },
      // The compactor's path: rows read back from Parquet, turned into columns, encoded.
      'step: Parquet encode of row objects': () => {
        sink += encodeCuratedParquet(curatedRows).byteLength;
        return curatedRows.length;
      },
      'transform only': () => transformBatch(batch, { pseudonymise, now: T0 }).curatedColumns.length,
      // What the handler does for the curated layer (it encodes one file per measurement hour; here the
      // whole batch goes into one file, as before the columnar transform).
      'transform + Parquet encode': () => {
        const { curatedColumns: columns } = transformBatch(batch, { pseudonymise, now: T0 });
        sink += encodeCuratedColumns(columns, null).byteLength;
        return batch.length;
      },
      // The same two cases over the simulated ward: realistic values, nulls and flags for the encoder.
      'ward: JSON.parse of each record (baseline)': () => {
        for (const record of ward) sink += (JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')) as object) === null ? 1 : 0;
        return ward.length;
      },
      'ward: transform + Parquet encode': () => {
        const { curatedColumns: columns } = transformBatch(ward, { pseudonymise, now: T0 });
        sink += encodeCuratedColumns(columns, null).byteLength;
        return ward.length;
      },
      'transform + all lake objects (raw gzip, Parquet)': () => {
        sink += planLakeObjects(transformBatch(batch, { pseudonymise, now: T0 })).length;
        return batch.length;
      },
    };
    progress(`batch of ${size.toLocaleString('en-US')} records; warming up ${Object.keys(cases).length} cases`);
    // Warm every case up first, so that no case is measured while the JIT is still compiling it.
    for (const fn of Object.values(cases)) measureRate(fn, quick ? 100 : 300);
    const best: Record<string, number> = {};
    for (let round = 0; round < rounds; round += 1) {
      progress(`round ${round + 1} of ${rounds} (${Object.keys(cases).length} cases, ${budgetMs} ms each; the best round counts)`);
      for (const [name, fn] of Object.entries(cases)) {
        const { opsPerSecond } = measureRate(fn, budgetMs);
        best[name] = Math.max(best[name] ?? 0, opsPerSecond);
      }
    }
    const baseline = best['JSON.parse of each record (baseline)']!;
    const etl = best['transform + Parquet encode']!;
    const ratio = etl / baseline;
    const wardRatio = best['ward: transform + Parquet encode']! / best['ward: JSON.parse of each record (baseline)']!;
    const parquetBytes = encodeCuratedColumns(transformBatch(batch, { pseudonymise, now: T0 }).curatedColumns, null).byteLength;
    const jsonBytes = payloadTexts.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
    if (sink === -1) console.log('unreachable');
    return {
      name: 'etl',
      columns: ['case', 'records/s', 'vs baseline'],
      rows: Object.entries(best).map(([name, rate]) => {
        const against = name.startsWith('ward:') ? best['ward: JSON.parse of each record (baseline)']! : baseline;
        return [name, Math.round(rate), Number((rate / against).toFixed(3))];
      }),
      figures: {
        batch_records: size,
        baseline_records_per_s: Math.round(baseline),
        payload_parse_records_per_s: Math.round(best['JSON.parse of each payload text']!),
        transform_records_per_s: Math.round(best['transform only']!),
        parquet_records_per_s: Math.round(best['step: Parquet encode of the curated columns']!),
        parquet_from_rows_records_per_s: Math.round(best['step: Parquet encode of row objects']!),
        unwrap_records_per_s: Math.round(best['step: unwrap (base64, envelope JSON, payload base64)']!),
        validate_records_per_s: Math.round(best['step: contract validatePayload (fast path, zod for rejects)']!),
        etl_records_per_s: Math.round(etl),
        etl_all_objects_records_per_s: Math.round(best['transform + all lake objects (raw gzip, Parquet)']!),
        ratio: Number(ratio.toFixed(3)),
        ward_ratio: Number(wardRatio.toFixed(3)),
        ward_parquet_bytes_per_record: Number((encodeCuratedColumns(transformBatch(ward, { pseudonymise, now: T0 }).curatedColumns, null).byteLength / size).toFixed(1)),
        ratio_vs_payload_parse: Number((etl / best['JSON.parse of each payload text']!).toFixed(3)),
        parquet_bytes_per_record: Number((parquetBytes / size).toFixed(1)),
        json_bytes_per_record: Number((jsonBytes / size).toFixed(1)),
      },
      // A quick run's 200 ms cases over 2,000 records swing 0.12-0.32 with load (cloud/etl/README.md): the
      // ratio target needs the full run's 1.5 s cases over 10,000 records.
      targets: [
        { what: 'ETL transform + Parquet encode vs bare JSON.parse loop', target: `>= ${TARGET_RATIO}`, actual: ratio.toFixed(3), met: ratio >= TARGET_RATIO, fullRunOnly: true },
        { what: 'the same over a simulated ward (vitals model)', target: `>= ${TARGET_RATIO}`, actual: wardRatio.toFixed(3), met: wardRatio >= TARGET_RATIO, fullRunOnly: true },
      ],
    };
  },
};
