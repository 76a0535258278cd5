// The MQTT payloads of product.md's topic table as TypeBox schemas: one schema validates and types.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { MAX_PASSAGE } from '../timing/validate.ts';

/** ISO 8601 UTC timestamp, e.g. `2026-11-28T07:30:00.000Z`. */
const Timestamp = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T[0-9:.]+Z$' });
/** An id that may appear inside a topic: no `/`, `+`, `#` or whitespace. */
const TopicId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[^/+#\\s]+$' });

export const PresencePayload = Type.Object(
  {
    state: Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('shutdown')]),
    ts: Timestamp,
  },
  { additionalProperties: false },
);
export type PresencePayload = Static<typeof PresencePayload>;

/** One detector's reading over one interval: vehicles counted and the fraction of time occupied. */
export const DetectorReading = Type.Object(
  {
    count: Type.Integer({ minimum: 0, maximum: 100000 }),
    occupancy: Type.Number({ minimum: 0, maximum: 1 }),
  },
  { additionalProperties: false },
);
export type DetectorReading = Static<typeof DetectorReading>;

/** `status/det.volume`: batched entries, each the readings of the site's detectors over `interval`. */
export const DetectorVolumePayload = Type.Object(
  {
    /** Seconds each entry covers; an entry's `ts` is the end of its interval. */
    interval: Type.Number({ exclusiveMinimum: 0, maximum: 3600 }),
    entries: Type.Array(
      Type.Object(
        {
          ts: Timestamp,
          /** Increases by one per entry; resets when the controller restarts. */
          seq: Type.Integer({ minimum: 0 }),
          values: Type.Record(TopicId, DetectorReading),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 1000 },
    ),
  },
  { additionalProperties: false },
);
export type DetectorVolumePayload = Static<typeof DetectorVolumePayload>;

/** `status/tlc.hires`: Indiana hi-resolution events (code 1 begin green, 8 begin yellow, 81/82 detector off/on, …). */
export const HiresPayload = Type.Object(
  {
    entries: Type.Array(
      Type.Object(
        {
          ts: Timestamp,
          code: Type.Integer({ minimum: 0, maximum: 255 }),
          param: Type.Integer({ minimum: 0, maximum: 65535 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 10000 },
    ),
  },
  { additionalProperties: false },
);
export type HiresPayload = Static<typeof HiresPayload>;

/** A stage as sent to a controller: the project's Stage, greens by signal group. */
export const StagePayload = Type.Object(
  {
    id: TopicId,
    greens: Type.Record(
      Type.String({ minLength: 1 }),
      Type.Union([Type.Literal('protected'), Type.Literal('permissive')]),
    ),
    green: Type.Number({ minimum: 0 }),
    yellow: Type.Number({ minimum: 0 }),
    allRed: Type.Number({ minimum: 0 }),
    minGreen: Type.Number({ minimum: 0 }),
    maxGreen: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type StagePayload = Static<typeof StagePayload>;

/**
 * Actuated operation (the project's `Actuation`): a stage gaps out after `passage` seconds without
 * a vehicle. Coordinated with floating force-offs (the first stage coordinated, cycle and offset
 * held) unless `free` is true: NTCIP 1202 free operation, no cycle and no offset, every stage
 * actuated with its planned green as its maximum. Absent, fixed time. The engine writes `free`
 * only when true, so a coordinated plan's payload is what it was before free operation existed.
 */
export const ActuationPayload = Type.Object(
  {
    passage: Type.Number({ minimum: 0, maximum: MAX_PASSAGE }),
    free: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type ActuationPayload = Static<typeof ActuationPayload>;

const planFields = {
  planId: TopicId,
  /** Increases with every plan the engine sends to this site; a controller ignores versions it has. */
  version: Type.Integer({ minimum: 1 }),
  cycle: Type.Number({ exclusiveMinimum: 0, maximum: 600 }),
  offset: Type.Number({ minimum: 0 }),
  offsetReference: Type.Union([
    Type.Literal('first-stage-green-start'),
    Type.Literal('first-stage-yellow-start'),
  ]),
  stages: Type.Array(StagePayload, { minItems: 1, maxItems: 16 }),
  unsignalled: Type.Optional(Type.Array(Type.String())),
  actuated: Type.Optional(ActuationPayload),
};

/** `command/tlc.plan.set`, engine → controller. `replyTo` repeats MQTT 5's response topic for 3.1.1. */
export const PlanCommandPayload = Type.Object(
  {
    correlationId: Type.String({ minLength: 1, maxLength: 128 }),
    ...planFields,
    expiresAt: Timestamp,
    replyTo: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);
export type PlanCommandPayload = Static<typeof PlanCommandPayload>;

/** `status/tlc.plan` (retained), controller → engine: the plan it runs and since when. */
export const ActivePlanPayload = Type.Object(
  { ...planFields, appliedAt: Timestamp },
  { additionalProperties: false },
);
export type ActivePlanPayload = Static<typeof ActivePlanPayload>;

/** `result/tlc.plan.set`, controller → engine. */
export const PlanResultPayload = Type.Object(
  {
    correlationId: Type.String({ minLength: 1, maxLength: 128 }),
    status: Type.Union([Type.Literal('applied'), Type.Literal('rejected')]),
    reason: Type.Optional(Type.String({ maxLength: 1000 })),
    planId: Type.Optional(TopicId),
    version: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
export type PlanResultPayload = Static<typeof PlanResultPayload>;

/** `engine/alarm/{code}`, engine → operators. */
export const AlarmPayload = Type.Object(
  {
    ts: Timestamp,
    code: Type.String({ minLength: 1 }),
    site: Type.Optional(Type.String()),
    topic: Type.Optional(Type.String()),
    reason: Type.String(),
    active: Type.Boolean(),
    values: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);
export type AlarmPayload = Static<typeof AlarmPayload>;

/** The largest payload the engine reads, bytes; larger ones are rejected unparsed. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Parses and checks a raw MQTT payload against `schema`, naming the first problem on failure.
 *
 * @example
 * const parse = payloadParser(PresencePayload);
 * parse(Buffer.from('{"state":"online","ts":"2026-11-28T07:00:00Z"}')) // => { ok: true, value: {…} }
 * parse(Buffer.from('{"state":1}')).ok // => false, reason "/state: Expected union value"
 */
export function payloadParser<S extends TSchema>(
  schema: S,
): (payload: Uint8Array | string) => ParseResult<Static<S>> {
  const check = TypeCompiler.Compile(schema);
  return (payload) => {
    const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
    if (size > MAX_PAYLOAD_BYTES) {
      return { ok: false, reason: `payload of ${size} bytes exceeds ${MAX_PAYLOAD_BYTES}` };
    }
    let value: unknown;
    try {
      value = JSON.parse(
        typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'),
      );
    } catch (error) {
      return { ok: false, reason: `not JSON: ${(error as Error).message}` };
    }
    if (check.Check(value)) return { ok: true, value };
    const first = check.Errors(value).First();
    return {
      ok: false,
      reason: `${first?.path || '/'}: ${first?.message ?? 'does not match the schema'}`,
    };
  };
}
