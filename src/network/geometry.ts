// Bearings and lengths for planar (metres) and lon/lat (WGS84, through Turf) coordinates.
import { bearing as turfBearing, distance as turfDistance } from '@turf/turf';
import type { CoordinateSystem, Position } from './types.ts';

/**
 * Compass bearing from `from` to `to` in degrees, clockwise from north, in [0, 360).
 *
 * @example
 * bearing([0, 0], [10, 0], 'planar') // => 90 (east)
 */
export function bearing(from: Position, to: Position, coordinates: CoordinateSystem): number {
  const degrees =
    coordinates === 'lonlat'
      ? turfBearing(from, to)
      : (Math.atan2(to[0] - from[0], to[1] - from[1]) * 180) / Math.PI;
  return normalizeDegrees(degrees);
}

/**
 * Distance in metres between two positions.
 *
 * @example
 * distance([0, 0], [3, 4], 'planar') // => 5
 */
export function distance(from: Position, to: Position, coordinates: CoordinateSystem): number {
  if (coordinates === 'lonlat') return turfDistance(from, to, { units: 'meters' });
  return Math.hypot(to[0] - from[0], to[1] - from[1]);
}

/**
 * Length of a polyline in metres.
 *
 * @example
 * polylineLength([[0, 0], [3, 4], [3, 10]], 'planar') // => 11
 */
export function polylineLength(points: Position[], coordinates: CoordinateSystem): number {
  let length = 0;
  for (let i = 1; i < points.length; i++) {
    length += distance(points[i - 1]!, points[i]!, coordinates);
  }
  return length;
}

/** Bearing of the first segment of a polyline that has a length. */
export function startBearing(points: Position[], coordinates: CoordinateSystem): number {
  for (let i = 1; i < points.length; i++) {
    if (distance(points[0]!, points[i]!, coordinates) > 1e-6) {
      return bearing(points[0]!, points[i]!, coordinates);
    }
  }
  return 0;
}

/** Bearing of the last segment of a polyline that has a length. */
export function endBearing(points: Position[], coordinates: CoordinateSystem): number {
  const last = points[points.length - 1]!;
  for (let i = points.length - 2; i >= 0; i--) {
    if (distance(points[i]!, last, coordinates) > 1e-6)
      return bearing(points[i]!, last, coordinates);
  }
  return 0;
}

/** Degrees folded into [0, 360). */
export function normalizeDegrees(degrees: number): number {
  const folded = degrees % 360;
  return folded < 0 ? folded + 360 : folded;
}

/**
 * Signed turn angle in degrees from an arrival bearing to a departure bearing, in (-180, 180]:
 * positive turns right (clockwise), negative turns left.
 *
 * @example
 * turnAngle(0, 90) // => 90 (heading north, then east: a right turn)
 */
export function turnAngle(arrivalBearing: number, departureBearing: number): number {
  const angle = normalizeDegrees(departureBearing - arrivalBearing);
  return angle > 180 ? angle - 360 : angle;
}
