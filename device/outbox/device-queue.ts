/**
 * One device's pending messages, in seq order (pure, in memory). The outbox owns one per device.
 * A send cursor walks the queue: entries before it are in flight, after it not yet sent on this
 * connection. A disconnect rewinds the cursor so everything unacknowledged is sent again, in order.
 */
export interface OutboxEntry {
  readonly seq: number;
  readonly payload: string;
  /** How many times it was handed out for sending (more than one = a resend after an outage or crash). */
  sends: number;
  acked: boolean;
  /** process.hrtime-free clock of the last send, for publish-to-ack latency (ms). */
  sentAtMs: number;
}

export class DeviceQueue {
  lastSeq = 0;
  bytes = 0;
  dropped = 0;
  /** The monitor's latest patient state (outbox.savePatient), kept through compaction. */
  patient: { savedAtMs: number; state: string } | undefined;
  private entries: OutboxEntry[] = [];
  private head = 0;
  private cursor = 0;

  get length(): number {
    return this.entries.length - this.head;
  }

  /** Entries handed out on this connection and not yet acknowledged. */
  get inFlight(): number {
    return this.cursor - this.head;
  }

  get unsent(): number {
    return this.entries.length - this.cursor;
  }

  push(seq: number, payload: string, sends = 0): OutboxEntry {
    const entry: OutboxEntry = { seq, payload, sends, acked: false, sentAtMs: 0 };
    this.entries.push(entry);
    this.bytes += payload.length;
    if (seq > this.lastSeq) this.lastSeq = seq;
    return entry;
  }

  /** Removes the oldest entry (queue full); returns it so the caller can log and count the drop. */
  dropOldest(): OutboxEntry | undefined {
    const entry = this.entries[this.head];
    if (!entry) return undefined;
    entry.acked = true;
    this.bytes -= entry.payload.length;
    this.head++;
    this.dropped++;
    if (this.cursor < this.head) this.cursor = this.head;
    this.shrink();
    return entry;
  }

  /** Marks seq acknowledged; false when it is not pending (already acked or dropped). */
  ack(seq: number): boolean {
    for (let i = this.head; i < this.entries.length; i++) {
      const entry = this.entries[i]!;
      if (entry.seq === seq) {
        if (entry.acked) return false;
        entry.acked = true;
        this.bytes -= entry.payload.length;
        while (this.head < this.entries.length && this.entries[this.head]!.acked) this.head++;
        if (this.cursor < this.head) this.cursor = this.head;
        this.shrink();
        return true;
      }
      if (entry.seq > seq) return false;
    }
    return false;
  }

  /** The next entry to send on this connection, or undefined. */
  nextToSend(): OutboxEntry | undefined {
    while (this.cursor < this.entries.length) {
      const entry = this.entries[this.cursor++]!;
      if (!entry.acked) return entry;
    }
    return undefined;
  }

  /** After a disconnect: everything unacknowledged is sent again from the oldest. */
  rewind(): void {
    this.cursor = this.head;
  }

  *pending(): Iterable<OutboxEntry> {
    for (let i = this.head; i < this.entries.length; i++) {
      const entry = this.entries[i]!;
      if (!entry.acked) yield entry;
    }
  }

  private shrink(): void {
    if (this.head === this.entries.length) {
      this.entries = [];
      this.cursor -= this.head;
      this.head = 0;
    } else if (this.head > 64 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.cursor -= this.head;
      this.head = 0;
    }
  }
}
