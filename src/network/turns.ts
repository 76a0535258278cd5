// Turn types from geometry: the angle between the arrival and the departure bearing.
import { turnAngle } from './geometry.ts';
import type { TurnType } from './types.ts';

/** Turns sharper than this many degrees either way are left or right; gentler ones are through. */
const THROUGH_HALF_ANGLE = 40;
/** Turns sharper than this are U-turns even when the road does not lead back. */
const UTURN_ANGLE = 165;

/**
 * Classifies a turn for right-hand traffic from the two bearings (degrees from north), and whether
 * the departure link leads straight back to where the arrival link came from.
 *
 * @example
 * classifyTurn(0, 270, false) // => 'left' (heading north, leaving west)
 */
export function classifyTurn(
  arrivalBearing: number,
  departureBearing: number,
  leadsBack: boolean,
): TurnType {
  const angle = turnAngle(arrivalBearing, departureBearing);
  if (leadsBack || Math.abs(angle) >= UTURN_ANGLE) return 'uturn';
  if (angle > THROUGH_HALF_ANGLE) return 'right';
  if (angle < -THROUGH_HALF_ANGLE) return 'left';
  return 'through';
}
