// The engine's routes under /api/v1: controllers, detectors, plans, alarms, decisions (reads), and
// running a cycle or deploying an operator's plan (writes, behind an API key).
import type { Static } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../engine/engine.ts';
import { EngineError } from '../engine/errors.ts';
import {
  AlarmView,
  ControllerView,
  DecisionView,
  DetectorView,
  EngineStatusView,
  PlanView,
  TimingPlanSchema,
} from '../engine/view-schemas.ts';
import type { RoadNetwork } from '../network/types.ts';
import { validatePlan } from '../timing/validate.ts';
import { requireApiKey } from './auth.ts';
import { ApiError } from './errors.ts';
import { documented } from './openapi.ts';
import {
  DeployQuery,
  DeployResponse,
  DetectorQuery,
  ErrorResponse,
  LimitQuery,
  SiteParams,
} from './schemas.ts';

/** What the routes need of an engine. */
export type EngineApi = Pick<Engine, 'views' | 'runAdaptiveCycle' | 'deployPlan'>;

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };

/** Registers the engine's routes on `app` (give it the `/api/v1` prefix). */
export async function engineRoutes(
  app: FastifyInstance,
  {
    engine,
    network,
    apiKeys,
  }: { engine: EngineApi; network: RoadNetwork; apiKeys: readonly string[] },
): Promise<void> {
  const write = requireApiKey(apiKeys);
  const signals = network.getAttribute('signals');
  const knownSite = (site: string) => {
    if (signals[site] === undefined) {
      throw new ApiError(
        'SITE_NOT_FOUND',
        `site ${site} is not a signal of the network; GET /api/v1/controllers lists them`,
      );
    }
  };

  app.get(
    '/engine',
    {
      schema: documented({
        summary: "The engine's state: zone, MQTT link, counters",
        tags: ['engine'],
        response: { 200: EngineStatusView },
      }),
    },
    async () => engine.views.status(),
  );

  app.get(
    '/controllers',
    {
      schema: documented({
        summary: 'Every controller: presence, the plan it runs, the command pending',
        tags: ['controllers'],
        response: { 200: Type.Array(ControllerView) },
      }),
    },
    async () => engine.views.controllers(),
  );

  app.get<{ Params: Static<typeof SiteParams> }>(
    '/controllers/:site',
    {
      schema: documented({
        summary: 'One controller, with its recent commands',
        tags: ['controllers'],
        params: SiteParams,
        response: { 200: ControllerView, 404: ErrorResponse },
      }),
    },
    async (request) => {
      knownSite(request.params.site);
      return engine.views.controllers().find((view) => view.site === request.params.site);
    },
  );

  app.get<{ Querystring: Static<typeof DetectorQuery> }>(
    '/detectors',
    {
      schema: documented({
        summary: 'Every detector with its health',
        tags: ['detectors'],
        querystring: DetectorQuery,
        response: { 200: Type.Array(DetectorView) },
      }),
    },
    async (request) => {
      const { site, status } = request.query;
      return engine.views
        .detectors()
        .filter(
          (view) =>
            (site === undefined || view.site === site) &&
            (status === undefined || view.status === status),
        );
    },
  );

  app.get(
    '/plans',
    {
      schema: documented({
        summary: "Per site: the engine's target and last step, and the plan the controller runs",
        tags: ['plans'],
        response: { 200: Type.Array(PlanView) },
      }),
    },
    async () => engine.views.plans(),
  );

  app.get<{ Params: Static<typeof SiteParams> }>(
    '/plans/:site',
    {
      schema: documented({
        summary: 'One site’s plans',
        tags: ['plans'],
        params: SiteParams,
        response: { 200: PlanView, 404: ErrorResponse },
      }),
    },
    async (request) => {
      knownSite(request.params.site);
      return engine.views.plans().find((view) => view.site === request.params.site);
    },
  );

  app.get<{ Querystring: Static<typeof LimitQuery> }>(
    '/alarms',
    {
      schema: documented({
        summary: 'Recent alarms, newest first',
        tags: ['alarms'],
        querystring: LimitQuery,
        response: { 200: Type.Array(AlarmView) },
      }),
    },
    async (request) => engine.views.alarms(request.query.limit),
  );

  app.get<{ Querystring: Static<typeof LimitQuery> }>(
    '/decisions',
    {
      schema: documented({
        summary: 'Recent decisions of the adaptive loop, each with its reason, newest first',
        tags: ['decisions'],
        querystring: LimitQuery,
        response: { 200: Type.Array(DecisionView) },
      }),
    },
    async (request) => engine.views.decisions(request.query.limit),
  );

  app.post(
    '/adaptive/run',
    {
      preHandler: write,
      schema: documented({
        summary: 'Run an adaptive cycle now',
        tags: ['decisions'],
        security: true,
        response: { 200: Type.Object({ decisions: Type.Array(DecisionView) }), ...errors },
      }),
    },
    async () => ({ decisions: engineCall(() => engine.runAdaptiveCycle()) }),
  );

  app.post<{
    Params: Static<typeof SiteParams>;
    Querystring: Static<typeof DeployQuery>;
    Body: Static<typeof TimingPlanSchema>;
  }>(
    '/plans/:site',
    {
      preHandler: write,
      schema: documented({
        summary:
          "Deploy an operator's plan to one site, and hold the site out of the adaptive loop",
        description:
          'The body is a timing plan in the project format (as `greenwave optimize --out plans.json` writes each). It is validated against the site’s signal; an invalid plan is answered 422 with the problem codes and never sent.',
        tags: ['plans'],
        security: true,
        params: SiteParams,
        querystring: DeployQuery,
        body: TimingPlanSchema,
        response: { 202: DeployResponse, 422: ErrorResponse, ...errors },
      }),
    },
    async (request, reply) => {
      const { site } = request.params;
      knownSite(site);
      const plan = request.body;
      if (plan.signal !== undefined && plan.signal !== site) {
        throw new ApiError(
          'VALIDATION_FAILED',
          `the plan is for signal ${plan.signal}, not ${site}; post it to /api/v1/plans/${plan.signal}`,
        );
      }
      const timing = { ...plan, signal: site };
      const problems = validatePlan(timing, signals[site]!);
      if (problems.length > 0) {
        throw new ApiError('PLAN_INVALID', `plan ${plan.id} is not valid for ${site}: not sent`, {
          problems: problems.map(({ code, message }) => ({ code, message })),
        });
      }
      const result = engineCall(() =>
        engine.deployPlan(site, timing, {
          force: request.query.force,
          holdSeconds: request.query.holdSeconds,
        }),
      );
      reply.code(202);
      return result;
    },
  );
}

/** An engine call with its coded errors as API errors. */
function engineCall<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (error instanceof EngineError) {
      if (error.code === 'UNKNOWN_SITE') throw new ApiError('SITE_NOT_FOUND', error.message);
      if (error.code === 'NOT_STARTED') throw new ApiError('ENGINE_NOT_RUNNING', error.message);
    }
    throw error;
  }
}
