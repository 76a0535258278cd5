// The adaptive loop's proof in simulation: candidate plan sets run on the estimated demand, the one with the least delay wins.
//
// The optimizer's delay model (HCM uniform and incremental delay, TRANSYT platoons) sizes cycles
// for one signal's queues; it cannot see a queue that spills back over a short link or a shared
// lane blocked by a stopped turner the way a simulation does, and on Jinshui Road it prefers
// cycles 10–20 % longer than the simulator rewards at peak. So before a plan set is sent, each
// candidate (the engine's `provenPlans` makes them: the optimizer's plans, shorter cycles, every
// signal alone, the schedule's plans, the plans running now) is simulated on the same vehicles
// drawn from the estimate: a warm-up, then a horizon whose vehicles' mean delay is the score. Pure: the network, flows and plans in, scores out;
// the draws come from a generator seeded by the caller.
import { routesFromTurns } from '../demand/routes-from-turns.ts';
import { flowsAsTurning } from '../demand/turning-flows.ts';
import type { TurningFlows } from '../demand/types.ts';
import type { RoadNetwork } from '../network/types.ts';
import { seededRandom } from '../seeded-random.ts';
import type { TimingPlan } from '../timing/types.ts';
import { simulate } from '../../sim/simulate.ts';

export interface ProofOptions {
  /** Seconds simulated before vehicles are scored, so queues form; default 600. */
  warmup?: number;
  /** Seconds of departures scored after the warm-up; default 900. */
  horizon?: number;
  /** Seed of the vehicles' draw and the simulation; the same for every candidate. */
  seed: number;
}

export interface ProofCandidate {
  name: string;
  plans: Readonly<Record<string, TimingPlan>>;
}

export interface ProofScore {
  name: string;
  /**
   * Mean delay (time loss + departure delay) of the vehicles departing in the horizon, s/veh;
   * one still in the network at the end with the delay it had by then.
   */
  meanDelay: number;
}

/**
 * Each candidate's score on the same vehicles, drawn from `flows` (movement flows, pcu/h, as one
 * interval) for warm-up + horizon, best first. A vehicle still in the network at the end counts
 * with the time it has spent so far, so a candidate that gridlocks cannot look good by finishing
 * fewer vehicles.
 *
 * @example
 * proveCandidates(network, estimate.flows, [{ name: 'optimizer', plans }, { name: 'current', plans: running }], { seed: 7 })
 * // => [{ name: 'optimizer', meanDelay: 41.2 }, { name: 'current', meanDelay: 47.9 }]
 */
export function proveCandidates(
  network: RoadNetwork,
  flows: TurningFlows,
  candidates: readonly ProofCandidate[],
  { warmup = 600, horizon = 900, seed }: ProofOptions,
): ProofScore[] {
  if (candidates.length === 0) return [];
  const end = warmup + horizon;
  const demand = flowsAsTurning(
    Object.fromEntries(flows.flows.map(({ movement, flow }) => [movement, flow])),
    { begin: 0, end },
  );
  const trips = routesFromTurns(network, demand, { rng: seededRandom(seed), begin: 0, end });
  // Long enough for the horizon's last vehicles to cross the network at a crawl.
  const drain = Math.max(horizon, 600);
  return candidates
    .map(({ name, plans }) => {
      const result = simulate(network, trips, plans, {
        begin: 0,
        end: end + drain,
        rng: seededRandom(seed ^ 0x5eed),
      });
      let delay = 0;
      let scored = 0;
      for (const vehicle of result.vehicles) {
        if (vehicle.depart < warmup) continue;
        scored += 1;
        delay += vehicle.delay + vehicle.departDelay;
      }
      return { name, meanDelay: scored > 0 ? delay / scored : 0 };
    })
    .sort((a, b) => a.meanDelay - b.meanDelay);
}
