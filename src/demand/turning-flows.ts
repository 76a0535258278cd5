// Turning-movement flows per interval: vehicles walked along their routes at free-flow speed.
import { freeFlowTime } from '../network/routing.ts';
import type { Movement, RoadNetwork } from '../network/types.ts';
import type { MovementFlow, TurningFlows, VehicleTrip } from './types.ts';

export interface TurningFlowOptions {
  /** Window start and end, seconds (the demand's clock). Defaults: first and last departure. */
  begin?: number;
  end?: number;
  /** Interval length, seconds; defaults to the whole window. */
  interval?: number;
}

/**
 * Flows of each movement in each interval, in passenger car units per hour. A vehicle is counted
 * at the time it reaches the movement's stop line driving at free-flow speed from its departure;
 * where a pair of links is served by several movements (one per signal group, as SUMO gives each
 * lane its own link index) the vehicle is shared among them by their lane counts.
 *
 * @example
 * turningFlows(network, demand.vehicles, { begin: 25200, end: 28800, interval: 900 }).flows[0]
 * // => { movement: 'E1>E2', begin: 25200, end: 26100, vehicles: 41, flow: 172 }
 */
export function turningFlows(
  network: RoadNetwork,
  vehicles: readonly VehicleTrip[],
  options: TurningFlowOptions = {},
): TurningFlows {
  const departs = vehicles.map((vehicle) => vehicle.depart);
  const begin = options.begin ?? (departs.length > 0 ? Math.min(...departs) : 0);
  const end = options.end ?? Math.max(...departs, begin) + 1;
  const interval = options.interval ?? end - begin;
  if (!(interval > 0) || !(end > begin)) {
    throw new RangeError(
      `turningFlows: the window [${begin}, ${end}) with interval ${interval} is empty; give end > begin and a positive interval`,
    );
  }
  const intervals = Math.ceil((end - begin) / interval);
  const byPair = movementsByLinkPair(network);
  const counts = new Map<string, { vehicles: number[]; pcu: number[] }>();
  const linkTime = new Map<string, number>();
  const timeOf = (link: string) => {
    let time = linkTime.get(link);
    if (time === undefined) linkTime.set(link, (time = freeFlowTime(network, link)));
    return time;
  };

  for (const vehicle of vehicles) {
    let time = vehicle.depart;
    for (let i = 0; i + 1 < vehicle.route.length; i++) {
      time += timeOf(vehicle.route[i]!);
      if (time < begin || time >= end) continue;
      const slot = Math.floor((time - begin) / interval);
      const shares = byPair.get(`${vehicle.route[i]}>${vehicle.route[i + 1]}`) ?? [];
      for (const { movement, share } of shares) {
        let count = counts.get(movement.id);
        if (!count) {
          count = { vehicles: new Array(intervals).fill(0), pcu: new Array(intervals).fill(0) };
          counts.set(movement.id, count);
        }
        count.vehicles[slot]! += share;
        count.pcu[slot]! += share * vehicle.pce;
      }
    }
  }

  const flows: MovementFlow[] = [];
  for (const [movement, count] of counts) {
    for (let slot = 0; slot < intervals; slot++) {
      const slotBegin = begin + slot * interval;
      const slotEnd = Math.min(slotBegin + interval, end);
      flows.push({
        movement,
        begin: slotBegin,
        end: slotEnd,
        vehicles: count.vehicles[slot]!,
        flow: (count.pcu[slot]! * 3600) / (slotEnd - slotBegin),
      });
    }
  }
  return { begin, end, interval, flows };
}

/** For each `from>to` link pair, the movements serving it and each one's share of the traffic. */
export function movementsByLinkPair(
  network: RoadNetwork,
): Map<string, { movement: Movement; share: number }[]> {
  const grouped = new Map<string, Movement[]>();
  for (const movement of Object.values(network.getAttribute('movements'))) {
    const key = `${movement.from}>${movement.to}`;
    grouped.set(key, [...(grouped.get(key) ?? []), movement]);
  }
  const shares = new Map<string, { movement: Movement; share: number }[]>();
  for (const [key, movements] of grouped) {
    const lanes = movements.reduce((sum, movement) => sum + Math.max(movement.lanes.length, 1), 0);
    shares.set(
      key,
      movements.map((movement) => ({
        movement,
        share: Math.max(movement.lanes.length, 1) / lanes,
      })),
    );
  }
  return shares;
}

/**
 * Sums movement flows into signal-group flows: `signal → signalGroup → pcu/h` for one interval.
 *
 * @example
 * signalGroupFlows(network, turning.flows.filter((flow) => flow.begin === 25200))
 * // => { GS_1: { '0': 120, '1': 640, … } }
 */
export function signalGroupFlows(
  network: RoadNetwork,
  flows: readonly MovementFlow[],
): Record<string, Record<string, number>> {
  const movements = network.getAttribute('movements');
  const result: Record<string, Record<string, number>> = {};
  for (const flow of flows) {
    const movement = movements[flow.movement];
    if (movement?.signal === undefined || movement.signalGroup === undefined) continue;
    const groups = (result[movement.signal] ??= {});
    groups[movement.signalGroup] = (groups[movement.signalGroup] ?? 0) + flow.flow;
  }
  return result;
}

/**
 * Movement flows (pcu/h) as one interval of turning flows over `[begin, end)`: the same rates
 * for a design period, a simulation window or a proof's demand.
 *
 * @example
 * flowsAsTurning({ 'E1>E2': 400 }, { begin: 0, end: 900 }).flows
 * // => [{ movement: 'E1>E2', begin: 0, end: 900, vehicles: 100, flow: 400 }]
 */
export function flowsAsTurning(
  movementFlows: Readonly<Record<string, number>>,
  { begin, end }: { begin: number; end: number },
): TurningFlows {
  return {
    begin,
    end,
    interval: end - begin,
    flows: Object.entries(movementFlows).map(([movement, flow]) => ({
      movement,
      begin,
      end,
      vehicles: (flow * (end - begin)) / 3600,
      flow,
    })),
  };
}
