// The adaptive cycle: demand from recent healthy detector data, a plan per coordination group from
// the optimizer proven in simulation against its alternatives, or the time-of-day schedule when the
// data cannot be trusted; each decision with its reason.
import { isoTime } from '../controllers/actions.ts';
import { designFlows } from '../demand/design-flows.ts';
import type { TurningFlows } from '../demand/types.ts';
import { estimateDemand, type DemandEstimate } from '../ingest/demand-estimate.ts';
import { faultSpans } from '../ingest/health.ts';
import { coordinationGroups, type CoordinationGroup } from '../optimize/coordination-groups.ts';
import { DEFAULT_CYCLE_RANGE } from '../optimize/cycle-and-splits.ts';
import { optimizeNetwork, type NetworkTimingOptions } from '../optimize/network-timing.ts';
import { actuatedPlans, planOperation } from '../timing/actuation.ts';
import type { Actuation, TimingPlan } from '../timing/types.ts';
import type { EngineContext, ProofSettings } from './context.ts';
import { engineLog, type EngineEffect } from './effects.ts';
import { heldByOperator, stepTowards } from './plan-step.ts';
import { proveCandidates, type ProofCandidate } from './proof.ts';
import { bounded, type Decision, type EngineState, type PlanMode } from './state.ts';

export interface CycleResult {
  state: EngineState;
  effects: EngineEffect[];
  decisions: Decision[];
}

/** How far a group's data can be trusted. */
interface GroupEvidence {
  coverage: number;
  faulty: string[];
  detectors: number;
}

/**
 * One adaptive cycle at `now`. Demand is estimated from the last `window` of closed aggregates,
 * without the data of faulty detectors, with the prior's flows for the time of day where no lane
 * is measured. The signals are split into coordination groups on that demand. A group whose
 * measurable movements (those leaving from a lane with a detector) are measured enough
 * (`fallback.minCoverage`) and whose detectors are mostly sound
 * (`fallback.maxFaultyShare`) gets the optimizer's plans, or the alternative the proof in
 * simulation finds better (`provenPlans`, unless `proof` is off); any other runs the time-of-day
 * schedule's plans for the period (the network's own programs without a prior). Each site then
 * steps towards its plan (`stepTowards`); sites an operator holds are left alone.
 *
 * @example
 * const { decisions } = adaptiveCycle(state, context, { now: clock.now(), trigger: 'period' });
 * decisions[0]; // => { group: 'group-1', mode: 'adaptive', reason: 'coverage 86 % ≥ 70 %, 0 of 80 detectors faulty', … }
 */
export function adaptiveCycle(
  state: EngineState,
  context: EngineContext,
  { now, trigger }: { now: number; trigger: 'period' | 'manual' },
): CycleResult {
  const { network, settings, prior, signals } = context;
  const estimate = currentEstimate(state, context, now);
  const groups =
    settings.optimize.coordination === 'isolated'
      ? Object.keys(signals)
          .sort()
          .map((id, index): CoordinationGroup => ({
            id: `group-${index + 1}`,
            signals: [id],
            pairs: [],
            reason: 'isolated',
          }))
      : coordinationGroups(network, designFlows(estimate.flows), settings.optimize.groups);
  const cycle = state.cycles + 1;
  const period = prior?.periodAt(now).name;
  const effects: EngineEffect[] = [];
  const decisions: Decision[] = [];
  let next: EngineState = { ...state, cycles: cycle };

  const judged = groups.map((group) => ({
    group,
    evidence: evidenceOf(group, estimate, state, context),
  }));
  const trusted = judged.filter(({ evidence }) => trustworthy(evidence, context));
  let optimized: Record<string, TimingPlan> = {};
  let optimizerFailure: string | undefined;
  if (trusted.length > 0) {
    try {
      const result = optimizeNetwork(network, estimate.flows, {
        ...settings.optimize,
        planId: 'adaptive',
      });
      optimized = operated(
        Object.fromEntries(result.signals.map(({ signal, plan }) => [signal, plan])),
        context,
      );
    } catch (error) {
      optimizerFailure = (error as Error).message;
    }
  }
  // The schedule's plans for now: the fallback, and the proof's schedule candidate and backdrop.
  const fallback = fallbackPlans(context, now);
  let proofNote = '';
  let proven: string | undefined;
  if (settings.proof !== false && optimizerFailure === undefined && trusted.length > 0) {
    const sites = new Set(trusted.flatMap(({ group }) => group.signals));
    try {
      const proof = provenPlans(next, context, settings.proof, {
        cycle,
        flows: estimate.flows,
        optimized,
        fallback,
        sites,
      });
      optimized = proof.plans;
      proofNote = `; ${proof.note}`;
      proven = proof.chosen;
    } catch (error) {
      // The optimizer's plans are valid on their own; an unproven plan beats no plan.
      proofNote = `; the proof in simulation failed (${(error as Error).message}): the optimizer's plans unproven`;
    }
  }

  for (const { group, evidence } of judged) {
    const choice = chooseMode(evidence, context, optimizerFailure);
    const plans = choice.mode === 'adaptive' ? optimized : fallback;
    const decision: Decision = {
      id: `${cycle}-${group.id}`,
      at: isoTime(now),
      trigger,
      group: group.id,
      sites: group.signals,
      mode: choice.mode,
      reason: choice.mode === 'adaptive' ? `${choice.reason}${proofNote}` : choice.reason,
      coverage: round(evidence.coverage, 3),
      faultyDetectors: evidence.faulty,
      ...(period === undefined ? {} : { period }),
      outcomes: {},
    };
    const limited: Record<string, ('cycle' | 'offset')[]> = {};
    const cycles = new Set<number>();
    for (const site of group.signals) {
      const target = plans[site];
      if (heldByOperator(next, site, now)) {
        decision.outcomes[site] = 'held-by-operator';
        continue;
      }
      if (target === undefined) {
        decision.outcomes[site] = 'no-plan';
        continue;
      }
      cycles.add(target.cycleLength);
      const step = stepTowards(next, context, site, target, {
        now,
        mode: choice.mode,
        reason: choice.reason,
      });
      next = step.state;
      effects.push(...step.effects);
      decision.outcomes[site] = step.outcome;
      if (step.limited.length > 0) limited[site] = step.limited;
    }
    if (cycles.size === 1) decision.cycleLength = [...cycles][0]!;
    if (Object.keys(limited).length > 0) decision.limited = limited;
    decisions.push(decision);
    effects.push(decisionLog(decision, choice.mode === 'adaptive' ? proven : undefined));
  }
  next = { ...next, decisions: bounded(next.decisions, decisions, settings.decisionLog) };
  return { state: next, effects, decisions };
}

/**
 * One transition step for every site that has not reached its target and has no command out:
 * the next step from the plan it now runs (no re-optimization).
 *
 * @example
 * transitionStep(state, context, now).decisions[0]?.trigger; // => 'transition'
 */
export function transitionStep(
  state: EngineState,
  context: EngineContext,
  now: number,
): CycleResult {
  const effects: EngineEffect[] = [];
  const decisions: Decision[] = [];
  let next = state;
  for (const plan of Object.values(state.plans)) {
    const record = state.deployment.sites[plan.site];
    if (plan.reached || plan.mode === 'operator' || record?.pending || !record?.active) continue;
    const step = stepTowards(next, context, plan.site, plan.target, {
      now,
      mode: plan.mode,
      reason: `transition towards ${plan.target.id}: ${plan.reason}`,
    });
    next = step.state;
    effects.push(...step.effects);
    const decision: Decision = {
      id: `${state.cycles}-${plan.site}-${now}`,
      at: isoTime(now),
      trigger: 'transition',
      group: plan.site,
      sites: [plan.site],
      mode: plan.mode,
      reason: `step towards ${plan.target.id} (cycle ${plan.target.cycleLength} s, offset ${round(plan.target.offset, 1)} s)`,
      cycleLength: plan.target.cycleLength,
      outcomes: { [plan.site]: step.outcome },
      ...(step.limited.length > 0 ? { limited: { [plan.site]: step.limited } } : {}),
    };
    decisions.push(decision);
    effects.push(decisionLog(decision));
  }
  if (decisions.length === 0) return { state, effects: [], decisions };
  next = { ...next, decisions: bounded(next.decisions, decisions, context.settings.decisionLog) };
  return { state: next, effects, decisions };
}

/** Whether some site is on its way to a target and will need another step. */
export function transitionDue(state: EngineState): boolean {
  return Object.values(state.plans).some((plan) => !plan.reached && plan.mode !== 'operator');
}

function evidenceOf(
  group: CoordinationGroup,
  estimate: DemandEstimate,
  state: EngineState,
  { map, signals }: EngineContext,
): GroupEvidence {
  const movements = group.signals.flatMap((site) =>
    (signals[site]?.signalGroups ?? []).flatMap((signalGroup) => signalGroup.movements),
  );
  // Coverage counts the movements the detector layout can measure: a movement no detector sees
  // always takes the prior, a fact of the site's equipment rather than a sign of failing detectors.
  const estimates = [...new Set(movements)]
    .filter((movement) => measurable(map, movement))
    .map((movement) => estimate.movements[movement])
    .filter((entry) => entry !== undefined);
  const measured = estimates.filter(
    (entry) => entry.source === 'measured' || entry.source === 'partial',
  ).length;
  const detectors = group.signals.flatMap((site) => map.sites[site] ?? []);
  const faulty = detectors.filter((id) => {
    const status = state.health[id]?.status;
    return status !== undefined && status !== 'ok' && status !== 'gaps';
  });
  return {
    coverage: estimates.length > 0 ? measured / estimates.length : 0,
    faulty,
    detectors: detectors.length,
  };
}

/**
 * The plans the proof in simulation picks for the trusted sites. The candidates: the optimizer's;
 * the optimizer's with the cycle held to each of `proof.cycleFactors` of its longest; every signal
 * timed alone (no common cycle: a signal whose pedestrian stage needs a long cycle no longer holds
 * its neighbours to it); with actuated controllers, every signal alone run free, its greens as
 * timed for its own best cycle and for its shortest (NTCIP free operation: no cycle, the first
 * stage resting in green until another is called, so a side street is served in seconds rather
 * than at its turn in a cycle); the time-of-day schedule's plans for now; and the plans the sites
 * steer towards already. Each runs on the estimated demand (`proveCandidates`) with the other
 * sites on their fallback plans; the least mean delay wins, unless it is within `proof.margin` of
 * the current plans', which then stay.
 */
function provenPlans(
  state: EngineState,
  context: EngineContext,
  proof: ProofSettings,
  {
    cycle,
    flows,
    optimized,
    fallback,
    sites,
  }: {
    fallback: Record<string, TimingPlan>;
    cycle: number;
    flows: TurningFlows;
    optimized: Record<string, TimingPlan>;
    sites: ReadonlySet<string>;
  },
): { plans: Record<string, TimingPlan>; note: string; chosen: string } {
  const { network, settings } = context;
  const own = (plans: Readonly<Record<string, TimingPlan>>) =>
    Object.fromEntries([...sites].flatMap((site) => (plans[site] ? [[site, plans[site]]] : [])));
  const optimizedWith = (options: NetworkTimingOptions) =>
    own(
      operated(
        Object.fromEntries(
          optimizeNetwork(network, flows, {
            ...settings.optimize,
            ...options,
            planId: 'adaptive',
          }).signals.map(({ signal, plan }) => [signal, plan]),
        ),
        context,
      ),
    );
  const { actuation } = settings;
  const range = settings.optimize.cycle ?? DEFAULT_CYCLE_RANGE;
  const optimizer = own(optimized);
  const alone = settings.optimize.coordination === 'isolated';
  // Every signal timed alone: the optimizer's own plans when it already times them so.
  const isolated = alone ? optimizer : optimizedWith({ coordination: 'isolated' });
  const free = (actuation: Actuation, plans: Record<string, TimingPlan>) =>
    actuatedPlans(plans, { ...actuation, free: true });
  const longest = Math.max(...Object.values(optimizer).map((plan) => plan.cycleLength));
  const candidates: ProofCandidate[] = [
    { name: 'optimizer', plans: optimizer },
    ...proof.cycleFactors
      .map((factor) => Math.round(longest * factor))
      .filter((max) => max >= range.min)
      .map((max) => ({
        name: `cycle ≤ ${max} s`,
        plans: optimizedWith({ cycle: { min: range.min, max } }),
      })),
    ...(alone ? [] : [{ name: 'isolated', plans: isolated }]),
    ...(actuation === false || actuation.free === true
      ? []
      : [
          { name: 'free', plans: free(actuation, isolated) },
          {
            name: 'free, shortest',
            plans: free(
              actuation,
              optimizedWith({
                coordination: 'isolated',
                cycle: { min: range.min, max: range.min },
              }),
            ),
          },
        ]),
    ...(context.prior ? [{ name: 'schedule', plans: own(fallback) }] : []),
    { name: 'current', plans: own(currentTargets(state)) },
  ].filter(
    (candidate, index, all) =>
      Object.keys(candidate.plans).length === sites.size &&
      all.findIndex((other) => sameTimings(other.plans, candidate.plans)) === index,
  );
  const scores = proveCandidates(
    network,
    flows,
    candidates.map(({ name, plans }) => ({ name, plans: { ...fallback, ...plans } })),
    { warmup: proof.warmup, horizon: proof.horizon, seed: cycle },
  );
  // A change costs a transition (cycles stretched or cut while offsets move): keep the current
  // plans unless a candidate is clearly better.
  const current = scores.find((score) => score.name === 'current');
  const best =
    current && scores[0]!.meanDelay >= current.meanDelay * (1 - proof.margin)
      ? current
      : scores[0]!;
  const chosen = candidates.find((candidate) => candidate.name === best.name)!;
  const listed = scores.map((score) => `${score.name} ${score.meanDelay.toFixed(1)}`).join(', ');
  return {
    plans: { ...optimized, ...chosen.plans },
    note: `proof in simulation (s/veh): ${listed} → ${best.name}`,
    chosen: best.name,
  };
}

/** The plan each site steers towards now. */
function currentTargets(state: EngineState): Record<string, TimingPlan> {
  return Object.fromEntries(Object.values(state.plans).map((plan) => [plan.site, plan.target]));
}

/** Whether two plan sets time every site alike (cycle, offset, greens and free operation; ids aside). */
function sameTimings(
  a: Readonly<Record<string, TimingPlan>>,
  b: Readonly<Record<string, TimingPlan>>,
): boolean {
  const timing = (plan: TimingPlan | undefined) =>
    plan
      ? `${plan.cycleLength}/${plan.offset}/${plan.stages.map((stage) => stage.green).join(',')}/${planOperation(plan)}`
      : '';
  const sites = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...sites].every((site) => timing(a[site]) === timing(b[site]));
}

/** Whether some lane the movement leaves from has a detector. */
function measurable(map: EngineContext['map'], movement: string): boolean {
  return (map.movements[movement]?.lanes ?? []).some(
    (key) => (map.lanes[key]?.detectors.length ?? 0) > 0,
  );
}

function trustworthy(evidence: GroupEvidence, { settings }: EngineContext): boolean {
  const { minCoverage, maxFaultyShare } = settings.fallback;
  const faultyShare = evidence.detectors > 0 ? evidence.faulty.length / evidence.detectors : 0;
  return evidence.coverage >= minCoverage && faultyShare <= maxFaultyShare;
}

function chooseMode(
  evidence: GroupEvidence,
  context: EngineContext,
  optimizerFailure: string | undefined,
): { mode: PlanMode; reason: string } {
  const { minCoverage, maxFaultyShare } = context.settings.fallback;
  const fallback: PlanMode = context.prior ? 'time-of-day' : 'programs';
  const to = fallback === 'time-of-day' ? 'the time-of-day schedule' : "the signals' own programs";
  const coverage = `coverage ${percent(evidence.coverage)}`;
  const faultyShare = evidence.detectors > 0 ? evidence.faulty.length / evidence.detectors : 0;
  const faulty = `${evidence.faulty.length} of ${evidence.detectors} detectors faulty`;
  const problems: string[] = [];
  if (evidence.coverage < minCoverage) problems.push(`${coverage} < ${percent(minCoverage)}`);
  if (faultyShare > maxFaultyShare) {
    const named =
      evidence.faulty.slice(0, 5).join(', ') + (evidence.faulty.length > 5 ? ', …' : '');
    problems.push(`${faulty} (${named}) > ${percent(maxFaultyShare)}`);
  } else if (problems.length > 0) {
    problems.push(faulty);
  }
  if (problems.length > 0) return { mode: fallback, reason: `${problems.join(', ')}: ${to}` };
  if (optimizerFailure !== undefined) {
    return { mode: fallback, reason: `the optimizer failed (${optimizerFailure}): ${to}` };
  }
  return {
    mode: 'adaptive',
    reason: `${coverage} ≥ ${percent(minCoverage)}, ${faulty}: optimized for the measured demand`,
  };
}

/**
 * The demand the loop estimates at `now`: the last `window` of healthy detector data, the prior's
 * flows for the time of day where no lane is measured.
 */
export function currentEstimate(
  state: EngineState,
  { map, settings, prior }: EngineContext,
  now: number,
): DemandEstimate {
  return estimateDemand(map, state.recent, {
    nowMs: now,
    window: settings.window,
    interval: settings.estimationInterval,
    prior: prior?.flowsAt(now) ?? {},
    faults: faultSpans(state.ingest.health),
  });
}

/** The schedule's plans for the period of `now`, or each signal's own first program. */
function fallbackPlans(context: EngineContext, now: number): Record<string, TimingPlan> {
  const { prior, signals } = context;
  if (prior) return operated(prior.plansAt(now).plans, context);
  return operated(
    Object.fromEntries(
      Object.values(signals)
        .filter((signal) => signal.programs.length > 0)
        .map((signal) => [signal.id, signal.programs[0]!]),
    ),
    context,
  );
}

/** `plans` as the controllers are to run them: coordinated-actuated when `actuation` says so. */
function operated(
  plans: Readonly<Record<string, TimingPlan>>,
  { settings }: EngineContext,
): Record<string, TimingPlan> {
  return settings.actuation === false ? { ...plans } : actuatedPlans(plans, settings.actuation);
}

/** A decision as a log line; `proven`: the candidate the proof in simulation chose, if it ran. */
function decisionLog(decision: Decision, proven?: string): EngineEffect {
  return engineLog(
    'info',
    `decision ${decision.id}: ${decision.mode} for ${decision.group}: ${decision.reason}`,
    {
      decision: decision.id,
      trigger: decision.trigger,
      group: decision.group,
      mode: decision.mode,
      outcomes: decision.outcomes,
      ...(decision.cycleLength === undefined ? {} : { cycleLength: decision.cycleLength }),
      ...(decision.limited === undefined ? {} : { limited: decision.limited }),
      ...(proven === undefined ? {} : { proven }),
    },
  );
}

const percent = (share: number) => `${Math.round(share * 100)} %`;
const round = (value: number, digits: number) => Number(value.toFixed(digits));
