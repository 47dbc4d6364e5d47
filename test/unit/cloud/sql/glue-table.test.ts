import { describe, expect, it } from 'vitest';
import { CURATED_COLUMNS, CURATED_PARTITIONS, ROLLUP_HOURLY_COLUMNS } from '../../../../cloud/lake/curated-schema.ts';
import { curatedGlueTableInput, glueColumns, gluePartitionKeys, rollupGlueTableInput } from '../../../../cloud/sql/glue-table.ts';

describe('glueColumns', () => {
  it('lists every curated column in schema order with its Athena type', () => {
    const columns = glueColumns();
    expect(columns.map((c) => c.name)).toEqual(CURATED_COLUMNS.map((c) => c.name));
    expect(columns.find((c) => c.name === 'measured_at')?.type).toBe('timestamp');
    expect(columns.find((c) => c.name === 'seq')?.type).toBe('bigint');
    expect(columns.find((c) => c.name === 'heart_rate')?.type).toBe('int');
    expect(columns.find((c) => c.name === 'on_oxygen')?.type).toBe('boolean');
    expect(columns.every((c) => ['string', 'bigint', 'int', 'double', 'boolean', 'timestamp'].includes(c.type))).toBe(true);
  });

  it('keeps partitions out of the data columns', () => {
    expect(gluePartitionKeys().map((c) => `${c.name}:${c.type}`)).toEqual(['dt:string', 'hour:string']);
    expect(glueColumns().some((c) => CURATED_PARTITIONS.some((p) => p.name === c.name))).toBe(false);
  });
});

describe('curatedGlueTableInput', () => {
  const table = curatedGlueTableInput('lake-bucket-123', 'vitals_lake');

  it('projects dt as a yyyy-MM-dd date and hour as a two-digit integer onto the lake layout', () => {
    expect(table.parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy-MM-dd',
      'projection.dt.interval': '1',
      'projection.dt.interval.unit': 'DAYS',
      'projection.hour.type': 'integer',
      'projection.hour.range': '0,23',
      'projection.hour.digits': '2',
      'storage.location.template': 's3://lake-bucket-123/curated/vitals/dt=${dt}/hour=${hour}/',
    });
    expect(table.parameters['projection.dt.range']).toMatch(/^NOW-\d+YEARS,NOW\+1DAYS$/);
  });

  it('describes an external Parquet table at the curated prefix', () => {
    expect(table.name).toBe('curated_vitals');
    expect(table.tableType).toBe('EXTERNAL_TABLE');
    expect(table.parameters.classification).toBe('parquet');
    expect(table.storageDescriptor.location).toBe('s3://lake-bucket-123/curated/vitals/');
    expect(table.storageDescriptor.serdeInfo.serializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
    expect(table.storageDescriptor.inputFormat).toBe('org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat');
    expect(table.storageDescriptor.columns).toEqual(glueColumns());
    expect(table.partitionKeys).toEqual(gluePartitionKeys());
  });

  it('accepts a CDK token as the bucket name and rejects a name S3 would refuse', () => {
    expect(() => curatedGlueTableInput('${Token[TOKEN.123]}', 'db')).not.toThrow();
    expect(() => curatedGlueTableInput('Lake_Bucket', 'db')).toThrow(/not an S3 bucket name/);
    expect(() => curatedGlueTableInput('lake-bucket', '')).toThrow(/database/);
  });
});

describe('rollupGlueTableInput', () => {
  const table = rollupGlueTableInput('lake-bucket-123', 'vitals_lake');

  it('declares the hourly rollup columns from the schema, partitioned by a projected dt onto the rollup prefix', () => {
    expect(table.name).toBe('vitals_hourly_rollup');
    expect(table.storageDescriptor.columns.map((c) => c.name)).toEqual(ROLLUP_HOURLY_COLUMNS.map((c) => c.name));
    expect(table.storageDescriptor.columns.find((c) => c.name === 'heart_rate_sum')?.type).toBe('bigint');
    expect(table.storageDescriptor.columns.find((c) => c.name === 'temperature_c_sum')?.type).toBe('double');
    expect(table.partitionKeys.map((c) => `${c.name}:${c.type}`)).toEqual(['dt:string']);
    expect(table.storageDescriptor.location).toBe('s3://lake-bucket-123/rollup/hourly/');
    expect(table.parameters).toMatchObject({
      'projection.enabled': 'true', 'projection.dt.type': 'date', 'projection.dt.format': 'yyyy-MM-dd',
      'storage.location.template': 's3://lake-bucket-123/rollup/hourly/dt=${dt}/',
    });
    expect(table.parameters['projection.hour.type']).toBeUndefined();
  });

  it('rejects a name S3 would refuse', () => {
    expect(() => rollupGlueTableInput('Lake_Bucket', 'db')).toThrow(/not an S3 bucket name/);
  });
});
