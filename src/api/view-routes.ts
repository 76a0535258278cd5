// The read-only routes the web page draws from: the time–space diagram of the plans the engine
// wants the sites to run, and before/after measures per signal. Test: npx vitest run src/api/view-routes.test.ts
import type { Static } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { timeSpaceSvg } from '../analysis/time-space-svg.ts';
import { timeSpaceDiagram } from '../analysis/time-space.ts';
import type { RoadNetwork } from '../network/types.ts';
import type { TimingPlan } from '../timing/types.ts';
import { beforeAfter } from '../analysis/before-after.ts';
import type { EngineApi } from './engine-routes.ts';
import { ApiError } from './errors.ts';
import { documented } from './openapi.ts';
import { ErrorResponse, MeasuresResponse, TimeSpaceQuery } from './schemas.ts';
import {
  corridorOfPlans,
  CorridorProblem,
  defaultCorridorSites,
} from '../analysis/time-space-corridor.ts';

type PlanChoice = Static<typeof TimeSpaceQuery>['plan'];

/**
 * The plan drawn for each site: the engine's step or target, else what the controller runs, else
 * the network's own program.
 *
 * @example
 * plansToDraw(network, engine.views, 'step')['JS-01'].id // => 'am-peak'
 */
export function plansToDraw(
  network: RoadNetwork,
  views: EngineApi['views'],
  choice: PlanChoice,
): Record<string, TimingPlan> {
  const signals = network.getAttribute('signals');
  const running = choice === 'program' ? {} : views.activePlans();
  const engine = new Map(
    choice === 'program' ? [] : views.plans().map((view) => [view.site, view[choice]]),
  );
  const plans: Record<string, TimingPlan> = {};
  for (const site of Object.keys(signals)) {
    const wanted = engine.get(site);
    const plan =
      (wanted ? ({ ...wanted, signal: site } as TimingPlan) : undefined) ??
      running[site] ??
      signals[site]!.programs[0];
    if (plan) plans[site] = plan;
  }
  return plans;
}

/** Registers `/time-space.svg` and `/measures` on `app` (give it the `/api/v1` prefix). */
export async function viewRoutes(
  app: FastifyInstance,
  { engine, network }: { engine: EngineApi; network: RoadNetwork },
): Promise<void> {
  app.get<{ Querystring: Static<typeof TimeSpaceQuery> }>(
    '/time-space.svg',
    {
      schema: documented({
        summary:
          'Time–space diagram (SVG) of a row of signals under the plans the engine wants now',
        description:
          'Signals as rows at their distance along the fastest route between neighbours, each row with the outbound (above) and inbound (below) through greens of its plan, and the widest green band each way that the plans’ offsets leave at free-flow speed. By default the longest row of coordinated signals on one cycle (signals running free hold no cycle). 400 for unknown sites, fewer than two, or sites with no route between them; 422 when the sites run different cycle lengths, or one runs free (`problem`: `FREE_OPERATION`).',
        tags: ['plans'],
        querystring: TimeSpaceQuery,
        produces: 'image/svg+xml',
        response: { 200: Type.String(), 400: ErrorResponse, 422: ErrorResponse },
      }),
    },
    async (request, reply) => {
      const { sites: listed, plan, cycles, width } = request.query;
      const plans = plansToDraw(network, engine.views, plan);
      let svg: string;
      try {
        const sites =
          listed === undefined
            ? defaultCorridorSites(network, plans)
            : listed
                .split(',')
                .map((site) => site.trim())
                .filter((site) => site.length > 0);
        const { corridor, result } = corridorOfPlans(network, sites, plans);
        const diagram = timeSpaceDiagram(corridor, result, { cycles });
        const planIds = [...new Set(sites.map((site) => plans[site]!.id))].join(', ');
        svg = timeSpaceSvg(diagram, {
          width,
          title: `${sites[0]} → ${sites[sites.length - 1]}: ${plan} plans (${planIds})`,
        });
      } catch (error) {
        if (error instanceof CorridorProblem) {
          // Different cycles, or none held (free): 422; a bad row of sites: 400.
          const unprocessable = error.code === 'NO_COMMON_CYCLE' || error.code === 'FREE_OPERATION';
          throw new ApiError(
            unprocessable ? 'NO_COMMON_CYCLE' : 'CORRIDOR_INVALID',
            error.message,
            { problem: error.code },
          );
        }
        throw error;
      }
      return reply.type('image/svg+xml; charset=utf-8').send(svg);
    },
  );

  app.get(
    '/measures',
    {
      schema: documented({
        summary:
          'Before/after per signal: HCM delay, level of service and critical degree of saturation',
        description:
          "Before: the network's own program. After: the plan the controller reports running (else the engine's last step). Both on the demand the engine estimates now (its detector window, the time-of-day prior where unmeasured); `demand.source` says which.",
        tags: ['plans'],
        response: { 200: MeasuresResponse },
      }),
    },
    async () => {
      const { flows, ...demand } = engine.views.demand();
      const steps: Record<string, TimingPlan> = {};
      for (const view of engine.views.plans()) {
        if (view.step) steps[view.site] = { ...view.step, signal: view.site } as TimingPlan;
      }
      return {
        demand,
        before: "the network's own program",
        after: "the plan the controller reports running, else the engine's last step",
        sites: beforeAfter(network, { running: engine.views.activePlans(), steps }, flows),
      };
    },
  );
}
