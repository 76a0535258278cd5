// The hook for the demo's virtual field (`src/field/demo.ts`): what `greenwave serve` passes it, what
// it must return, and the loader that finds it (or says, without failing, that it is not there).
import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { TurningFlows } from '../demand/types.ts';
import type { RoadNetwork } from '../network/types.ts';
import type { Clock } from './clock.ts';
import type { EngineLogger } from './logger.ts';

/** A controller account the field connects as: one per signal of the network. */
export interface DemoAccount {
  site: string;
  username: string;
  password: string;
}

/** What `greenwave serve` gives the virtual field. */
export interface DemoFieldOptions {
  network: RoadNetwork;
  zone: string;
  /** `mqtt://host:port` of the broker the engine uses (credentials not in it). */
  brokerUrl: string;
  /** Every signal's controller account, with its password (regenerated at each start). */
  accounts: DemoAccount[];
  /** The engine's clock: the field runs on the same time. */
  clock: Clock;
  logger: EngineLogger;
  /** The day of counts the engine's prior comes from, seconds since midnight in `timeZone`: the field's demand. */
  demand?: TurningFlows;
  timeZone: string;
  /** Seed of the field's randomness, so a demo run repeats. */
  seed: number;
}

/** A running virtual field. */
export interface DemoField {
  /** Disconnects every controller cleanly (presence `shutdown`) and stops its timers. */
  stop(): Promise<void>;
}

/** The function `src/field/demo.ts` must export under this name. */
export type StartDemoField = (options: DemoFieldOptions) => Promise<DemoField>;

/** Where the field lives, relative to this file. */
export const DEMO_FIELD_MODULE = new URL('../field/demo.ts', import.meta.url);

/**
 * `startDemoField` from `src/field/demo.ts`, or undefined with the reason when the module is not
 * there or does not export it (the engine then runs without a field).
 *
 * @example
 * const loaded = await loadDemoField();
 * if (loaded.start) field = await loaded.start(options); else logger.warn({}, loaded.reason);
 */
export async function loadDemoField(
  module: URL = DEMO_FIELD_MODULE,
): Promise<{ start: StartDemoField; reason?: undefined } | { start?: undefined; reason: string }> {
  const present = await access(fileURLToPath(module)).then(
    () => true,
    () => false,
  );
  if (!present) return { reason: `no virtual field at ${module.pathname}: running without one` };
  // A field that is there but fails to load is a bug to see, not a demo to skip: no catch.
  const loaded = (await import(module.href)) as { startDemoField?: unknown };
  if (typeof loaded.startDemoField !== 'function') {
    return { reason: `${module.pathname} does not export startDemoField: running without a field` };
  }
  return { start: loaded.startDemoField as StartDemoField };
}
