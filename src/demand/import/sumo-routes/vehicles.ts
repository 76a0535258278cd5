// Single vehicles and trips: a unique id, a departure time, a type and a route.
import type { ProblemList } from '../../../network/errors.ts';
import { describe, type XmlElement } from '../../../network/import/sumo-xml.ts';
import type { VehicleTrip } from '../../types.ts';
import { NON_NEGATIVE, parseTime, readNumber } from './numbers.ts';
import { report, requireId } from './problems.ts';
import type { DemandContext, SumoVehicleType } from './types.ts';
import { lookUpVehicleType } from './vehicle-types.ts';
import { resolveRoute } from './vehicle-route.ts';

/** A `vehicle` or `trip`; undefined, with the problems found, when any part of it is bad. */
export function readVehicle(element: XmlElement, context: DemandContext): VehicleTrip | undefined {
  const where = describe(element);
  const id = requireUniqueVehicleId(element, where, context);
  const depart = readDeparture(element, where, context.problems);
  const type = lookUpVehicleType(element, where, context);
  const route = resolveRoute(element, where, context);
  const departSpeed = readDepartSpeed(element, where, context.problems);
  if (id === undefined || depart === undefined || type === undefined || route === undefined)
    return undefined;
  return toVehicleTrip(id, depart, route, type, departSpeed);
}

/** The element's id, when it has one no vehicle, trip or flow above has taken. */
export function requireUniqueVehicleId(
  element: XmlElement,
  where: string,
  context: DemandContext,
): string | undefined {
  const id = requireId(element, where, context.problems);
  if (id === undefined) return undefined;
  if (context.vehicleIds.has(id)) {
    report(context.problems, 'duplicateId', where, 'vehicle', id, 'vehicle, trip and flow');
    return undefined;
  }
  context.vehicleIds.add(id);
  return id;
}

/** A vehicle with its own copy of the route, the class and length its type gives, its depart speed. */
export function toVehicleTrip(
  id: string,
  depart: number,
  route: readonly string[],
  type: SumoVehicleType,
  departSpeed?: number | 'max',
): VehicleTrip {
  const vehicle: VehicleTrip = {
    id,
    depart,
    route: [...route],
    vehicleType: type.id,
    pce: type.pce,
  };
  if (type.vehicleClass !== undefined) vehicle.vehicleClass = type.vehicleClass;
  if (type.length !== undefined) vehicle.length = type.length;
  if (departSpeed !== undefined) vehicle.departSpeed = departSpeed;
  return vehicle;
}

/** SUMO's words for "as fast as allowed"; `random`, `avg` and `last` are read as that too. */
const AS_FAST_AS_ALLOWED = new Set(['max', 'desired', 'speedLimit', 'random', 'avg', 'last']);

/**
 * A `vehicle`, `trip` or `flow`'s `departSpeed`: metres per second, or `max` for SUMO's words that
 * let the vehicle enter as fast as its lane and leader allow; undefined when absent (SUMO then
 * inserts at 0 m/s), or bad (then a problem).
 */
export function readDepartSpeed(
  element: XmlElement,
  where: string,
  problems: ProblemList,
): number | 'max' | undefined {
  const text = element.attributes.departSpeed;
  if (text === undefined) return undefined;
  if (AS_FAST_AS_ALLOWED.has(text.trim())) return 'max';
  return readNumber(element, 'departSpeed', where, NON_NEGATIVE, problems);
}

function readDeparture(
  element: XmlElement,
  where: string,
  problems: ProblemList,
): number | undefined {
  const text = element.attributes.depart;
  if (text === undefined) {
    report(problems, 'noDepart', where, element.tag);
    return undefined;
  }
  const seconds = parseTime(text);
  if (seconds !== undefined && Number.isFinite(seconds) && seconds >= 0) return seconds;
  report(problems, 'badDepart', `${where} depart`, text);
  return undefined;
}
