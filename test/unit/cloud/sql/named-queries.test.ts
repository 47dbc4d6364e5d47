import { describe, expect, it } from 'vitest';
import { CURATED_COLUMNS, CURATED_PARTITIONS } from '../../../../cloud/lake/curated-schema.ts';
import { curatedViewSql, emptyRollupViewSql, rollupViewSql } from '../../../../cloud/sql/duckdb-curated-view.ts';
import { DUCKDB_SHIMS } from '../../../../cloud/sql/duckdb-shims.ts';
import { NAMED_QUERIES, VITALS_VIEW_SQL, findNamedQuery } from '../../../../cloud/sql/named-queries.ts';
import { LEGACY_SEQ_BASE } from '../../../../device/contract/vitals-v1.ts';

const withoutComments = (sql: string): string => sql.replace(/--.*$/gm, '');

describe('NAMED_QUERIES', () => {
  it('holds the five standard queries, each with a description and SQL', () => {
    expect(NAMED_QUERIES.map((q) => q.name)).toEqual([
      'latest-vitals-per-bed', 'news2-escalations-by-ward-hour', 'device-gaps-and-duplicates',
      'ingest-latency-percentiles', 'hourly-aggregates-per-patient',
    ]);
    for (const query of NAMED_QUERIES) {
      expect(query.description.length).toBeGreaterThan(10);
      expect(query.description.length).toBeLessThanOrEqual(1024); // Athena NamedQuery Description limit
      expect(query.name).toMatch(/^[a-z0-9-]{1,128}$/);
      expect(query.sql).toMatch(/\bSELECT\b/);
    }
  });

  it('filters every query on the dt partition so that Athena prunes partitions', () => {
    for (const query of NAMED_QUERIES) expect(query.sql, query.name).toMatch(/WHERE \(?dt [>=]+ /);
  });

  it('reads the deduplicated vitals view, except the duplicate report which reads curated_vitals', () => {
    for (const query of NAMED_QUERIES) {
      const source = query.name === 'device-gaps-and-duplicates' ? /FROM curated_vitals\b/ : /FROM vitals\b/;
      expect(query.sql, query.name).toMatch(source);
    }
  });

  it('reads the hourly rollup for hours older than the last three and the readings for those', () => {
    const sql = findNamedQuery('hourly-aggregates-per-patient')!.sql;
    expect(sql).toMatch(/FROM vitals_hourly_rollup\b/);
    expect(sql).toMatch(/UNION ALL/);
    expect(sql.match(/current_timestamp - INTERVAL '2' HOUR/g)?.length).toBeGreaterThanOrEqual(4);
  });

  it('uses only the Athena spelling of functions that DuckDB names differently', () => {
    const duckdbOnly = /\b(approx_quantile|quantile_disc|quantile_cont|strftime|list_slice|array_to_string|string_agg|epoch_ms)\s*\(/i;
    for (const query of NAMED_QUERIES) expect(withoutComments(query.sql), query.name).not.toMatch(duckdbOnly);
  });

  it('finds a query by name and returns undefined for an unknown one', () => {
    expect(findNamedQuery('latest-vitals-per-bed')?.name).toBe('latest-vitals-per-bed');
    expect(findNamedQuery('nope')).toBeUndefined();
  });
});

describe('the vitals view', () => {
  it('selects exactly the curated columns and partitions, in schema order', () => {
    const select = /CREATE OR REPLACE VIEW vitals AS\s+SELECT([\s\S]+?)\bFROM \(/.exec(VITALS_VIEW_SQL)?.[1] ?? '';
    const names = select.replace(/--.*$/gm, '').split(',').map((name) => name.trim());
    expect(names).toEqual([...CURATED_COLUMNS, ...CURATED_PARTITIONS].map((c) => c.name));
  });

  it('keeps one row per (device_id, seq), partitioned by dt and hour first so that dt filters prune through it', () => {
    // The first ingested copy wins, in the order the compaction pass settles conflicts by (plan.ts firstArrival).
    expect(VITALS_VIEW_SQL).toMatch(/PARTITION BY dt, hour, device_id, seq ORDER BY ingested_at, kinesis_shard\)/);
    expect(VITALS_VIEW_SQL).toMatch(/WHERE copy_number = 1/);
  });
});

describe('device-gaps-and-duplicates', () => {
  it('tells legacy keys from vitals/1 seqs by the contract\'s LEGACY_SEQ_BASE, and only by it', () => {
    const sql = findNamedQuery('device-gaps-and-duplicates')!.sql;
    const literals = [...sql.matchAll(/\b\d{10,}\b/g)].map((match) => match[0]);
    expect(literals.length).toBeGreaterThan(0);
    expect(new Set(literals)).toEqual(new Set([String(LEGACY_SEQ_BASE)]));
  });
});

describe('curatedViewSql', () => {
  it('casts every column to its declared DuckDB type and reads hive partitions as strings', () => {
    const sql = curatedViewSql('/lake');
    expect(sql).toContain(`read_parquet('/lake/curated/vitals/**/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'dt': 'VARCHAR', 'hour': 'VARCHAR'})`);
    expect(sql).toContain('CAST("measured_at" AS TIMESTAMP) AS "measured_at"');
    expect(sql).toContain('CAST("seq" AS BIGINT) AS "seq"');
  });

  it("escapes a quote in the lake path", () => {
    expect(curatedViewSql("/tmp/o'brien")).toContain("'/tmp/o''brien/curated/vitals/**/*.parquet'");
  });
});

describe('rollupViewSql / emptyRollupViewSql', () => {
  it('reads the rollup day files with dt from the path, or stands in with no rows before the first one exists', () => {
    expect(rollupViewSql('/lake')).toContain(`CREATE OR REPLACE VIEW vitals_hourly_rollup AS`);
    expect(rollupViewSql('/lake')).toContain(`read_parquet('/lake/rollup/hourly/**/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'dt': 'VARCHAR'})`);
    expect(rollupViewSql('/lake')).toContain('CAST("heart_rate_sum" AS BIGINT) AS "heart_rate_sum"');
    expect(emptyRollupViewSql()).toMatch(/CREATE OR REPLACE VIEW vitals_hourly_rollup AS[\s\S]*CAST\(NULL AS VARCHAR\) AS "dt"\nWHERE false$/);
  });
});

describe('DUCKDB_SHIMS', () => {
  it('defines one macro per Athena function it names', () => {
    for (const shim of DUCKDB_SHIMS) {
      const name = shim.athena.slice(0, shim.athena.indexOf('('));
      expect(shim.sql).toMatch(new RegExp(`^CREATE OR REPLACE MACRO ${name}\\(`));
    }
  });
});
