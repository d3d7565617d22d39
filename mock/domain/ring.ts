/**
 * A bounded journal: at most `capacity` entries and at most `maxWeight` in total (e.g. bytes);
 * pushing past either drops the oldest entries (no scan, no shifting).
 */
export class Ring<T> {
  private readonly items: (T | undefined)[];
  private readonly weights: Float64Array;
  private next = 0;
  private count = 0;
  private total = 0;

  constructor(
    private readonly capacity: number,
    private readonly maxWeight = Infinity,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error('A ring needs a capacity of at least 1');
    this.items = new Array<T | undefined>(capacity);
    this.weights = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** The sum of the weights of the entries kept. */
  get weight(): number {
    return this.total;
  }

  push(item: T, weight = 0): void {
    if (this.count === this.capacity) this.dropOldest();
    this.items[this.next] = item;
    this.weights[this.next] = weight;
    this.total += weight;
    this.next = (this.next + 1) % this.capacity;
    this.count++;
    while (this.total > this.maxWeight && this.count > 1) this.dropOldest();
  }

  *newestFirst(): Generator<T> {
    for (let i = 1; i <= this.count; i++) yield this.items[(this.next - i + this.capacity) % this.capacity] as T;
  }

  clear(): void {
    this.items.fill(undefined);
    this.weights.fill(0);
    this.next = 0;
    this.count = 0;
    this.total = 0;
  }

  private dropOldest(): void {
    const oldest = (this.next - this.count + this.capacity) % this.capacity;
    this.total -= this.weights[oldest];
    this.items[oldest] = undefined;
    this.weights[oldest] = 0;
    this.count--;
  }
}
