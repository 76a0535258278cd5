// `greenwave serve`'s demo field: every controller of the network played by the simulator over the
// engine's broker, with the day of counts as its traffic, on the engine's clock.
import type { DemoField, StartDemoField } from '../engine/demo-field.ts';
import { mqttConnector, VirtualField } from './virtual-field.ts';

/**
 * Starts the virtual field `greenwave serve` runs next to the engine (the hook of
 * `engine/demo-field.ts`): one connection per demo account, vehicles drawn from the counts for
 * the time of day in `timeZone` (empty roads without counts), readings every minute, hi-res
 * events every 5 s, the simulation advanced every second of the clock.
 *
 * @example
 * const field = await startDemoField({ network, zone: 'zone-1', brokerUrl: broker.url, accounts,
 *   clock: systemClock, logger, demand: day, timeZone: 'Asia/Shanghai', seed: 1 });
 * await field.stop();
 */
export const startDemoField: StartDemoField = async ({
  network,
  zone,
  brokerUrl,
  accounts,
  clock,
  logger,
  demand,
  timeZone,
  seed,
}): Promise<DemoField> => {
  if (demand === undefined) {
    logger.warn({ zone }, 'field: no day of counts given: the demo field runs empty roads');
  }
  const field = await VirtualField.start({
    network,
    zone,
    accounts,
    connect: mqttConnector({ url: brokerUrl, logger }),
    clock,
    timeZone,
    seed,
    logger,
    ...(demand === undefined ? {} : { demand: { counts: demand } }),
  });
  return { stop: () => field.stop() };
};
