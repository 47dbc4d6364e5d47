/**
 * A batch of curated rows held column by column (cloud/lake/curated-schema.ts order): numbers and
 * booleans in typed arrays, repeated strings as codes into a per-batch dictionary, the unique Kinesis
 * sequence numbers as they are.
 *
 * Why: a 10,000-record batch kept alive as 10,000 row objects (34 fields each) and a string per field
 * made every young-generation GC copy them again, and the Parquet writer then copied them into columns
 * anyway. Here a row is built, appended and dropped at once (it dies young, which costs nothing), and
 * what the batch keeps alive is a few dozen arrays.
 */
import { CURATED_COLUMNS } from '../lake/curated-schema.ts';
import type { CuratedRow } from './curated-row.ts';

type Field = keyof CuratedRow;

/**
 * One accessor per column: `row[name]` with a variable name is a megamorphic keyed load; a named property
 * load per column is monomorphic. The mapped type makes the compiler insist on one for every field.
 */
const GETTERS: { readonly [K in Field]: (row: CuratedRow) => CuratedRow[K] } = {
  device_id: (r) => r.device_id, seq: (r) => r.seq, patient_key: (r) => r.patient_key, ward: (r) => r.ward,
  bed: (r) => r.bed, measured_at: (r) => r.measured_at, heart_rate: (r) => r.heart_rate, spo2: (r) => r.spo2,
  respiratory_rate: (r) => r.respiratory_rate, systolic_bp: (r) => r.systolic_bp, diastolic_bp: (r) => r.diastolic_bp,
  temperature_c: (r) => r.temperature_c, on_oxygen: (r) => r.on_oxygen, spo2_scale: (r) => r.spo2_scale,
  consciousness: (r) => r.consciousness, quality_flags: (r) => r.quality_flags, battery_pct: (r) => r.battery_pct,
  news2_respiration: (r) => r.news2_respiration, news2_spo2: (r) => r.news2_spo2,
  news2_air_or_oxygen: (r) => r.news2_air_or_oxygen, news2_systolic_bp: (r) => r.news2_systolic_bp,
  news2_pulse: (r) => r.news2_pulse, news2_consciousness: (r) => r.news2_consciousness,
  news2_temperature: (r) => r.news2_temperature, news2_total: (r) => r.news2_total, news2_band: (r) => r.news2_band,
  news2_complete: (r) => r.news2_complete, news2_missing: (r) => r.news2_missing, source_schema: (r) => r.source_schema,
  received_at: (r) => r.received_at, ingested_at: (r) => r.ingested_at, ingest_latency_ms: (r) => r.ingest_latency_ms,
  kinesis_shard: (r) => r.kinesis_shard, kinesis_sequence: (r) => r.kinesis_sequence,
};

/** Strings unique per row: a dictionary would only cost a lookup each. */
const UNIQUE_STRING_COLUMNS: ReadonlySet<string> = new Set(['kinesis_sequence']);

/** Numbers in a Float64Array (every int, bigint and timestamp value is a safe integer); null where nulls[i]. */
export interface NumberColumn { readonly kind: 'number'; readonly values: Float64Array; readonly nulls: Uint8Array | null }
/** 0/1 in a Uint8Array; null where nulls[i]. */
export interface BooleanColumn { readonly kind: 'boolean'; readonly values: Uint8Array; readonly nulls: Uint8Array | null }
/** Codes into `dictionary`, -1 for null. */
export interface DictionaryColumn { readonly kind: 'dictionary'; readonly codes: Int32Array; readonly dictionary: string[]; readonly lookup: Map<string, number> }
export interface StringColumn { readonly kind: 'string'; readonly values: (string | null)[] }
export type ColumnData = NumberColumn | BooleanColumn | DictionaryColumn | StringColumn;

interface Slot { readonly name: Field; readonly get: (row: CuratedRow) => unknown; readonly data: ColumnData }

function columnData(type: string, name: string, nullable: boolean, capacity: number): ColumnData {
  const nulls = nullable ? new Uint8Array(capacity) : null;
  switch (type) {
    case 'boolean':
      return { kind: 'boolean', values: new Uint8Array(capacity), nulls };
    case 'string':
      return UNIQUE_STRING_COLUMNS.has(name)
        ? { kind: 'string', values: new Array<string | null>(capacity) }
        : { kind: 'dictionary', codes: new Int32Array(capacity), dictionary: [], lookup: new Map() };
    default:
      return { kind: 'number', values: new Float64Array(capacity), nulls };
  }
}

export class CuratedColumns {
  /** Rows appended so far. */
  length = 0;
  /** Batch position of each row (the transform's record index; the row number for rows from elsewhere). */
  readonly index: Int32Array;
  private readonly slots: readonly Slot[];
  private readonly byName: ReadonlyMap<string, ColumnData>;

  constructor(readonly capacity: number) {
    this.index = new Int32Array(capacity);
    this.slots = CURATED_COLUMNS.map((column) => {
      const name = column.name as Field;
      return { name, get: GETTERS[name] as (row: CuratedRow) => unknown, data: columnData(column.type, name, column.nullable, capacity) };
    });
    this.byName = new Map(this.slots.map((slot) => [slot.name, slot.data]));
  }

  static fromRows(rows: readonly CuratedRow[]): CuratedColumns {
    const columns = new CuratedColumns(rows.length);
    for (let i = 0; i < rows.length; i += 1) columns.append(rows[i]!, i);
    return columns;
  }

  append(row: CuratedRow, index: number): void {
    const at = this.length;
    if (at === this.capacity) throw new RangeError(`CuratedColumns: capacity ${this.capacity} exceeded`);
    this.index[at] = index;
    for (const { get, data } of this.slots) storeValue(data, at, get(row));
    this.length = at + 1;
  }

  /** The storage of one column, by schema name. */
  column(name: string): ColumnData {
    const data = this.byName.get(name);
    if (data === undefined) throw new RangeError(`CuratedColumns: no column ${name}`);
    return data;
  }

  /** Row `at` as an object, fields in schema order: for tests and tools, not the hot path. */
  rowAt(at: number): CuratedRow {
    const row: Record<string, unknown> = {};
    for (const { name, data } of this.slots) row[name] = valueAt(data, at);
    return row as unknown as CuratedRow;
  }
}

function storeValue(data: ColumnData, at: number, value: unknown): void {
  switch (data.kind) {
    case 'number':
      if (value === null) data.nulls![at] = 1;
      else data.values[at] = value as number;
      return;
    case 'boolean':
      if (value === null) data.nulls![at] = 1;
      else data.values[at] = value === true ? 1 : 0;
      return;
    case 'dictionary': {
      if (value === null) {
        data.codes[at] = -1;
        return;
      }
      let code = data.lookup.get(value as string);
      if (code === undefined) {
        code = data.dictionary.length;
        data.dictionary.push(value as string);
        data.lookup.set(value as string, code);
      }
      data.codes[at] = code;
      return;
    }
    case 'string':
      data.values[at] = value as string | null;
  }
}

export function valueAt(data: ColumnData, at: number): string | number | boolean | null {
  switch (data.kind) {
    case 'number':
      return data.nulls !== null && data.nulls[at] === 1 ? null : data.values[at]!;
    case 'boolean':
      return data.nulls !== null && data.nulls[at] === 1 ? null : data.values[at] === 1;
    case 'dictionary': {
      const code = data.codes[at]!;
      return code < 0 ? null : data.dictionary[code]!;
    }
    case 'string':
      return data.values[at]!;
  }
}
