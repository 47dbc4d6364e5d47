/**
 * The bedside patient model: pure (no I/O, no Math.random, clock passed in), seeded, and fast enough
 * (> 1 M samples/s per core) that a fleet of thousands of monitors never waits on it.
 *
 * Each vital = baseline + circadian rhythm + scenario drivers through the physiological couplings +
 * Ornstein-Uhlenbeck noise (mean-reverting, so a stable patient wanders but stays near baseline).
 * Time is simulated time: wall-clock ms times `speed`. Coefficients that depend on the step length are
 * cached, since a monitor samples at a fixed period; a sample allocates only the object it returns.
 */
import type { MeasurementField, VitalsV1 } from '../contract/index.ts';
import { ModelOptionError, ModelSnapshotError } from './errors.ts';
import { drawProfile, drawTraits, withBaselines, type PatientProfile } from './profile.ts';
import { createRng, deriveSeed, normalTable4096, restoreRng, type Rng } from './rng.ts';
import {
  EFFECT_KEYS, isScenarioName, noEffects, recoveryStartEffects, RECOVERY_TIME_CONSTANT_MS, SCENARIO_DEFINITIONS,
  type Effects, type ScenarioDefinition, type ScenarioName,
} from './scenarios.ts';
import { ArtefactState } from './artefacts.ts';
import { checkSnapshot, PATIENT_SNAPSHOT_VERSION, profileFingerprint, type PatientSnapshot } from './snapshot.ts';

export type Measurement = Pick<VitalsV1, MeasurementField | 'on_oxygen' | 'spo2_scale' | 'consciousness' | 'quality' | 'battery_pct'>;

export interface GroundTruth {
  scenario: ScenarioName;
  phase: 'baseline' | 'onset' | 'deteriorating' | 'critical' | 'recovering' | 'stable';
  /** Wall-clock ms of the labelled onset (for recovery: when recovery starts); null for stable. */
  onsetAtMs: number | null;
}

export interface PatientModelOptions {
  seed: number;
  /** The scenario the patient is created with (with `resume`: the one the snapshot was created with). */
  scenario: ScenarioName;
  /** Wall-clock ms of the model's start (its simulated clock starts here too; with `resume`, resumes here). */
  startMs: number;
  /** Simulated ms per wall-clock ms; default 1. */
  speed?: number;
  /** Simulated ms after start when the deterioration (or recovery) begins; scenario default otherwise. Ignored with `resume`. */
  onsetAfterMs?: number;
  /**
   * Carries on with the patient of this snapshot (`PatientModel.snapshot`) instead of a fresh one: the
   * simulated clock resumes at `startMs` where it stopped (time between snapshot and restart does not
   * pass for the patient). Throws ModelSnapshotError when the snapshot is of another version, seed or
   * assigned scenario, or is malformed: then create the model without `resume`.
   */
  resume?: PatientSnapshot;
}

export interface PatientModel {
  readonly profile: PatientProfile;
  readonly scenario: ScenarioName;
  /** Advances to nowMs (monotonic: an earlier time is treated as no time passing) and measures. */
  sample(nowMs: number): Measurement;
  /** Switches scenario at nowMs: the new one's onset is now; the old drivers decay (25 min constant). */
  setScenario(name: ScenarioName, nowMs: number): void;
  setSpeed(speed: number, nowMs: number): void;
  truth(nowMs: number): GroundTruth;
  /**
   * The patient's whole state at nowMs (>= the last sample's time) as a small JSON-safe object; the model
   * is not changed. `createPatientModel({ ...options, resume })` continues it: sampled at the same times
   * shifted by the downtime, it gives exactly the samples this model would have given.
   */
  snapshot(nowMs: number): PatientSnapshot;
}

const DAY_MS = 86_400_000;
const TWO_PI = 2 * Math.PI;
/** Circadian phase: peak at 16:00 simulated local (UTC) time, trough at 04:00. */
const CIRCADIAN_PEAK_MS = 16 * 3_600_000;

// Ornstein-Uhlenbeck noise per vital: time constant (simulated s) and stationary standard deviation.
const OU_TAU_S = { hr: 90, rr: 120, sbp: 600, dbp: 600, spo2: 30, temp: 1800 } as const;
const OU_SD = { hr: 2.5, rr: 0.8, sbp: 4, dbp: 2.5, spo2: 0.7, temp: 0.08 } as const;
// Circadian amplitudes (half peak-to-trough).
const CIRCADIAN = { hr: 4, rr: 0.5, sbp: 5, dbp: 3, temp: 0.2 } as const;
/** Couplings: bpm per °C of fever (Liebermeister's rule ~10), /min per °C, per SpO2 point lost, per blood-loss fraction. */
const HR_PER_FEVER = 10;
const RR_PER_FEVER = 1.5;
const HR_PER_DESAT = 0.8;
const RR_PER_DESAT = 0.45;
const HR_PER_BLOOD_LOSS = 170;
const RR_PER_BLOOD_LOSS = 20;
/** Pressure holds until ~15 % loss (compensation), then falls steeply (ATLS). */
const COMPENSATED_LOSS = 0.15;
const SBP_PER_BLOOD_LOSS = 220;
/** Beat-to-beat spread of the displayed rate in atrial fibrillation (bpm, sd). */
const AF_RATE_SD = 9;

const clamp = (value: number, min: number, max: number): number => (value < min ? min : value > max ? max : value);

export function createPatientModel(options: PatientModelOptions): PatientModel {
  return new SimulatedPatient(options);
}

class SimulatedPatient implements PatientModel {
  #profile: PatientProfile;
  #scenario: ScenarioName;
  #definition: ScenarioDefinition;
  readonly #seed: number;
  /** The scenario the model was created with (its profile depends on it). */
  readonly #assigned: ScenarioName;
  /** True once setScenario gave a patient without COPD the COPD baselines. */
  #copdAdded = false;
  /** The profile's fingerprint, computed on the first snapshot. */
  #fingerprint: string | undefined;
  /** Wall-clock ms of the first start: simulated time of day is this plus simulated ms. */
  readonly #startMs: number;
  readonly #rng: Rng;
  readonly #normals = normalTable4096();
  readonly #traits;
  readonly #artefacts: ArtefactState;

  // Clock: simulated time = anchorSim + (wall - anchorWall) * speed; the state is at stateSim.
  #speed: number;
  #anchorWall: number;
  #anchorSim = 0;
  #lastWall: number;
  #stateSim = 0;

  #onsetSim: number | null;
  #onsetWall: number | null;
  /** Drivers left over from a previous scenario (or the sepsis a recovery starts from), times #residualFactor. */
  #residual: Effects = noEffects();
  #residualFactor = 0;
  #residualFromSim = 0;
  readonly #drivers: Effects = noEffects();

  // Noise states (deviation from the deterministic value).
  #nHr: number; #nRr: number; #nSbp: number; #nDbp: number; #nSpo2: number; #nTemp: number;

  // Coefficients cached for the last step length.
  #cachedDtS = -1;
  #aHr = 1; #bHr = 0; #aRr = 1; #bRr = 0; #aSbp = 1; #bSbp = 0;
  #aDbp = 1; #bDbp = 0; #aSpo2 = 1; #bSpo2 = 0; #aTemp = 1; #bTemp = 0;
  #decay = 1;
  /** Circadian factor, recomputed once a simulated minute (it moves < 0.01 of its range in that time). */
  #circadian = 0;
  #circadianAtSim = Number.NEGATIVE_INFINITY;

  constructor(options: PatientModelOptions) {
    const { seed, scenario, startMs, resume } = options;
    const speed = options.speed ?? 1;
    if (!Number.isFinite(seed)) throw new ModelOptionError(`seed must be a finite number (got ${seed})`);
    if (!isScenarioName(scenario)) throw new ModelOptionError(`unknown scenario "${String(scenario)}"`);
    if (!Number.isFinite(startMs)) throw new ModelOptionError(`startMs must be a finite time in ms (got ${startMs})`);
    assertSpeed(speed);
    this.#seed = seed;
    this.#assigned = scenario;
    // The patient (profile, traits) is drawn from the seed, fresh or resumed; only the later state differs.
    const draw = createRng(seed);
    this.#profile = drawProfile(draw, scenario);
    this.#traits = drawTraits(draw, this.#profile);
    if (resume !== undefined) {
      const snapshot = checkSnapshot(resume, { seed, scenario });
      this.#rng = restoredRng(snapshot);
      this.#artefacts = new ArtefactState(this.#rng, snapshot.artefacts);
      this.#startMs = snapshot.clock.originMs;
      this.#scenario = snapshot.scenario;
      this.#definition = SCENARIO_DEFINITIONS[snapshot.scenario];
      [this.#nHr, this.#nRr, this.#nSbp, this.#nDbp, this.#nSpo2, this.#nTemp] = snapshot.noise as [number, number, number, number, number, number];
      this.#speed = snapshot.clock.speed;
      this.#anchorWall = startMs;
      this.#lastWall = startMs;
      this.#onsetSim = null;
      this.#onsetWall = null;
      this.#resume(snapshot, startMs, speed);
      return;
    }
    this.#rng = draw;
    this.#artefacts = new ArtefactState(draw);
    this.#startMs = startMs;
    this.#scenario = scenario;
    this.#definition = SCENARIO_DEFINITIONS[scenario];
    this.#speed = speed;
    this.#anchorWall = startMs;
    this.#lastWall = startMs;

    const onsetAfter = options.onsetAfterMs ?? this.#definition.defaultOnsetMs;
    if (onsetAfter !== null && !(Number.isFinite(onsetAfter) && onsetAfter >= 0)) {
      throw new ModelOptionError(`onsetAfterMs must be >= 0 simulated ms (got ${onsetAfter})`);
    }
    this.#onsetSim = scenario === 'stable' ? null : onsetAfter;
    this.#onsetWall = this.#onsetSim === null ? null : startMs + this.#onsetSim / speed;
    if (scenario === 'recovery') {
      this.#residual = recoveryStartEffects();
      this.#residualFactor = 1;
      this.#residualFromSim = this.#onsetSim ?? 0;
    }

    const rng = this.#rng;
    this.#nHr = OU_SD.hr * rng.normal();
    this.#nRr = OU_SD.rr * rng.normal();
    this.#nSbp = OU_SD.sbp * rng.normal();
    this.#nDbp = OU_SD.dbp * rng.normal();
    this.#nSpo2 = OU_SD.spo2 * rng.normal();
    this.#nTemp = OU_SD.temp * rng.normal();
  }

  /** The rest of a resume: the patient's later state, on a clock anchored at the new start. */
  #resume(snapshot: PatientSnapshot, startMs: number, speed: number): void {
    if (snapshot.copd) this.#addCopd();
    if (profileFingerprint(this.#profile) !== snapshot.patient) {
      throw new ModelSnapshotError('patient', `the patient snapshot's profile (${snapshot.patient}) is not the one seed ${this.#seed} draws now (${profileFingerprint(this.#profile)}): the model's code changed`);
    }
    const clock = snapshot.clock;
    // The wall clock is shifted by the downtime: anchor and onset keep their distance to "now".
    this.#anchorSim = clock.anchorSimMs;
    this.#anchorWall = startMs - clock.anchorAgeMs;
    this.#stateSim = clock.stateSimMs;
    if (clock.circadianAtSimMs !== null) {
      this.#circadianAtSim = clock.circadianAtSimMs;
      this.#circadian = this.#circadianAt(clock.circadianAtSimMs);
    }
    if (snapshot.onset !== null) {
      this.#onsetSim = snapshot.onset.simMs;
      this.#onsetWall = startMs - snapshot.onset.ageMs;
    }
    if (snapshot.residual !== null) {
      const residual = noEffects();
      EFFECT_KEYS.forEach((key, i) => { residual[key] = snapshot.residual!.effects[i]!; });
      this.#residual = residual;
      this.#residualFactor = snapshot.residual.factor;
      this.#residualFromSim = snapshot.residual.fromSimMs;
    }
    if (speed !== this.#speed) this.setSpeed(speed, startMs);
  }

  get profile(): PatientProfile { return this.#profile; }
  get scenario(): ScenarioName { return this.#scenario; }

  #simAt(nowMs: number): number {
    const wall = nowMs > this.#lastWall ? nowMs : this.#lastWall;
    return this.#anchorSim + (wall - this.#anchorWall) * this.#speed;
  }

  #cacheCoefficients(dtS: number): void {
    // Runs on most samples of a live fleet (the tick's jitter changes dt by a few ms each time), so no
    // arrays or closures here: they were a visible share of a 10,000-monitor worker's garbage.
    this.#cachedDtS = dtS;
    this.#aHr = Math.exp(-dtS / OU_TAU_S.hr);
    this.#bHr = OU_SD.hr * Math.sqrt(1 - this.#aHr * this.#aHr);
    this.#aRr = Math.exp(-dtS / OU_TAU_S.rr);
    this.#bRr = OU_SD.rr * Math.sqrt(1 - this.#aRr * this.#aRr);
    this.#aSbp = Math.exp(-dtS / OU_TAU_S.sbp);
    this.#bSbp = OU_SD.sbp * Math.sqrt(1 - this.#aSbp * this.#aSbp);
    this.#aDbp = Math.exp(-dtS / OU_TAU_S.dbp);
    this.#bDbp = OU_SD.dbp * Math.sqrt(1 - this.#aDbp * this.#aDbp);
    this.#aSpo2 = Math.exp(-dtS / OU_TAU_S.spo2);
    this.#bSpo2 = OU_SD.spo2 * Math.sqrt(1 - this.#aSpo2 * this.#aSpo2);
    this.#aTemp = Math.exp(-dtS / OU_TAU_S.temp);
    this.#bTemp = OU_SD.temp * Math.sqrt(1 - this.#aTemp * this.#aTemp);
    this.#decay = Math.exp((-dtS * 1000) / RECOVERY_TIME_CONSTANT_MS);
    this.#artefacts.cacheStep(dtS);
  }

  #circadianAt(sim: number): number {
    return Math.cos(TWO_PI * (((this.#startMs + sim - CIRCADIAN_PEAK_MS) % DAY_MS) / DAY_MS));
  }

  /** Scenario severity in [0, 1] at a simulated time. */
  #severity(sim: number): number {
    const onset = this.#onsetSim;
    if (onset === null || sim < onset) return 0;
    const ramp = this.#definition.rampMs * this.#traits.pace;
    return ramp <= 0 ? 1 : Math.min(1, (sim - onset) / ramp);
  }

  /** Writes the scenario's drivers plus the decaying residual at a simulated time into #drivers. */
  #computeDrivers(sim: number, residualFactor: number): Effects {
    const d = this.#drivers;
    this.#definition.apply(this.#severity(sim), this.#traits, d);
    if (residualFactor > 0) {
      const r = this.#residual;
      d.fever += r.fever * residualFactor; d.hypoxia += r.hypoxia * residualFactor;
      d.bloodLoss += r.bloodLoss * residualFactor; d.heartRate += r.heartRate * residualFactor;
      d.systolic += r.systolic * residualFactor; d.respiration += r.respiration * residualFactor;
      d.oxygen += r.oxygen * residualFactor; d.confusion += r.confusion * residualFactor;
      d.irregularity += r.irregularity * residualFactor;
    }
    return d;
  }

  sample(nowMs: number): Measurement {
    if (nowMs > this.#lastWall) this.#lastWall = nowMs;
    const sim = this.#anchorSim + (this.#lastWall - this.#anchorWall) * this.#speed;
    const dtS = (sim - this.#stateSim) / 1000;
    this.#stateSim = sim;
    if (dtS !== this.#cachedDtS) this.#cacheCoefficients(dtS);

    // Six table normals from three 32-bit draws (12 bits each from the low and high halves).
    const rng = this.#rng;
    const table = this.#normals;
    let u = rng.uint32();
    this.#nHr = this.#aHr * this.#nHr + this.#bHr * table[u & 0xfff]!;
    this.#nRr = this.#aRr * this.#nRr + this.#bRr * table[u >>> 20]!;
    u = rng.uint32();
    this.#nSbp = this.#aSbp * this.#nSbp + this.#bSbp * table[u & 0xfff]!;
    this.#nDbp = this.#aDbp * this.#nDbp + this.#bDbp * table[u >>> 20]!;
    u = rng.uint32();
    this.#nSpo2 = this.#aSpo2 * this.#nSpo2 + this.#bSpo2 * table[u & 0xfff]!;
    this.#nTemp = this.#aTemp * this.#nTemp + this.#bTemp * table[u >>> 20]!;
    if (this.#residualFactor > 0 && sim >= this.#residualFromSim) {
      this.#residualFactor = this.#residualFactor < 1e-3 ? 0 : this.#residualFactor * this.#decay;
    }

    const d = this.#computeDrivers(sim, this.#residualFactor);
    const base = this.#profile.baselines;
    if (sim - this.#circadianAtSim >= 60_000 || sim < this.#circadianAtSim) {
      this.#circadianAtSim = sim;
      this.#circadian = this.#circadianAt(sim);
    }
    const circadian = this.#circadian;
    const onOxygen = d.oxygen >= 0.5;

    // Oxygen therapy lifts SpO2 part of the way back (more for deeper hypoxaemia, at most 4 points).
    const oxygenLift = onOxygen ? Math.min(0.5 * d.hypoxia + 1, 4) : 0;
    const spo2True = base.spo2 - d.hypoxia + oxygenLift + this.#nSpo2;
    const desaturation = base.spo2 - spo2True > 0 ? base.spo2 - spo2True : 0;
    const lossBeyondCompensation = d.bloodLoss > COMPENSATED_LOSS ? d.bloodLoss - COMPENSATED_LOSS : 0;
    const pressureDrop = SBP_PER_BLOOD_LOSS * lossBeyondCompensation + 20 * d.bloodLoss - d.systolic;

    let hr = base.heart_rate + CIRCADIAN.hr * circadian + HR_PER_FEVER * d.fever + HR_PER_DESAT * desaturation
      + HR_PER_BLOOD_LOSS * d.bloodLoss + d.heartRate + this.#nHr;
    if (d.irregularity > 0) hr += AF_RATE_SD * d.irregularity * table[rng.uint32() & 0xfff]!;
    const rr = base.respiratory_rate + CIRCADIAN.rr * circadian + RR_PER_FEVER * d.fever
      + RR_PER_DESAT * desaturation + RR_PER_BLOOD_LOSS * d.bloodLoss + d.respiration + this.#nRr;
    const sbp = base.systolic_bp + CIRCADIAN.sbp * circadian - pressureDrop + this.#nSbp;
    const dbp = base.diastolic_bp + CIRCADIAN.dbp * circadian - 0.6 * pressureDrop + this.#nDbp + 0.4 * this.#nSbp;
    const temp = base.temperature_c + CIRCADIAN.temp * circadian + d.fever + this.#nTemp;

    const artefacts = this.#artefacts;
    artefacts.advance(sim);
    let spo2Shown = spo2True;
    if (artefacts.motion) {
      hr += artefacts.motionHeartRate;
      spo2Shown -= artefacts.motionSpo2Drop;
    }

    const sbpShown = Math.round(clamp(sbp, 40, 260));
    const dbpShown = Math.round(clamp(dbp, 20, sbpShown - 10));
    return {
      heart_rate: artefacts.dropout ? null : Math.round(clamp(hr, 20, 250)),
      spo2: artefacts.probeOff ? null : Math.round(clamp(spo2Shown, 60, 100)),
      respiratory_rate: artefacts.dropout ? null : Math.round(clamp(rr, 4, 60)),
      systolic_bp: sbpShown,
      diastolic_bp: dbpShown,
      temperature_c: Math.round(clamp(temp, 30, 43) * 10) / 10,
      // The cuff's mean pressure, as monitors report it: diastolic plus a third of the pulse pressure.
      map_mmhg: Math.round(dbpShown + (sbpShown - dbpShown) / 3),
      on_oxygen: onOxygen,
      spo2_scale: this.#profile.spo2Scale,
      consciousness: d.confusion >= 0.5 ? 'C' : 'A',
      quality: artefacts.flags(),
      battery_pct: artefacts.batteryPct,
    };
  }

  setScenario(name: ScenarioName, nowMs: number): void {
    if (!isScenarioName(name)) throw new ModelOptionError(`unknown scenario "${String(name)}"`);
    if (nowMs > this.#lastWall) this.#lastWall = nowMs;
    const sim = this.#simAt(this.#lastWall);
    const residualFactor = this.#residualFactor > 0 && sim >= this.#residualFromSim
      ? this.#residualFactor * Math.exp(-(sim - Math.max(this.#stateSim, this.#residualFromSim)) / RECOVERY_TIME_CONSTANT_MS)
      : this.#residualFactor;
    // What the patient has now becomes the residual that decays; the new scenario starts from its onset.
    const now = this.#computeDrivers(sim, residualFactor);
    this.#residual = { ...now };
    this.#residualFactor = 1;
    this.#residualFromSim = sim;
    if (name === 'respiratory_failure_copd' && this.#profile.spo2Scale !== 2) this.#addCopd();
    this.#scenario = name;
    this.#definition = SCENARIO_DEFINITIONS[name];
    this.#onsetSim = name === 'stable' ? null : sim;
    this.#onsetWall = name === 'stable' ? null : this.#lastWall;
  }

  /** The COPD story needs a COPD patient: same person, COPD baselines (own stream, so still seeded). */
  #addCopd(): void {
    const p = this.#profile;
    this.#profile = withBaselines(createRng(deriveSeed(this.#seed, 0xc0bd)), p.age, p.sex, [...p.conditions, 'copd']);
    this.#traits.baselineHeartRate = this.#profile.baselines.heart_rate;
    this.#copdAdded = true;
    this.#fingerprint = undefined;
  }

  setSpeed(speed: number, nowMs: number): void {
    assertSpeed(speed);
    if (nowMs > this.#lastWall) this.#lastWall = nowMs;
    this.#anchorSim = this.#simAt(this.#lastWall);
    this.#anchorWall = this.#lastWall;
    this.#speed = speed;
    // A future onset arrives sooner or later in wall time; a past one keeps its label.
    if (this.#onsetSim !== null && this.#onsetSim > this.#anchorSim) {
      this.#onsetWall = this.#anchorWall + (this.#onsetSim - this.#anchorSim) / speed;
    }
  }

  truth(nowMs: number): GroundTruth {
    const sim = this.#simAt(nowMs);
    const scenario = this.#scenario;
    const onsetAtMs = this.#onsetWall;
    const residualActive = this.#residualFactor * Math.exp(-Math.max(0, sim - Math.max(this.#stateSim, this.#residualFromSim)) / RECOVERY_TIME_CONSTANT_MS) > 0.1;
    if (scenario === 'stable') return { scenario, phase: residualActive ? 'recovering' : 'stable', onsetAtMs };
    if (scenario === 'recovery') {
      if (this.#onsetSim !== null && sim < this.#onsetSim) return { scenario, phase: 'critical', onsetAtMs };
      return { scenario, phase: residualActive ? 'recovering' : 'stable', onsetAtMs };
    }
    if (this.#onsetSim === null || sim < this.#onsetSim) return { scenario, phase: 'baseline', onsetAtMs };
    const severity = this.#severity(sim);
    const phase = severity < 0.2 ? 'onset' : severity < 0.75 ? 'deteriorating' : 'critical';
    return { scenario, phase, onsetAtMs };
  }

  snapshot(nowMs: number): PatientSnapshot {
    const wall = nowMs > this.#lastWall ? nowMs : this.#lastWall;
    const residual = this.#residual;
    return {
      version: PATIENT_SNAPSHOT_VERSION,
      seed: this.#seed,
      assigned: this.#assigned,
      scenario: this.#scenario,
      patient: this.#fingerprint ??= profileFingerprint(this.#profile),
      copd: this.#copdAdded,
      rng: this.#rng.state(),
      noise: [this.#nHr, this.#nRr, this.#nSbp, this.#nDbp, this.#nSpo2, this.#nTemp],
      clock: {
        originMs: this.#startMs,
        speed: this.#speed,
        anchorSimMs: this.#anchorSim,
        anchorAgeMs: wall - this.#anchorWall,
        stateSimMs: this.#stateSim,
        circadianAtSimMs: Number.isFinite(this.#circadianAtSim) ? this.#circadianAtSim : null,
      },
      onset: this.#onsetSim === null || this.#onsetWall === null ? null : { simMs: this.#onsetSim, ageMs: wall - this.#onsetWall },
      // A residual multiplied by 0 is gone: setScenario replaces it, nothing else reads it. `+ 0` turns a
      // driver of -0 (e.g. -40 x severity 0) into the 0 that JSON would give back anyway; both act the same.
      residual: this.#residualFactor > 0
        ? { factor: this.#residualFactor, fromSimMs: this.#residualFromSim, effects: EFFECT_KEYS.map((key) => residual[key] + 0) }
        : null,
      artefacts: this.#artefacts.snapshot(),
    };
  }
}

function restoredRng(snapshot: PatientSnapshot): Rng {
  try {
    return restoreRng(snapshot.rng);
  } catch (error) {
    throw new ModelSnapshotError('malformed', `the patient snapshot's rng state is unusable: ${(error as Error).message}`, { cause: error });
  }
}

function assertSpeed(speed: number): void {
  if (!(Number.isFinite(speed) && speed > 0 && speed <= 100_000)) {
    throw new ModelOptionError(`speed must be a number > 0 and <= 100000 (got ${speed}); 60 plays an hour in a minute`);
  }
}
