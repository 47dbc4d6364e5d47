/**
 * One bedside monitor's state inside a worker: identity, vitals model, transport, schedule, shadow
 * settings. It holds no timer of its own: the worker's MonitorHost drives every monitor from one timer.
 */
import { createPatientModel, type PatientModel, type ScenarioName } from '../vitals/index.ts';
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

  constructor(readonly index: number, readonly spec: MonitorSpec, readonly transport: Transport, startMs: number, speed: number) {
    this.topic = vitalsTopic(spec.thing);
    this.thing = spec.thing;
    this.encoder = new MessageEncoder({ device_id: spec.thing, patient_id: spec.patientId, ward: spec.ward, bed: spec.bed });
    this.intervalMs = spec.intervalMs;
    this.scenario = spec.scenario;
    this.model = createPatientModel({ seed: spec.seed, scenario: spec.scenario, startMs, speed });
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
