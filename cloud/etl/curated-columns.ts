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
/** Codes into `dictionary`, -1 for null; the last value stored and its code (rows often repeat a string). */
export interface DictionaryColumn {
  readonly kind: 'dictionary'; readonly codes: Int32Array; readonly dictionary: string[]; readonly lookup: Map<string, number>;
  last: string | null; lastCode: number;
}
export interface StringColumn { readonly kind: 'string'; readonly values: (string | null)[] }
export type ColumnData = NumberColumn | BooleanColumn | DictionaryColumn | StringColumn;

interface Slot { readonly name: Field; readonly data: ColumnData }

/**
 * One named load and one store per column, written out, each through the store of its kind: a loop over
 * per-column accessor functions was a megamorphic call per value, and one store with a switch on the kind
 * a polymorphic one (fromRows of 10,000 rows: 11.5 -> 8.5 ms, then ...). A column stored through the wrong
 * kind throws when the columns are built (typedColumns); one left out here reads back wrong, which the
 * round-trip test (test/unit/cloud/etl/curated-columns.test.ts) catches.
 */
function appendRow(c: TypedColumns, at: number, r: CuratedRow): void {
  storeDictionary(c.device_id, at, r.device_id);
  storeNumber(c.seq, at, r.seq);
  storeDictionary(c.patient_key, at, r.patient_key);
  storeDictionary(c.ward, at, r.ward);
  storeDictionary(c.bed, at, r.bed);
  storeNumber(c.measured_at, at, r.measured_at);
  storeNumber(c.heart_rate, at, r.heart_rate);
  storeNumber(c.spo2, at, r.spo2);
  storeNumber(c.respiratory_rate, at, r.respiratory_rate);
  storeNumber(c.systolic_bp, at, r.systolic_bp);
  storeNumber(c.diastolic_bp, at, r.diastolic_bp);
  storeNumber(c.temperature_c, at, r.temperature_c);
  storeBoolean(c.on_oxygen, at, r.on_oxygen);
  storeNumber(c.spo2_scale, at, r.spo2_scale);
  storeDictionary(c.consciousness, at, r.consciousness);
  storeDictionary(c.quality_flags, at, r.quality_flags);
  storeNumber(c.battery_pct, at, r.battery_pct);
  storeNumber(c.news2_respiration, at, r.news2_respiration);
  storeNumber(c.news2_spo2, at, r.news2_spo2);
  storeNumber(c.news2_air_or_oxygen, at, r.news2_air_or_oxygen);
  storeNumber(c.news2_systolic_bp, at, r.news2_systolic_bp);
  storeNumber(c.news2_pulse, at, r.news2_pulse);
  storeNumber(c.news2_consciousness, at, r.news2_consciousness);
  storeNumber(c.news2_temperature, at, r.news2_temperature);
  storeNumber(c.news2_total, at, r.news2_total);
  storeDictionary(c.news2_band, at, r.news2_band);
  storeBoolean(c.news2_complete, at, r.news2_complete);
  storeDictionary(c.news2_missing, at, r.news2_missing);
  storeDictionary(c.source_schema, at, r.source_schema);
  storeNumber(c.received_at, at, r.received_at);
  storeNumber(c.ingested_at, at, r.ingested_at);
  storeNumber(c.ingest_latency_ms, at, r.ingest_latency_ms);
  storeDictionary(c.kinesis_shard, at, r.kinesis_shard);
  storeString(c.kinesis_sequence, at, r.kinesis_sequence);
}

interface TypedColumns {
  readonly device_id: DictionaryColumn; readonly seq: NumberColumn; readonly patient_key: DictionaryColumn;
  readonly ward: DictionaryColumn; readonly bed: DictionaryColumn; readonly measured_at: NumberColumn;
  readonly heart_rate: NumberColumn; readonly spo2: NumberColumn; readonly respiratory_rate: NumberColumn;
  readonly systolic_bp: NumberColumn; readonly diastolic_bp: NumberColumn; readonly temperature_c: NumberColumn;
  readonly on_oxygen: BooleanColumn; readonly spo2_scale: NumberColumn; readonly consciousness: DictionaryColumn;
  readonly quality_flags: DictionaryColumn; readonly battery_pct: NumberColumn; readonly news2_respiration: NumberColumn;
  readonly news2_spo2: NumberColumn; readonly news2_air_or_oxygen: NumberColumn; readonly news2_systolic_bp: NumberColumn;
  readonly news2_pulse: NumberColumn; readonly news2_consciousness: NumberColumn; readonly news2_temperature: NumberColumn;
  readonly news2_total: NumberColumn; readonly news2_band: DictionaryColumn; readonly news2_complete: BooleanColumn;
  readonly news2_missing: DictionaryColumn; readonly source_schema: DictionaryColumn; readonly received_at: NumberColumn;
  readonly ingested_at: NumberColumn; readonly ingest_latency_ms: NumberColumn; readonly kinesis_shard: DictionaryColumn;
  readonly kinesis_sequence: StringColumn;
}

const KIND_OF_STORE: Readonly<Record<Field, ColumnData['kind']>> = {
  device_id: 'dictionary', seq: 'number', patient_key: 'dictionary', ward: 'dictionary', bed: 'dictionary', measured_at: 'number',
  heart_rate: 'number', spo2: 'number', respiratory_rate: 'number', systolic_bp: 'number', diastolic_bp: 'number', temperature_c: 'number',
  on_oxygen: 'boolean', spo2_scale: 'number', consciousness: 'dictionary', quality_flags: 'dictionary', battery_pct: 'number',
  news2_respiration: 'number', news2_spo2: 'number', news2_air_or_oxygen: 'number', news2_systolic_bp: 'number', news2_pulse: 'number',
  news2_consciousness: 'number', news2_temperature: 'number', news2_total: 'number', news2_band: 'dictionary', news2_complete: 'boolean',
  news2_missing: 'dictionary', source_schema: 'dictionary', received_at: 'number', ingested_at: 'number', ingest_latency_ms: 'number',
  kinesis_shard: 'dictionary', kinesis_sequence: 'string',
};

/** The columns by field, each checked to be of the kind appendRow stores into it. */
function typedColumns(byName: ReadonlyMap<string, ColumnData>): TypedColumns {
  const typed: Record<string, ColumnData> = {};
  for (const [name, data] of byName) {
    const kind = KIND_OF_STORE[name as Field];
    if (kind !== data.kind) throw new Error(`CuratedColumns: ${name} is stored as ${kind ?? 'nothing'} but held as ${data.kind}`);
    typed[name] = data;
  }
  return typed as unknown as TypedColumns;
}

function columnData(type: string, name: string, nullable: boolean, capacity: number): ColumnData {
  const nulls = nullable ? new Uint8Array(capacity) : null;
  switch (type) {
    case 'boolean':
      return { kind: 'boolean', values: new Uint8Array(capacity), nulls };
    case 'string':
      return UNIQUE_STRING_COLUMNS.has(name)
        ? { kind: 'string', values: new Array<string | null>(capacity) }
        : { kind: 'dictionary', codes: new Int32Array(capacity), dictionary: [], lookup: new Map(), last: null, lastCode: -1 };
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
  private readonly byField: TypedColumns;

  constructor(readonly capacity: number) {
    this.index = new Int32Array(capacity);
    this.slots = CURATED_COLUMNS.map((column) => {
      const name = column.name as Field;
      return { name, data: columnData(column.type, name, column.nullable, capacity) };
    });
    this.byName = new Map(this.slots.map((slot) => [slot.name, slot.data]));
    this.byField = typedColumns(this.byName);
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

  /** The (seq, batch position) of each row of `device`: for the deduplicator, when a device's seqs stop rising. */
  *keptOf(device: string): Iterable<readonly [seq: number, index: number]> {
    const { device_id: devices, seq } = this.byField;
    const code = devices.lookup.get(device);
    if (code === undefined) return;
    for (let at = 0; at < this.length; at += 1) if (devices.codes[at] === code) yield [seq.values[at]!, this.index[at]!];
  }

  /**
   * Removes the rows at `positions` (column positions, not batch positions), keeping the others in order.
   * The rare path (an in-batch conflict): dictionaries keep their entries, the writer renumbers per file.
   */
  removeRows(positions: ReadonlySet<number>): void {
    if (positions.size === 0) return;
    let to = 0;
    for (let from = 0; from < this.length; from += 1) {
      if (positions.has(from)) continue;
      if (to !== from) {
        this.index[to] = this.index[from]!;
        for (const { data } of this.slots) moveValue(data, from, to);
      }
      to += 1;
    }
    for (let at = to; at < this.length; at += 1) for (const { data } of this.slots) clearValue(data, at);
    this.length = to;
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

// A row from elsewhere (read back from Parquet, say) may hold undefined for a missing value: stored as null,
// as the general Parquet path reads it, never as a NaN or a dictionary entry.
function storeNumber(data: NumberColumn, at: number, value: number | null): void {
  if (value === null || value === undefined) data.nulls![at] = 1;
  else data.values[at] = value;
}

function storeBoolean(data: BooleanColumn, at: number, value: boolean | null): void {
  if (value === null || value === undefined) data.nulls![at] = 1;
  else data.values[at] = value ? 1 : 0;
}

function storeDictionary(data: DictionaryColumn, at: number, value: string | null): void {
  if (value === null || value === undefined) {
    data.codes[at] = -1;
    return;
  }
  if (value === data.last) {
    data.codes[at] = data.lastCode;
    return;
  }
  let code = data.lookup.get(value);
  if (code === undefined) {
    code = data.dictionary.length;
    data.dictionary.push(value);
    data.lookup.set(value, code);
  }
  data.codes[at] = code;
  data.last = value;
  data.lastCode = code;
}

function storeString(data: StringColumn, at: number, value: string | null): void {
  data.values[at] = value ?? null;
}

function moveValue(data: ColumnData, from: number, to: number): void {
  switch (data.kind) {
    case 'number':
    case 'boolean':
      data.values[to] = data.values[from]!;
      if (data.nulls !== null) data.nulls[to] = data.nulls[from]!;
      return;
    case 'dictionary':
      data.codes[to] = data.codes[from]!;
      return;
    case 'string':
      data.values[to] = data.values[from]!;
  }
}

/** A freed slot back to its state before any append (the null masks are read by position). */
function clearValue(data: ColumnData, at: number): void {
  switch (data.kind) {
    case 'number':
    case 'boolean':
      data.values[at] = 0;
      if (data.nulls !== null) data.nulls[at] = 0;
      return;
    case 'dictionary':
      data.codes[at] = 0;
      data.last = null;
      data.lastCode = -1;
      return;
    case 'string':
      data.values[at] = null;
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
