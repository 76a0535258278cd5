// The live loop end to end on the embedded aedes broker (MQTT 3.1.1) and the embedded store.
import { startEmbeddedBroker } from '../mqtt/embedded-broker.ts';
import { openEmbeddedStore } from '../store/embedded.ts';
import { liveLoopScenario } from './live-loop.scenario.ts';

liveLoopScenario({
  name: 'the embedded broker (aedes, MQTT 3.1.1) and the embedded store',
  protocolVersion: 4,
  forbiddenPublish: 'disconnect',
  startBroker: (users) => startEmbeddedBroker({ port: 0, users }),
  openStore: ({ dataDir, clock }) => openEmbeddedStore({ dataDir, clock }),
});
