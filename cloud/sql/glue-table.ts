/**
 * The Glue table of the curated lake, derived from THE curated schema (cloud/lake/curated-schema.ts).
 * Partition projection instead of a crawler: Athena computes the partition locations from the table
 * properties, so new dt=/hour= prefixes are queryable the moment the ETL writes them (DESIGN §5).
 * Plain objects in the shape of CfnTable.TableInputProperty, so the CDK construct passes them through.
 */
import {
  CURATED_COLUMNS, CURATED_PARTITIONS, CURATED_TABLE, LAKE_PREFIXES, ROLLUP_HOURLY_COLUMNS, ROLLUP_HOURLY_PARTITIONS,
  ROLLUP_HOURLY_PREFIX, ROLLUP_HOURLY_TABLE, type Column, type ColumnType,
} from '../lake/curated-schema.ts';
import { DT_PROJECTION_RANGE } from '../lake/plausible-time.ts';

export type AthenaType = 'string' | 'bigint' | 'int' | 'double' | 'boolean' | 'timestamp';

/** Athena (Hive DDL) type of each curated column type. */
export const ATHENA_TYPES: Readonly<Record<ColumnType, AthenaType>> = {
  string: 'string', bigint: 'bigint', int: 'int', double: 'double', boolean: 'boolean', timestamp: 'timestamp',
};

export interface GlueColumn {
  name: string;
  type: AthenaType;
  comment: string;
}

const toGlue = (column: Column): GlueColumn => ({ name: column.name, type: ATHENA_TYPES[column.type], comment: column.description });

/** The data columns, in schema order. */
export function glueColumns(): GlueColumn[] {
  return CURATED_COLUMNS.map(toGlue);
}

export function gluePartitionKeys(): GlueColumn[] {
  return CURATED_PARTITIONS.map(toGlue);
}

/**
 * How far the dt projection reaches: the plausible-time window (cloud/lake/plausible-time.ts), the one the
 * ETL curates readings in. Partitions are by measurement time, and a monitor replaying its offline queue
 * or with a clock ahead can write a day into the future: hence NOW+1DAYS.
 */
export { DT_PROJECTION_RANGE };

export function curatedLocation(bucketName: string): string {
  return `s3://${bucketName}/${LAKE_PREFIXES.curated}`;
}

export function rollupLocation(bucketName: string): string {
  return `s3://${bucketName}/${ROLLUP_HOURLY_PREFIX}`;
}

const DT_PROJECTION = {
  'projection.enabled': 'true',
  'projection.dt.type': 'date',
  'projection.dt.format': 'yyyy-MM-dd',
  'projection.dt.range': DT_PROJECTION_RANGE,
  'projection.dt.interval': '1',
  'projection.dt.interval.unit': 'DAYS',
} as const;

/** Table properties for partition projection: dt as a date, hour as a two-digit integer. */
export function partitionProjectionParameters(bucketName: string): Record<string, string> {
  return {
    ...DT_PROJECTION,
    'projection.hour.type': 'integer',
    'projection.hour.range': '0,23',
    'projection.hour.digits': '2',
    'storage.location.template': `${curatedLocation(bucketName)}dt=\${dt}/hour=\${hour}/`,
  };
}

/** The shape of CfnTable.TableInputProperty (aws-cdk-lib/aws-glue), as a plain object. */
export interface GlueTableInput {
  name: string;
  description: string;
  tableType: 'EXTERNAL_TABLE';
  parameters: Record<string, string>;
  partitionKeys: GlueColumn[];
  storageDescriptor: {
    columns: GlueColumn[];
    location: string;
    inputFormat: string;
    outputFormat: string;
    compressed: boolean;
    serdeInfo: { serializationLibrary: string; parameters: Record<string, string> };
  };
}

interface TableSpec { name: string; description: string; columns: readonly Column[]; partitions: readonly Column[]; location: string; projection: Record<string, string> }

function checkNames(bucketName: string, database: string): void {
  if (!/^[a-z0-9-.]{3,63}$/.test(bucketName) && !bucketName.startsWith('${Token')) {
    throw new RangeError(`"${bucketName}" is not an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)`);
  }
  if (database.length === 0) throw new RangeError('the Glue database name is empty');
}

function parquetTableInput(spec: TableSpec): GlueTableInput {
  return {
    name: spec.name,
    description: spec.description,
    tableType: 'EXTERNAL_TABLE',
    parameters: {
      classification: 'parquet',
      EXTERNAL: 'TRUE',
      ...spec.projection,
    },
    partitionKeys: spec.partitions.map(toGlue),
    storageDescriptor: {
      columns: spec.columns.map(toGlue),
      location: spec.location,
      inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
      outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
      compressed: true,
      serdeInfo: {
        serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
        parameters: { 'serialization.format': '1' },
      },
    },
  };
}

/** The curated table for the CDK catalog construct (`new glue.CfnTable(this, 'Curated', { catalogId, databaseName: database, tableInput })`). */
export function curatedGlueTableInput(bucketName: string, database: string): GlueTableInput {
  checkNames(bucketName, database);
  return parquetTableInput({
    name: CURATED_TABLE,
    description: `Curated bedside vitals (one row per accepted reading, duplicates possible; read the ${database}.vitals view). Partitioned by measurement time, UTC.`,
    columns: CURATED_COLUMNS, partitions: CURATED_PARTITIONS, location: curatedLocation(bucketName),
    projection: partitionProjectionParameters(bucketName),
  });
}

/** The hourly rollup table (one Parquet file per day, written by the compaction pass), dt projected. */
export function rollupGlueTableInput(bucketName: string, database: string): GlueTableInput {
  checkNames(bucketName, database);
  return parquetTableInput({
    name: ROLLUP_HOURLY_TABLE,
    description: 'Per patient and closed UTC hour: exact counts, sums, minima and maxima of the vitals (written when the hour is compacted). Partitioned by measurement day, UTC.',
    columns: ROLLUP_HOURLY_COLUMNS, partitions: ROLLUP_HOURLY_PARTITIONS, location: rollupLocation(bucketName),
    projection: { ...DT_PROJECTION, 'storage.location.template': `${rollupLocation(bucketName)}dt=\${dt}/` },
  });
}
