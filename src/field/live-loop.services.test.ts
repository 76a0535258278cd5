// The live loop end to end on a real Mosquitto speaking MQTT 5 (message expiry, response topic and
// correlation data on commands), once with the embedded store and once with a real InfluxDB 1.x.
import { startMosquitto } from '../mqtt/mosquitto-process.ts';
import { openEmbeddedStore } from '../store/embedded.ts';
import { openInfluxStore } from '../store/influx.ts';
import { startInfluxd, type InfluxdProcess } from '../store/influxd.ts';
import { liveLoopScenario, type LiveLoopServices } from './live-loop.scenario.ts';

const mosquitto: Pick<LiveLoopServices, 'protocolVersion' | 'forbiddenPublish' | 'startBroker'> = {
  protocolVersion: 5,
  forbiddenPublish: 'refuse',
  startBroker: (users) => startMosquitto({ users }),
};

liveLoopScenario({
  name: 'Mosquitto (MQTT 5) and the embedded store',
  ...mosquitto,
  openStore: ({ dataDir, clock }) => openEmbeddedStore({ dataDir, clock }),
});

let influxd: Promise<InfluxdProcess> | undefined;
const today = new Date();
liveLoopScenario({
  name: 'Mosquitto (MQTT 5) and InfluxDB 1.x',
  ...mosquitto,
  // InfluxDB drops points older than its raw retention (7 days) by its own clock: start today.
  startMs: Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate(), 7, 30),
  async openStore() {
    influxd ??= startInfluxd();
    return openInfluxStore({ url: `${(await influxd).url}/greenwave_live_loop` });
  },
  async dispose() {
    await (await influxd)?.dispose();
  },
});
