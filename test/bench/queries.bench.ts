/**
 * `npm run bench -- queries`: bytes each named query reads from the curated Parquet lake, against the same
 * readings kept as raw gzip JSON lines (DESIGN §9 target: curated <= 5 % of raw).
 *
 * Method. A ward of simulated monitors (device/vitals model; full: 30 monitors every 5 s over 2 days up to
 * now, 1.04 M readings; --quick: 12 every 2 min over 3 days) goes through the real ETL handler in batches of
 * 500 (the stack's Lambda batch size) into a temporary directory lake, which then holds both layers of the
 * same readings. (Monitors publish every second by default; 5 s keeps the bench near two minutes. Until
 * 2026-11-26 the ward published every 30 s, which made each hourly file's fixed costs, its ~2.6 KB footer
 * and its dictionary of pseudonyms, thirty times heavier per reading than at 1 Hz: escalations then read
 * 5.7-6.1 % of raw, now 1.8 %.) The lake holds:
 * raw/ (gzip JSON lines) and curated/ (Parquet). For each named query:
 *  - curated bytes = what Athena bills for Parquet: per file the query opens, its footer plus the compressed
 *    chunks (page headers included) of the columns read. The columns come from DuckDB's profile of the query
 *    (projection pushdown, per scan); the files from the same profile: each scan's hive-partition filters
 *    ("File Filters", evaluated here over the lake's file list and checked against the scan's "Total Files
 *    Read"), so a query that filters on hour partitions as well as dt is priced on the hours it opens. A
 *    scan of the hourly rollup (rollup/hourly/, written by the compaction pass) is priced the same way on
 *    the rollup's files. Every row group of an opened file is counted: min/max statistics that would let an
 *    engine skip a row group are not credited (an overstatement, if anything). The sizes come from
 *    parquet_metadata(). DuckDB's own total_bytes_read is shown for reference: it coalesces nearby reads
 *    and so reads more of small files than Athena would.
 *  - raw bytes = every raw object in the dt partitions the queries cover (today and yesterday): Athena can
 *    neither skip columns in JSON nor seek inside gzip, so it reads them whole. The same comparator for every
 *    query, including those that filter on measurement hours: raw is partitioned by arrival time, and a
 *    reading can arrive hours after it was measured (a monitor's outbox draining), so a raw table cannot
 *    be pruned by measurement hour without missing readings; curated is partitioned by measurement time.
 *  - "no pruning" = curated bytes over every raw object (the same question on an unpartitioned JSON table).
 * Then the real compaction pass (cloud/etl/compaction, the code the hourly Lambda and the local runner
 * run) compacts the same lake in place, as of now with the default grace period: every closed hour
 * becomes one compacted.parquet (GZIP, delta-encoded vitals) and gets its rows in the day's hourly rollup;
 * the last hour or two stay as the ETL wrote them. Measured again. The targets apply to the compacted lake
 * (what queries read in steady state); the as-written figures are shown alongside. As written there is no
 * rollup yet, so hourly-aggregates-per-patient then answers only its last three hours (fewer rows).
 * The figures move with the time of day: the queries read today and yesterday (25 to 48 hours), of which
 * the current hour, still as the ETL wrote it, is a larger share just after midnight UTC.
 */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactCuratedLake } from '../../cloud/etl/compaction/compact.ts';
import { DEFAULT_COMPACTION_GRACE_MS } from '../../cloud/etl/compaction/runner.ts';
import { createEtlHandler } from '../../cloud/etl/handler.ts';
import { createFsStore } from '../../cloud/lake/fs-store.ts';
import { toKinesisStreamEvent, type StreamRecord } from '../../cloud/local/event-source/stream-record.ts';
import { openLake, type Lake } from '../../cloud/query/lake.ts';
import { curatedParquetGlob, rollupParquetGlob } from '../../cloud/sql/duckdb-curated-view.ts';
import { ROLLUP_HOURLY_PREFIX } from '../../cloud/lake/curated-schema.ts';
import { existsSync } from 'node:fs';
import { NAMED_QUERIES } from '../../cloud/sql/named-queries.ts';
import { encodeVitals } from '../../device/contract/index.ts';
import { assignScenario, buildVitalsMessage, createPatientModel, parseScenarioMix } from '../../device/vitals/index.ts';
import type { Benchmark } from './harness.ts';

const TARGET_PERCENT = 5;
const DAY_MS = 86_400_000;
const CONTEXT = { region: 'us-east-1', accountId: '000000000000', streamName: 'vitals', functionName: 'vitals-etl' };

interface Ward { devices: number; periodMs: number; days: number; batchSize: number }

/** Writes the ward's readings through the ETL handler; returns how many records went in. */
async function buildLake(lakeDir: string, ward: Ward, nowMs: number, progress: (step: string) => void = () => {}): Promise<number> {
  const store = createFsStore(lakeDir);
  const mix = parseScenarioMix('stable:70,sepsis:10,respiratory_failure:5,haemorrhage:5,tachyarrhythmia:5,postop_fever:5');
  const end = nowMs - 60_000;
  const start = end - ward.days * DAY_MS;
  const monitors = Array.from({ length: ward.devices }, (_, i) => {
    const id = String(i + 1).padStart(3, '0');
    return {
      identity: { device_id: `bedside-${id}`, patient_id: `P${id}`, ward: `ward-${1 + (i % 4)}`, bed: `bed-${id}` },
      model: createPatientModel({ seed: 1_000 + i, scenario: assignScenario(mix, i, 7), startMs: start, onsetAfterMs: ((i * 7) % 72) * 3_600_000 }),
    };
  });
  let sequence = 49_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000n;
  let seq = 0;
  let pending: StreamRecord[] = [];
  let count = 0;
  const flush = async (clockMs: number): Promise<void> => {
    if (pending.length === 0) return;
    const handler = createEtlHandler({ store, hmacKey: 'bench-only-hmac-key-0123456789', clock: () => clockMs, log: () => {} });
    const response = await handler(toKinesisStreamEvent(pending, CONTEXT));
    if (response.batchItemFailures.length > 0) throw new Error('the ETL failed a batch while building the bench lake');
    count += pending.length;
    pending = [];
  };
  const total = Math.floor((end - start) / ward.periodMs + 1) * ward.devices;
  let reported = Date.now();
  for (let t = start; t <= end; t += ward.periodMs) {
    seq += 1;
    if (Date.now() - reported >= 10_000) {
      reported = Date.now();
      progress(`through the ETL: ${count.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} readings`);
    }
    for (const monitor of monitors) {
      const message = buildVitalsMessage(monitor.model.sample(t), { ...monitor.identity, seq, timestamp: new Date(t).toISOString() });
      const envelope = { payload: Buffer.from(encodeVitals(message)).toString('base64'), thing_name: monitor.identity.device_id, client_id: monitor.identity.device_id, received_at: t + 300 };
      sequence += 1n;
      pending.push({ shardId: 'shardId-000000000000', sequenceNumber: sequence.toString(), partitionKey: monitor.identity.device_id, data: Buffer.from(JSON.stringify(envelope)), arrivedAtMs: t + 400 });
      if (pending.length >= ward.batchSize) await flush(t + 1_500);
    }
  }
  await flush(end + 1_500);
  return count;
}

const dtOf = (path: string): string => /dt=(\d{4}-\d{2}-\d{2})/.exec(path)?.[1] ?? '';

async function filesUnder(dir: string): Promise<{ path: string; bytes: number }[]> {
  const names = await readdir(dir, { recursive: true });
  const files = [];
  for (const name of names) {
    const info = await stat(join(dir, name));
    if (info.isFile()) files.push({ path: name, bytes: info.size });
  }
  return files;
}

interface Profile { total_bytes_read?: number; children?: Profile[]; operator_name?: string; extra_info?: Record<string, unknown> }

interface Scan { columns: string[]; files: number; fileFilters: string[]; firstFile: string }

/**
 * DuckDB prints a scan's hive-partition filters as parenthesised expressions run together, e.g.
 * "((dt > '2026-11-26') OR (...))((dt >= '2026-11-25'))": split them at depth 0.
 */
function splitFilters(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === "'") quoted = !quoted;
    if (quoted) continue;
    if (c === '(') depth += 1;
    if (c === ')' && --depth === 0) {
      parts.push(text.slice(start, i + 1));
      start = i + 1;
    }
  }
  return parts.filter((part) => part.trim() !== '');
}

/** The Parquet scans of a profiled query: columns read (after projection pushdown), files opened, partition filters. */
function parquetScans(profile: Profile): Scan[] {
  const scans: Scan[] = [];
  const walk = (node: Profile): void => {
    const info = node.extra_info ?? {};
    if (info.Function === 'READ_PARQUET') {
      const projections = info.Projections;
      scans.push({
        columns: Array.isArray(projections) ? projections.map(String) : typeof projections === 'string' ? projections.split('\n') : [],
        files: Number(info['Total Files Read'] ?? Number.NaN),
        fileFilters: typeof info['File Filters'] === 'string' ? splitFilters(info['File Filters']) : [],
        firstFile: String(info['Filename(s)'] ?? '').split(',')[0]!.trim(),
      });
    }
    for (const child of node.children ?? []) walk(child);
  };
  walk(profile);
  return scans;
}

interface FileMeta { dt: string; hour: string; footer: number; columns: Map<string, number> }

/** Bytes of each column chunk (compressed, page headers included) and of the footer, per file. */
async function columnBytes(lake: Lake, glob: string): Promise<Map<string, FileMeta>> {
  const files = new Map<string, FileMeta>();
  for (const [file, footer] of (await lake.query(`SELECT file_name, footer_size FROM parquet_file_metadata('${glob}')`)).rows) {
    const path = String(file);
    files.set(path, { dt: dtOf(path), hour: /hour=(\d{2})/.exec(path)?.[1] ?? '', footer: Number(footer) + 8, columns: new Map() }); // + length and magic
  }
  const chunks = await lake.query(`SELECT file_name, path_in_schema, sum(total_compressed_size) FROM parquet_metadata('${glob}') GROUP BY ALL`);
  for (const [file, column, bytes] of chunks.rows) files.get(String(file))?.columns.set(String(column), Number(bytes));
  return files;
}

/** The files of `table` whose hive partitions pass the scan's file filters, as DuckDB evaluated them. */
async function filesKeptBy(lake: Lake, table: Map<string, FileMeta>, filters: string[]): Promise<string[]> {
  if (table.size === 0) return [];
  const values = [...table.entries()].map(([file, meta]) => `('${file}', '${meta.dt}', '${meta.hour}')`).join(', ');
  const where = filters.length === 0 ? '' : `WHERE ${filters.join(' AND ')}`;
  const result = await lake.query(`SELECT file FROM (VALUES ${values}) AS files(file, dt, hour) ${where}`);
  return result.rows.map((row) => String(row[0]));
}

async function profiled(lake: Lake, sql: string, outFile: string): Promise<{ duckdbBytes: number; scans: Scan[]; rows: number }> {
  await lake.query('PRAGMA enable_profiling = \'json\'');
  await lake.query(`PRAGMA profiling_output = '${outFile}'`);
  await lake.query('SET custom_profiling_settings = \'{"TOTAL_BYTES_READ": "true", "EXTRA_INFO": "true", "OPERATOR_NAME": "true"}\'');
  const result = await lake.query(sql);
  await lake.query('PRAGMA disable_profiling');
  const profile = JSON.parse(await readFile(outFile, 'utf8')) as Profile;
  return { duckdbBytes: profile.total_bytes_read ?? Number.NaN, scans: parquetScans(profile), rows: result.rows.length };
}

interface LayoutMeasure {
  rows: (string | number)[][];
  figures: Record<string, unknown>;
  percents: Record<string, number>;
  files: number;
  bytes: number;
  keptRows: number;
  footerBytes: number;
  costliest: string;
}

/** Runs every named query over one lake layout and prices it the Athena way (see the header). */
async function measureLayout(lakeDir: string, label: string, since: string, rawPruned: number, rawAll: number, scratch: string): Promise<LayoutMeasure> {
  const lake = await openLake(lakeDir);
  try {
    // Otherwise DuckDB serves repeated reads from its in-memory file cache and reports 0 bytes read.
    await lake.query('SET enable_external_file_cache = false');
    const perFile = await columnBytes(lake, curatedParquetGlob(lakeDir));
    const rollupFiles = existsSync(join(lakeDir, ROLLUP_HOURLY_PREFIX)) ? await columnBytes(lake, rollupParquetGlob(lakeDir)) : new Map<string, FileMeta>();
    const keptFiles = [...perFile.entries()].filter(([file]) => dtOf(file) >= since).map(([, meta]) => meta);
    const keptRows = Number((await lake.query(`SELECT count(*) FROM curated_vitals WHERE dt >= '${since}'`)).rows[0]![0]);
    const columnCost = new Map<string, number>();
    for (const file of keptFiles) for (const [column, bytes] of file.columns) columnCost.set(column, (columnCost.get(column) ?? 0) + bytes);
    const footerBytes = keptFiles.reduce((sum, file) => sum + file.footer, 0);
    const costliest = [...columnCost.entries()].sort((x, y) => y[1] - x[1]).slice(0, 6)
      .map(([column, bytes]) => `${column} ${(bytes / keptRows).toFixed(1)}`).join(', ');
    const rows: (string | number)[][] = [];
    const figures: Record<string, unknown> = {};
    const percents: Record<string, number> = {};
    for (const query of NAMED_QUERIES) {
      const started = Date.now();
      const measured = await profiled(lake, query.sql, join(scratch, `${label}-${query.name}.json`));
      const ms = Date.now() - started;
      // Which files each scan opened: its table's files whose hive partitions pass the partition filters
      // DuckDB applied (checked against the count it reports). Per file, the columns every scan of it read:
      // DuckDB may split one logical scan in two (late materialization: keys first, then the other columns
      // of the rows kept); Athena reads each column chunk once, so count the union once. Hive partition
      // columns come from the path and cost nothing.
      const columnsPerFile = new Map<string, Set<string>>();
      const openedBy = new Map<Scan, string[]>();
      // Scans with partition filters first: a late-materialization scan carries none (only row-id dynamic
      // filters) and reads the files of its partner scan, which has the same first file and count.
      const ordered = [...measured.scans].sort((x, y) => y.fileFilters.length - x.fileFilters.length);
      for (const scan of ordered) {
        if (scan.files === 0) continue;
        const table = scan.firstFile.includes(`/${ROLLUP_HOURLY_PREFIX}`) ? rollupFiles : perFile;
        const partitionColumns = table === rollupFiles ? ['dt'] : ['dt', 'hour'];
        const partner = [...openedBy.entries()].find(([other, files]) => other.firstFile === scan.firstFile && files.length === scan.files);
        const opened = scan.fileFilters.length === 0 && partner !== undefined ? partner[1] : await filesKeptBy(lake, table, scan.fileFilters);
        if (opened.length !== scan.files) throw new Error(`${query.name}: DuckDB read ${scan.files} files, its partition filters keep ${opened.length}: the bench cannot price this scan`);
        openedBy.set(scan, opened);
        for (const file of opened) {
          const columns = columnsPerFile.get(file) ?? new Set<string>();
          for (const column of scan.columns) if (!partitionColumns.includes(column)) columns.add(column);
          columnsPerFile.set(file, columns);
        }
      }
      const columnsRead = [...new Set([...columnsPerFile.values()].flatMap((columns) => [...columns]))];
      let bytes = 0;
      for (const [file, columns] of columnsPerFile) {
        const meta = perFile.get(file) ?? rollupFiles.get(file)!;
        bytes += meta.footer + [...columns].reduce((sum, column) => sum + (meta.columns.get(column) ?? 0), 0);
      }
      const filesRead = columnsPerFile.size;
      const percent = (100 * bytes) / rawPruned;
      percents[query.name] = percent;
      rows.push([`${query.name}${label === 'etl' ? '' : ` (${label})`}`, filesRead, columnsRead.length, bytes, rawPruned, Number(percent.toFixed(2)), Number(((100 * bytes) / rawAll).toFixed(2)), measured.duckdbBytes, ms]);
      figures[query.name] = {
        curated_bytes: bytes, curated_files_read: filesRead, columns_read: columnsRead, raw_bytes_same_partitions: rawPruned,
        percent_of_raw: Number(percent.toFixed(2)), percent_of_raw_unpruned: Number(((100 * bytes) / rawAll).toFixed(2)),
        duckdb_total_bytes_read: measured.duckdbBytes, duckdb_ms: ms, result_rows: measured.rows,
      };
    }
    return { rows, figures, percents, files: keptFiles.length, bytes: [...perFile.values()].length, keptRows, footerBytes, costliest };
  } finally {
    lake.close();
  }
}

export const benchmark: Benchmark = {
  name: 'queries',
  description: 'Bytes read per named query: curated Parquet vs the same data as raw gzip JSON lines',
  async run({ quick, progress = () => {} }) {
    const ward: Ward = quick ? { devices: 12, periodMs: 120_000, days: 3, batchSize: 500 } : { devices: 30, periodMs: 5_000, days: 2, batchSize: 500 };
    const dir = await mkdtemp(join(tmpdir(), 'queries-bench-'));
    try {
      const lakeDir = join(dir, 'lake');
      const started = Date.now();
      progress(`building the lake: ${ward.devices} monitors every ${ward.periodMs / 1000} s over ${ward.days} days, through the real ETL handler`);
      const records = await buildLake(lakeDir, ward, Date.now(), progress);
      const buildSeconds = (Date.now() - started) / 1000;
      const raw = await filesUnder(join(lakeDir, 'raw/vitals'));
      const curated = await filesUnder(join(lakeDir, 'curated/vitals'));
      const rawAll = raw.reduce((sum, f) => sum + f.bytes, 0);
      const curatedAll = curated.reduce((sum, f) => sum + f.bytes, 0);
      // The named queries all filter dt >= yesterday (UTC): the raw objects in those partitions are what a
      // raw table partitioned the same way would read.
      const since = new Date(Date.now() - DAY_MS).toISOString().slice(0, 10);
      const rawPruned = raw.filter((f) => dtOf(f.path) >= since).reduce((sum, f) => sum + f.bytes, 0);
      progress('measuring the named queries on the lake as the ETL wrote it');
      const asWritten = await measureLayout(lakeDir, 'etl', since, rawPruned, rawAll, dir);
      progress('compacting the closed hours, then measuring again');
      const compactStarted = Date.now();
      const pass = await compactCuratedLake({ store: createFsStore(lakeDir), nowMs: Date.now(), graceMs: DEFAULT_COMPACTION_GRACE_MS });
      const compactSeconds = (Date.now() - compactStarted) / 1000;
      const curatedAfter = await filesUnder(join(lakeDir, 'curated/vitals'));
      const curatedAfterAll = curatedAfter.reduce((sum, f) => sum + f.bytes, 0);
      const compacted = await measureLayout(lakeDir, 'compacted', since, rawPruned, rawAll, dir);
      if (compacted.keptRows !== asWritten.keptRows - pass.partitions.reduce((sum, p) => sum + p.duplicates, 0)) {
        throw new Error(`compaction changed the rows of the queried partitions: ${asWritten.keptRows} before, ${compacted.keptRows} after`);
      }
      console.log([
        `queries bench: ${records.toLocaleString('en-US')} readings (${ward.devices} monitors, every ${ward.periodMs / 1000} s, ${ward.days} days, batches of ${ward.batchSize}) through the ETL in ${buildSeconds.toFixed(1)} s.`,
        `Lake: raw ${rawAll.toLocaleString('en-US')} bytes in ${raw.length} gzip JSON-lines objects; curated ${curatedAll.toLocaleString('en-US')} bytes in ${curated.length} Parquet files.`,
        `curated bytes = compressed chunks of the columns DuckDB's plan reads (projection pushdown, from its profile) in the files`,
        `the dt filter keeps, plus footers: what Athena bills for Parquet. DuckDB I/O bytes = its profiler's total_bytes_read`,
        `(it coalesces nearby reads, so it may read whole small files; shown for reference).`,
        `raw bytes = raw objects in the same dt partitions (dt >= ${since}), read whole, as Athena reads gzip JSON.`,
        `Per reading in those partitions: raw ${(rawPruned / asWritten.keptRows).toFixed(1)} bytes. As the ETL writes (${asWritten.files} files): footers ${(asWritten.footerBytes / asWritten.keptRows).toFixed(1)}, costliest columns ${asWritten.costliest}.`,
        `(compacted) rows: the same lake after the real compaction pass (${pass.partitions.length} hours compacted in ${compactSeconds.toFixed(1)} s, ${pass.filesRead} files read, ${pass.filesDeleted} deleted; curated ${curatedAfterAll.toLocaleString('en-US')} bytes in ${curatedAfter.length} files; the queries read ${compacted.files}): footers ${(compacted.footerBytes / compacted.keptRows).toFixed(2)}, costliest columns ${compacted.costliest}. The targets apply to this layout.`,
      ].join('\n'));
      const targets = NAMED_QUERIES.map((query) => {
        const percent = compacted.percents[query.name]!;
        // Set for the full ward (1 M readings): the quick ward's few readings per hourly file leave footers dominant.
        return { what: `${query.name}: curated bytes / raw bytes`, target: `<= ${TARGET_PERCENT} %`, actual: `${percent.toFixed(2)} %`, met: percent <= TARGET_PERCENT, fullRunOnly: true };
      });
      return {
        name: 'queries',
        columns: ['named query', 'files', 'columns', 'curated bytes', 'raw bytes', '% of raw', '% of raw, no pruning', 'DuckDB I/O bytes', 'ms'],
        rows: [...asWritten.rows, ...compacted.rows],
        figures: {
          records, devices: ward.devices, period_ms: ward.periodMs, days: ward.days, batch_size: ward.batchSize,
          raw_bytes_total: rawAll, curated_bytes_total: curatedAll, raw_bytes_queried_partitions: rawPruned, readings_queried_partitions: asWritten.keptRows,
          footer_bytes_per_reading: Number((asWritten.footerBytes / asWritten.keptRows).toFixed(2)),
          queries: asWritten.figures,
          compacted: {
            partitions_compacted: pass.partitions.length, seconds: Number(compactSeconds.toFixed(2)), files_read: pass.filesRead, files_deleted: pass.filesDeleted,
            curated_bytes_total: curatedAfterAll, curated_files_total: curatedAfter.length, files_queried: compacted.files,
            footer_bytes_per_reading: Number((compacted.footerBytes / compacted.keptRows).toFixed(2)), queries: compacted.figures,
          },
        },
        targets,
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
