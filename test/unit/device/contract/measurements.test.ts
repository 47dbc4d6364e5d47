import { describe, expect, it } from 'vitest';
import { MEASUREMENT_FIELDS, MEASUREMENTS, VITAL_BOUNDS, vitalsJsonSchema } from '../../../../device/contract/index.ts';
import { COMPACTED_PARQUET_OPTIONS } from '../../../../cloud/etl/compaction/layout.ts';
import { CURATED_COLUMNS, ROLLUP_HOURLY_COLUMNS } from '../../../../cloud/lake/curated-schema.ts';
import { SERIES } from '../../../../cloud/local/dashboard/feed-types.ts';

describe('the measurement registry', () => {
  it('gives each measurement a curated column of its type, nullable, in registry order', () => {
    const columns = CURATED_COLUMNS.filter((column) => column.name in MEASUREMENTS);
    expect(columns.map((column) => column.name)).toEqual(MEASUREMENT_FIELDS);
    for (const column of columns) {
      expect(column).toMatchObject({ type: MEASUREMENTS[column.name as keyof typeof MEASUREMENTS].type, nullable: true });
    }
  });

  it('gives each rollup aggregate of each measurement a column, counts never null', () => {
    for (const name of MEASUREMENT_FIELDS) {
      for (const aggregate of MEASUREMENTS[name].rollup) {
        const column = ROLLUP_HOURLY_COLUMNS.find((candidate) => candidate.name === `${name}_${aggregate}`);
        expect(column, `${name}_${aggregate}`).toBeDefined();
        expect(column!.nullable).toBe(aggregate !== 'count');
      }
    }
  });

  it('bounds the wire schema and the validator with the registry\'s plausibility range', () => {
    const properties = vitalsJsonSchema().properties as Record<string, { anyOf: { minimum: number; maximum: number; type: string }[] }>;
    for (const name of MEASUREMENT_FIELDS) {
      const { min, max, type } = MEASUREMENTS[name];
      expect(properties[name]!.anyOf[0]).toMatchObject({ minimum: min, maximum: max, type: type === 'int' ? 'integer' : 'number' });
      expect(VITAL_BOUNDS[name]).toMatchObject({ min, max });
    }
  });

  it('charts every measurement on the dashboard and delta-encodes the ones it says in compacted hours', () => {
    expect(SERIES).toEqual([...MEASUREMENT_FIELDS, 'news2']);
    for (const name of MEASUREMENT_FIELDS) {
      const encoding: string | undefined = (MEASUREMENTS[name] as { compactedEncoding?: string }).compactedEncoding;
      expect(COMPACTED_PARQUET_OPTIONS.encodings?.[name]).toBe(encoding);
    }
  });
});
