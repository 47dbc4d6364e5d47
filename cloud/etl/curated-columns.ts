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

interface Slot { readonly name: Field; readonly data: ColumnData }
type ColumnsByField = { readonly [K in Field]: ColumnData };

/**
 * One named load and one store per column, written out: a loop over per-column accessor functions was a
 * megamorphic call per value (fromRows of 10,000 rows: 11.5 -> 8.5 ms). A column left out here reads back wrong, which the
 * round-trip test (test/unit/cloud/etl/curated-columns.test.ts) catches.
 */
function appendRow(c: ColumnsByField, at: number, r: CuratedRow): void {
  storeValue(c.device_id, at, r.device_id);
  storeValue(c.seq, at, r.seq);
  storeValue(c.patient_key, at, r.patient_key);
  storeValue(c.ward, at, r.ward);
  storeValue(c.bed, at, r.bed);
  storeValue(c.measured_at, at, r.measured_at);
  storeValue(c.heart_rate, at, r.heart_rate);
  storeValue(c.spo2, at, r.spo2);
  storeValue(c.respiratory_rate, at, r.respiratory_rate);
  storeValue(c.systolic_bp, at, r.systolic_bp);
  storeValue(c.diastolic_bp, at, r.diastolic_bp);
  storeValue(c.temperature_c, at, r.temperature_c);
  storeValue(c.on_oxygen, at, r.on_oxygen);
  storeValue(c.spo2_scale, at, r.spo2_scale);
  storeValue(c.consciousness, at, r.consciousness);
  storeValue(c.quality_flags, at, r.quality_flags);
  storeValue(c.battery_pct, at, r.battery_pct);
  storeValue(c.news2_respiration, at, r.news2_respiration);
  storeValue(c.news2_spo2, at, r.news2_spo2);
  storeValue(c.news2_air_or_oxygen, at, r.news2_air_or_oxygen);
  storeValue(c.news2_systolic_bp, at, r.news2_systolic_bp);
  storeValue(c.news2_pulse, at, r.news2_pulse);
  storeValue(c.news2_consciousness, at, r.news2_consciousness);
  storeValue(c.news2_temperature, at, r.news2_temperature);
  storeValue(c.news2_total, at, r.news2_total);
  storeValue(c.news2_band, at, r.news2_band);
  storeValue(c.news2_complete, at, r.news2_complete);
  storeValue(c.news2_missing, at, r.news2_missing);
  storeValue(c.source_schema, at, r.source_schema);
  storeValue(c.received_at, at, r.received_at);
  storeValue(c.ingested_at, at, r.ingested_at);
  storeValue(c.ingest_latency_ms, at, r.ingest_latency_ms);
  storeValue(c.kinesis_shard, at, r.kinesis_shard);
  storeValue(c.kinesis_sequence, at, r.kinesis_sequence);
}

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
  private readonly byField: ColumnsByField;

  constructor(readonly capacity: number) {
    this.index = new Int32Array(capacity);
    this.slots = CURATED_COLUMNS.map((column) => {
      const name = column.name as Field;
      return { name, data: columnData(column.type, name, column.nullable, capacity) };
    });
    this.byName = new Map(this.slots.map((slot) => [slot.name, slot.data]));
    this.byField = Object.fromEntries(this.byName) as ColumnsByField;
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
    appendRow(this.byField, at, row);
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
