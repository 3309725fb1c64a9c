/**
 * Records already generated but not yet due. Each event's and ticket's whole future is drawn when
 * it starts, so its later steps wait here until the clock reaches them. A binary min-heap on
 * (ts, insertion order): ties come out in the order they went in, which keeps output deterministic.
 */
export class PendingQueue<T> {
  private ts: number[] = []
  private seq: number[] = []
  private items: T[] = []
  private counter = 0

  get size(): number {
    return this.items.length
  }

  push(ts: number, item: T): void {
    let i = this.items.length
    this.ts.push(ts)
    this.seq.push(this.counter++)
    this.items.push(item)
    // Sift up.
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!this.less(i, p)) break
      this.swap(i, p)
      i = p
    }
  }

  /** Appends to `out`, in time order, every item with ts ≤ until. */
  popUntil(until: number, out: T[]): T[] {
    while (this.items.length > 0 && this.ts[0] <= until) out.push(this.popMin())
    return out
  }

  private popMin(): T {
    const top = this.items[0]
    const last = this.items.length - 1
    this.swap(0, last)
    this.ts.pop()
    this.seq.pop()
    this.items.pop()
    // Sift down.
    const n = this.items.length
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < n && this.less(l, m)) m = l
      if (r < n && this.less(r, m)) m = r
      if (m === i) break
      this.swap(i, m)
      i = m
    }
    return top
  }

  private less(a: number, b: number): boolean {
    return this.ts[a] < this.ts[b] || (this.ts[a] === this.ts[b] && this.seq[a] < this.seq[b])
  }

  private swap(a: number, b: number): void {
    const t = this.ts[a]
    this.ts[a] = this.ts[b]
    this.ts[b] = t
    const s = this.seq[a]
    this.seq[a] = this.seq[b]
    this.seq[b] = s
    const it = this.items[a]
    this.items[a] = this.items[b]
    this.items[b] = it
  }
}
