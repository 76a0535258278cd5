// The HTTP routes' TypeBox schemas: parameters, queries, bodies and the responses not owned by the engine.
import { Type } from '@sinclair/typebox';
import { DemandView } from '../engine/view-schemas.ts';

export const SiteParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 64, description: 'The signal (controller) id' }),
});

export const LimitQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 50, description: 'Newest first' }),
});

export const DetectorQuery = Type.Object({
  site: Type.Optional(Type.String({ description: 'Only this site' })),
  status: Type.Optional(Type.String({ description: 'Only this status, e.g. stuck-on or ok' })),
});

export const DeployQuery = Type.Object({
  force: Type.Boolean({
    default: false,
    description: 'Send even when equal to the plan running or last refused',
  }),
  holdSeconds: Type.Integer({
    minimum: 0,
    maximum: 7 * 86_400,
    default: 3600,
    description: 'Seconds the site stays out of the adaptive loop',
  }),
});

export const DeployResponse = Type.Object({
  outcome: Type.String({
    description: 'sent, held (controller offline), unchanged, previously-rejected',
  }),
  version: Type.Optional(Type.Integer()),
  correlationId: Type.Optional(Type.String()),
  decision: Type.Object({}, { additionalProperties: true }),
});

export const ErrorResponse = Type.Object(
  {
    statusCode: Type.Integer(),
    code: Type.String(),
    error: Type.String(),
    message: Type.String(),
  },
  { additionalProperties: true },
);

export const HealthResponse = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  network: Type.String(),
  signals: Type.Integer(),
  uptimeSeconds: Type.Integer(),
  engine: Type.Optional(
    Type.Object({
      phase: Type.String(),
      mqtt: Type.Object({ connected: Type.Boolean(), protocolVersion: Type.Integer() }),
      controllersOnline: Type.Integer(),
    }),
  ),
});

const PositionSchema = Type.Tuple([Type.Number(), Type.Number()], {
  description: '[longitude, latitude] (lonlat) or [x, y] metres (planar)',
});

export const NetworkMapResponse = Type.Object({
  name: Type.String(),
  coordinates: Type.Union([Type.Literal('lonlat'), Type.Literal('planar')]),
  bounds: Type.Tuple([Type.Number(), Type.Number(), Type.Number(), Type.Number()], {
    description: '[west, south, east, north]',
  }),
  intersections: Type.Array(
    Type.Object({
      id: Type.String(),
      kind: Type.String({ description: 'signalized, priority, unsignalized or boundary' }),
      name: Type.Optional(Type.String()),
      signal: Type.Optional(Type.String({ description: 'The signal (controller) running it' })),
      position: PositionSchema,
    }),
  ),
  links: Type.Array(
    Type.Object({
      id: Type.String(),
      from: Type.String(),
      to: Type.String(),
      name: Type.Optional(Type.String()),
      lanes: Type.Integer(),
      length: Type.Number({ description: 'm' }),
      speedLimit: Type.Number({ description: 'm/s' }),
      geometry: Type.Array(PositionSchema, { description: 'Centre line, upstream first' }),
    }),
  ),
  detectors: Type.Array(
    Type.Object({
      id: Type.String(),
      site: Type.String(),
      link: Type.String(),
      lane: Type.Integer({ description: "the network's lane index, 0 = kerb lane" }),
      kind: Type.String(),
      offset: Type.Number({ description: 'm from the start of the link' }),
      implied: Type.Boolean(),
      position: PositionSchema,
    }),
  ),
});

export const TimeSpaceQuery = Type.Object({
  sites: Type.Optional(
    Type.String({
      maxLength: 2000,
      description:
        'Comma-separated signal ids in their order along the road (outbound first to last); default the arterial, or its longest stretch on one cycle length',
    }),
  ),
  plan: Type.Union([Type.Literal('step'), Type.Literal('target'), Type.Literal('program')], {
    default: 'step',
    description:
      "step: the plan the engine last sent each site (else what the controller runs, else the network's program); target: where the engine steers; program: the network's own programs",
  }),
  cycles: Type.Integer({ minimum: 1, maximum: 6, default: 3, description: 'Cycles shown' }),
  width: Type.Integer({ minimum: 320, maximum: 4000, default: 960, description: 'Pixels' }),
});

const PlanMeasuresSchema = Type.Object({
  planId: Type.String(),
  source: Type.Union(
    [Type.Literal('network-program'), Type.Literal('controller'), Type.Literal('engine-step')],
    {
      description:
        "network-program: the network's own program; controller: the plan the controller reports running; engine-step: the plan the engine last sent (no report yet)",
    },
  ),
  operation: Type.Union(
    [Type.Literal('fixed-time'), Type.Literal('coordinated-actuated'), Type.Literal('free')],
    {
      description:
        'How the controller runs the plan. The measures are HCM’s for the planned greens run fixed time: for an actuated plan those greens are maximums, for a free one the cycle too',
    },
  ),
  cycle: Type.Number({ description: 's' }),
  delay: Type.Number({ description: 'Flow-weighted mean control delay, s/veh (HCM)' }),
  levelOfService: Type.String({ description: 'A–F (HCM signalized intersections)' }),
  criticalDegreeOfSaturation: Type.Union([Type.Number(), Type.Null()], {
    description: 'Highest lane v/c; null when a lane with demand gets no green',
  }),
  criticalFlowRatio: Type.Number({ description: "Webster's Y" }),
  totalDelay: Type.Number({ description: 'pcu-hours of delay per hour' }),
  flow: Type.Number({ description: 'pcu/h arriving at the signal' }),
});

export const MeasuresResponse = Type.Object({
  demand: Type.Omit(DemandView, ['flows']),
  before: Type.String({ description: 'What "before" is' }),
  after: Type.String({ description: 'What "after" is' }),
  sites: Type.Array(
    Type.Object({
      site: Type.String(),
      before: Type.Optional(PlanMeasuresSchema),
      after: Type.Optional(PlanMeasuresSchema),
      change: Type.Optional(
        Type.Object({
          delay: Type.Number({ description: 'after − before, s/veh' }),
          criticalDegreeOfSaturation: Type.Union([Type.Number(), Type.Null()]),
        }),
      ),
    }),
  ),
});
