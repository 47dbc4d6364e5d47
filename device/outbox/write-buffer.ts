/**
 * The bytes of a tick's log records, appended as text and written to the log in one write. Text goes
 * straight into one reused buffer: building each line as a string, joining them and converting the result
 * made two or three copies of every payload per message, the largest share of a fleet worker's garbage.
 */
export class WriteBuffer {
  private bytes: Buffer;
  private used = 0;

  constructor(initialBytes = 64 * 1024) {
    this.bytes = Buffer.allocUnsafe(initialBytes);
  }

  get byteLength(): number {
    return this.used;
  }

  append(text: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit: reserving that never truncates a write.
    const worst = this.used + text.length * 3;
    if (worst > this.bytes.byteLength) this.grow(worst);
    this.used += this.bytes.write(text, this.used, 'utf8');
  }

  /** The appended bytes; valid until the next append or clear. */
  view(): Buffer {
    return this.bytes.subarray(0, this.used);
  }

  clear(): void {
    this.used = 0;
  }

  private grow(atLeast: number): void {
    const grown = Buffer.allocUnsafe(Math.max(atLeast, this.bytes.byteLength * 2));
    this.bytes.copy(grown, 0, 0, this.used);
    this.bytes = grown;
  }
}
