/**
 * `npm run bench -- vitals [--quick]`: how fast the full vitals model runs on one core (this process is
 * single-threaded), so that the model is never what limits a fleet. Target: >= 1,000,000 samples/s.
 * Measured as a fleet runner uses it: many patients in a scenario mix, each sampled at a fixed period.
 */
import { news2 } from '../../cloud/news2/news2.ts';
import { encodeVitals } from '../../device/contract/index.ts';
import {
  assignScenario, buildVitalsMessage, createPatientModel, deriveSeed, parseScenarioMix, type PatientModel,
} from '../../device/vitals/index.ts';
import type { Benchmark, BenchReport } from './harness.ts';

const TARGET_SAMPLES_PER_SECOND = 1_000_000;
const MIX = parseScenarioMix('stable:60,sepsis:10,respiratory_failure:5,respiratory_failure_copd:5,tachyarrhythmia:5,bradycardia:5,haemorrhage:5,postop_fever:3,recovery:2');
const START = Date.UTC(2026, 0, 1, 8);

function ward(patients: number, speed: number): PatientModel[] {
  return Array.from({ length: patients }, (_, i) =>
    createPatientModel({ seed: deriveSeed(1, i), scenario: assignScenario(MIX, i, 1), startMs: START, speed }));
}

/**
 * Runs fn for at least `ms` of wall clock; returns its rate per wall-clock second and per second of this
 * process's CPU time. The CPU-time rate is the per-core figure: the machine is shared (other processes
 * take turns on the 2 cores), and CPU time does not count the time this process waited for a core.
 */
function measure(fn: () => number, ms: number): { wallRate: number; cpuRate: number; ops: number } {
  let ops = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const budget = BigInt(ms) * 1_000_000n;
  let elapsed = 0n;
  do {
    ops += fn();
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < budget);
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { wallRate: ops / (Number(elapsed) / 1e9), cpuRate: ops / cpuSeconds, ops };
}

/** A round over the ward per call, each patient sampled once, 1 s of wall clock later than the last round. */
function fleetRound(models: PatientModel[], clock: { now: number }, work: (model: PatientModel, now: number) => number): () => number {
  return () => {
    clock.now += 1000;
    let sink = 0;
    for (const model of models) sink += work(model, clock.now);
    if (sink === -1) throw new Error('unreachable: keeps the work observable');
    return models.length;
  };
}

export const benchmark: Benchmark = {
  name: 'vitals',
  description: 'Vitals model samples/s per core (full model, scenario mix), message build + encode, NEWS2',
  async run({ quick, progress = () => {} }): Promise<BenchReport> {
    const patients = quick ? 1_000 : 10_000;
    const ms = quick ? 300 : 3_000;
    const rows: (string | number)[][] = [];
    const figures: Record<string, unknown> = { patients, seconds_per_case: ms / 1000, quick };

    const cases: [string, string, (model: PatientModel, now: number) => number, number][] = [
      ['sample', 'model.sample() at 1 Hz, speed 1', (model, now) => model.sample(now).battery_pct, 1],
      ['sample_speed_60', 'model.sample() at 1 Hz, speed 60 (an hour a minute)', (model, now) => model.sample(now).battery_pct, 60],
      ['sample_build_encode', 'sample + buildVitalsMessage + encodeVitals', (model, now) => encodeVitals(buildVitalsMessage(model.sample(now), {
        device_id: 'bedside-000001', patient_id: 'P000001', ward: 'ward-7a', bed: 'bed-01', seq: now, timestamp: new Date(now).toISOString(),
      })).length, 1],
      ['sample_news2', 'sample + NEWS2 score', (model, now) => {
        const m = model.sample(now);
        return news2({ ...m, spo2_scale: m.spo2_scale ?? 1 }).total;
      }, 1],
    ];
    progress(`warming up ${cases.length} cases, then ${ms / 1000} s each over ${patients.toLocaleString('en-US')} patients`);
    // Warm-up over every case first, so that V8 has optimised the model before any case is timed.
    for (const [, , work, speed] of cases) measure(fleetRound(ward(1_000, speed), { now: START }, work), quick ? 250 : 1_000);
    for (const [key, what, work, speed] of cases) {
      progress(what);
      const models = ward(patients, speed);
      const clock = { now: START };
      const round = fleetRound(models, clock, work);
      measure(round, 100); // first round of a new ward: step coefficients cached per patient
      const { wallRate, cpuRate, ops } = measure(round, ms);
      rows.push([what, Math.round(cpuRate), Math.round(wallRate), ops, Math.round(1e9 / cpuRate)]);
      figures[`${key}_per_cpu_second`] = Math.round(cpuRate);
      figures[`${key}_per_wall_second`] = Math.round(wallRate);
    }

    const samplesPerSecond = figures.sample_per_cpu_second as number;
    return {
      name: 'vitals',
      columns: ['case (one core)', 'per CPU second', 'per wall second', 'operations', 'CPU ns each'],
      rows,
      figures,
      targets: [{
        what: 'vitals model samples per second per core (CPU time)',
        target: `>= ${TARGET_SAMPLES_PER_SECOND.toLocaleString('en-US')}`,
        actual: Math.round(samplesPerSecond).toLocaleString('en-US'),
        met: samplesPerSecond >= TARGET_SAMPLES_PER_SECOND,
      }],
    };
  },
};
