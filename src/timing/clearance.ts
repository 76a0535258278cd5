// Change and clearance intervals: ITE yellow, all-red, MUTCD pedestrian walk and clearance.

/** Gravity, m/s², for the grade term of the yellow formula. */
const GRAVITY = 9.81;

/** 6 ft in metres: where MUTCD measures the walk from when there is no pushbutton. */
const CURB_SETBACK = 1.8288;

/** Slack for floating-point noise before rounding up, so that 38.000000000001 s stays 38 s. */
const ROUNDING_SLACK = 1e-9;

/**
 * How to round a change interval:
 * - `none`: the formula's value;
 * - `tenth`: to the nearest 0.1 s (the California MUTCD Table 4D-102 values);
 * - `half-up`: up to the next 0.5 s (Maryland COMAR 11.04.14.03).
 */
export type ChangeIntervalRounding = 'none' | 'tenth' | 'half-up';

export interface YellowChangeOptions {
  /** Approach speed (85th percentile or limit), m/s. */
  approachSpeed: number;
  /** Approach grade as a decimal, positive uphill: 0.03 is +3 %. */
  grade?: number;
  /** Perception-reaction time, s. */
  perceptionReaction?: number;
  /** Comfortable deceleration, m/s². */
  deceleration?: number;
  round?: ChangeIntervalRounding;
}

export interface AllRedClearanceOptions {
  /** Width W, metres, from the stop line to the far-side clearance point. */
  crossingWidth: number;
  /** Vehicle length L, metres. */
  vehicleLength?: number;
  /** Approach speed, m/s. */
  approachSpeed: number;
  round?: ChangeIntervalRounding;
}

export interface PedestrianClearanceOptions {
  /** Crossing length, metres, curb to far side of the travelled way. */
  crossingLength: number;
  /** Walking speed for the flashing DON'T WALK, m/s. */
  walkingSpeed?: number;
  /** Metres from the pushbutton to the near end of the crossing; 6 ft (1.83 m) when absent. */
  pushbuttonDistance?: number;
  /** Walking speed for the whole walk from the pushbutton to the far side, m/s. */
  totalWalkingSpeed?: number;
  /** Shortest WALK, s. */
  minWalk?: number;
}

/** Pedestrian intervals, whole seconds. `total` is the pedestrian signal group's green. */
export interface PedestrianClearance {
  walk: number;
  flashingDontWalk: number;
  total: number;
}

export interface IntergreenOptions {
  /** Approach speed, m/s. */
  approachSpeed: number;
  /** Width W, metres, from the stop line to the far-side clearance point. */
  crossingWidth: number;
  grade?: number;
  vehicleLength?: number;
  perceptionReaction?: number;
  deceleration?: number;
  /** Applied to both the yellow and the all-red. */
  round?: ChangeIntervalRounding;
  /** Clamp to the MUTCD limits: yellow 3–6 s, all-red at most 6 s. */
  clampToMutcd?: boolean;
}

export interface Intergreen {
  yellow: number;
  allRed: number;
}

/**
 * The ITE kinematic yellow change interval `t + v / (2a + 2gG)`, in SI units (g = 9.81 m/s²).
 *
 * Source: ITE, confirmed by NCHRP Report 731 (2012): t = 1.0 s, a = 10 ft/s² (3.05 m/s²).
 * In US units (v ft/s, a = 10 ft/s², g = 32.2 ft/s²) 30 mph on the level gives 3.2 s, the California
 * MUTCD Table 4D-102 value. The metric constants differ from the US ones by up to 0.3 %, so results
 * match US tables to about 0.01 s.
 *
 * @throws {RangeError} when a value is not a finite number in range, or the grade is so steep
 *   downhill that the braking term `2a + 2gG` is not positive.
 * @example
 * yellowChange({ approachSpeed: 13.4112 }); // 30 mph, level: 1 + 13.4112 / 6.1 ≈ 3.199 s
 * yellowChange({ approachSpeed: 13.4112, round: 'half-up' }); // 3.5
 */
export function yellowChange({
  approachSpeed,
  grade = 0,
  perceptionReaction = 1.0,
  deceleration = 3.05,
  round = 'none',
}: YellowChangeOptions): number {
  requirePositive('yellowChange', 'approachSpeed', approachSpeed, 'metres per second');
  requireFinite('yellowChange', 'grade', grade, 'a decimal, +0.03 for 3 % uphill');
  requireNonNegative('yellowChange', 'perceptionReaction', perceptionReaction, 'seconds');
  requirePositive('yellowChange', 'deceleration', deceleration, 'metres per second squared');
  const braking = 2 * deceleration + 2 * GRAVITY * grade;
  if (!(braking > 0)) {
    throw new RangeError(
      `yellowChange: grade ${grade} is too steep downhill for deceleration ${deceleration} m/s²; ` +
        'no yellow lets a vehicle stop. Check the grade is a decimal (-0.05, not -5).',
    );
  }
  return roundSeconds('yellowChange', perceptionReaction + approachSpeed / braking, round);
}

/**
 * The all-red (red clearance) interval `(W + L) / v`: the time for a vehicle that entered at the
 * end of the yellow to clear the far-side conflict point. Source: ITE; L = 20 ft (6.1 m).
 *
 * @throws {RangeError} when a value is not a finite number in range.
 * @example
 * allRedClearance({ crossingWidth: 30, approachSpeed: 13.4 }); // (30 + 6.1) / 13.4 ≈ 2.694 s
 */
export function allRedClearance({
  crossingWidth,
  vehicleLength = 6.1,
  approachSpeed,
  round = 'none',
}: AllRedClearanceOptions): number {
  requireNonNegative('allRedClearance', 'crossingWidth', crossingWidth, 'metres');
  requireNonNegative('allRedClearance', 'vehicleLength', vehicleLength, 'metres');
  requirePositive('allRedClearance', 'approachSpeed', approachSpeed, 'metres per second');
  return roundSeconds('allRedClearance', (crossingWidth + vehicleLength) / approachSpeed, round);
}

/**
 * Pedestrian WALK and flashing DON'T WALK per MUTCD 2009 §4E.06, rounded up to whole seconds:
 * the flashing DON'T WALK covers the crossing at 3.5 ft/s (1.07 m/s); WALK + flashing DON'T WALK
 * must cover the pushbutton (or 6 ft back from the curb) to the far side at 3.0 ft/s (0.91 m/s),
 * any excess going to WALK; WALK is at least 7 s. The buffer interval is not included.
 *
 * Worked example (aaroads forum, topic 7510): 130 ft crossing, pushbutton 60 ft back:
 * flashing DON'T WALK 130 / 3.5 = 37.1 → 38 s, WALK (130 + 60) / 3.0 − 38 = 25.3 → 26 s, 64 s in all.
 *
 * @throws {RangeError} when a value is not a finite number in range.
 * @example
 * pedestrianClearance({ crossingLength: 39.624, pushbuttonDistance: 18.288 });
 * // { walk: 26, flashingDontWalk: 38, total: 64 }
 */
export function pedestrianClearance({
  crossingLength,
  walkingSpeed = 1.07,
  pushbuttonDistance = CURB_SETBACK,
  totalWalkingSpeed = 0.91,
  minWalk = 7,
}: PedestrianClearanceOptions): PedestrianClearance {
  requireNonNegative('pedestrianClearance', 'crossingLength', crossingLength, 'metres');
  requirePositive('pedestrianClearance', 'walkingSpeed', walkingSpeed, 'metres per second');
  requireNonNegative('pedestrianClearance', 'pushbuttonDistance', pushbuttonDistance, 'metres');
  requirePositive(
    'pedestrianClearance',
    'totalWalkingSpeed',
    totalWalkingSpeed,
    'metres per second',
  );
  requireNonNegative('pedestrianClearance', 'minWalk', minWalk, 'seconds');
  const flashingDontWalk = ceilSeconds(crossingLength / walkingSpeed);
  const wholeWalk = ceilSeconds((pushbuttonDistance + crossingLength) / totalWalkingSpeed);
  const walk = Math.max(minWalk, wholeWalk - flashingDontWalk);
  return { walk, flashingDontWalk, total: walk + flashingDontWalk };
}

/**
 * A pedestrian signal group's walk and clearance (`pedestrianClearance` with its defaults), or
 * undefined when its crossing length is missing or not a length: what `validatePlan` requires of
 * its green and what the simulator's pedestrian recall serves.
 *
 * @example
 * crossingClearance(15)?.total; // => 22
 * crossingClearance(undefined); // => undefined
 */
export function crossingClearance(
  crossingLength: number | undefined,
): PedestrianClearance | undefined {
  if (crossingLength === undefined || !Number.isFinite(crossingLength) || crossingLength < 0) {
    return undefined;
  }
  return pedestrianClearance({ crossingLength });
}

/**
 * The yellow and all-red for a movement losing green, from its approach speed, grade and the
 * width it must clear; optionally clamped to the MUTCD limits (yellow 3–6 s, all-red ≤ 6 s).
 *
 * @throws {RangeError} as `yellowChange` and `allRedClearance`.
 * @example
 * intergreen({ approachSpeed: 13.4112, crossingWidth: 30, round: 'tenth' });
 * // { yellow: 3.2, allRed: 2.7 }
 * intergreen({ approachSpeed: 5, crossingWidth: 10, clampToMutcd: true });
 * // { yellow: 3, allRed: 3.22 }: the formula's 1.82 s yellow is raised to 3 s
 */
export function intergreen({
  approachSpeed,
  crossingWidth,
  grade = 0,
  vehicleLength = 6.1,
  perceptionReaction = 1.0,
  deceleration = 3.05,
  round = 'none',
  clampToMutcd = false,
}: IntergreenOptions): Intergreen {
  const yellow = yellowChange({ approachSpeed, grade, perceptionReaction, deceleration, round });
  const allRed = allRedClearance({ crossingWidth, vehicleLength, approachSpeed, round });
  if (!clampToMutcd) return { yellow, allRed };
  return { yellow: clamp(yellow, 3, 6), allRed: clamp(allRed, 0, 6) };
}

function roundSeconds(caller: string, seconds: number, round: ChangeIntervalRounding): number {
  switch (round) {
    case 'none':
      return seconds;
    case 'tenth':
      return Math.round(seconds * 10 + ROUNDING_SLACK) / 10;
    case 'half-up':
      return Math.ceil(seconds * 2 - ROUNDING_SLACK) / 2;
    default:
      throw new RangeError(
        `${caller}: unknown rounding ${JSON.stringify(round)}; use 'none', 'tenth' or 'half-up'.`,
      );
  }
}

function ceilSeconds(seconds: number): number {
  return Math.ceil(seconds - ROUNDING_SLACK);
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

function requireFinite(caller: string, name: string, value: number, unit: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`${caller}: ${name} must be a finite number (${unit}); got ${value}.`);
  }
}

function requireNonNegative(caller: string, name: string, value: number, unit: string): void {
  requireFinite(caller, name, value, unit);
  if (value < 0) {
    throw new RangeError(`${caller}: ${name} must be zero or more (${unit}); got ${value}.`);
  }
}

function requirePositive(caller: string, name: string, value: number, unit: string): void {
  requireFinite(caller, name, value, unit);
  if (value <= 0) {
    throw new RangeError(`${caller}: ${name} must be greater than zero (${unit}); got ${value}.`);
  }
}
