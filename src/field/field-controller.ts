// A field controller's answer to a plan command: the controller-agent logic, the signal's own
// ability to run the plan, and the faults a test injects.
import {
  receiveCommand,
  rejectCommand,
  runningPlan,
  type CommandReceipt,
  type ControllerAgentState,
} from '../controllers/controller-agent.ts';
import type { PlanCommandPayload } from '../controllers/payloads.ts';
import { rejectionReason } from '../controllers/plan-results.ts';
import type { Signal } from '../network/types.ts';
import type { TimingPlan } from '../timing/types.ts';

/** How an injected faulty controller treats plan commands: refuses every new plan, or never answers. */
export type FieldControllerFault = 'reject' | 'silent';

/**
 * What the controller answers, or undefined when it stays `silent`. As `receiveCommand` says
 * (duplicates acknowledged, stale, expired and invalid plans refused), except that a plan it would
 * apply is refused `invalid-plan` when the controller is faulted `reject` or when `run` (the
 * signal taking the plan) throws; a refusing controller keeps its plan. `run` is called only for a
 * plan the controller applies.
 *
 * @example
 * const receipt = answerCommand(agent, command, { now, signal, run: (plan) => simulation.setPlan(site, plan) });
 * receipt?.result.status; // => 'applied'
 */
export function answerCommand(
  agent: ControllerAgentState,
  command: PlanCommandPayload,
  {
    now,
    signal,
    fault,
    run,
  }: {
    now: number;
    signal: Signal;
    fault?: FieldControllerFault;
    run: (plan: TimingPlan) => void;
  },
): CommandReceipt | undefined {
  if (fault === 'silent') return undefined;
  const receipt = receiveCommand(agent, command, { now, signal });
  if (!receipt.changed) return receipt;
  if (fault === 'reject') {
    return rejectCommand(
      agent,
      command,
      rejectionReason(
        'invalid-plan',
        'the controller refuses new plans (a fault injected in the virtual field)',
      ),
    );
  }
  try {
    run(runningPlan(receipt.state, agent.site)!);
  } catch (error) {
    return rejectCommand(
      agent,
      command,
      rejectionReason('invalid-plan', `the signal cannot run it: ${(error as Error).message}`),
    );
  }
  return receipt;
}
