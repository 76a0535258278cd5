// The engine's ingest tick: intervals closed into store rows, detector health judged into alarms.
import { isoTime } from '../controllers/actions.ts';
import { ingestTick } from '../ingest/pipeline.ts';
import { storeRows } from '../ingest/store-rows.ts';
import type { EngineContext } from './context.ts';
import type { EngineAlarm, EngineEffect } from './effects.ts';
import type { EngineState, EngineStep } from './state.ts';

/** The alarm code of every detector fault raised or cleared; `values.fault` says which. */
export const DETECTOR_FAULT = 'detector.fault';

/**
 * Closes the intervals due at `now` (rows for the store), keeps the estimation interval's
 * aggregates of the demand window, judges detector health against the prior's flows for the time
 * of day, and turns each fault raised or cleared into a `detector.fault` alarm (`values.fault`:
 * missing, stuck-on, stuck-off, chattering, gaps).
 *
 * @example
 * const { state, effects, closed } = engineIngestTick(engineState, context, clock.now());
 * effects.filter((effect) => effect.type === 'alarm');
 * // => [{ code: 'detector.fault', site: 'JS-07', active: true, values: { detector: '…', fault: 'stuck-on', since: '…' }, … }]
 */
export function engineIngestTick(
  state: EngineState,
  context: EngineContext,
  now: number,
): EngineStep & {
  /** Intervals closed (their rows are among the effects). */
  closed: number;
  /** Detector faults raised or cleared. */
  faultChanges: number;
} {
  const { map, settings, prior } = context;
  const priorFlows = prior?.flowsAt(now);
  const tick = ingestTick(
    state.ingest,
    map,
    { nowMs: now, ...(priorFlows ? { prior: priorFlows } : {}) },
    settings.ingest,
  );
  const effects: EngineEffect[] = [];
  const rows = tick.closed.map((closed) => storeRows(closed, map));
  const detectors = rows.flatMap((row) => row.detectors);
  const movements = rows.flatMap((row) => row.movements);
  if (detectors.length > 0) effects.push({ type: 'store', kind: 'detectors', rows: detectors });
  if (movements.length > 0) effects.push({ type: 'store', kind: 'movements', rows: movements });
  for (const event of tick.events) {
    const alarm: EngineAlarm = {
      type: 'alarm',
      code: DETECTOR_FAULT,
      site: event.site,
      zone: context.zone,
      reason:
        event.type === 'raised'
          ? `detector ${event.detector}: ${event.reason}`
          : `detector ${event.detector}: ${event.fault} cleared`,
      active: event.type === 'raised',
      ts: isoTime(event.atMs),
      values: { detector: event.detector, fault: event.fault, since: isoTime(event.sinceMs) },
    };
    effects.push(alarm);
  }
  const keepFromMs = now - (settings.window + 2 * settings.estimationInterval) * 1000;
  const recent = [
    ...state.recent,
    ...tick.closed.filter((closed) => closed.interval === settings.estimationInterval),
  ]
    .filter((aggregate) => aggregate.endMs > keepFromMs)
    // movement totals are rebuilt from the detectors by `estimateDemand`: not kept twice
    .map(({ interval, startMs, endMs, detectors: totals }) => ({
      interval,
      startMs,
      endMs,
      detectors: totals,
    }));
  return {
    state: { ...state, ingest: tick.state, recent, health: tick.health },
    effects,
    closed: tick.closed.length,
    faultChanges: tick.events.length,
  };
}
