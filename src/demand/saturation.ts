// Saturation flow of a lane: HCM base flow with the lane-width and grade adjustments.

/** Base saturation flow, passenger cars per hour of green per lane (HCM 2000, ch. 16). */
export const BASE_SATURATION_FLOW = 1900;

export interface SaturationFlowOptions {
  /** pc/h/ln; default 1,900 (HCM). SUMO's own tool uses 1,800 (a 2 s headway). */
  baseFlow?: number;
  /** Approach grade as a decimal, + uphill. */
  grade?: number;
  /** Share of heavy vehicles, 0..1, each counting as `heavyVehicleEquivalent` cars. */
  heavyVehicleShare?: number;
  heavyVehicleEquivalent?: number;
}

/**
 * Saturation flow of one lane in vehicles per hour of green, by HCM 2000 equation 16-4 with the
 * lane-width factor `1 + (W − 3.6)/9` (W clamped to at least 2.4 m), the grade factor `1 − G/2` and
 * the heavy-vehicle factor `1 / (1 + HV·(E_T − 1))`. Turn and area factors belong to lane groups.
 *
 * @example
 * laneSaturationFlow({ width: 3.6 }) // => 1900
 * laneSaturationFlow({ width: 3.0 }) // => 1773 (rounded)
 */
export function laneSaturationFlow(
  lane: { width: number },
  {
    baseFlow = BASE_SATURATION_FLOW,
    grade = 0,
    heavyVehicleShare = 0,
    heavyVehicleEquivalent = 2,
  }: SaturationFlowOptions = {},
): number {
  const width = Math.max(lane.width, 2.4);
  const widthFactor = 1 + (width - 3.6) / 9;
  const gradeFactor = 1 - grade / 2;
  const heavyVehicleFactor = 1 / (1 + heavyVehicleShare * (heavyVehicleEquivalent - 1));
  return Math.round(baseFlow * widthFactor * gradeFactor * heavyVehicleFactor);
}

/**
 * Saturation flow from measured discharge headways (seconds between vehicles crossing the stop
 * line in a saturated queue): 3600 / mean headway. The first four headways carry start-up lost time
 * and are skipped, as in HCM's field method.
 *
 * @example
 * saturationFlowFromHeadways([3.8, 3.1, 2.7, 2.4, 2.0, 2.0, 2.0]) // => 1800
 */
export function saturationFlowFromHeadways(headways: number[], { skip = 4 } = {}): number {
  const saturated = headways
    .slice(skip)
    .filter((headway) => Number.isFinite(headway) && headway > 0);
  if (saturated.length === 0) {
    throw new RangeError(
      `saturationFlowFromHeadways: no saturated headways after skipping ${skip}; give at least ${skip + 1} headways of one queue`,
    );
  }
  const mean = saturated.reduce((sum, headway) => sum + headway, 0) / saturated.length;
  return Math.round(3600 / mean);
}
