import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, main } from '../../../../cloud/query/cli.ts';
import { NAMED_QUERIES } from '../../../../cloud/sql/named-queries.ts';
import { utcDay, vitals, writeLakeThroughEtl } from './etl-lake-fixture.ts';

let dir: string;
const { midnight } = utcDay(0);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'query-cli-'));
  const at = (seq: number) => new Date(midnight + seq * 1000).toISOString();
  await writeLakeThroughEtl(dir, [{
    clockMs: midnight + 60_000,
    messages: [1, 2, 3].map((seq) => vitals({ device_id: 'bedside-q', patient_id: 'PQ', bed: 'bed, "the window"', seq, timestamp: at(seq) })),
  }]);
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (text) => { out += `${text}\n`; }, err: (text) => { err += `${text}\n`; } });
  return { code, out, err };
}

describe('npm run query', () => {
  it('lists the named queries', async () => {
    const { code, out } = await run('--list');
    expect(code).toBe(EXIT.ok);
    for (const query of NAMED_QUERIES) expect(out).toContain(query.name);
  });

  it('prints a named query as an aligned table with a row count', async () => {
    const { code, out } = await run('--lake', dir, '--named', 'device-gaps-and-duplicates');
    expect(code).toBe(EXIT.ok);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^device_id\s+\| first_seq \| last_seq \| readings \| missing \| gaps \| duplicates \| conflicts \| legacy_readings \| gap_ranges$/);
    expect(lines[1]).toMatch(/^-+(-\+-+)+$/);
    expect(lines[2]).toMatch(/^bedside-q\s+\|\s+1 \|\s+3 \|\s+3 \|\s+0 \|\s+0 \|\s+0 \|\s+0 \|\s+0 \| NULL$/);
    expect(lines[3]).toBe('(1 row)');
  });

  it('runs ad-hoc SQL and writes CSV with quoting', async () => {
    const { code, out } = await run('--lake', dir, '--format', 'csv', 'SELECT bed, count(*) AS n FROM vitals GROUP BY bed');
    expect(code).toBe(EXIT.ok);
    expect(out).toBe('bed,n\n"bed, ""the window""",3\n');
  });

  it('writes JSON rows with numbers as numbers', async () => {
    const { code, out } = await run('--lake', dir, '--format', 'json', 'SELECT device_id, max(seq) AS last_seq FROM vitals GROUP BY 1');
    expect(code).toBe(EXIT.ok);
    expect(JSON.parse(out)).toEqual([{ device_id: 'bedside-q', last_seq: 3 }]);
  });

  it('names the available queries when the name is unknown', async () => {
    const { code, err } = await run('--lake', dir, '--named', 'latest-vitals');
    expect(code).toBe(EXIT.usage);
    expect(err).toContain('there is no named query "latest-vitals"');
    expect(err).toContain('latest-vitals-per-bed');
  });

  it('says the lake is empty, with exit code 3', async () => {
    const { code, err } = await run('--lake', join(dir, 'nothing-here'), '--named', 'latest-vitals-per-bed');
    expect(code).toBe(EXIT.emptyLake);
    expect(err).toMatch(/no curated data/);
  });

  it('reports SQL the engine rejects with exit code 4', async () => {
    const { code, err } = await run('--lake', dir, 'SELECT no_such_column FROM vitals');
    expect(code).toBe(EXIT.sql);
    expect(err).toMatch(/DuckDB rejected the query: .*no_such_column/);
  });

  it('rejects a bad format and a missing query with usage', async () => {
    expect((await run('--lake', dir, '--format', 'xml', 'SELECT 1')).code).toBe(EXIT.usage);
    expect((await run('--lake', dir)).code).toBe(EXIT.usage);
    expect((await run('--bogus')).code).toBe(EXIT.usage);
  });

  it('checks --format before listing, and suggests the flag a typo meant', async () => {
    const list = await run('--format', 'xml', '--list');
    expect(list.code).toBe(EXIT.usage);
    expect(list.out).toBe('');
    expect(list.err).toContain('--format must be one of table, csv, json; got "xml"');
    const typo = await run('--fromat', 'csv', '--list');
    expect(typo.code).toBe(EXIT.usage);
    expect(typo.err).toContain('unknown option --fromat: did you mean --format?');
  });

  it('describes latest-vitals-per-bed by the window its SQL reads: the last hour', async () => {
    const { out } = await run('--list');
    const line = out.split('\n').find((l) => l.startsWith('latest-vitals-per-bed'))!;
    expect(line).toMatch(/in the last hour/);
    expect(line).not.toMatch(/yesterday/);
    expect((await run('--named', 'latest-vitals-per-bed', '--show')).out).toContain("current_timestamp - INTERVAL '1' HOUR");
  });

  it('prints the SQL of a named query with --show', async () => {
    const { code, out } = await run('--named', 'ingest-latency-percentiles', '--show');
    expect(code).toBe(EXIT.ok);
    expect(out).toContain('approx_percentile(ingest_latency_ms, 0.99)');
  });
});
