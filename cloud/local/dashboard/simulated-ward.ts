/**
 * A ward of simulated monitors that talks to the feed the way the local broker will: encoded vitals on
 * `dt/bedside/<thing>/vitals`, AWS presence events and shadow documents, all as topic + bytes through
 * routeBrokerMessage. The patients are the project's vitals model; time is passed in (no timers here),
 * so the demo CLI drives it with a clock and tests drive it step by step.
 */
import { LOCAL_MONITOR_FIRMWARE, LOCAL_MONITOR_MODEL, thingAttributesFor, thingNameFor } from '../../../certs/local/fleet-attributes.ts';
import { encodeVitals, presenceTopic, shadowTopic, vitalsTopic } from '../../../device/contract/index.ts';
import {
  assignScenario, buildVitalsMessage, createPatientModel, deriveSeed, parseScenarioMix,
  type PatientModel, type ScenarioName,
} from '../../../device/vitals/index.ts';
import { routeBrokerMessage } from './broker-routing.ts';
import type { DashboardFeedHub } from './feed.ts';

export interface SimulatedWardOptions {
  count: number;
  seed: number;
  /** Wall-clock ms when the monitors are switched on. */
  startMs: number;
  /** Simulated ms per wall ms (time compression); default 1. */
  speed?: number;
  /** Default: a mix that shows every band within minutes at speed 10 or more. */
  scenarioMix?: string;
  /** Simulated ms after start when deterioration begins; default 0 (so demos show it soon). */
  onsetAfterMs?: number;
  /** Ward names, beds numbered 1..n in each; default the local fleet's own names (icu-001, ...), as npm start shows them. */
  wards?: readonly string[];
  intervalMs?: number;
}

export const DEMO_SCENARIO_MIX = 'stable:50,sepsis:10,respiratory_failure:8,respiratory_failure_copd:4,tachyarrhythmia:6,bradycardia:4,haemorrhage:6,postop_fever:8,recovery:4';

interface SimulatedMonitor {
  thingName: string;
  ward: string;
  bed: string;
  patientId: string;
  scenario: ScenarioName;
  model: PatientModel;
  seq: number;
  connected: boolean;
}

export interface SimulatedWard {
  readonly thingNames: readonly string[];
  /** The scenario a monitor's patient follows (ground truth). */
  scenarioOf(thingName: string): ScenarioName;
  /** Registers the things, then connects each monitor (presence) and reports its shadow. */
  connectAll(nowMs: number): void;
  /** Publishes one reading per connected monitor for every interval in (fromMs, toMs]. */
  publishUntil(toMs: number): number;
  disconnect(thingName: string, nowMs: number, reason?: string): void;
  connect(thingName: string, nowMs: number): void;
}

const encoder = new TextEncoder();
const json = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));

export function createSimulatedWard(hub: DashboardFeedHub, options: SimulatedWardOptions): SimulatedWard {
  const mix = parseScenarioMix(options.scenarioMix ?? DEMO_SCENARIO_MIX);
  const intervalMs = options.intervalMs ?? 1000;
  const perWard = options.wards === undefined ? 0 : Math.ceil(options.count / options.wards.length);
  let publishedUntil = options.startMs;
  const monitors: SimulatedMonitor[] = Array.from({ length: options.count }, (_, index) => {
    const scenario = assignScenario(mix, index, options.seed);
    // The local fleet's names (certs/local), so the demo looks like what npm start shows.
    const local = thingAttributesFor(index + 1);
    return {
      thingName: thingNameFor(index + 1),
      ward: options.wards === undefined ? local.ward : options.wards[Math.floor(index / perWard)]!,
      bed: options.wards === undefined ? local.bed : String((index % perWard) + 1),
      patientId: local.patient_id,
      scenario,
      model: createPatientModel({
        seed: deriveSeed(options.seed, index),
        scenario,
        startMs: options.startMs,
        speed: options.speed ?? 1,
        onsetAfterMs: scenario === 'recovery' ? 0 : (options.onsetAfterMs ?? 0),
      }),
      seq: 0,
      connected: false,
    };
  });
  const byName = new Map(monitors.map((monitor) => [monitor.thingName, monitor]));

  function monitor(thingName: string): SimulatedMonitor {
    const found = byName.get(thingName);
    if (found === undefined) throw new RangeError(`no simulated monitor "${thingName}"`);
    return found;
  }

  function connect(thingName: string, nowMs: number): void {
    const m = monitor(thingName);
    m.connected = true;
    routeBrokerMessage(hub, presenceTopic('connected', thingName), json({
      clientId: thingName, timestamp: nowMs, eventType: 'connected', sessionIdentifier: `${thingName}-${nowMs}`,
      principalIdentifier: thingName, versionNumber: 0,
    }));
    routeBrokerMessage(hub, shadowTopic(thingName, 'update/accepted'), json({
      state: { reported: { firmware: LOCAL_MONITOR_FIRMWARE, interval_ms: intervalMs, scenario: m.scenario, battery_pct: 100, speed: options.speed ?? 1 } },
      version: 1, timestamp: Math.floor(nowMs / 1000),
    }));
  }

  return {
    thingNames: monitors.map((m) => m.thingName),
    scenarioOf: (thingName) => monitor(thingName).scenario,
    connectAll(nowMs) {
      for (const m of monitors) hub.upsertThing({ thingName: m.thingName, ward: m.ward, bed: m.bed, model: LOCAL_MONITOR_MODEL, firmware: LOCAL_MONITOR_FIRMWARE });
      for (const m of monitors) connect(m.thingName, nowMs);
    },
    publishUntil(toMs) {
      let published = 0;
      for (let t = publishedUntil + intervalMs; t <= toMs; t += intervalMs) {
        for (const m of monitors) {
          if (!m.connected) continue;
          const message = buildVitalsMessage(m.model.sample(t), {
            device_id: m.thingName, patient_id: m.patientId, ward: m.ward, bed: m.bed, seq: m.seq++, timestamp: new Date(t).toISOString(),
          });
          routeBrokerMessage(hub, vitalsTopic(m.thingName), encoder.encode(encodeVitals(message)));
          published += 1;
        }
        publishedUntil = t;
      }
      return published;
    },
    disconnect(thingName, nowMs, reason = 'CLIENT_INITIATED_DISCONNECT') {
      monitor(thingName).connected = false;
      routeBrokerMessage(hub, presenceTopic('disconnected', thingName), json({
        clientId: thingName, timestamp: nowMs, eventType: 'disconnected', disconnectReason: reason,
        sessionIdentifier: `${thingName}-${nowMs}`, principalIdentifier: thingName, versionNumber: 1,
      }));
    },
    connect,
  };
}
