/**
 * In-batch conflicts (DESIGN §5): two records of one batch with the same (device_id, seq) but different
 * content. Identical copies are an ordinary duplicate (one curated, the rest counted); once one copy
 * differs, no copy can be told to be the reading, and every copy of the key, the kept one, its identical
 * copies and the differing ones, is quarantined. Keys are named by the batch position of their kept copy
 * (BatchDeduplicator's answer).
 */
export class BatchConflicts {
  /** Kept position -> positions of its identical copies so far (in case a differing one follows). */
  private readonly copies = new Map<number, number[]>();
  /** Kept position -> every position of that key, once its copies disagree. */
  private readonly conflicted = new Map<number, number[]>();

  /** Keys in conflict so far. */
  get size(): number {
    return this.conflicted.size;
  }

  isConflicted(keptIndex: number): boolean {
    return this.conflicted.has(keptIndex);
  }

  /** `index` is an identical copy of the kept record. */
  addCopy(keptIndex: number, index: number): void {
    const copies = this.copies.get(keptIndex);
    if (copies === undefined) this.copies.set(keptIndex, [index]);
    else copies.push(index);
  }

  /** `index` differs from the kept record (or its key is already in conflict): the key is in conflict. */
  add(keptIndex: number, index: number): void {
    let all = this.conflicted.get(keptIndex);
    if (all === undefined) {
      all = [keptIndex, ...(this.copies.get(keptIndex) ?? [])];
      this.conflicted.set(keptIndex, all);
    }
    all.push(index);
  }

  keptIndexes(): IterableIterator<number> {
    return this.conflicted.keys();
  }

  /** Each conflicting key's kept position and all its positions, ascending. */
  entries(): IterableIterator<[number, number[]]> {
    return this.conflicted.entries();
  }
}
