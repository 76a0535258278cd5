// The per-vehicle state of a run as typed arrays, one slot per vehicle, grown by copying.
import { PENDING } from './outputs.ts';

/**
 * Every vehicle's state. The hot loop binds these arrays as constants (V8 then keeps them in
 * registers across calls), so growing the run means new arrays and a new binding, never a
 * reassigned variable.
 */
export interface VehicleArrays {
  capacity: number;
  /** `history` holds `lagSlots` odometer readings per vehicle: a ring buffer over steps. */
  lagSlots: number;
  history: Float64Array<ArrayBuffer>;
  /** Metres driven since entering (reset when put back on a lane after a teleport). */
  odometer: Float64Array<ArrayBuffer>;
  /** Odometer reading at the start of the current link. */
  linkStart: Float64Array<ArrayBuffer>;
  speed: Float64Array<ArrayBuffer>;
  /** Global lane, −1 when on none. */
  lane: Int32Array<ArrayBuffer>;
  /** Index of the current link in the route. */
  routeStep: Int32Array<ArrayBuffer>;
  /** Lane it will take across the stop line, −1 when none yet. */
  nextLane: Int32Array<ArrayBuffer>;
  /** Adjacent lane it must change to, −1 when none. */
  wantLane: Int32Array<ArrayBuffer>;
  status: Uint8Array<ArrayBuffer>;
  moving: Uint8Array<ArrayBuffer>;
  /** Step in which it last crossed a stop line, so that it crosses one per step. */
  transferredAt: Int32Array<ArrayBuffer>;
  entered: Float64Array<ArrayBuffer>;
  arrival: Float64Array<ArrayBuffer>;
  stops: Int32Array<ArrayBuffer>;
  waitingTime: Float64Array<ArrayBuffer>;
  timeLoss: Float64Array<ArrayBuffer>;
  /** Seconds standing without a break (for teleports). */
  stillFor: Float64Array<ArrayBuffer>;
  /** 1 when it is to pull into the junction at the stop line and wait there for a gap. */
  entersJunction: Uint8Array<ArrayBuffer>;
  /** Time lost and stops when it entered its current link (movement outputs count the difference). */
  lossAtEntry: Float64Array<ArrayBuffer>;
  stopsAtEntry: Int32Array<ArrayBuffer>;
  teleports: Int32Array<ArrayBuffer>;
  /** While teleporting: the route index of the link it is on, and when it leaves that link. */
  transitIndex: Int32Array<ArrayBuffer>;
  transitProceed: Float64Array<ArrayBuffer>;
}

type NumberArray = Float64Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Uint8Array<ArrayBuffer>;

/**
 * Arrays for `capacity` vehicles, `previous`'s contents copied in and the rest at their initial
 * values (pending, on no lane).
 *
 * @example
 * vehicleArrays(64, 5).lane // => Int32Array(64) [-1, -1, …]
 */
export function vehicleArrays(
  capacity: number,
  lagSlots: number,
  previous?: VehicleArrays,
): VehicleArrays {
  const grown = <T extends NumberArray>(empty: (length: number) => T, fill: number, old?: T): T => {
    const array = empty(capacity);
    array.fill(fill);
    if (old) array.set(old);
    return array;
  };
  const f64 = (length: number) => new Float64Array(length);
  const i32 = (length: number) => new Int32Array(length);
  const u8 = (length: number) => new Uint8Array(length);
  const history = new Float64Array(capacity * lagSlots);
  if (previous) history.set(previous.history);
  return {
    capacity,
    lagSlots,
    history,
    odometer: grown(f64, 0, previous?.odometer),
    linkStart: grown(f64, 0, previous?.linkStart),
    speed: grown(f64, 0, previous?.speed),
    lane: grown(i32, -1, previous?.lane),
    routeStep: grown(i32, 0, previous?.routeStep),
    nextLane: grown(i32, -1, previous?.nextLane),
    wantLane: grown(i32, -1, previous?.wantLane),
    status: grown(u8, PENDING, previous?.status),
    moving: grown(u8, 0, previous?.moving),
    transferredAt: grown(i32, -1, previous?.transferredAt),
    entered: grown(f64, NaN, previous?.entered),
    arrival: grown(f64, NaN, previous?.arrival),
    stops: grown(i32, 0, previous?.stops),
    waitingTime: grown(f64, 0, previous?.waitingTime),
    timeLoss: grown(f64, 0, previous?.timeLoss),
    stillFor: grown(f64, 0, previous?.stillFor),
    entersJunction: grown(u8, 0, previous?.entersJunction),
    lossAtEntry: grown(f64, 0, previous?.lossAtEntry),
    stopsAtEntry: grown(i32, 0, previous?.stopsAtEntry),
    teleports: grown(i32, 0, previous?.teleports),
    transitIndex: grown(i32, 0, previous?.transitIndex),
    transitProceed: grown(f64, 0, previous?.transitProceed),
  };
}
