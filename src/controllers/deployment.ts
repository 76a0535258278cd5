// Plan deployment, engine side: one import for the adapter (pure functions over plain JSON state).
export {
  createDeploymentState,
  DeploymentError,
  HISTORY_LENGTH,
  type DeploymentErrorCode,
  type DeploymentOutcome,
  type DeploymentRecord,
  type DeploymentState,
  type DeploymentStep,
  type PendingCommand,
  type PresenceState,
  type SiteDeployment,
} from './deployment-state.ts';
export { DEFAULT_RETRY, retryDelaySeconds, type RetryPolicy } from './command-delivery.ts';
export {
  deployPlan,
  PLAN_INVALID,
  type DeployOutcome,
  type DeployPlanOptions,
} from './deploy-plan.ts';
export {
  CONTROLLER_OFFLINE,
  onActivePlan,
  onPresence,
  onResult,
  PLAN_NO_ANSWER,
  PLAN_REJECTED,
  type SiteEventOptions,
} from './deployment-events.ts';
export { nextDeadline, tick } from './deployment-tick.ts';
export type { AlarmAction, ControllerAction, LogAction, PublishAction } from './actions.ts';
