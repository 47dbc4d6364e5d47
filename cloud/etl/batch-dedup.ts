/**
 * In-batch duplicates by (device_id, seq) (DESIGN §5): the first reading of a pair is kept, a later one is
 * a duplicate of it. A monitor's seq only rises, so the common case needs one number per device: a seq
 * above the device's last is new. Only when a device's seqs stop rising (a QoS 1 redelivery, a replay from
 * the outbox) is the map of its kept seqs built, from the rows kept so far, and consulted from then on.
 */
export interface KeptRows {
  /**
   * The (seq, batch position) of every reading of `device` kept so far: the caller keeps (appends) each
   * reading keep() calls new before it asks about the next one.
   */
  keptOf(device: string): Iterable<readonly [seq: number, index: number]>;
}

interface DeviceSeqs {
  last: number;
  /** Every kept seq and its batch position, once the device's seqs have stopped rising; else null. */
  kept: Map<number, number> | null;
}

export class BatchDeduplicator {
  private readonly devices = new Map<string, DeviceSeqs>();

  constructor(private readonly rows: KeptRows) {}

  /** The batch position of the kept reading with this device and seq, or -1: this one is new and now kept. */
  keep(device: string, seq: number, index: number): number {
    const seqs = this.devices.get(device);
    if (seqs === undefined) {
      this.devices.set(device, { last: seq, kept: null });
      return -1;
    }
    if (seqs.kept === null) {
      if (seq > seqs.last) {
        seqs.last = seq;
        return -1;
      }
      seqs.kept = new Map(this.rows.keptOf(device));
    }
    const kept = seqs.kept.get(seq);
    if (kept !== undefined) return kept;
    seqs.kept.set(seq, index);
    if (seq > seqs.last) seqs.last = seq;
    return -1;
  }
}
