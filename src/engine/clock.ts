// Clocks injected into the engine and the virtual field: the wall clock, or a manual one that
// offline runs and tests advance as fast as they like (MQTT.js's injected Timer idea).

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Calls `callback` once after `delayMs`; returns a function that cancels it. */
  setTimer(delayMs: number, callback: () => void): () => void;
}

/** The wall clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(delayMs, callback) {
    const timer = setTimeout(callback, Math.max(0, delayMs));
    return () => clearTimeout(timer);
  },
};

interface PendingTimer {
  at: number;
  order: number;
  callback: () => void;
}

/**
 * A clock that moves only when told: `advance(ms)` runs every timer that falls due, in time
 * order, with `now()` set to each timer's moment while it runs.
 *
 * @example
 * const clock = new ManualClock(Date.parse('2026-11-28T07:00:00Z'));
 * clock.setTimer(60_000, () => console.log(new Date(clock.now()).toISOString()));
 * clock.advance(60_000); // logs 2026-11-28T07:01:00.000Z
 */
export class ManualClock implements Clock {
  #now: number;
  #timers: PendingTimer[] = [];
  #order = 0;

  constructor(startMs: number) {
    if (!Number.isFinite(startMs)) {
      throw new TypeError(`ManualClock: start must be finite milliseconds, got ${startMs}`);
    }
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimer(delayMs: number, callback: () => void): () => void {
    const timer = { at: this.#now + Math.max(0, delayMs), order: this.#order++, callback };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((pending) => pending !== timer);
    };
  }

  /** Moves time forward by `ms`, running the timers that fall due (also ones they set). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new TypeError(`ManualClock.advance: ms must be ≥ 0, got ${ms}`);
    const until = this.#now + ms;
    for (;;) {
      const due = this.#timers
        .filter((timer) => timer.at <= until)
        .sort((a, b) => a.at - b.at || a.order - b.order)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((timer) => timer !== due);
      this.#now = Math.max(this.#now, due.at);
      due.callback();
    }
    this.#now = until;
  }

  /** Timers not yet run. */
  get pending(): number {
    return this.#timers.length;
  }
}
