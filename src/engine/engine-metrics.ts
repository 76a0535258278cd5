// The engine's Prometheus metrics: what came in, what was refused, alarms, plans and cycles.
import type { DeploymentState } from '../controllers/deployment.ts';
import { MetricsRegistry } from './metrics.ts';
import type { EngineState } from './state.ts';

export type EngineMetrics = ReturnType<typeof createEngineMetrics>;

/**
 * The engine's metric families; gauges read the current state through `state`.
 *
 * @example
 * const metrics = createEngineMetrics(() => engine.state);
 * metrics.registry.render(); // '# HELP greenwave_messages_received_total …'
 */
export function createEngineMetrics(state: () => EngineState) {
  const registry = new MetricsRegistry();
  const counter = (name: string, help: string) => registry.counter(name, help);
  const metrics = {
    registry,
    received: counter('greenwave_messages_received_total', 'MQTT messages received, by type.'),
    rejected: counter(
      'greenwave_inputs_rejected_total',
      'Inputs refused (whole messages or parts of them), by message type and reason code.',
    ),
    alarms: counter('greenwave_alarms_total', 'Alarms raised or cleared, by code.'),
    suppressed: counter(
      'greenwave_alarms_suppressed_total',
      'Alarms counted but not published (input.rejected beyond its rate limit), by code.',
    ),
    deployed: counter('greenwave_plans_deployed_total', 'Plan commands issued (new versions).'),
    outcomes: counter(
      'greenwave_plan_commands_total',
      'Plan commands finished, by outcome (applied, rejected, no-answer, superseded, overtaken).',
    ),
    publishes: counter(
      'greenwave_publishes_total',
      'Commands published (retries included), by topic kind.',
    ),
    cycles: counter('greenwave_adaptive_cycles_total', 'Adaptive cycles run, by trigger.'),
    decisions: counter('greenwave_decisions_total', 'Decisions taken, by mode.'),
    publishErrors: counter('greenwave_publish_errors_total', 'Publishes the link failed.'),
    storeErrors: counter('greenwave_store_errors_total', 'Store writes that failed.'),
    errors: counter('greenwave_engine_errors_total', 'Steps that threw (the engine carried on).'),
    cycleSeconds: gaugeValue(
      registry,
      'greenwave_adaptive_cycle_seconds',
      'Wall time of the last adaptive cycle, s.',
    ),
    countDeployment(before: DeploymentState, after: DeploymentState) {
      for (const [site, record] of Object.entries(after.sites)) {
        const previous = before.sites[site];
        if (record.pending && record.pending.correlationId !== previous?.pending?.correlationId) {
          metrics.deployed.inc();
        }
        if (record.history === previous?.history) continue;
        const last = previous?.history.at(-1);
        const from = last
          ? record.history.findIndex((entry) => entry === last || sameEntry(entry, last)) + 1
          : 0;
        for (const entry of record.history.slice(from))
          metrics.outcomes.inc({ outcome: entry.outcome });
      }
    },
  };
  registry.gauge('greenwave_controllers_online', 'Controllers whose presence is online.', () => [
    {
      labels: {},
      value: Object.values(state().deployment.sites).filter(
        (site) => site.presence.state === 'online',
      ).length,
    },
  ]);
  registry.gauge('greenwave_controllers', 'Controllers known, by presence.', () => {
    const counts = new Map<string, number>();
    for (const site of Object.values(state().deployment.sites)) {
      counts.set(site.presence.state, (counts.get(site.presence.state) ?? 0) + 1);
    }
    return [...counts].map(([presence, value]) => ({ labels: { presence }, value }));
  });
  registry.gauge('greenwave_detector_faults', 'Detectors with a fault now, by fault.', () => {
    const counts = new Map<string, number>();
    for (const health of Object.values(state().health)) {
      for (const { fault } of health.faults) counts.set(fault, (counts.get(fault) ?? 0) + 1);
    }
    return [...counts].map(([fault, value]) => ({ labels: { fault }, value }));
  });
  registry.gauge('greenwave_plans_pending', 'Plan commands sent and not yet answered.', () => [
    {
      labels: {},
      value: Object.values(state().deployment.sites).filter((site) => site.pending).length,
    },
  ]);
  return metrics;
}

function sameEntry(
  a: { correlationId: string; outcome: string; at: string },
  b: typeof a,
): boolean {
  return a.correlationId === b.correlationId && a.outcome === b.outcome && a.at === b.at;
}

function gaugeValue(
  registry: MetricsRegistry,
  name: string,
  help: string,
): { set(value: number): void } {
  let current = 0;
  registry.gauge(name, help, () => [{ labels: {}, value: current }]);
  return {
    set(value) {
      current = value;
    },
  };
}
