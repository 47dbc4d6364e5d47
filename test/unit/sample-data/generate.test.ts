import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { news2 } from '../../../cloud/news2/news2.ts';
import { validatePayload } from '../../../device/contract/index.ts';
import { SCENARIOS } from '../../../device/vitals/index.ts';
import { DEFAULT_CURATED_DIR, DEFAULT_OUT_DIR, generateSampleData, LEGACY_EXAMPLE, main } from '../../../sample-data/generate.ts';
import { generateCuratedSample } from '../../../sample-data/curated.ts';
import { parquetReadObjects } from 'hyparquet';

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => statSync(join(dir, name)).isFile())
    .map((name) => relative(dir, join(dir, name)))
    .sort();
}

describe('sample data', () => {
  const dirs = [mkdtempSync(join(tmpdir(), 'sample-a-')), mkdtempSync(join(tmpdir(), 'sample-b-'))];
  afterAll(() => { for (const dir of dirs) rmSync(dir, { recursive: true, force: true }); });
  const written = generateSampleData(dirs[0]!);
  generateSampleData(dirs[1]!);

  it('is byte-identical on every run and matches the committed files', () => {
    const files = listFiles(dirs[0]!);
    expect(files).toEqual([...written].sort());
    expect(listFiles(dirs[1]!)).toEqual(files);
    expect(listFiles(DEFAULT_OUT_DIR), 'committed sample-data/raw: run `npm run sample-data`').toEqual(files);
    for (const file of files) {
      const bytes = readFileSync(join(dirs[0]!, file));
      expect(readFileSync(join(dirs[1]!, file)).equals(bytes), file).toBe(true);
      expect(readFileSync(join(DEFAULT_OUT_DIR, file)).equals(bytes), `${file} differs from the committed copy: run \`npm run sample-data\``).toBe(true);
    }
  });

  it('holds one JSON-lines file per scenario, each a few hundred valid messages under 200 KB', () => {
    for (const scenario of SCENARIOS) {
      const path = join(dirs[0]!, `${scenario}.jsonl`);
      expect(statSync(path).size).toBeLessThan(200 * 1024);
      const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
      expect(lines.length).toBeGreaterThanOrEqual(200);
      const seqs = lines.map((line, i) => {
        const result = validatePayload(Buffer.from(line));
        if (!result.ok) throw new Error(`${scenario}.jsonl line ${i + 1}: ${JSON.stringify(result.reasons)}`);
        return result.reading.seq;
      });
      expect(new Set(seqs).size).toBe(seqs.length);
    }
  });

  it('shows each deterioration within its file: sepsis reaches NEWS2 >= 5', () => {
    const lines = readFileSync(join(dirs[0]!, 'sepsis.jsonl'), 'utf8').trimEnd().split('\n');
    const totals = lines.map((line) => {
      const result = validatePayload(Buffer.from(line));
      return result.ok ? news2(result.reading).total : -1;
    });
    expect(Math.max(...totals)).toBeGreaterThanOrEqual(5);
    expect(totals[0]).toBeLessThan(5);
  });

  it('includes the legacy seed sample byte for byte and real artefact examples that validate', () => {
    expect(readFileSync(join(dirs[0]!, 'examples/legacy.json'), 'utf8')).toBe(`${LEGACY_EXAMPLE}\n`);
    const probeOff = readFileSync(join(dirs[0]!, 'examples/spo2-probe-off.json'));
    const result = validatePayload(probeOff);
    expect(result.ok && result.reading.spo2 === null && result.reading.quality.includes('spo2_probe_off')).toBe(true);
    for (const example of ['legacy.json', 'vitals-v1.json', 'motion-artefact.json', 'sensor-dropout.json']) {
      expect(validatePayload(readFileSync(join(dirs[0]!, 'examples', example))).ok, example).toBe(true);
    }
  });
});

describe('curated sample data', () => {
  const root = mkdtempSync(join(tmpdir(), 'sample-curated-'));
  afterAll(() => { rmSync(root, { recursive: true, force: true }); });

  it('is raw/ through the ETL handler, byte-identical on every run and with the committed files', async () => {
    const written = await generateCuratedSample(DEFAULT_OUT_DIR, join(root, 'a'));
    await generateCuratedSample(DEFAULT_OUT_DIR, join(root, 'b'));
    const files = listFiles(join(root, 'a'));
    expect(files).toEqual([...written].sort());
    expect(listFiles(join(root, 'b'))).toEqual(files);
    expect(listFiles(DEFAULT_CURATED_DIR), 'committed sample-data/curated: run `npm run sample-data`').toEqual(files);
    for (const file of files) {
      const bytes = readFileSync(join(root, 'a', file));
      expect(readFileSync(join(root, 'b', file)).equals(bytes), file).toBe(true);
      expect(readFileSync(join(DEFAULT_CURATED_DIR, file)).equals(bytes), `${file} differs from the committed copy: run \`npm run sample-data\``).toBe(true);
    }
  });

  it('holds the lake layout, every raw reading once, and a CSV beside each Parquet file with its rows', async () => {
    const parquet = listFiles(DEFAULT_CURATED_DIR).filter((file) => file.endsWith('.parquet'));
    expect(parquet.length).toBeGreaterThan(0);
    let rows = 0;
    for (const file of parquet) {
      expect(file).toMatch(/^vitals\/dt=\d{4}-\d{2}-\d{2}\/hour=\d{2}\/shardId-\d+-\d+\.parquet$/);
      const bytes = readFileSync(join(DEFAULT_CURATED_DIR, file));
      const objects = await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer });
      const csv = readFileSync(join(DEFAULT_CURATED_DIR, file.replace(/\.parquet$/, '.csv')), 'utf8').trimEnd().split('\n');
      expect(csv[0]!.split(',')).toEqual(Object.keys(objects[0]!));
      expect(csv.length - 1).toBe(objects.length);
      expect(csv.join('\n')).not.toMatch(/\bP00\d\b/); // the pseudonym, never the patient id
      rows += objects.length;
    }
    const rawLines = SCENARIOS.reduce((sum, scenario) => sum + readFileSync(join(DEFAULT_OUT_DIR, `${scenario}.jsonl`), 'utf8').trimEnd().split('\n').length, 0);
    expect(rows).toBe(rawLines);
  });
});

describe('npm run sample-data', () => {
  it('prints usage for --help and writes raw/ and curated/ into --out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sample-cli-'));
    const log = console.log;
    const lines: string[] = [];
    console.log = (...args: unknown[]) => { lines.push(args.join(' ')); };
    try {
      expect(await main(['--help'])).toBe(0);
      expect(lines.join('\n')).toMatch(/Usage: npm run sample-data/);
      expect(await main(['--out', dir])).toBe(0);
      expect(listFiles(join(dir, 'raw'))).toContain('sepsis.jsonl');
      expect(listFiles(join(dir, 'curated')).filter((file) => file.endsWith('.csv')).length).toBeGreaterThan(0);
    } finally {
      console.log = log;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
