/**
 * The durable outbox of one worker: every message is appended to an on-disk log before it is sent, acks
 * and drops are appended too, and all records of a tick go to disk in ONE write (flush). On open, the log
 * is replayed: unacknowledged messages come back in order and each device's seq continues after the
 * highest ever written, so a seq never repeats, even after kill -9. One log per worker (not one file per
 * device) keeps 10,000+ monitors cheap; compaction rewrites it to just the pending messages and seq
 * snapshots once it grows past a threshold (write to a temp file, fsync, rename: atomic).
 */
import {
  closeSync, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, ftruncateSync, writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { DeviceQueue, type OutboxEntry } from './device-queue.ts';
import { markLine, messageLine, messagePrefix, parseLog, patientLine } from './log-format.ts';
import { WriteBuffer } from './write-buffer.ts';

export interface OutboxLimits {
  /** Oldest messages of a device are dropped (and counted) beyond this many pending. */
  maxMessagesPerDevice: number;
  /** ... or beyond this many payload bytes pending for one device. */
  maxBytesPerDevice: number;
  /** Compact the log once it is bigger than this. */
  compactAtBytes: number;
  /** fsync at most this often (ms); 0 = after every flush. kill -9 safety needs only write(), not fsync. */
  syncIntervalMs: number;
}

export const DEFAULT_OUTBOX_LIMITS: OutboxLimits = Object.freeze({
  // Ten minutes at 1 Hz: bounded memory (each pending message also lives in RAM for resending).
  maxMessagesPerDevice: 600,
  maxBytesPerDevice: 512 * 1024,
  compactAtBytes: 64 * 1024 * 1024,
  syncIntervalMs: 1_000,
});

export interface OutboxStats {
  appended: number;
  acked: number;
  dropped: number;
  /** Messages found pending when the log was opened (to be resent). */
  recovered: number;
  /** Lines skipped on replay: torn last write or corruption. */
  malformed: number;
  writes: number;
  bytesWritten: number;
  compactions: number;
  pending: number;
}

export class OutboxError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class Outbox {
  private readonly devices = new Map<string, DeviceQueue>();
  /** Records appended since the last flush. */
  private readonly buffer = new WriteBuffer();
  private fd: number;
  private size: number;
  private lastSyncMs = 0;
  /** Size right after the last compaction: compacting again before the log doubles would be quadratic. */
  private compactedSize = 0;
  private closed = false;
  readonly stats: OutboxStats = {
    appended: 0, acked: 0, dropped: 0, recovered: 0, malformed: 0, writes: 0, bytesWritten: 0, compactions: 0, pending: 0,
  };

  private constructor(readonly path: string, readonly limits: OutboxLimits, private readonly nowMs: () => number) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = -1;
    this.size = 0;
  }

  /** Opens (or creates) the log at `path` and replays it. */
  static open(path: string, limits: Partial<OutboxLimits> = {}, nowMs: () => number = Date.now): Outbox {
    const outbox = new Outbox(path, { ...DEFAULT_OUTBOX_LIMITS, ...limits }, nowMs);
    outbox.replay();
    return outbox;
  }

  private replay(): void {
    let text = '';
    try {
      if (existsSync(this.path)) text = readFileSync(this.path, 'utf8');
    } catch (error) {
      throw new OutboxError(`cannot read the outbox ${this.path}: check its permissions, or move it away to start empty (pending messages would be lost)`, { cause: error });
    }
    const { records, completeBytes, malformed } = parseLog(text);
    this.stats.malformed = malformed;
    for (const record of records) {
      const queue = this.queue(record.thing);
      if (record.kind === 'M') queue.push(record.seq, record.payload, 1);
      else if (record.kind === 'S') queue.lastSeq = Math.max(queue.lastSeq, record.seq);
      else if (record.kind === 'P') queue.patient = { savedAtMs: record.seq, state: record.payload };
      else if (record.kind === 'A') queue.ack(record.seq);
      else if (queue.ack(record.seq)) queue.dropped++;
    }
    for (const queue of this.devices.values()) this.stats.recovered += queue.length;
    this.stats.pending = this.stats.recovered;
    this.fd = openSync(this.path, 'a+');
    // A torn last line (crash mid-write) must not glue onto the next record.
    if (Buffer.byteLength(text) !== completeBytes) ftruncateSync(this.fd, completeBytes);
    this.size = completeBytes;
    // Replayed logs that are mostly acknowledged history shrink right away.
    if (this.size > this.limits.compactAtBytes / 4) this.compact();
  }

  /** The queue of a device (created empty on first use). */
  queue(thing: string): DeviceQueue {
    let queue = this.devices.get(thing);
    if (!queue) {
      queue = new DeviceQueue();
      this.devices.set(thing, queue);
    }
    return queue;
  }

  /** Hands out the next seq of a device: one more than any seq ever written for it. */
  nextSeq(thing: string): number {
    return this.queue(thing).lastSeq + 1;
  }

  /**
   * Appends a message (buffered until flush(); send it only after flush()). Drops the oldest pending
   * messages of the device first if it is full.
   */
  append(thing: string, seq: number, payload: string): OutboxEntry {
    if (payload.includes('\n')) throw new OutboxError(`payload of ${thing} seq ${seq} contains a newline; the outbox stores one message per line`);
    const queue = this.queue(thing);
    if (seq <= queue.lastSeq) throw new OutboxError(`seq ${seq} of ${thing} is not above the last one written (${queue.lastSeq}): a seq never repeats`);
    while (queue.length > 0 && (queue.length >= this.limits.maxMessagesPerDevice || queue.bytes + payload.length > this.limits.maxBytesPerDevice)) {
      const dropped = queue.dropOldest()!;
      this.buffer.append(markLine('D', thing, dropped.seq));
      this.stats.dropped++;
      this.stats.pending--;
    }
    const entry = queue.push(seq, payload);
    this.buffer.append(messagePrefix(thing, seq));
    this.buffer.append(payload);
    this.buffer.append('\n');
    this.stats.appended++;
    this.stats.pending++;
    return entry;
  }

  /**
   * Keeps a monitor's patient state (one line of JSON, buffered until the next flush): a restarted
   * monitor resumes its patient from the latest one instead of starting again from baseline.
   */
  savePatient(thing: string, state: string): void {
    if (state.includes('\n')) throw new OutboxError(`patient state of ${thing} contains a newline; the outbox stores one record per line`);
    const savedAtMs = Math.max(0, Math.round(this.nowMs()));
    this.queue(thing).patient = { savedAtMs, state };
    this.buffer.append(patientLine(thing, savedAtMs, state));
  }

  /** The latest patient state saved for a thing, if any. */
  patient(thing: string): string | undefined {
    return this.devices.get(thing)?.patient?.state;
  }

  /** Records an acknowledgement (buffered until the next flush); false when it was not pending. */
  ack(thing: string, seq: number): boolean {
    const queue = this.devices.get(thing);
    if (!queue || !queue.ack(seq)) return false;
    this.buffer.append(markLine('A', thing, seq));
    this.stats.acked++;
    this.stats.pending--;
    return true;
  }

  /** Writes everything buffered since the last flush in one write; compacts when the log is big. */
  flush(): void {
    if (this.closed) throw new OutboxError(`the outbox ${this.path} is closed`);
    if (this.buffer.byteLength > 0) {
      const chunk = this.buffer.view();
      let offset = 0;
      while (offset < chunk.length) offset += writeSync(this.fd, chunk, offset, chunk.length - offset);
      this.stats.writes++;
      this.stats.bytesWritten += chunk.length;
      this.size += chunk.length;
      this.buffer.clear();
    }
    const now = this.nowMs();
    if (now - this.lastSyncMs >= this.limits.syncIntervalMs) {
      fsyncSync(this.fd);
      this.lastSyncMs = now;
    }
    if (this.size > Math.max(this.limits.compactAtBytes, 2 * this.compactedSize)) this.compact();
  }

  /** Rewrites the log as seq snapshots plus pending messages only. */
  compact(): void {
    const lines: string[] = [];
    for (const [thing, queue] of this.devices) {
      lines.push(markLine('S', thing, queue.lastSeq));
      if (queue.patient) lines.push(patientLine(thing, queue.patient.savedAtMs, queue.patient.state));
      for (const entry of queue.pending()) lines.push(messageLine(thing, entry.seq, entry.payload));
    }
    const data = Buffer.concat([Buffer.from(lines.join('')), this.buffer.view()]);
    this.buffer.clear();
    const temp = `${this.path}.compact`;
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.path);
    closeSync(this.fd);
    this.fd = openSync(this.path, 'a+');
    this.size = fstatSync(this.fd).size;
    this.compactedSize = this.size;
    this.stats.compactions++;
  }

  /** Every device with pending messages (for replay after a reconnect). */
  devicesWithPending(): string[] {
    return [...this.devices].filter(([, queue]) => queue.length > 0).map(([thing]) => thing);
  }

  /** Flushes, fsyncs and closes; idempotent. */
  close(): void {
    if (this.closed) return;
    this.flush();
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.closed = true;
  }
}
