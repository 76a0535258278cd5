// The arterial corridor: what `greenwave bandwidth` reads and writes (see the README).

/** A signal along the corridor. Outbound runs in the direction of increasing position. */
export interface CorridorSignal {
  id: string;
  /** Metres along the corridor, increasing outbound. */
  position: number;
  /** Outbound through green as a fraction of the cycle (give this or `greenSeconds`). */
  green?: number;
  /** Outbound through green in seconds (resolved against the cycle, which may vary). */
  greenSeconds?: number;
  /** Inbound through green as a fraction of the cycle; defaults to the outbound green. */
  inboundGreen?: number;
  /**
   * Seconds after the outbound green starts at which the inbound green starts (0 by default: both
   * start together). Used when the inbound green is shifted, e.g. by a leading left turn.
   */
  inboundGreenStart?: number;
  /** Queue-clearance time at the start of the green the band must leave free, seconds. */
  queueClearance?: number | { outbound?: number; inbound?: number };
  /** Progression speed range on the link from this signal to the next, m/s (default: `speed`). */
  speedToNext?: { min: number; max: number };
}

export interface Corridor {
  /** Cycle range, seconds; the cycle is a variable of the optimization. */
  cycle: { min: number; max: number };
  /** Progression speed range, m/s, of every link that does not give its own `speedToNext`. */
  speed: { min: number; max: number };
  /** Bound on the change of 1/speed between consecutive links, s/m. */
  maxSpeedChange?: number;
  /**
   * Outbound / inbound bandwidth ratio range. Without it, MAXBAND's target ratio applies:
   * (1 − k)·b̄ ≥ (1 − k)·k·b with k = `inboundWeight` (equal bands when k = 1).
   */
  bandRatio?: { min: number; max: number };
  /** k: weight of the inbound band in the objective b + k·b̄, usually inbound / outbound volume (default 1). */
  inboundWeight?: number;
  /**
   * Allow a band in one direction only, with no target ratio, when it beats every two-way
   * progression (default false: both directions get a band in MAXBAND's target ratio).
   */
  allowOneWay?: boolean;
  signals: CorridorSignal[];
}

export interface BandwidthResult {
  /** Seconds. */
  cycle: number;
  /** Seconds of green band in each direction. */
  bandwidth: { outbound: number; inbound: number };
  /** (b + b̄) / 2C. */
  efficiency: number;
  /** Offset = start of the signal's outbound through green relative to the first signal's, in [0, cycle) s. */
  signals: { id: string; offset: number }[];
  /** Progression speed used on each link in each direction, m/s. */
  links: { from: string; to: string; outbound: number; inbound: number }[];
}
