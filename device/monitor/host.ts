/**
 * MonitorHost: runs many monitors in one process from ONE timer. Each tick it samples every due monitor,
 * appends all their messages to the outbox, flushes the outbox in one write, and only then publishes
 * (QoS 1; the PUBACK marks the message done). It also paces connects (fleet ramp), reconnects with
 * backoff and jitter, replays the outbox in order after a reconnect, and serves the device shadow.
 */
import { shadowTopic } from '../contract/topics.ts';
import type { Outbox } from '../outbox/index.ts';
import { parseDesired, reportedDocument, type DesiredChanges } from '../shadow/index.ts';
import type { Transport, TransportFactory } from '../transport/index.ts';
import { DEFAULT_BACKOFF, reconnectDelayMs, type BackoffPolicy } from './backoff.ts';
import { ConnectRamp } from './connect-ramp.ts';
import { Histogram } from './histogram.ts';
import { Monitor, type MonitorSnapshot, type MonitorSpec } from './monitor.ts';
import { ScheduleHeap } from './schedule-heap.ts';

export interface MonitorHostOptions {
  host: string;
  port: number;
  transportFactory: TransportFactory;
  protocolVersion?: 4 | 5;
  outbox: Outbox;
  /** Connection attempts per second started by this host (its share of the fleet-wide ramp). */
  connectRatePerSecond?: number;
  /** Per connection (AWS IoT Core: < 100/s). */
  maxPublishesPerSecond?: number;
  /** Unacknowledged QoS 1 publishes per connection. */
  inFlightWindow?: number;
  shadow?: boolean;
  speed?: number;
  backoff?: BackoffPolicy;
  connectTimeoutMs?: number;
  keepaliveSeconds?: number;
  /** Longest gap between two outbox flushes (acks are written at flush). */
  maxFlushGapMs?: number;
  /**
   * How often each monitor's patient state goes to the outbox (a restart resumes from the latest);
   * default: every 5 s, slower above 500 monitors (10 ms per monitor), so a host writes at most ~100 per second.
   */
  patientSaveIntervalMs?: number;
  /**
   * Shortest gap between two ticks: everything due within it is handled in one tick (one outbox write,
   * one timer). Adds at most this much to the schedule jitter.
   */
  minTickMs?: number;
  now?: () => number;
  random?: () => number;
  log?: (level: 'info' | 'warn', message: string) => void;
}

export interface HostStats {
  monitors: number;
  connected: number;
  sent: number;
  acked: number;
  dropped: number;
  duplicatesResent: number;
  reconnects: number;
  errors: number;
  queued: number;
  samples: number;
  lastError?: string;
}

const SAMPLE = 0;
const CONNECT = 1;
const PUMP = 2;
const SAVE = 3;
const KINDS = 4;

export class MonitorHost {
  private readonly monitors: Monitor[] = [];
  private readonly heap = new ScheduleHeap<number>();
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly options: Required<Omit<MonitorHostOptions, 'log' | 'protocolVersion' | 'patientSaveIntervalMs'>>
    & Pick<MonitorHostOptions, 'log' | 'protocolVersion' | 'patientSaveIntervalMs'>;
  private timer: NodeJS.Timeout | undefined;
  private timerDue = Number.POSITIVE_INFINITY;
  private lastFlushMs = 0;
  private lastTickMs = 0;
  private sampling = true;
  private stopped = false;
  private readonly sampled: Monitor[] = [];
  /** Monitors waiting for a connect token, in order; not in the heap, to avoid re-pushing. */
  private readonly ramp: ConnectRamp<Monitor>;
  readonly latency = new Histogram();
  readonly jitter = new Histogram();
  private readonly counters = { sent: 0, acked: 0, duplicatesResent: 0, reconnects: 0, errors: 0, samples: 0, connected: 0 };
  private lastError: Error | undefined;

  constructor(options: MonitorHostOptions) {
    this.options = {
      connectRatePerSecond: 100, maxPublishesPerSecond: 90, inFlightWindow: 10, shadow: true, speed: 1,
      backoff: DEFAULT_BACKOFF, connectTimeoutMs: 10_000, keepaliveSeconds: 60, maxFlushGapMs: 200, minTickMs: 20,
      now: Date.now, random: Math.random, ...options,
    };
    this.now = this.options.now;
    this.random = this.options.random;
    this.ramp = new ConnectRamp(this.options.connectRatePerSecond);
  }

  get outbox(): Outbox {
    return this.options.outbox;
  }

  monitor(thing: string): Monitor | undefined {
    return this.monitors.find((m) => m.thing === thing);
  }

  /**
   * Adds a monitor: it starts sampling at once (into the outbox) and connects when the ramp allows. Its
   * patient resumes from the state the outbox kept, if any (a previous run of this thing).
   */
  add(spec: MonitorSpec): Monitor {
    const now = this.now();
    const transport = this.options.transportFactory({
      host: this.options.host, port: this.options.port, clientId: spec.thing, tls: spec.tls,
      protocolVersion: this.options.protocolVersion, connectTimeoutMs: this.options.connectTimeoutMs,
      keepaliveSeconds: this.options.keepaliveSeconds, localAddress: spec.localAddress,
    });
    const monitor = this.createMonitor(spec, transport, now);
    this.monitors.push(monitor);
    this.heap.push(now + this.patientSaveIntervalMs() * (0.5 + 0.5 * this.random()), monitor.index * KINDS + SAVE);
    transport.onState((state, error) => { if (state === 'disconnected') this.onDisconnected(monitor, error); });
    transport.onMessage((topic, payload) => this.onShadowMessage(monitor, topic, payload));
    this.scheduleSample(monitor, now + (spec.phaseMs ?? this.random() * monitor.intervalMs));
    // Messages recovered from a previous run go out first, once connected.
    this.ramp.enqueue(monitor);
    this.arm(now);
    return monitor;
  }

  private createMonitor(spec: MonitorSpec, transport: Transport, now: number): Monitor {
    const saved = this.options.outbox.patient(spec.thing);
    if (saved !== undefined) {
      try {
        return new Monitor(this.monitors.length, spec, transport, now, this.options.speed, JSON.parse(saved) as MonitorSnapshot);
      } catch (error) {
        this.options.log?.('warn', `${spec.thing}: its patient starts afresh (the saved state does not fit: ${(error as Error).message})`);
      }
    }
    return new Monitor(this.monitors.length, spec, transport, now, this.options.speed);
  }

  private patientSaveIntervalMs(): number {
    return this.options.patientSaveIntervalMs ?? Math.max(5_000, this.monitors.length * 10);
  }

  private savePatient(monitor: Monitor, now: number): void {
    this.options.outbox.savePatient(monitor.thing, JSON.stringify(monitor.snapshot(now)));
  }

  stats(): HostStats {
    const outbox = this.options.outbox.stats;
    return {
      monitors: this.monitors.length,
      connected: this.counters.connected,
      sent: this.counters.sent,
      acked: this.counters.acked,
      dropped: outbox.dropped,
      duplicatesResent: this.counters.duplicatesResent,
      reconnects: this.counters.reconnects,
      errors: this.counters.errors,
      queued: outbox.pending,
      samples: this.counters.samples,
      ...(this.lastError ? { lastError: this.lastError.message } : {}),
    };
  }

  /**
   * Clean shutdown: stop sampling, keep sending until the outbox is empty or `timeoutMs` passes, then
   * disconnect everything and close the outbox (what is left stays on disk for the next run).
   */
  async stop(timeoutMs = 5_000): Promise<void> {
    if (this.stopped) return;
    this.sampling = false;
    const deadline = this.now() + timeoutMs;
    while (this.options.outbox.stats.pending > 0 && this.counters.connected > 0 && this.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const now = this.now();
    for (const monitor of this.monitors) {
      monitor.state = 'stopped';
      this.savePatient(monitor, now);
    }
    const ends = this.monitors.map((monitor) => monitor.transport.end().catch(() => undefined));
    await Promise.race([Promise.all(ends), new Promise((resolve) => setTimeout(resolve, Math.max(1_000, deadline - this.now())))]);
    this.counters.connected = 0;
    this.options.outbox.close();
  }

  // ---- the one timer ------------------------------------------------------------------------------

  private push(due: number, monitor: Monitor, kind: number): void {
    this.heap.push(due, monitor.index * KINDS + kind);
    this.arm(this.now());
  }

  private arm(now: number): void {
    if (this.stopped) return;
    const earliest = Math.min(this.heap.peekDue(), this.lastFlushMs + this.options.maxFlushGapMs, this.ramp.nextStartMs(now));
    const due = Math.max(earliest, this.lastTickMs + this.options.minTickMs);
    if (this.timer && due >= this.timerDue) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => this.tick(), Math.max(0, due - now));
  }

  private tick(): void {
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
    if (this.stopped) return;
    const now = this.now();
    this.lastTickMs = now;
    const outbox = this.options.outbox;
    for (let event = this.heap.popDue(now); event; event = this.heap.popDue(now)) {
      const monitor = this.monitors[Math.floor(event.item / KINDS)]!;
      const kind = event.item % KINDS;
      if (kind === SAMPLE) {
        if (event.due !== monitor.nextSampleDue || !this.sampling) continue;
        this.jitter.record(now - event.due);
        const seq = outbox.nextSeq(monitor.thing);
        outbox.append(monitor.thing, seq, monitor.measure(now, seq));
        this.counters.samples++;
        this.sampled.push(monitor);
        const next = event.due + monitor.intervalMs;
        // Far behind (process stalled): skip ahead rather than fire a burst of stale samples.
        this.scheduleSample(monitor, next < now - monitor.intervalMs ? now + monitor.intervalMs : next);
      } else if (kind === CONNECT) {
        this.ramp.enqueue(monitor);
      } else if (kind === SAVE) {
        // Appended after this monitor's samples: a torn write never keeps the state without them.
        if (this.sampling) this.savePatient(monitor, now);
        this.heap.push(now + this.patientSaveIntervalMs(), monitor.index * KINDS + SAVE);
      } else {
        monitor.pumpScheduled = false;
        this.sampled.push(monitor);
      }
    }
    this.ramp.drain(now, (monitor) => {
      if (monitor.state === 'connecting' || monitor.state === 'connected' || monitor.state === 'stopped') return false;
      this.startConnect(monitor);
      return true;
    });
    // Write before send: one write for every message and ack of this tick.
    outbox.flush();
    this.lastFlushMs = now;
    for (const monitor of this.sampled) this.pump(monitor, now);
    this.sampled.length = 0;
    this.arm(now);
  }

  private scheduleSample(monitor: Monitor, due: number): void {
    monitor.nextSampleDue = due;
    this.heap.push(due, monitor.index * KINDS + SAMPLE);
  }

  // ---- connections ----------------------------------------------------------------------------------

  private startConnect(monitor: Monitor): void {
    monitor.state = 'connecting';
    monitor.transport.connect().then(() => this.onConnected(monitor), (error: Error) => {
      if (monitor.state === 'stopped') return;
      this.counters.errors++;
      this.lastError = error;
      monitor.lastError = error;
      this.retryLater(monitor);
    });
  }

  private retryLater(monitor: Monitor): void {
    monitor.state = 'backoff';
    const delay = reconnectDelayMs(monitor.connectAttempt++, this.options.backoff, this.random);
    this.push(this.now() + delay, monitor, CONNECT);
  }

  private onConnected(monitor: Monitor): void {
    if (monitor.state === 'stopped') {
      void monitor.transport.end();
      return;
    }
    monitor.state = 'connected';
    monitor.connectAttempt = 0;
    monitor.everConnected = true;
    monitor.publishTokens = this.options.maxPublishesPerSecond;
    monitor.publishTokensAtMs = this.now();
    this.counters.connected++;
    this.options.outbox.queue(monitor.thing).rewind();
    this.pump(monitor, this.now());
    if (this.options.shadow) void this.startShadow(monitor);
  }

  private onDisconnected(monitor: Monitor, error: Error | undefined): void {
    if (monitor.state !== 'connected') return;
    this.counters.connected--;
    this.counters.reconnects++;
    if (error) this.lastError = error;
    this.options.outbox.queue(monitor.thing).rewind();
    this.retryLater(monitor);
  }

  // ---- publishing -------------------------------------------------------------------------------------

  /** Sends what the outbox holds for this monitor, oldest first, within its window and publish budget. */
  private pump(monitor: Monitor, now: number): void {
    if (monitor.state !== 'connected') return;
    const queue = this.options.outbox.queue(monitor.thing);
    const rate = this.options.maxPublishesPerSecond;
    monitor.publishTokens = Math.min(rate, monitor.publishTokens + ((now - monitor.publishTokensAtMs) / 1000) * rate);
    monitor.publishTokensAtMs = now;
    while (queue.inFlight < this.options.inFlightWindow && queue.unsent > 0) {
      if (monitor.publishTokens < 1) {
        if (!monitor.pumpScheduled) {
          monitor.pumpScheduled = true;
          this.push(now + ((1 - monitor.publishTokens) / rate) * 1000, monitor, PUMP);
        }
        return;
      }
      const entry = queue.nextToSend();
      if (!entry) return;
      monitor.publishTokens -= 1;
      if (entry.sends > 0) this.counters.duplicatesResent++;
      entry.sends++;
      entry.sentAtMs = now;
      this.counters.sent++;
      const seq = entry.seq;
      monitor.transport.publish(monitor.topic, entry.payload, 1).then(() => {
        if (this.stopped) return;
        const ackAt = this.now();
        if (this.options.outbox.ack(monitor.thing, seq)) {
          this.counters.acked++;
          this.latency.record(ackAt - entry.sentAtMs);
        }
        if (queue.unsent > 0) this.pump(monitor, ackAt);
      }, (error: Error) => {
        // A drop rejects every in-flight publish; the reconnect rewinds the queue and resends them.
        if (monitor.state === 'connected' && monitor.transport.connected) {
          this.counters.errors++;
          this.lastError = error;
        }
      });
    }
  }

  // ---- device shadow --------------------------------------------------------------------------------

  private async startShadow(monitor: Monitor): Promise<void> {
    const { thing, transport } = monitor;
    try {
      await transport.subscribe(shadowTopic(thing, 'update/delta'), 1);
      await transport.subscribe(shadowTopic(thing, 'get/accepted'), 1);
      await this.reportShadow(monitor);
      await transport.publish(shadowTopic(thing, 'get'), '{}', 1);
    } catch (error) {
      if (transport.connected) {
        this.counters.errors++;
        this.lastError = error as Error;
      }
    }
  }

  private reportShadow(monitor: Monitor): Promise<void> {
    return monitor.transport.publish(shadowTopic(monitor.thing, 'update'), reportedDocument({
      firmware: monitor.spec.firmware,
      battery_pct: monitor.batteryPct,
      interval_ms: monitor.intervalMs,
      scenario: monitor.scenario,
      speed: this.options.speed,
    }), 1);
  }

  private onShadowMessage(monitor: Monitor, topic: string, payload: Buffer): void {
    const kind = topic.endsWith('/update/delta') ? 'delta' : topic.endsWith('/get/accepted') ? 'get' : undefined;
    if (!kind || monitor.state === 'stopped') return;
    const { changes, rejected } = parseDesired(payload, kind);
    if (rejected.length > 0) this.options.log?.('warn', `${monitor.thing}: ignored desired shadow values: ${rejected.join('; ')}`);
    if (this.applyDesired(monitor, changes)) {
      this.reportShadow(monitor).catch(() => undefined);
    }
  }

  /** Applies desired settings; a new interval takes effect from the next sample (within one tick). */
  private applyDesired(monitor: Monitor, changes: DesiredChanges): boolean {
    const now = this.now();
    let changed = false;
    if (changes.scenario !== undefined && changes.scenario !== monitor.scenario) {
      monitor.setScenario(changes.scenario, now);
      changed = true;
    }
    if (changes.interval_ms !== undefined && changes.interval_ms !== monitor.intervalMs) {
      monitor.intervalMs = changes.interval_ms;
      const last = Number.isNaN(monitor.lastSampleMs) ? now : monitor.lastSampleMs;
      if (this.sampling) this.scheduleSample(monitor, Math.max(now, last + changes.interval_ms));
      this.arm(now);
      changed = true;
    }
    if (changes.interval_ms !== undefined || changes.scenario !== undefined) {
      this.options.log?.('info', `${monitor.thing}: shadow set ${JSON.stringify(changes)}`);
    }
    return changed;
  }
}
