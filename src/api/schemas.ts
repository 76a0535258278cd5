// The HTTP routes' TypeBox schemas: parameters, queries, bodies and the responses not owned by the engine.
import { Type } from '@sinclair/typebox';

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
