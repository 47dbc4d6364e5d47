/**
 * Glue TableInput of the curated table derived from CURATED_COLUMNS, with partition projection.
 * Stand-in until cloud/sql publishes `curatedGlueTableInput`; the stack prefers that one when present.
 */
import type * as glue from 'aws-cdk-lib/aws-glue';
import { CURATED_COLUMNS, CURATED_PARTITIONS, CURATED_TABLE, LAKE_PREFIXES } from '../lake/curated-schema.ts';
import type { ColumnType } from '../lake/curated-schema.ts';
import { CATALOG_DEFAULTS } from './defaults.ts';

const GLUE_TYPES: Record<ColumnType, string> = {
  string: 'string',
  int: 'int',
  bigint: 'bigint',
  double: 'double',
  boolean: 'boolean',
  timestamp: 'timestamp',
};

export function fallbackCuratedTableInput(bucketName: string): glue.CfnTable.TableInputProperty {
  const location = `s3://${bucketName}/${LAKE_PREFIXES.curated}`;
  return {
    name: CURATED_TABLE,
    description: 'Curated bedside vitals (Parquet, snappy), partitioned by measurement date and hour (UTC)',
    tableType: 'EXTERNAL_TABLE',
    partitionKeys: CURATED_PARTITIONS.map((c) => ({ name: c.name, type: GLUE_TYPES[c.type], comment: c.description })),
    parameters: {
      classification: 'parquet',
      'parquet.compression': 'SNAPPY',
      'projection.enabled': 'true',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy-MM-dd',
      'projection.dt.range': `${CATALOG_DEFAULTS.projectionStartDate},NOW`,
      'projection.dt.interval': '1',
      'projection.dt.interval.unit': 'DAYS',
      'projection.hour.type': 'integer',
      'projection.hour.range': '0,23',
      'projection.hour.digits': '2',
      'storage.location.template': `${location}dt=\${dt}/hour=\${hour}/`,
    },
    storageDescriptor: {
      location,
      inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
      outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
      serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
      columns: CURATED_COLUMNS.map((c) => ({ name: c.name, type: GLUE_TYPES[c.type], comment: c.description })),
    },
  };
}
