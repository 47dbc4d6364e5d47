/**
 * What the monitor, not the patient, adds: artefacts as real bedside monitors have them, and the battery.
 * - SpO2 probe off (finger probe slips or is removed): SpO2 null, flag `spo2_probe_off`.
 * - Motion artefact (patient moves, shivers): heart rate spikes and SpO2 dips as measured, flag
 *   `motion_artefact` (the values are kept: the monitor shows them, and they are a source of false alarms).
 * - Sensor dropout (ECG leads off briefly): heart rate and respiration rate (impedance pneumography uses
 *   the same leads) null, flag `sensor_dropout`.
 * Episodes start at random (Poisson, mean interval below, simulated time) and last a random duration.
 * Battery: drains on battery power, and is plugged in to charge when low.
 */
import type { QualityFlag } from '../contract/index.ts';
import type { Rng } from './rng.ts';
import type { ArtefactSnapshot } from './snapshot.ts';

interface EpisodeKind {
  /** Mean simulated seconds between episode starts. */
  meanIntervalS: number;
  minDurationS: number;
  maxDurationS: number;
}

export const ARTEFACTS = {
  probeOff: { meanIntervalS: 4 * 3600, minDurationS: 30, maxDurationS: 180 },
  motion: { meanIntervalS: 3600, minDurationS: 5, maxDurationS: 30 },
  dropout: { meanIntervalS: 3 * 3600, minDurationS: 3, maxDurationS: 15 },
} as const satisfies Record<string, EpisodeKind>;

export const BATTERY = { drainPctPerHour: 4, chargePctPerHour: 30, plugInBelowPct: 15 } as const;

const startProbability = (kind: EpisodeKind, dtS: number): number => 1 - Math.exp(-dtS / kind.meanIntervalS);
const duration = (kind: EpisodeKind, u: number): number =>
  1000 * (kind.minDurationS + (kind.maxDurationS - kind.minDurationS) * u);

export class ArtefactState {
  probeOff = false;
  motion = false;
  dropout = false;
  /** Added to the heart rate during a motion episode (bpm). */
  motionHeartRate = 0;
  /** Subtracted from SpO2 during a motion episode (points). */
  motionSpo2Drop = 0;
  batteryPct: number;

  readonly #rng: Rng;
  #probeOffUntil = -1;
  #motionUntil = -1;
  #dropoutUntil = -1;
  #battery: number;
  #charging = false;
  #pProbeOff = 0;
  #pMotion = 0;
  #pDropout = 0;
  #drain = 0;
  #charge = 0;

  /** A fresh monitor draws its battery charge from `rng`; a resumed one takes its state from `resume`. */
  constructor(rng: Rng, resume?: ArtefactSnapshot) {
    this.#rng = rng;
    if (resume === undefined) {
      this.#battery = 50 + 50 * rng.next();
    } else {
      this.#battery = resume.battery;
      this.#charging = resume.charging;
      if (resume.probeOffUntil !== undefined) { this.probeOff = true; this.#probeOffUntil = resume.probeOffUntil; }
      if (resume.dropoutUntil !== undefined) { this.dropout = true; this.#dropoutUntil = resume.dropoutUntil; }
      if (resume.motion !== undefined) {
        this.motion = true;
        this.#motionUntil = resume.motion.until;
        this.motionHeartRate = resume.motion.heartRate;
        this.motionSpo2Drop = resume.motion.spo2Drop;
      }
    }
    this.batteryPct = Math.round(this.#battery);
  }

  /**
   * The running episodes and the battery. An episode that is over is left out: its end lies at or before
   * the last step, so every later step starts afresh whatever end is remembered; likewise a motion
   * episode's offsets are drawn anew when the next one starts.
   */
  snapshot(): ArtefactSnapshot {
    const snapshot: ArtefactSnapshot = { battery: this.#battery, charging: this.#charging };
    if (this.probeOff) snapshot.probeOffUntil = this.#probeOffUntil;
    if (this.motion) snapshot.motion = { until: this.#motionUntil, heartRate: this.motionHeartRate, spo2Drop: this.motionSpo2Drop };
    if (this.dropout) snapshot.dropoutUntil = this.#dropoutUntil;
    return snapshot;
  }

  /** Precomputes the per-step probabilities and battery change for a step of dtS simulated seconds. */
  cacheStep(dtS: number): void {
    this.#pProbeOff = startProbability(ARTEFACTS.probeOff, dtS);
    this.#pMotion = startProbability(ARTEFACTS.motion, dtS);
    this.#pDropout = startProbability(ARTEFACTS.dropout, dtS);
    this.#drain = (BATTERY.drainPctPerHour * dtS) / 3600;
    this.#charge = (BATTERY.chargePctPerHour * dtS) / 3600;
  }

  /** Moves to simulated time `sim` (ms): ends and starts episodes, drains or charges the battery. */
  advance(sim: number): void {
    const rng = this.#rng;
    // One uniform draw decides every start; episodes of different kinds may overlap.
    const u = rng.next();
    if (sim >= this.#probeOffUntil) {
      this.probeOff = u < this.#pProbeOff;
      if (this.probeOff) this.#probeOffUntil = sim + duration(ARTEFACTS.probeOff, rng.next());
    }
    if (sim >= this.#motionUntil) {
      this.motion = 1 - u < this.#pMotion;
      if (this.motion) {
        this.#motionUntil = sim + duration(ARTEFACTS.motion, rng.next());
        this.motionHeartRate = 20 + 40 * rng.next();
        this.motionSpo2Drop = 2 + 5 * rng.next();
      }
    }
    if (sim >= this.#dropoutUntil) {
      this.dropout = Math.abs(u - 0.5) < this.#pDropout / 2;
      if (this.dropout) this.#dropoutUntil = sim + duration(ARTEFACTS.dropout, rng.next());
    }

    if (this.#charging) {
      this.#battery += this.#charge;
      if (this.#battery >= 100) { this.#battery = 100; this.#charging = false; }
    } else {
      this.#battery -= this.#drain;
      if (this.#battery < BATTERY.plugInBelowPct) this.#charging = true;
    }
    this.batteryPct = Math.round(this.#battery);
  }

  /** The quality flags of the current sample in contract order, or undefined when the sample is clean. */
  flags(): QualityFlag[] | undefined {
    if (!this.probeOff && !this.motion && !this.dropout) return undefined;
    const flags: QualityFlag[] = [];
    if (this.probeOff) flags.push('spo2_probe_off');
    if (this.motion) flags.push('motion_artefact');
    if (this.dropout) flags.push('sensor_dropout');
    return flags;
  }
}
