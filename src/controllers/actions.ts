// What the pure controller logic asks its adapter to do: publish, raise or clear an alarm, log.
import type {
  ActivePlanPayload,
  PlanCommandPayload,
  PlanResultPayload,
  PresencePayload,
} from './payloads.ts';

/** An MQTT publish. MQTT 5 properties are given separately; for 3.1.1 the payload repeats them. */
export interface PublishAction {
  type: 'publish';
  topic: string;
  payload: PlanCommandPayload | PlanResultPayload | ActivePlanPayload | PresencePayload;
  qos: 0 | 1;
  retain: boolean;
  /** MQTT 5 message expiry interval, seconds. */
  expirySeconds?: number;
  /** MQTT 5 response topic. */
  responseTopic?: string;
  /** MQTT 5 correlation data (as a UTF-8 string). */
  correlationId?: string;
}

/** An engine alarm: the adapter publishes it as an `AlarmPayload` on `alarmTopic(zone, code)`. */
export interface AlarmAction {
  type: 'alarm';
  /** Dotted code, e.g. `plan.rejected`, `plan.no-answer`, `plan.invalid`, `controller.offline`. */
  code: string;
  site: string;
  /** The site's zone, when the engine knows it. */
  zone?: string;
  reason: string;
  /** `true` raises the alarm, `false` clears it. */
  active: boolean;
  /** ISO 8601 UTC time of the decision. */
  ts: string;
  values?: Record<string, unknown>;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogAction {
  type: 'log';
  level: LogLevel;
  message: string;
  fields: Record<string, unknown>;
}

export type ControllerAction = PublishAction | AlarmAction | LogAction;

/**
 * Milliseconds since the epoch as ISO 8601 UTC, the wire format of every timestamp.
 *
 * @throws {RangeError} when `ms` is not a finite time.
 * @example
 * isoTime(0); // => '1970-01-01T00:00:00.000Z'
 */
export function isoTime(ms: number): string {
  if (!Number.isFinite(ms)) {
    throw new RangeError(
      `isoTime: time must be finite milliseconds since the epoch (clock.now()), got ${ms}`,
    );
  }
  return new Date(ms).toISOString();
}

/**
 * An ISO 8601 timestamp as milliseconds since the epoch.
 *
 * @example
 * timeMs('1970-01-01T00:00:01Z'); // => 1000
 */
export function timeMs(iso: string): number {
  return Date.parse(iso);
}
