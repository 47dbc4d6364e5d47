/**
 * A binary min-heap of (due time, item): the single timer of a worker asks it for whatever is due.
 * O(log n) per schedule, no allocation beyond the arrays, so 10,000+ monitors cost one timer.
 */
export class ScheduleHeap<T> {
  private dues: number[] = [];
  private items: T[] = [];

  get size(): number {
    return this.dues.length;
  }

  /** Earliest due time, or Infinity when empty. */
  peekDue(): number {
    return this.dues.length > 0 ? this.dues[0]! : Number.POSITIVE_INFINITY;
  }

  push(due: number, item: T): void {
    const dues = this.dues;
    const items = this.items;
    let i = dues.length;
    dues.push(due);
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (dues[parent]! <= due) break;
      dues[i] = dues[parent]!;
      items[i] = items[parent]!;
      i = parent;
    }
    dues[i] = due;
    items[i] = item;
  }

  /** Removes and returns the earliest item if it is due at or before `now`. */
  popDue(now: number): { due: number; item: T } | undefined {
    const dues = this.dues;
    if (dues.length === 0 || dues[0]! > now) return undefined;
    const due = dues[0]!;
    const item = this.items[0]!;
    const lastDue = dues.pop()!;
    const lastItem = this.items.pop()!;
    const n = dues.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        const child = right < n && dues[right]! < dues[left]! ? right : left;
        if (dues[child]! >= lastDue) break;
        dues[i] = dues[child]!;
        this.items[i] = this.items[child]!;
        i = child;
      }
      dues[i] = lastDue;
      this.items[i] = lastItem;
    }
    return { due, item };
  }
}
