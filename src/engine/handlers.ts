// One handler per message type the engine reads: presence, det.volume, tlc.hires, tlc.plan, and
// the result of tlc.plan.set. Each takes a payload already checked against its schema.
import type { TSchema } from '@sinclair/typebox';
import { onActivePlan, onPresence, onResult } from '../controllers/deployment.ts';
import {
  ActivePlanPayload,
  DetectorVolumePayload,
  HiresPayload,
  PlanResultPayload,
  PresencePayload,
} from '../controllers/payloads.ts';
import { ingestDetectorVolume, ingestHires } from '../ingest/pipeline.ts';
import type { Rejection } from '../ingest/types.ts';
import type { MessageMeta } from '../mqtt/link.ts';
import type { HiresEvent } from '../store/types.ts';
import type { EngineContext } from './context.ts';
import { engineLog, inputRejected, type EngineEffect } from './effects.ts';
import type { EngineState, EngineStep } from './state.ts';

/** A message on one of the zone's site topics, with its payload checked. */
export interface SiteMessage<T> {
  topic: string;
  site: string;
  payload: T;
  meta: MessageMeta;
  /** The engine's clock when it arrived, ms. */
  now: number;
}

export interface Handler<T> {
  /** The message type: the metrics' `type` label. */
  type: string;
  schema: TSchema;
  handle(state: EngineState, message: SiteMessage<T>, context: EngineContext): EngineStep;
}

/** `presence` (retained; `offline` is a Last Will): the controller's availability. */
export const presenceHandler: Handler<PresencePayload> = {
  type: 'presence',
  schema: PresencePayload,
  handle(state, { site, payload, now }, { zone, settings }) {
    const step = onPresence(state.deployment, site, payload, now, { zone, retry: settings.retry });
    return { state: { ...state, deployment: step.state }, effects: step.actions };
  },
};

/** `status/det.volume`: detector counts into the aggregates and the health evidence. */
export const detectorVolumeHandler: Handler<DetectorVolumePayload> = {
  type: 'det.volume',
  schema: DetectorVolumePayload,
  handle(state, { topic, site, payload, now }, { map, settings }) {
    const result = ingestDetectorVolume(
      state.ingest,
      map,
      { site, payload, receivedAtMs: now },
      settings.ingest,
    );
    const effects: EngineEffect[] = result.rejections.map((rejection) =>
      rejected(topic, site, rejection, now, 'det.volume'),
    );
    for (const verdict of result.sequence) {
      const quiet = verdict.class === 'duplicate' || verdict.class === 'late';
      effects.push(
        engineLog(quiet ? 'debug' : 'info', `det.volume seq ${verdict.class}`, {
          site,
          ...verdict,
        }),
      );
    }
    return { state: { ...state, ingest: result.state }, effects };
  },
};

/** `status/tlc.hires`: hi-res events stored; detector on/off (81/82) become health evidence. */
export const hiresHandler: Handler<HiresPayload> = {
  type: 'tlc.hires',
  schema: HiresPayload,
  handle(state, { topic, site, payload, now }, { map, settings }) {
    const result = ingestHires(state.ingest, map, { site, payload }, settings.ingest);
    const rows: HiresEvent[] = payload.entries
      .map(({ ts, code, param }) => ({ site, timestampMs: Date.parse(ts), code, param }))
      .filter((row) => Number.isFinite(row.timestampMs));
    const effects: EngineEffect[] = result.rejections.map((rejection) =>
      rejected(topic, site, rejection, now, 'tlc.hires'),
    );
    if (rows.length > 0) effects.push({ type: 'store', kind: 'hires', rows });
    return { state: { ...state, ingest: result.state }, effects };
  },
};

/** `status/tlc.plan` (retained): the plan the controller runs, also stored as a plan record. */
export const activePlanHandler: Handler<ActivePlanPayload> = {
  type: 'tlc.plan',
  schema: ActivePlanPayload,
  handle(state, { topic, site, payload, now }, { zone }) {
    const appliedAtMs = Date.parse(payload.appliedAt);
    if (!Number.isFinite(appliedAtMs)) {
      const reason = `appliedAt ${payload.appliedAt} is not a valid time`;
      return {
        state,
        effects: [rejectedAs(topic, site, 'bad-timestamp', reason, now, 'tlc.plan')],
      };
    }
    const step = onActivePlan(state.deployment, site, payload, now, { zone });
    // A replay of the same report overwrites its own row (identity: site and appliedAt).
    const record = {
      site,
      planId: payload.planId,
      version: payload.version,
      appliedAtMs,
      cycle: payload.cycle,
      offset: payload.offset,
      plan: payload,
    };
    const effects: EngineEffect[] = [
      ...step.actions,
      { type: 'store', kind: 'plans', rows: [record] },
    ];
    return { state: { ...state, deployment: step.state }, effects };
  },
};

/** `result/tlc.plan.set`: a controller's answer to a plan command. */
export const planResultHandler: Handler<PlanResultPayload> = {
  type: 'tlc.plan.set',
  schema: PlanResultPayload,
  handle(state, { site, payload, meta, now }) {
    const step = onResult(state.deployment, site, payload, now);
    const effects: EngineEffect[] = [...step.actions];
    if (meta.correlationId !== undefined && meta.correlationId !== payload.correlationId) {
      effects.push(
        engineLog('warn', 'result whose MQTT 5 correlation data differs from its payload', {
          site,
          correlationData: meta.correlationId,
          correlationId: payload.correlationId,
        }),
      );
    }
    return { state: { ...state, deployment: step.state }, effects };
  },
};

/** The handlers by `{kind}/{code}` (`presence` alone has no code). */
export const HANDLERS: Readonly<Record<string, Handler<never>>> = {
  presence: presenceHandler as Handler<never>,
  'status/det.volume': detectorVolumeHandler as Handler<never>,
  'status/tlc.hires': hiresHandler as Handler<never>,
  'status/tlc.plan': activePlanHandler as Handler<never>,
  'result/tlc.plan.set': planResultHandler as Handler<never>,
};

function rejected(
  topic: string,
  site: string,
  rejection: Rejection,
  now: number,
  messageType: string,
): EngineEffect {
  const values: Record<string, unknown> = {};
  if (rejection.detector !== undefined) values['detector'] = rejection.detector;
  if (rejection.seq !== undefined) values['seq'] = rejection.seq;
  return rejectedAs(topic, site, rejection.code, rejection.reason, now, messageType, values);
}

function rejectedAs(
  topic: string,
  site: string,
  reasonCode: string,
  reason: string,
  now: number,
  messageType: string,
  values: Record<string, unknown> = {},
): EngineEffect {
  return inputRejected({ topic, site, reasonCode, reason, now, messageType, values });
}
