// Runs a store's calls one after another, so they take effect in call order even when not awaited.

/**
 * A queue of asynchronous calls: each starts when the one before it has settled; a failure is the
 * failing call's alone.
 *
 * @example
 * const calls = new CallQueue();
 * void calls.run(() => write(a));
 * await calls.run(() => read()); // sees a
 */
export class CallQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves when every call queued so far has settled. */
  async drained(): Promise<void> {
    await this.#tail;
  }
}
