// Test fixture: times, plans and action filters shared by the controller tests.
import type { Signal } from '../network/types.ts';
import { leadLeftPlan } from '../timing/four-leg.fixture.ts';
import type { TimingPlan } from '../timing/types.ts';
import type { AlarmAction, ControllerAction, LogAction, PublishAction } from './actions.ts';

/** 07:00:00 UTC on a weekday, ms since the epoch. */
export const T0 = Date.parse('2026-11-28T07:00:00.000Z');

/** `T0` plus `seconds`. */
export const at = (seconds: number): number => T0 + seconds * 1000;

/** The four-leg lead-left plan (`J1`, 90 s) with another offset, so content differs. */
export function leadLeftWithOffset(offset: number, id = 'am-peak'): TimingPlan {
  return { ...leadLeftPlan(), id, offset };
}

/**
 * The lead-left plan at another cycle: the stages B and C take the difference in proportion to
 * their greens (stage A keeps its 10 s), so the plan stays valid for any cycle ≥ 90 s.
 */
export function leadLeftWithCycle(cycleLength: number, offset = 0): TimingPlan {
  const plan = leadLeftPlan();
  const extra = cycleLength - plan.cycleLength;
  return {
    ...plan,
    id: `cycle-${cycleLength}`,
    cycleLength,
    offset,
    stages: plan.stages.map((stage) =>
      stage.id === 'A' ? stage : { ...stage, green: stage.green + (extra * stage.green) / 64 },
    ),
  };
}

export const publishes = (actions: readonly ControllerAction[]): PublishAction[] =>
  actions.filter((action): action is PublishAction => action.type === 'publish');

export const alarms = (actions: readonly ControllerAction[]): AlarmAction[] =>
  actions.filter((action): action is AlarmAction => action.type === 'alarm');

export const logs = (actions: readonly ControllerAction[]): LogAction[] =>
  actions.filter((action): action is LogAction => action.type === 'log');

/** The signals of the Zhengzhou Jinshui Road fixture, each with its own programs. */
export async function zhengzhouSignals(): Promise<Signal[]> {
  const { loadNetwork } = await import('../io/load.ts');
  const file = new URL('../../fixtures/networks/zhengzhou-jinshui-road.geojson', import.meta.url);
  const { network } = await loadNetwork(file.pathname);
  return Object.values(network.getAttribute('signals'));
}
