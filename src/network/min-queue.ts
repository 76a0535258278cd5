// A binary heap of items by priority, smallest first: the queue of the shortest-path searches.

/**
 * A binary heap of (item, priority), smallest priority first.
 *
 * @example
 * const queue = new MinQueue<string>();
 * queue.push('far', 9);
 * queue.push('near', 2);
 * queue.pop(); // => ['near', 2]
 */
export class MinQueue<T> {
  private readonly keys: T[] = [];
  private readonly priorities: number[] = [];

  push(key: T, priority: number): void {
    let i = this.keys.length;
    this.keys.push(key);
    this.priorities.push(priority);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.priorities[parent]! <= priority) break;
      this.move(parent, i);
      i = parent;
    }
    this.keys[i] = key;
    this.priorities[i] = priority;
  }

  pop(): [T, number] | undefined {
    if (this.keys.length === 0) return undefined;
    const top: [T, number] = [this.keys[0]!, this.priorities[0]!];
    const lastKey = this.keys.pop()!;
    const lastPriority = this.priorities.pop()!;
    if (this.keys.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.keys.length) break;
      const right = left + 1;
      const child =
        right < this.keys.length && this.priorities[right]! < this.priorities[left]! ? right : left;
      if (this.priorities[child]! >= lastPriority) break;
      this.move(child, i);
      i = child;
    }
    this.keys[i] = lastKey;
    this.priorities[i] = lastPriority;
    return top;
  }

  private move(from: number, to: number): void {
    this.keys[to] = this.keys[from]!;
    this.priorities[to] = this.priorities[from]!;
  }
}
