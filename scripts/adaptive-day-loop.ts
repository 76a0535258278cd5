// The adaptive loop over one simulated day: the engine and the virtual field on an in-memory
// broker and a manual clock, the field's vehicles the given trips, the engine's prior the counts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VehicleTrip } from '../src/demand/types.ts';
import { ManualClock } from '../src/engine/clock.ts';
import type { EngineOptions } from '../src/engine/context.ts';
import { Engine } from '../src/engine/engine.ts';
import type { EngineLogger } from '../src/engine/logger.ts';
import { MemoryBus } from '../src/engine/memory-bus.ts';
import type { TimeOfDayPrior } from '../src/engine/prior.ts';
import type { PlanMode } from '../src/engine/state.ts';
import { busConnector } from '../src/field/field-connection.ts';
import { VirtualField } from '../src/field/virtual-field.ts';
import type { RoadNetwork } from '../src/network/types.ts';
import { openEmbeddedStore } from '../src/store/index.ts';
import type { SimulationResult } from '../sim/types.ts';

const ZONE = 'adaptive-day';

export interface AdaptiveDayOptions {
  network: RoadNetwork;
  prior: TimeOfDayPrior;
  trips: readonly VehicleTrip[];
  seed: number;
  /** Local midnight of the simulated day (UTC, as the prior reads the counts), ms. */
  midnightMs: number;
  /** Seconds since midnight. */
  begin: number;
  end: number;
  /** Seconds the clock moves per step; the driver lets the engine and the field settle after each. */
  step?: number;
  /** Seconds between the field's simulation advances (its clock timer). */
  fieldTick?: number;
  /** Seconds between the field's hi-res batches; 0 sends none. Default 60 (the field's own is 5). */
  hiResEvery?: number;
  engine?: Omit<EngineOptions, 'prior'>;
}

/** One decision the engine logged, with the clock's time. */
export interface LoggedDecision {
  /** Seconds since midnight. */
  time: number;
  trigger: string;
  mode: PlanMode;
  cycleLength?: number;
  limited: boolean;
  /** Why a group fell back to the schedule: `coverage`, `faulty` detectors, both, or the `optimizer`. */
  fallback?: 'coverage' | 'faulty' | 'coverage+faulty' | 'optimizer';
  /** The candidate the proof in simulation chose (`optimizer`, `free`, `current`, …). */
  proven?: string;
}

export interface AdaptiveDayRun {
  result: SimulationResult;
  /** Every decision (cycles and transition steps), in order. */
  decisions: LoggedDecision[];
  /** Warnings and errors the engine logged, by alarm code and fault (else the message's start). */
  problems: Record<string, number>;
  /** Adaptive cycles the engine ran. */
  cycles: number;
  /** Plans the field's controllers applied and rejected. */
  applied: number;
  rejected: number;
  wallSeconds: number;
}

/**
 * Runs the engine (its ingest ticks, adaptive cycles, transitions and deployment, all on the
 * clock) against the virtual field from `begin` to `end`: MemoryBus delivers synchronously, so
 * after each clock step the driver only waits for the store's writes.
 *
 * @example
 * const run = await runAdaptiveDay({ network, prior, trips, seed: 1, midnightMs, begin: 0, end: 86400 });
 * run.result.totals.meanDelay; // => s/veh
 */
export async function runAdaptiveDay({
  network,
  prior,
  trips,
  seed,
  midnightMs,
  begin,
  end,
  step = 60,
  fieldTick = 5,
  hiResEvery = 60,
  engine: engineOptions = {},
}: AdaptiveDayOptions): Promise<AdaptiveDayRun> {
  const started = performance.now();
  const bus = new MemoryBus();
  const clock = new ManualClock(midnightMs + begin * 1000);
  const dataDir = await mkdtemp(join(tmpdir(), 'greenwave-adaptive-day-'));
  const store = await openEmbeddedStore({ dataDir, clock, fsync: false });
  const decisions: LoggedDecision[] = [];
  const problems: Record<string, number> = {};
  const problem = (fields: Record<string, unknown>, message: string) => {
    // one key per kind (an alarm code and its fault), not per detector
    const key =
      typeof fields['alarm'] === 'string'
        ? `alarm ${fields['alarm']}${typeof fields['fault'] === 'string' ? ` ${fields['fault']}` : ''}`
        : message.slice(0, 80);
    problems[key] = (problems[key] ?? 0) + 1;
  };
  const logger: EngineLogger = {
    debug: () => {},
    info: (fields, message) => {
      if (!message.startsWith('decision ')) return;
      const mode = fields['mode'] as PlanMode;
      const trigger = String(fields['trigger']);
      const fallback =
        trigger !== 'transition' && mode !== 'adaptive' ? fallbackKind(message) : undefined;
      decisions.push({
        time: (clock.now() - midnightMs) / 1000,
        trigger,
        mode,
        ...(typeof fields['cycleLength'] === 'number'
          ? { cycleLength: fields['cycleLength'] }
          : {}),
        limited: fields['limited'] !== undefined,
        ...(fallback ? { fallback } : {}),
        ...(typeof fields['proven'] === 'string' ? { proven: fields['proven'] } : {}),
      });
    },
    warn: problem,
    error: problem,
  };
  const link = bus.link({ name: 'engine', account: { username: 'engine', role: 'engine' } });
  const engine = new Engine({
    network,
    link,
    store,
    zone: ZONE,
    clock,
    logger,
    options: { ...engineOptions, prior },
  });
  const sites = Object.keys(network.getAttribute('signals')).sort();
  let field: VirtualField | undefined;
  try {
    await engine.start();
    field = await VirtualField.start({
      network,
      zone: ZONE,
      accounts: sites.map((site) => ({ site, username: `${ZONE}-${site}`, password: '-' })),
      connect: busConnector(bus),
      clock,
      timeZone: 'UTC',
      demand: { trips },
      seed,
      tick: fieldTick,
      hiResEvery,
    });
    for (let time = begin; time < end; time += step) {
      clock.advance(Math.min(step, end - time) * 1000);
      await field.idle();
      await engine.idle();
    }
    field.advanceTo(midnightMs + end * 1000);
    return {
      result: field.result(),
      decisions,
      problems,
      cycles: engine.counters.cycles,
      applied: field.counters.applied,
      rejected: field.counters.rejected,
      wallSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    await field?.stop();
    await engine.stop();
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The kind of reason in an adaptive cycle's fallback decision (see `chooseMode`'s reasons). */
function fallbackKind(message: string): LoggedDecision['fallback'] {
  if (message.includes('the optimizer failed')) return 'optimizer';
  const coverage = /coverage \d+ % </.test(message);
  const faulty = /detectors faulty \(/.test(message);
  return coverage && faulty ? 'coverage+faulty' : faulty ? 'faulty' : 'coverage';
}
