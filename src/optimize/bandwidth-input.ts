// Checks a corridor for bandwidth maximization and resolves its greens into cycle shares.
import type { Corridor, CorridorSignal, LeadLagSetting } from './corridor.ts';

/** `MISSING`: a required field is absent; `BAD_VALUE`: a field is present but unusable. */
export type CorridorProblemCode = 'MISSING' | 'BAD_VALUE';

export interface CorridorProblem {
  code: CorridorProblemCode;
  /** Path of the field at fault, e.g. `signals[3].position`. */
  field: string;
  /** What is wrong. */
  message: string;
  /** How to fix it. */
  fix: string;
}

/**
 * A caller's mistake in a corridor. `problems` lists every problem found; the message starts with
 * `maximizeBandwidth:` and names the first one with its fix.
 */
export class CorridorError extends Error {
  override name = 'CorridorError';
  readonly code = 'INVALID_CORRIDOR';

  constructor(readonly problems: CorridorProblem[]) {
    const first = problems[0];
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : '';
    super(
      first
        ? `maximizeBandwidth: ${first.field} ${first.message} Fix: ${first.fix}${more}`
        : 'maximizeBandwidth: invalid corridor',
    );
  }
}

/**
 * A time as the optimization sees it, in cycles: `fraction + seconds / cycle`. Both parts are linear
 * in z = 1/cycle, which is what keeps MAXBAND linear while the cycle varies.
 */
export interface CycleShare {
  fraction: number;
  seconds: number;
}

/** A corridor signal with every default applied and every green expressed as a cycle share. */
export interface ResolvedSignal {
  id: string;
  position: number;
  green: CycleShare;
  inboundGreen: CycleShare;
  /**
   * Seconds from the start of the outbound green to the start of the inbound green: given, or set
   * by fixed lead/lag lefts (lead: l − l̄, lag: 0). With `leadLag: 'optimize'` it is 0 here and the
   * program adds δ·l − δ̄·l̄.
   */
  inboundGreenStart: number;
  /** Protected left greens, seconds (0: none), and how their sequence is set. */
  leftTurn?: { outbound: number; inbound: number; leadLag: LeadLagSetting };
  /** Seconds at the start of each green that the band leaves to the queue. */
  queueClearance: { outbound: number; inbound: number };
  /** Speed range on the link to the next signal, m/s. */
  speedToNext: { min: number; max: number };
}

export interface ResolvedCorridor {
  cycle: { min: number; max: number };
  speed: { min: number; max: number };
  maxSpeedChange: number | undefined;
  bandRatio: { min: number; max: number } | undefined;
  inboundWeight: number;
  allowOneWay: boolean;
  signals: ResolvedSignal[];
}

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

/**
 * Every problem in a corridor read from anywhere (a file, a request): missing fields, values out of
 * range, positions that do not increase. An empty list means `resolveCorridor` will accept it.
 *
 * @example
 * corridorProblems({ cycle: { min: 120, max: 60 }, speed: { min: 10, max: 15 }, signals: [] })
 *   .map((problem) => problem.field) // => ['cycle', 'signals']
 */
export function corridorProblems(corridor: unknown): CorridorProblem[] {
  const problems: CorridorProblem[] = [];
  const add = (code: CorridorProblemCode, field: string, message: string, fix: string) =>
    problems.push({ code, field, message, fix });
  if (!isObject(corridor)) {
    add('BAD_VALUE', 'corridor', 'is not an object.', 'Give { cycle, speed, signals }.');
    return problems;
  }
  const cycle = checkRange(corridor, 'cycle', 's', add);
  checkRange(corridor, 'speed', 'm/s', add);
  checkOptionalNumber(corridor, 'maxSpeedChange', 's/m', add);
  checkOptionalNumber(corridor, 'inboundWeight', '', add);
  if (corridor.bandRatio !== undefined) checkRange(corridor, 'bandRatio', '', add);
  checkSignals(corridor.signals, cycle, add);
  return problems;
}

type Add = (code: CorridorProblemCode, field: string, message: string, fix: string) => void;

function checkRange(
  corridor: Fields,
  field: 'cycle' | 'speed' | 'bandRatio' | 'speedToNext',
  unit: string,
  add: Add,
  prefix = '',
): { min: number; max: number } | undefined {
  const range = corridor[field];
  const shape = `{ "min": …, "max": … }${unit ? ` in ${unit}` : ''}`;
  const path = `${prefix}${field}`;
  if (range === undefined) {
    add('MISSING', path, 'is missing.', `Give ${field} as ${shape}.`);
    return undefined;
  }
  if (!isObject(range) || !isNumber(range.min) || !isNumber(range.max)) {
    add('BAD_VALUE', path, 'is not a range of two numbers.', `Give ${field} as ${shape}.`);
    return undefined;
  }
  const { min, max } = range;
  const positive = field === 'bandRatio' ? min >= 0 && max > 0 : min > 0;
  if (!positive || max < min) {
    const bound = field === 'bandRatio' ? '0 ≤ min ≤ max, max > 0' : '0 < min ≤ max';
    add('BAD_VALUE', path, `${min}–${max} is empty or not positive.`, `Give ${bound}.`);
    return undefined;
  }
  return { min, max };
}

function checkOptionalNumber(
  corridor: Fields,
  field: 'maxSpeedChange' | 'inboundWeight',
  unit: string,
  add: Add,
): void {
  const value = corridor[field];
  if (value === undefined || (isNumber(value) && value >= 0)) return;
  add(
    'BAD_VALUE',
    field,
    `${JSON.stringify(value)} is not a number ≥ 0.`,
    `Give a number ≥ 0${unit ? ` in ${unit}` : ''}, or leave ${field} out.`,
  );
}

function checkSignals(signals: unknown, cycle: { max: number } | undefined, add: Add): void {
  if (!Array.isArray(signals)) {
    add('MISSING', 'signals', 'is missing or not a list.', 'Give signals as a list, in order.');
    return;
  }
  if (signals.length < 2) {
    add('BAD_VALUE', 'signals', `holds ${signals.length} signal(s).`, 'Give at least two signals.');
  }
  const seen = new Set<string>();
  let previous: { position: number; field: string } | undefined;
  signals.forEach((signal: unknown, index) => {
    const field = `signals[${index}]`;
    if (!isObject(signal)) {
      add('BAD_VALUE', field, 'is not an object.', 'Give { id, position, green }.');
      return;
    }
    checkId(signal.id, `${field}.id`, seen, add);
    if (!isNumber(signal.position)) {
      add(
        signal.position === undefined ? 'MISSING' : 'BAD_VALUE',
        `${field}.position`,
        'is not a number of metres.',
        'Give the distance along the corridor in metres.',
      );
    } else {
      if (previous && signal.position <= previous.position) {
        add(
          'BAD_VALUE',
          `${field}.position`,
          `${signal.position} m does not increase on ${previous.field}.position ${previous.position} m.`,
          'List the signals in outbound order, with positions increasing.',
        );
      }
      previous = { position: signal.position, field };
    }
    checkGreens(signal, field, cycle, add);
    checkLeftTurn(signal, field, cycle, add);
    checkQueueClearance(signal.queueClearance, `${field}.queueClearance`, add);
    if (signal.speedToNext !== undefined)
      checkRange(signal, 'speedToNext', 'm/s', add, `${field}.`);
  });
}

function checkId(id: unknown, field: string, seen: Set<string>, add: Add): void {
  if (typeof id !== 'string' || id === '') {
    add(
      id === undefined ? 'MISSING' : 'BAD_VALUE',
      field,
      'is not a name.',
      'Give each signal a non-empty id.',
    );
  } else if (seen.has(id)) {
    add('BAD_VALUE', field, `"${id}" is used twice.`, 'Give each signal its own id.');
  } else {
    seen.add(id);
  }
}

const isFraction = (value: unknown) => isNumber(value) && value > 0 && value < 1;

function checkGreens(
  signal: Fields,
  field: string,
  cycle: { max: number } | undefined,
  add: Add,
): void {
  const { green, greenSeconds, inboundGreen, inboundGreenStart } = signal;
  if (green === undefined && greenSeconds === undefined) {
    add(
      'MISSING',
      `${field}.green`,
      'is missing.',
      'Give the outbound through green as green (a fraction of the cycle) or greenSeconds.',
    );
  } else if (green !== undefined && greenSeconds !== undefined) {
    add('BAD_VALUE', `${field}.green`, 'is given twice.', 'Give green or greenSeconds, not both.');
  } else if (green !== undefined && !isFraction(green)) {
    add(
      'BAD_VALUE',
      `${field}.green`,
      `${JSON.stringify(green)} is not a fraction of the cycle in (0, 1).`,
      'Give the green as a fraction strictly between 0 and 1, or as greenSeconds.',
    );
  } else if (greenSeconds !== undefined) {
    const fits = isNumber(greenSeconds) && greenSeconds > 0;
    if (!fits || (cycle && greenSeconds >= cycle.max)) {
      add(
        'BAD_VALUE',
        `${field}.greenSeconds`,
        `${JSON.stringify(greenSeconds)} is not a green shorter than the longest cycle.`,
        `Give seconds in (0, ${cycle?.max ?? 'cycle.max'}).`,
      );
    }
  }
  if (inboundGreen !== undefined && !isFraction(inboundGreen)) {
    add(
      'BAD_VALUE',
      `${field}.inboundGreen`,
      `${JSON.stringify(inboundGreen)} is not a fraction of the cycle in (0, 1).`,
      'Give a fraction strictly between 0 and 1, or leave it out to use the outbound green.',
    );
  }
  if (inboundGreenStart !== undefined && !isNumber(inboundGreenStart)) {
    add(
      'BAD_VALUE',
      `${field}.inboundGreenStart`,
      `${JSON.stringify(inboundGreenStart)} is not a number of seconds.`,
      'Give the seconds from the outbound green start to the inbound green start, or leave it out.',
    );
  }
}

const LEAD_LAG: readonly unknown[] = ['optimize', 'lead', 'lag'] satisfies LeadLagSetting[];

/**
 * Left greens are seconds ≥ 0, and each left with its opposing through must fit in the longest
 * cycle (shorter cycles where they do not are ruled out by the program).
 */
function checkLeftTurn(
  signal: Fields,
  field: string,
  cycle: { max: number } | undefined,
  add: Add,
): void {
  const { leftTurn } = signal;
  if (leftTurn === undefined) return;
  const path = `${field}.leftTurn`;
  if (!isObject(leftTurn)) {
    add(
      'BAD_VALUE',
      path,
      'is not an object.',
      'Give { "outbound": s, "inbound": s, "leadLag": "optimize" | "lead" | "lag" }.',
    );
    return;
  }
  if (signal.inboundGreenStart !== undefined) {
    add(
      'BAD_VALUE',
      path,
      'is given with inboundGreenStart, which it sets.',
      'Give leftTurn (the optimizer or leadLag sets the shift) or inboundGreenStart, not both.',
    );
  }
  if (leftTurn.leadLag !== undefined && !LEAD_LAG.includes(leftTurn.leadLag)) {
    add(
      'BAD_VALUE',
      `${path}.leadLag`,
      `${JSON.stringify(leftTurn.leadLag)} is not a left-turn sequence.`,
      'Give "optimize" (the default), "lead" or "lag".',
    );
  }
  // Each left shares its ring with the opposing through: outbound left with the inbound through.
  const opposing = {
    outbound: throughSeconds(signal, 'inbound', cycle),
    inbound: throughSeconds(signal, 'outbound', cycle),
  };
  for (const direction of ['outbound', 'inbound'] as const) {
    const seconds = leftTurn[direction];
    if (seconds === undefined) continue;
    if (!(isNumber(seconds) && seconds >= 0)) {
      add(
        'BAD_VALUE',
        `${path}.${direction}`,
        `${JSON.stringify(seconds)} is not a number of seconds ≥ 0.`,
        'Give the protected left-turn green in seconds ≥ 0, or leave it out.',
      );
      continue;
    }
    const through = opposing[direction];
    if (cycle && through !== undefined && seconds + through >= cycle.max) {
      const other = direction === 'outbound' ? 'inbound' : 'outbound';
      add(
        'BAD_VALUE',
        `${path}.${direction}`,
        `${seconds} s with the ${other} through green (${round(through)} s) fills the longest cycle (${cycle.max} s).`,
        `Give less than ${round(cycle.max - through)} s, shorten the ${other} through green or allow a longer cycle.`,
      );
    }
  }
}

/** A valid through green in seconds at the longest cycle; undefined when it is not valid. */
function throughSeconds(
  signal: Fields,
  direction: 'outbound' | 'inbound',
  cycle: { max: number } | undefined,
): number | undefined {
  if (!cycle) return undefined;
  const { green, greenSeconds, inboundGreen } = signal;
  if (direction === 'inbound' && inboundGreen !== undefined)
    return isFraction(inboundGreen) ? (inboundGreen as number) * cycle.max : undefined;
  if (greenSeconds !== undefined)
    return green === undefined && isNumber(greenSeconds) ? greenSeconds : undefined;
  return isFraction(green) ? (green as number) * cycle.max : undefined;
}

const round = (value: number) => Math.round(value * 1000) / 1000;

function checkQueueClearance(value: unknown, field: string, add: Add): void {
  if (value === undefined) return;
  const bad = (at: string, given: unknown) =>
    add(
      'BAD_VALUE',
      at,
      `${JSON.stringify(given)} is not a number of seconds ≥ 0.`,
      'Give seconds ≥ 0, or { "outbound": s, "inbound": s }.',
    );
  if (isObject(value)) {
    for (const direction of ['outbound', 'inbound'] as const) {
      const seconds = value[direction];
      if (seconds !== undefined && !(isNumber(seconds) && seconds >= 0))
        bad(`${field}.${direction}`, seconds);
    }
  } else if (!(isNumber(value) && value >= 0)) {
    bad(field, value);
  }
}

/**
 * Applies the defaults (inbound green = outbound green, no shift, lefts optimized, no queue clearance, inbound
 * weight 1) and expresses every green as a cycle share.
 *
 * @throws {CorridorError} when `corridorProblems` finds anything.
 * @example
 * resolveCorridor(corridor).signals[0].green // => { fraction: 0.45, seconds: 0 }
 */
export function resolveCorridor(corridor: Corridor): ResolvedCorridor {
  const problems = corridorProblems(corridor);
  if (problems.length > 0) throw new CorridorError(problems);
  return {
    cycle: { min: corridor.cycle.min, max: corridor.cycle.max },
    speed: { min: corridor.speed.min, max: corridor.speed.max },
    maxSpeedChange: corridor.maxSpeedChange,
    bandRatio: corridor.bandRatio && { min: corridor.bandRatio.min, max: corridor.bandRatio.max },
    inboundWeight: corridor.inboundWeight ?? 1,
    allowOneWay: corridor.allowOneWay ?? false,
    signals: corridor.signals.map((signal) => resolveSignal(signal, corridor.speed)),
  };
}

function resolveSignal(
  signal: CorridorSignal,
  speed: { min: number; max: number },
): ResolvedSignal {
  const green: CycleShare =
    signal.greenSeconds !== undefined
      ? { fraction: 0, seconds: signal.greenSeconds }
      : { fraction: signal.green ?? 0, seconds: 0 };
  const queue = signal.queueClearance;
  const leftTurn = signal.leftTurn && {
    outbound: signal.leftTurn.outbound ?? 0,
    inbound: signal.leftTurn.inbound ?? 0,
    leadLag: signal.leftTurn.leadLag ?? 'optimize',
  };
  const leadShift = leftTurn ? leftTurn.outbound - leftTurn.inbound : 0;
  return {
    id: signal.id,
    position: signal.position,
    green,
    inboundGreen:
      signal.inboundGreen !== undefined ? { fraction: signal.inboundGreen, seconds: 0 } : green,
    inboundGreenStart: signal.inboundGreenStart ?? (leftTurn?.leadLag === 'lead' ? leadShift : 0),
    ...(leftTurn && { leftTurn }),
    queueClearance:
      typeof queue === 'number'
        ? { outbound: queue, inbound: queue }
        : { outbound: queue?.outbound ?? 0, inbound: queue?.inbound ?? 0 },
    speedToNext: { ...(signal.speedToNext ?? speed) },
  };
}
