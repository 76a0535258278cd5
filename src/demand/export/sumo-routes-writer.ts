// Vehicles with routes as a SUMO .rou.xml: vTypes, then vehicles with explicit routes, by departure.
import type { VehicleTrip } from '../types.ts';

export interface SumoRoutesOptions {
  /** `vehicle@departLane`; default `best` (the lane that lets the vehicle drive furthest). */
  departLane?: string;
  /**
   * `vehicle@departSpeed` for vehicles that carry none of their own (`VehicleTrip.departSpeed`);
   * default `max` (as fast as the lane and the leader allow).
   */
  departSpeed?: string;
  /** A comment written at the top, e.g. the source of the demand. */
  comment?: string;
}

/** SUMO refuses ids with these characters. */
const INVALID_ID = /[\s|\\'";,<>&]|^$/;

/**
 * A SUMO routes file: one `<vType>` per vehicle type (its `vClass` and `length` from the first
 * vehicle of that type that gives them), then one `<vehicle>` per trip with its route as nested
 * `<route edges>` and its own `departSpeed` when it has one, sorted by departure (SUMO reads route files in order and wants them sorted),
 * vehicles departing together kept in input order. Departures are written to the millisecond.
 *
 * @throws {RangeError} when a vehicle has no route, or an id is not a valid SUMO id.
 * @example
 * sumoRoutesXml([{ id: 'v0', depart: 3.5, route: ['a', 'b'], vehicleType: 'car', pce: 1 }])
 * // => '<?xml …?>\n<routes>\n    <vType id="car"/>\n    <vehicle id="v0" type="car" depart="3.5"
 * //     departLane="best" departSpeed="max">\n        <route edges="a b"/>\n    </vehicle>\n</routes>\n'
 */
export function sumoRoutesXml(
  vehicles: readonly VehicleTrip[],
  { departLane = 'best', departSpeed = 'max', comment }: SumoRoutesOptions = {},
): string {
  vehicles.forEach(checkVehicle);
  const sorted = vehicles
    .map((vehicle, position) => ({ vehicle, position }))
    .sort((a, b) => a.vehicle.depart - b.vehicle.depart || a.position - b.position)
    .map(({ vehicle }) => vehicle);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  if (comment) lines.push(`<!-- ${comment.replaceAll('--', '—')} -->`);
  lines.push('<routes>');
  for (const vehicleType of vehicleTypes(vehicles)) lines.push(`    ${vehicleType}`);
  for (const vehicle of sorted) {
    const attributes = {
      id: vehicle.id,
      type: vehicle.vehicleType,
      depart: seconds(vehicle.depart),
      departLane,
      departSpeed: vehicle.departSpeed === undefined ? departSpeed : String(vehicle.departSpeed),
    };
    lines.push(
      `    <vehicle${attributeText(attributes)}>`,
      `        <route edges="${escapeXml(vehicle.route.join(' '))}"/>`,
      '    </vehicle>',
    );
  }
  lines.push('</routes>', '');
  return lines.join('\n');
}

function checkVehicle(vehicle: VehicleTrip): void {
  if (vehicle.route.length === 0) {
    throw new RangeError(
      `sumoRoutesXml: vehicle "${vehicle.id}" has no route. Give every vehicle at least one link.`,
    );
  }
  if (!Number.isFinite(vehicle.depart)) {
    throw new RangeError(
      `sumoRoutesXml: vehicle "${vehicle.id}" departs at ${vehicle.depart}. Give a time in seconds.`,
    );
  }
  for (const [what, id] of [
    ['vehicle', vehicle.id],
    ['vehicle type', vehicle.vehicleType],
    ...vehicle.route.map((link) => ['link', link]),
  ] as const) {
    if (INVALID_ID.test(id)) {
      throw new RangeError(
        `sumoRoutesXml: ${what} "${id}" of vehicle "${vehicle.id}" is not a valid SUMO id. Rename it without spaces or | \\ ' " ; , < > &.`,
      );
    }
  }
}

/** One `<vType>` per type id, in order of first use. */
function vehicleTypes(vehicles: readonly VehicleTrip[]): string[] {
  const types = new Map<string, { vClass?: string; length?: string }>();
  for (const vehicle of vehicles) {
    const known = types.get(vehicle.vehicleType) ?? {};
    types.set(vehicle.vehicleType, {
      vClass: known.vClass ?? vehicle.vehicleClass,
      length: known.length ?? (vehicle.length !== undefined ? String(vehicle.length) : undefined),
    });
  }
  return [...types].map(
    ([id, { vClass, length }]) => `<vType${attributeText({ id, vClass, length })}/>`,
  );
}

function attributeText(attributes: Record<string, string | undefined>): string {
  return Object.entries(attributes)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXml(value)}"`)
    .join('');
}

function seconds(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
