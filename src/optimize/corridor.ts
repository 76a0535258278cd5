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
   * start together). Used when the inbound green is shifted, e.g. by a leading left turn. Give this
   * or `leftTurn`, not both.
   */
  inboundGreenStart?: number;
  /**
   * Protected left turns off the arterial, whose lead or lag sets the inbound green's shift.
   *
   * Phasing model: one ring-barrier group for the arterial, both rings starting together at the
   * barrier. Ring 1 holds the outbound through (g) and the inbound left (l̄, which turns across the
   * outbound through); ring 2 the inbound through (ḡ) and the outbound left (l, across the inbound
   * through). A left either runs before its opposing through (lead) or after it (lag). So, from
   * the barrier, the outbound through starts at δ̄·l̄ and the inbound through at δ·l, with δ = 1
   * when the outbound left leads and δ̄ = 1 when the inbound left leads, and
   *
   *   inboundGreenStart = δ·l − δ̄·l̄ seconds   (lag–lag 0, lead–lead l − l̄, lead–lag l, lag–lead −l̄).
   *
   * Each left and its opposing through must fit in the cycle (l + ḡ < C, l̄ + g < C): at the longest
   * cycle, or the corridor is invalid; shorter cycles where they do not fit are ruled out.
   *
   * @example
   * { outbound: 12, inbound: 10 } // both lefts, lead or lag chosen by the optimizer
   * { outbound: 12, leadLag: 'lead' } // outbound left leads: the inbound through starts 12 s late
   */
  leftTurn?: {
    /** Protected green of the outbound left (conflicts with the inbound through), seconds ≥ 0 (default 0: none). */
    outbound?: number;
    /** Protected green of the inbound left (conflicts with the outbound through), seconds ≥ 0 (default 0: none). */
    inbound?: number;
    /**
     * `'optimize'` (default): the optimizer chooses lead or lag for each left independently;
     * `'lead'`: both lefts lead their opposing throughs; `'lag'`: both lag.
     */
    leadLag?: LeadLagSetting;
  };
  /** Queue-clearance time at the start of the green the band must leave free, seconds. */
  queueClearance?: number | { outbound?: number; inbound?: number };
  /** Progression speed range on the link from this signal to the next, m/s (default: `speed`). */
  speedToNext?: { min: number; max: number };
}

/** Whether a left turn runs before (`lead`) or after (`lag`) its opposing through. */
export type LeadLag = 'lead' | 'lag';

/** A signal's left-turn sequence: chosen by the optimizer, or fixed for both lefts. */
export type LeadLagSetting = 'optimize' | LeadLag;

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
  /**
   * Offset = start of the signal's outbound through green relative to the first signal's, in
   * [0, cycle) s. Signals with a `leftTurn` also get the lead or lag of each protected left (only
   * for lefts longer than 0 s) and the resulting `inboundGreenStart`, s after the outbound green.
   */
  signals: {
    id: string;
    offset: number;
    leftTurns?: { outbound?: LeadLag; inbound?: LeadLag };
    inboundGreenStart?: number;
  }[];
  /** Progression speed used on each link in each direction, m/s. */
  links: { from: string; to: string; outbound: number; inbound: number }[];
}
