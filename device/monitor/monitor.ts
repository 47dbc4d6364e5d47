/**
 * One bedside monitor's state inside a worker: identity, vitals model, transport, schedule, shadow
 * settings. It holds no timer of its own: the worker's MonitorHost drives every monitor from one timer.
 */
import {
  createPatientModel, ModelSnapshotError, type PatientModel, type PatientSnapshot, type ScenarioName,
} from '../vitals/index.ts';
// The contract's zod-free modules only: a fleet worker need not load the schema (cloud/ETL validate).
import { vitalsTopic } from '../contract/topics.ts';
import { MessageEncoder } from './message-encoder.ts';
import type { TlsMaterial, Transport } from '../transport/index.ts';

export interface MonitorIdentity {
  thing: string;
  patientId: string;
  ward: string;
  bed: string;
  firmware: string;
}

export interface MonitorSpec extends MonitorIdentity {
  scenario: ScenarioName;
  /** Seed of this monitor's vitals model (derive it from the fleet seed and the device index). */
  seed: number;
  /** Sampling interval (ms); the shadow can change it. */
  intervalMs: number;
  /** Offset of the first sample inside the interval, so a fleet does not publish in lockstep. */
  phaseMs?: number;
  tls?: TlsMaterial;
  localAddress?: string;
}

export type MonitorState = 'idle' | 'connecting' | 'connected' | 'backoff' | 'stopped';

export const MONITOR_SNAPSHOT_VERSION = 1;

/**
 * What a monitor carries across a restart: its patient (the vitals model's snapshot, which includes the
 * current scenario) and the settings the shadow may have changed. Plain JSON, well under 1 KB.
 */
export interface MonitorSnapshot {
  version: typeof MONITOR_SNAPSHOT_VERSION;
  thing: string;
  /** Wall-clock ms it was taken at (for logs and for a caller that ignores very old snapshots). */
  takenAtMs: number;
  scenario: ScenarioName;
  intervalMs: number;
  batteryPct: number;
  model: PatientSnapshot;
}

export class Monitor {
  readonly topic: string;
  /** The thing name, kept here rather than read through spec: one less cold object per message. */
  readonly thing: string;
  readonly model: PatientModel;
  private readonly encoder: MessageEncoder;
  state: MonitorState = 'idle';
  intervalMs: number;
  scenario: ScenarioName;
  /** Due time of the pending sample event; a heap entry with another due is stale and ignored. */
  nextSampleDue = Number.NaN;
  lastSampleMs = Number.NaN;
  batteryPct = 100;
  connectAttempt = 0;
  everConnected = false;
  /** Per-connection publish budget (token bucket, AWS IoT Core: < 100 publishes/s per connection). */
  publishTokens = 0;
  publishTokensAtMs = 0;
  pumpScheduled = false;
  lastError: Error | undefined;

  /**
   * `resume` continues the patient of a previous run (see `snapshot`); the model's clock resumes at
   * startMs. Throws ModelSnapshotError (`reason` says why) when the snapshot is not of this monitor's
   * patient: another version, thing, seed or assigned scenario, or malformed. Construct without it then.
   */
  constructor(readonly index: number, readonly spec: MonitorSpec, readonly transport: Transport, startMs: number, speed: number,
    resume?: MonitorSnapshot) {
    this.topic = vitalsTopic(spec.thing);
    this.thing = spec.thing;
    this.encoder = new MessageEncoder({ device_id: spec.thing, patient_id: spec.patientId, ward: spec.ward, bed: spec.bed, time_scale: speed });
    if (resume === undefined) {
      this.intervalMs = spec.intervalMs;
      this.scenario = spec.scenario;
      this.model = createPatientModel({ seed: spec.seed, scenario: spec.scenario, startMs, speed });
      return;
    }
    checkMonitorSnapshot(resume, spec.thing);
    this.model = createPatientModel({ seed: spec.seed, scenario: spec.scenario, startMs, speed, resume: resume.model });
    this.intervalMs = resume.intervalMs;
    this.scenario = this.model.scenario;
    this.batteryPct = resume.batteryPct;
  }

  /**
   * The monitor's state at nowMs, to persist and pass back as the constructor's `resume` after a restart.
   * Pure: the monitor is not changed, and it costs a few microseconds, so a host can take one per monitor
   * every few seconds.
   *
   * Contract with whoever persists it (device/monitor/host.ts, beside the outbox):
   * - Take it at or after the monitor's last sample (`lastSampleMs`), and write it only once the outbox
   *   holds the messages of the samples it has seen (after that tick's flush): the patient then never runs
   *   ahead of what was sent, and seq stays the outbox's business (it is not in here).
   * - Take it again at a clean stop, after sampling has stopped.
   * - At start, parse it and pass it to `new Monitor(..., resume)`; on ModelSnapshotError or unreadable
   *   JSON, log the reason and construct without it (the patient starts fresh at baseline).
   * - The time between snapshot and restart does not pass for the patient: a septic patient at NEWS2 13
   *   before a restart is at NEWS2 13 after it, whatever the downtime; speed may differ after the restart.
   */
  snapshot(nowMs: number): MonitorSnapshot {
    return {
      version: MONITOR_SNAPSHOT_VERSION,
      thing: this.thing,
      takenAtMs: nowMs,
      scenario: this.scenario,
      intervalMs: this.intervalMs,
      batteryPct: this.batteryPct,
      model: this.model.snapshot(nowMs),
    };
  }

  /** Samples the model and encodes one wire-contract message. */
  measure(nowMs: number, seq: number): string {
    const measurement = this.model.sample(nowMs);
    this.batteryPct = measurement.battery_pct;
    this.lastSampleMs = nowMs;
    return this.encoder.encode(measurement, seq, nowMs);
  }

  setScenario(name: ScenarioName, nowMs: number): void {
    this.model.setScenario(name, nowMs);
    this.scenario = name;
  }
}

function checkMonitorSnapshot(snapshot: MonitorSnapshot, thing: string): void {
  const value = snapshot as unknown as Record<string, unknown> | null;
  if (typeof value !== 'object' || value === null) throw new ModelSnapshotError('malformed', 'the monitor snapshot is not an object');
  if (value.version !== MONITOR_SNAPSHOT_VERSION) {
    throw new ModelSnapshotError('version', `the monitor snapshot is version ${JSON.stringify(value.version)}; this monitor reads version ${MONITOR_SNAPSHOT_VERSION} only`);
  }
  if (value.thing !== thing) throw new ModelSnapshotError('thing', `the monitor snapshot is of ${JSON.stringify(value.thing)}, not ${thing}`);
  const intervalMs = value.intervalMs;
  const batteryPct = value.batteryPct;
  if (!(typeof intervalMs === 'number' && Number.isFinite(intervalMs) && intervalMs > 0)
    || !(typeof batteryPct === 'number' && Number.isFinite(batteryPct))) {
    throw new ModelSnapshotError('malformed', 'the monitor snapshot has no usable intervalMs or batteryPct');
  }
}
