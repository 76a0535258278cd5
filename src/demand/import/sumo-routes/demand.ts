// The demand elements of a route file in order: vehicles, trips, flows, and intervals around them.
import type { ProblemList } from '../../../network/errors.ts';
import { describe, type XmlElement } from '../../../network/import/sumo-xml.ts';
import type { VehicleTrip } from '../../types.ts';
import { readFlow } from './flows.ts';
import { readTime } from './numbers.ts';
import type { DemandContext, FlowDefaults } from './types.ts';
import { readVehicle } from './vehicles.ts';

/** Every vehicle the elements define, unsorted; `defaults` are the begin and end flows fall back on. */
export function readDemand(
  elements: XmlElement[],
  context: DemandContext,
  defaults: FlowDefaults,
): VehicleTrip[] {
  return elements.flatMap((element): VehicleTrip[] => {
    switch (element.tag) {
      case 'vehicle':
      case 'trip': {
        const vehicle = readVehicle(element, context);
        return vehicle ? [vehicle] : [];
      }
      case 'flow':
        return readFlow(element, context, defaults);
      case 'interval': {
        const inner = readIntervalDefaults(element, defaults, context.problems);
        return readDemand(element.children, context, inner);
      }
      default:
        return [];
    }
  });
}

function readIntervalDefaults(
  element: XmlElement,
  outer: FlowDefaults,
  problems: ProblemList,
): FlowDefaults {
  const where = describe(element);
  return {
    begin: readTime(element, 'begin', where, problems) ?? outer.begin,
    end: readTime(element, 'end', where, problems) ?? outer.end,
  };
}
