import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, main } from '../../../../cloud/fhir/cli.ts';
import { openLake, type Lake } from '../../../../cloud/query/lake.ts';
import { fhirR4Errors } from '../../../support/fhir-r4-schema.ts';
import { vitalSignsProfileErrors } from '../../../support/vital-signs-profile.ts';
import { sampleBatches, utcDay, vitals, writeLakeThroughEtl, type FixtureBatch } from '../query/etl-lake-fixture.ts';

const SAMPLE_DIR = 'sample-data/raw';
const { dt, midnight } = utcDay(1);
const FROM = `${dt}T00:00:00Z`;
const TO = new Date(midnight + 86_400_000).toISOString();

let dir: string;
let lakeDir: string;
let lake: Lake;
const patientIds = new Set<string>();

/** Readings the sample files lack: a cuff error, a redelivered copy, a legacy reading, another ward. */
function extraBatches(): FixtureBatch[] {
  const at = (minutes: number) => new Date(midnight + 20 * 3_600_000 + minutes * 60_000).toISOString();
  const cuffError = vitals({ device_id: 'bedside-x', patient_id: 'MRN-CUFF-1', seq: 1, timestamp: at(0), systolic_bp: null, diastolic_bp: null, quality: ['bp_cuff_error'] });
  const other = [2, 3].map((seq) => vitals({ device_id: 'bedside-y', patient_id: 'MRN-OTHER-2', ward: 'ward-9', seq, timestamp: at(seq), on_oxygen: true, spo2: 91, spo2_scale: 2 }));
  const legacy = { device_id: 'bedside-legacy', patient_id: 'MRN-LEGACY-3', heart_rate: 72, temperature: 98.6, timestamp: at(5) };
  return [
    { clockMs: midnight + 21 * 3_600_000, messages: [cuffError, ...other, legacy] },
    // The same reading again in a later batch (a QoS 1 redelivery): vitals shows it once, and so does the export.
    { clockMs: midnight + 22 * 3_600_000, messages: [cuffError] },
  ];
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fhir-export-'));
  lakeDir = join(dir, 'lake');
  const batches = [...sampleBatches(SAMPLE_DIR, midnight), ...extraBatches()];
  for (const batch of batches) for (const message of batch.messages) patientIds.add(String(message.patient_id));
  for (const file of readdirSync(SAMPLE_DIR).filter((f) => f.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(SAMPLE_DIR, file), 'utf8').split('\n').filter(Boolean)) patientIds.add(String((JSON.parse(line) as { patient_id: unknown }).patient_id));
  }
  await writeLakeThroughEtl(lakeDir, batches);
  lake = await openLake(lakeDir);
}, 120_000);
afterAll(async () => {
  lake.close();
  await rm(dir, { recursive: true, force: true });
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (text) => { out += `${text}\n`; }, err: (text) => { err += `${text}\n`; } });
  return { code, out, err };
}

async function readNdjson(outDir: string, type: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(join(outDir, `${type}.ndjson`), 'utf8');
  return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function scalar(sql: string): Promise<number> {
  return (await lake.query(sql)).rows[0]![0] as number;
}

const codesOf = (resource: Record<string, unknown>) => ((resource.code as { coding: { code: string }[] }).coding).map((c) => c.code);

describe('npm run export -- --fhir over a lake written by the ETL', () => {
  let outDir: string;
  let result: { code: number; out: string; err: string };
  const resources: Record<string, Record<string, unknown>[]> = {};

  beforeAll(async () => {
    outDir = join(dir, 'fhir');
    result = await run('--fhir', '--from', FROM, '--to', TO, '--lake', lakeDir, '--out', outDir);
    for (const type of ['Patient', 'Device', 'Observation']) resources[type] = await readNdjson(outDir, type);
  }, 60_000);

  it('exits 0 with progress on stderr and a summary of the resources per type', async () => {
    const readings = await scalar('SELECT count(*) FROM vitals');
    expect(result.code).toBe(EXIT.ok);
    expect(result.err).toContain(`export: ${readings}/${readings} readings (100 %)`);
    expect(result.out).toMatch(new RegExp(`^export: ${readings} readings as FHIR R4 NDJSON\\n  Patient +${resources.Patient!.length}  `));
    expect(result.out).toMatch(new RegExp(`\\n  Observation +${resources.Observation!.length}  .*Observation\\.ndjson\\n$`));
  });

  it('writes resources that all validate against the FHIR R4 schema, vital signs against their profiles', () => {
    const all = Object.values(resources).flat();
    expect(all.length).toBeGreaterThan(16_000);
    const invalid = all.flatMap((resource) => fhirR4Errors(resource)).slice(0, 5);
    expect(invalid).toEqual([]);
    const vitalSigns = resources.Observation!.filter((o) => (o.meta as { profile?: string[] } | undefined)?.profile !== undefined);
    expect(vitalSigns.flatMap((o) => vitalSignsProfileErrors(o)).slice(0, 5)).toEqual([]);
  });

  it('writes as many resources per type as vitals holds readings, monitors and patients', async () => {
    const readings = await scalar('SELECT count(*) FROM vitals');
    expect(readings).toBe(2700 + 4);
    expect(resources.Patient).toHaveLength(await scalar('SELECT count(DISTINCT patient_key) FROM vitals'));
    expect(resources.Device).toHaveLength(await scalar('SELECT count(DISTINCT device_id) FROM vitals'));
    // Per reading: pulse, SpO2, respiration, the blood pressure panel, temperature and the NEWS2 total.
    for (const code of ['8867-4', '59408-5', '9279-1', '85354-9', '8310-5', '1104051000000101']) {
      expect(resources.Observation!.filter((o) => codesOf(o).includes(code))).toHaveLength(readings);
    }
    expect(resources.Observation).toHaveLength(readings * 6);
    expect(new Set(resources.Observation!.map((o) => o.id)).size).toBe(readings * 6);
  });

  it('carries each value of vitals once, and each null as a dataAbsentReason', async () => {
    const elements = resources.Observation!.flatMap((o) => [o, ...((o.component as Record<string, unknown>[] | undefined) ?? [])]);
    for (const [field, loinc] of [['heart_rate', '8867-4'], ['spo2', '59408-5'], ['systolic_bp', '8480-6'], ['diastolic_bp', '8462-4'], ['temperature_c', '8310-5'], ['map_mmhg', '8478-0']] as const) {
      const ofCode = elements.filter((e) => codesOf(e).includes(loinc));
      expect(ofCode.filter((e) => 'valueQuantity' in e), field).toHaveLength(await scalar(`SELECT count(${field}) FROM vitals`));
      const absent = ofCode.filter((e) => 'dataAbsentReason' in e).length;
      expect(absent, field).toBe(field === 'map_mmhg' ? 0 : await scalar(`SELECT count(*) FROM vitals WHERE ${field} IS NULL`));
    }
    const sum = (loinc: string) => elements.filter((e) => codesOf(e).includes(loinc) && 'valueQuantity' in e)
      .reduce((total, e) => total + (e.valueQuantity as { value: number }).value, 0);
    expect(sum('8867-4')).toBe(await scalar('SELECT sum(heart_rate) FROM vitals'));
    expect(sum('8310-5')).toBeCloseTo(await scalar('SELECT sum(temperature_c) FROM vitals'), 6);
  });

  it('refers every Observation to an exported Patient and Device, and no raw patient id appears anywhere', async () => {
    const patients = new Set(resources.Patient!.map((p) => `Patient/${String(p.id)}`));
    const devices = new Set(resources.Device!.map((d) => `Device/${String(d.id)}`));
    for (const observation of resources.Observation!) {
      expect(patients.has((observation.subject as { reference: string }).reference)).toBe(true);
      expect(devices.has((observation.device as { reference: string }).reference)).toBe(true);
    }
    expect(patientIds.size).toBeGreaterThan(9);
    const text = (await Promise.all(['Patient', 'Device', 'Observation'].map((type) => readFile(join(outDir, `${type}.ndjson`), 'utf8')))).join('');
    for (const id of patientIds) expect(text.includes(id), id).toBe(false);
  });

  it('writes the same files again on a re-export, so that an import overwrites instead of duplicating', async () => {
    const again = join(dir, 'fhir-again');
    expect((await run('--fhir', '--from', FROM, '--to', TO, '--lake', lakeDir, '--out', again)).code).toBe(EXIT.ok);
    for (const type of ['Patient', 'Device', 'Observation']) {
      expect(await readFile(join(again, `${type}.ndjson`), 'utf8')).toBe(await readFile(join(outDir, `${type}.ndjson`), 'utf8'));
    }
  });
});

describe('npm run export -- --fhir with a ward and a window', () => {
  it('exports only the readings of the ward, and of the window', async () => {
    const outDir = join(dir, 'fhir-ward');
    expect((await run('--fhir', '--from', FROM, '--to', TO, '--ward', 'ward-9', '--lake', lakeDir, '--out', outDir)).code).toBe(EXIT.ok);
    expect(await readNdjson(outDir, 'Observation')).toHaveLength(2 * 6);
    expect(await readNdjson(outDir, 'Device')).toEqual([expect.objectContaining({ identifier: [expect.objectContaining({ value: 'bedside-y' })] })]);
    const spo2 = (await readNdjson(outDir, 'Observation')).find((o) => codesOf(o).includes('59408-5'))!;
    expect(spo2.component).toEqual([expect.objectContaining({ valueBoolean: true })]);

    const hour = join(dir, 'fhir-hour');
    const from = new Date(midnight + 20 * 3_600_000).toISOString();
    const to = new Date(midnight + 20 * 3_600_000 + 3 * 60_000).toISOString();
    expect((await run('--fhir', '--from', from, '--to', to, '--lake', lakeDir, '--out', hour)).code).toBe(EXIT.ok);
    // 20:00 (the cuff error), 20:02 (ward-9, seq 2); 20:03 is the end, exclusive.
    expect(await readNdjson(hour, 'Observation')).toHaveLength(2 * 6);
  });
});

describe('npm run export errors', () => {
  it('exits 2 on bad usage, naming the problem', async () => {
    const cases: [string[], RegExp][] = [
      [['--from', FROM, '--to', TO, '--out', 'x'], /give --fhir/],
      [['--fhir', '--from', 'yesterday', '--to', TO, '--out', 'x'], /--from must be an ISO-8601 time with a zone/],
      [['--fhir', '--from', '2026-01-01T00:00:00', '--to', TO, '--out', 'x'], /--from must be an ISO-8601 time with a zone/],
      [['--fhir', '--from', TO, '--to', FROM, '--out', 'x'], /--to .* must be after --from/],
      [['--fhir', '--from', FROM, '--to', TO], /--out <dir> is required/],
      [['--fhir', '--form', FROM], /unknown option --form: did you mean --from\?/],
    ];
    for (const [argv, message] of cases) {
      const { code, err } = await run(...argv);
      expect(code, argv.join(' ')).toBe(EXIT.usage);
      expect(err).toMatch(message);
    }
  });

  it('exits 3 on an empty lake, and on a window without readings', async () => {
    const empty = await run('--fhir', '--from', FROM, '--to', TO, '--lake', join(dir, 'no-lake'), '--out', join(dir, 'none'));
    expect(empty.code).toBe(EXIT.empty);
    expect(empty.err).toMatch(/has no curated data/);
    const none = await run('--fhir', '--from', '2020-01-01T00:00:00Z', '--to', '2020-01-02T00:00:00Z', '--lake', lakeDir, '--out', join(dir, 'none'));
    expect(none.code).toBe(EXIT.empty);
    expect(none.err).toMatch(/no readings in vitals for 2020-01-01T00:00:00.000Z to 2020-01-02T00:00:00.000Z/);
  });

  it('prints the help with exit 0', async () => {
    const { code, out } = await run('--help');
    expect(code).toBe(EXIT.ok);
    expect(out).toMatch(/^Usage: npm run export -- --fhir/);
  });
});
