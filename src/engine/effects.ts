// What the engine's pure steps ask its adapter to do: the controller actions plus store writes.
import type { AlarmAction, ControllerAction, LogAction } from '../controllers/actions.ts';
import { isoTime } from '../controllers/actions.ts';
import type { AlarmPayload } from '../controllers/payloads.ts';
import type {
  DetectorAggregate,
  HiresEvent,
  MovementAggregate,
  PlanRecord,
} from '../store/types.ts';

/** An alarm, with the topic of the input it is about (for `input.rejected`). */
export interface EngineAlarm extends AlarmAction {
  topic?: string;
}

/** Rows for the time-series store. */
export type StoreEffect =
  | { type: 'store'; kind: 'detectors'; rows: DetectorAggregate[] }
  | { type: 'store'; kind: 'movements'; rows: MovementAggregate[] }
  | { type: 'store'; kind: 'hires'; rows: HiresEvent[] }
  | { type: 'store'; kind: 'plans'; rows: PlanRecord[] };

export type EngineEffect = ControllerAction | EngineAlarm | StoreEffect;

/** The alarm code of every refused input: `tsc/{zone}/engine/alarm/input.rejected`. */
export const INPUT_REJECTED = 'input.rejected';

/**
 * Why an input was refused, as a short stable code (the metrics' `reason` label): the payload
 * checks (`too-large`, `not-json`, `schema`), the topic checks (`unknown-topic`, `unknown-site`)
 * and the ingest module's `RejectionCode`s (`unknown-detector`, `wrong-site`, …).
 */
export type RejectionReason = string;

/**
 * The `input.rejected` alarm for one refused input (a whole message or a part of one).
 *
 * @example
 * inputRejected({ topic: 'tsc/zz/J1/status/det.volume', site: 'J1', reasonCode: 'not-json',
 *   reason: 'not JSON: Unexpected token', now: 0, messageType: 'det.volume' }).code; // => 'input.rejected'
 */
export function inputRejected({
  topic,
  site,
  reasonCode,
  reason,
  now,
  messageType,
  values = {},
}: {
  topic: string;
  site: string;
  reasonCode: RejectionReason;
  reason: string;
  now: number;
  messageType: string;
  values?: Record<string, unknown>;
}): EngineAlarm {
  return {
    type: 'alarm',
    code: INPUT_REJECTED,
    site,
    topic,
    reason,
    active: true,
    ts: isoTime(now),
    values: { ...values, reasonCode, messageType },
  };
}

/** The wire payload of an alarm (`AlarmPayload`). */
export function alarmPayload(alarm: EngineAlarm): AlarmPayload {
  return {
    ts: alarm.ts,
    code: alarm.code,
    site: alarm.site,
    ...(alarm.topic === undefined ? {} : { topic: alarm.topic }),
    reason: alarm.reason,
    active: alarm.active,
    ...(alarm.values === undefined ? {} : { values: alarm.values }),
  };
}

/** A log action for the engine itself (no site). */
export function engineLog(
  level: LogAction['level'],
  message: string,
  fields: Record<string, unknown> = {},
): LogAction {
  return { type: 'log', level, message, fields };
}

/** The reason code of a `payloadParser` failure: its reasons start with what went wrong. */
export function parseFailureCode(reason: string): 'too-large' | 'not-json' | 'schema' {
  if (reason.startsWith('payload of ')) return 'too-large';
  if (reason.startsWith('not JSON')) return 'not-json';
  return 'schema';
}
