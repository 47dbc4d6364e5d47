/**
 * `npm run sample-data`: regenerates sample-data/raw/ from a fixed seed, and sample-data/curated/ from raw/
 * through the real ETL handler (curated.ts), byte-identical on every run.
 * - `<scenario>.jsonl`: one monitor per scenario, vitals v1 messages exactly as published (one per line):
 *   2 simulated hours at speed 4, i.e. 30 minutes of wall-clock time, a message every 6 s (300 lines).
 * - `examples/*.json`: single messages: a clean v1 reading, the seed's legacy format, and real artefact
 *   samples (SpO2 probe off, motion artefact, sensor dropout) taken from a simulated monitor.
 * - `manifest.json`: the seed, timing and each file's ground truth (scenario, labelled onset).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeVitals, type QualityFlag, type VitalsV1 } from '../device/contract/index.ts';
import {
  buildVitalsMessage, createPatientModel, deriveSeed, SCENARIOS, type ScenarioName,
} from '../device/vitals/index.ts';
import { runIfEntryPoint } from '../device/cli/entry-point.ts';
import { parseFlags, UsageError } from '../device/cli/flags.ts';
import { generateCuratedSample } from './curated.ts';

export const SAMPLE_SEED = 20240301;
/** 2024-03-01T08:00:00Z, the day of the seed's legacy sample. */
export const SAMPLE_START_MS = Date.UTC(2024, 2, 1, 8, 0, 0);
export const SAMPLE_SPEED = 4;
export const SAMPLE_PERIOD_MS = 6_000;
export const SAMPLE_COUNT = 300;
export const DEFAULT_ROOT_DIR = fileURLToPath(new URL('./', import.meta.url));
export const DEFAULT_OUT_DIR = join(DEFAULT_ROOT_DIR, 'raw');
export const DEFAULT_CURATED_DIR = join(DEFAULT_ROOT_DIR, 'curated');

/** The seed's original sample, byte for byte: the ETL accepts it as the legacy version. */
export const LEGACY_EXAMPLE = '{"patient_id":"P001","heart_rate":72,"temperature":98.6,"timestamp":"2024-03-01T08:00:00Z"}';

interface Identity {
  device_id: string;
  patient_id: string;
  ward: string;
  bed: string;
}

function identityOf(index: number): Identity {
  const number = String(index + 1).padStart(3, '0');
  return { device_id: `bedside-${number}`, patient_id: `P${number}`, ward: 'ward-7a', bed: `bed-${String(index + 1).padStart(2, '0')}` };
}

function scenarioStream(scenario: ScenarioName, index: number): { lines: string[]; onsetAt: string | null } {
  const model = createPatientModel({
    seed: deriveSeed(SAMPLE_SEED, index), scenario, startMs: SAMPLE_START_MS, speed: SAMPLE_SPEED,
  });
  const identity = identityOf(index);
  const lines: string[] = [];
  for (let i = 0; i < SAMPLE_COUNT; i++) {
    const now = SAMPLE_START_MS + i * SAMPLE_PERIOD_MS;
    const message = buildVitalsMessage(model.sample(now), { ...identity, seq: i + 1, timestamp: new Date(now).toISOString(), time_scale: SAMPLE_SPEED });
    lines.push(encodeVitals(message));
  }
  const onset = model.truth(SAMPLE_START_MS).onsetAtMs;
  return { lines, onsetAt: onset === null ? null : new Date(onset).toISOString() };
}

/**
 * The first message of a simulated stable monitor that carries `flag`: a real artefact sample, not a
 * hand-edited one. Samples every 10 s (simulated) for at most 48 hours, which always finds one.
 */
function artefactExample(flag: QualityFlag, index: number): VitalsV1 {
  const model = createPatientModel({ seed: deriveSeed(SAMPLE_SEED, index), scenario: 'stable', startMs: SAMPLE_START_MS });
  const identity = identityOf(index);
  for (let i = 0; i < 48 * 360; i++) {
    const now = SAMPLE_START_MS + i * 10_000;
    const measurement = model.sample(now);
    if (measurement.quality?.includes(flag)) {
      return buildVitalsMessage(measurement, { ...identity, seq: i + 1, timestamp: new Date(now).toISOString() });
    }
  }
  throw new Error(`no ${flag} sample in 48 simulated hours: the artefact rates in device/vitals/artefacts.ts changed`);
}

/** Writes the sample data into outDir (created if needed) and returns the paths written, relative to it. */
export function generateSampleData(outDir: string = DEFAULT_OUT_DIR): string[] {
  const files = new Map<string, string>();
  const manifest: Record<string, unknown>[] = [];
  SCENARIOS.forEach((scenario, index) => {
    const { lines, onsetAt } = scenarioStream(scenario, index);
    const file = `${scenario}.jsonl`;
    files.set(file, `${lines.join('\n')}\n`);
    manifest.push({ file, scenario, ...identityOf(index), messages: lines.length, onset_at: onsetAt });
  });
  const exampleIndex = SCENARIOS.length;
  const clean = JSON.parse(files.get('stable.jsonl')!.split('\n')[0]!) as VitalsV1;
  files.set('examples/vitals-v1.json', `${JSON.stringify(clean, null, 2)}\n`);
  files.set('examples/legacy.json', `${LEGACY_EXAMPLE}\n`);
  files.set('examples/spo2-probe-off.json', `${JSON.stringify(artefactExample('spo2_probe_off', exampleIndex), null, 2)}\n`);
  files.set('examples/motion-artefact.json', `${JSON.stringify(artefactExample('motion_artefact', exampleIndex + 1), null, 2)}\n`);
  files.set('examples/sensor-dropout.json', `${JSON.stringify(artefactExample('sensor_dropout', exampleIndex + 2), null, 2)}\n`);
  files.set('manifest.json', `${JSON.stringify({
    generator: 'npm run sample-data (sample-data/generate.ts)',
    seed: SAMPLE_SEED,
    start: new Date(SAMPLE_START_MS).toISOString(),
    speed: SAMPLE_SPEED,
    period_ms: SAMPLE_PERIOD_MS,
    note: 'timestamps are wall-clock; at speed 4 the 30 minutes of each file play 2 simulated hours (onset 10 simulated minutes in)',
    streams: manifest,
  }, null, 2)}\n`);

  mkdirSync(join(outDir, 'examples'), { recursive: true });
  for (const [file, content] of files) writeFileSync(join(outDir, file), content);
  return [...files.keys()];
}

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseFlags({
      args: argv,
      options: { out: { type: 'string', default: DEFAULT_ROOT_DIR }, help: { type: 'boolean', short: 'h', default: false } },
    }));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`sample-data: ${error.message}\nRun npm run sample-data -- --help for the options.`);
    return 2;
  }
  if (values.help) {
    console.log(`Usage: npm run sample-data [-- --out <dir>]

Regenerates the sample data into <dir> (default sample-data/), byte-identical on every run:
  raw/       the vitals monitors publish (seed ${SAMPLE_SEED}): one JSON-lines file per scenario,
             single-message examples and a manifest
  curated/   raw/ through the real ETL handler (fixed clock and pseudonym key): the lake's Parquet
             files, and a CSV of each beside it`);
    return 0;
  }
  const rawDir = join(values.out, 'raw');
  const curatedDir = join(values.out, 'curated');
  const raw = generateSampleData(rawDir);
  const curated = await generateCuratedSample(rawDir, curatedDir);
  console.log(`wrote ${raw.length} files to ${rawDir} and ${curated.length} to ${curatedDir}`);
  return 0;
}

runIfEntryPoint(import.meta.url, main);
