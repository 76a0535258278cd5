// Reads the plans a command runs from a file: the project's plan JSON or a SUMO additional file of tlLogic programs.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { InputFileError, ProblemList, type InputErrorCode } from '../network/errors.ts';
import { sumoLinkIndices } from '../network/export/sumo-plain.ts';
import { readTrafficLights } from '../network/import/sumo-net-programs.ts';
import { childrenTagged, readXmlRoot } from '../network/import/sumo-xml.ts';
import type { RoadNetwork } from '../network/types.ts';
import { planFromSumoPhases } from '../timing/sumo-program.ts';
import type { PlanProblemCode, TimingPlan } from '../timing/types.ts';
import { validatePlan } from '../timing/validate.ts';

export type PlanFileFormat = 'plan-json' | 'sumo-additional';

/** Plans by signal id, read from one file, and what was noticed but not fatal. */
export interface PlanFile {
  file: string;
  format: PlanFileFormat;
  plans: Record<string, TimingPlan>;
  /** Problems a plan may have and still run (short greens, a WAUT not followed), for stderr. */
  warnings: string[];
}

/**
 * Plan problems that do not stop a plan from running: a simulation should show what such a plan
 * does, not refuse it (deployment is where `validatePlan` is strict). The rest make the plan's
 * signal states undefined (no stages, a cycle that its stages do not fill, an unknown group).
 */
const RUNNABLE: ReadonlySet<PlanProblemCode> = new Set([
  'GREEN_BELOW_MINIMUM',
  'PEDESTRIAN_CLEARANCE_SHORT',
  'SIGNAL_GROUP_NEVER_SERVED',
  'CONFLICTING_GREENS',
  'YELLOW_OUT_OF_RANGE',
]);

/**
 * Reads plans for `network` from a file (format from its content, not its name).
 *
 * @throws {InputFileError} when the file cannot be read or is not a plan file, or a plan is for a
 *   signal the network lacks or cannot run on it.
 * @example
 * const { plans } = await loadPlanFile('cologne1.add.xml', network);
 * plans['GS_cluster_357187_359543'].cycleLength // => 45
 */
export async function loadPlanFile(file: string, network: RoadNetwork): Promise<PlanFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw fileError(file, 'PARSE_FAILED', `cannot be read (${reason}).`, 'Check the path.');
  }
  return parsePlanFile(text, file, network);
}

/**
 * Plans for `network` from the text of a plan file:
 * - the project's plan JSON: what `greenwave optimize --out FILE.json` writes (`{ signals: [{
 *   signal, plan }] }`), an array of plans, or one plan;
 * - a SUMO additional file with `<tlLogic>` programs (what `optimize --out FILE.add.xml`, SUMO's
 *   tls tools or netedit write). Like SUMO, the last program of a signal in the file runs. Its
 *   signal groups are link indices: on a SUMO network they are the network's own groups; on any
 *   other network they are numbered as `greenwave export` numbers them (`sumoLinkIndices`).
 *
 * @throws {InputFileError} as `loadPlanFile`.
 * @example
 * parsePlanFile('[{"signal":"J1", …}]', 'plans.json', network).plans.J1.cycleLength // => 90
 */
export function parsePlanFile(text: string, file: string, network: RoadNetwork): PlanFile {
  const head = text.replace(/^\uFEFF/, '').trimStart();
  const warnings: string[] = [];
  let format: PlanFileFormat;
  let plans: TimingPlan[];
  if (head.startsWith('<')) {
    format = 'sumo-additional';
    plans = sumoAdditionalPlans(text, file, network, warnings);
  } else if (head.startsWith('{') || head.startsWith('[')) {
    format = 'plan-json';
    plans = jsonPlans(text, file);
  } else {
    throw fileError(
      file,
      'FORMAT_UNKNOWN',
      'is neither plan JSON nor a SUMO additional file.',
      'Give what greenwave optimize --out writes (.json or .add.xml), or a SUMO file of <tlLogic> programs.',
    );
  }
  return { file, format, plans: checkedPlans(plans, file, network, warnings), warnings };
}

function jsonPlans(text: string, file: string): TimingPlan[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const message = `is not valid JSON (${(error as Error).message}).`;
    throw fileError(file, 'PARSE_FAILED', message, 'Fix the JSON syntax at the position given.');
  }
  const record = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value);
  if (Array.isArray(json)) return json as TimingPlan[];
  if (record(json) && Array.isArray(json.signals)) {
    return (json.signals as unknown[]).map((entry) =>
      record(entry) ? entry.plan : entry,
    ) as TimingPlan[];
  }
  if (record(json) && Array.isArray(json.stages)) return [json as unknown as TimingPlan];
  if (record(json) && Array.isArray(json.periods)) {
    throw fileError(
      file,
      'BAD_VALUE',
      'is a time-of-day plan set (periods and a schedule), not one plan per signal.',
      'Give the plans of one period: greenwave optimize --begin S --end S --out FILE.json for that period.',
    );
  }
  throw fileError(
    file,
    'FORMAT_UNKNOWN',
    'holds no plans: expected { "signals": [{ "plan": … }] }, an array of plans, or one plan.',
    'Give what greenwave optimize --out FILE.json writes.',
  );
}

function sumoAdditionalPlans(
  text: string,
  file: string,
  network: RoadNetwork,
  warnings: string[],
): TimingPlan[] {
  const problems = new ProblemList(file);
  const root = readXmlRoot(text, ['additional', 'add'], {
    notXml: (position, detail) =>
      problems.add(
        'PARSE_FAILED',
        position,
        `is not well-formed XML: ${detail}.`,
        'Repair the XML, or write the file again.',
      ),
    wrongRoot: (found) =>
      problems.add(
        'FORMAT_UNKNOWN',
        found,
        'is not <additional>, so this is not a SUMO additional file.',
        'Give a file whose root is <additional> holding <tlLogic> programs.',
      ),
  });
  if (root === undefined) throw new InputFileError(file, problems.problems);
  const { lights } = readTrafficLights(root, problems);
  problems.throwIfAny();
  if (lights.size === 0) {
    throw fileError(
      file,
      'FORMAT_UNKNOWN',
      'has no <tlLogic> program.',
      'Give a SUMO additional file with at least one <tlLogic>.',
    );
  }
  if (childrenTagged(root, 'WAUT').length > 0) {
    warnings.push(
      `${file}: its <WAUT> schedule is not followed; each signal runs its last program in the file`,
    );
  }
  const signals = network.getAttribute('signals');
  const links = sumoLinkIndices(network);
  const plans: TimingPlan[] = [];
  for (const light of lights.values()) {
    const program = light.programs[light.programs.length - 1]!;
    const signal = signals[light.id];
    if (!signal) {
      plans.push(planFromSumoPhases(program));
      continue;
    }
    const linkIndexed = signal.signalGroups.every((group) => group.id === String(group.index));
    const expected = linkIndexed ? signal.signalGroups.length : links[light.id]!.linkCount;
    if (light.linkCount !== expected) {
      throw fileError(
        file,
        'STATE_LENGTH_MISMATCH',
        `gives tlLogic id="${light.id}" states of ${light.linkCount} links, but the network's signal has ${expected}.`,
        'Write the programs for this network (greenwave optimize --net on the same net), or export the network again.',
        `tlLogic id="${light.id}"`,
      );
    }
    const plan = planFromSumoPhases(program);
    // An exported net has no crossings, so its programs leave the pedestrian groups dark.
    const pedestrians = signal.signalGroups.filter((group) => group.kind === 'pedestrian');
    const unsignalled = pedestrians.map((group) => group.id);
    plans.push(linkIndexed ? plan : withGroupIds(plan, links[light.id]!.groups, unsignalled));
  }
  return plans;
}

/**
 * A plan keyed by link indices, keyed by the signal groups those indices were given to instead;
 * `dark` (groups without a link index) are added to its unsignalled groups.
 */
function withGroupIds(
  plan: TimingPlan,
  groups: Record<string, number>,
  dark: string[],
): TimingPlan {
  const groupOf = new Map(Object.entries(groups).map(([group, index]) => [String(index), group]));
  const rename = (index: string) => groupOf.get(index) ?? index;
  return {
    ...plan,
    stages: plan.stages.map((stage) => ({
      ...stage,
      greens: Object.fromEntries(
        Object.entries(stage.greens).map(([index, kind]) => [rename(index), kind]),
      ),
    })),
    ...(plan.unsignalled || dark.length > 0
      ? { unsignalled: [...(plan.unsignalled ?? []).map(rename), ...dark] }
      : {}),
  };
}

/** Each plan checked against its signal; the last plan of a signal wins, as SUMO runs them. */
function checkedPlans(
  plans: TimingPlan[],
  file: string,
  network: RoadNetwork,
  warnings: string[],
): Record<string, TimingPlan> {
  const signals = network.getAttribute('signals');
  const problems = new ProblemList(file);
  const result: Record<string, TimingPlan> = {};
  plans.forEach((plan, index) => {
    const signalId = (plan as { signal?: unknown } | null)?.signal;
    const element = typeof signalId === 'string' ? `plan for "${signalId}"` : `plan #${index}`;
    const signal = typeof signalId === 'string' ? signals[signalId] : undefined;
    if (!signal) {
      problems.add(
        'UNKNOWN_SIGNAL',
        element,
        'is for a signal the network does not have.',
        'Give plans for this network’s signals (greenwave inspect --net lists them).',
      );
      return;
    }
    for (const found of validatePlan(plan, signal)) {
      if (RUNNABLE.has(found.code)) {
        warnings.push(`${file}: ${element}: ${found.code}: ${found.message}`);
      } else {
        const code = found.code === 'UNKNOWN_SIGNAL_GROUP' ? 'UNKNOWN_SIGNAL_GROUP' : 'BAD_VALUE';
        problems.add(
          code,
          element,
          `${found.code}: ${found.message}.`,
          'Fix the plan, or write it again with greenwave optimize.',
        );
      }
    }
    result[signal.id] = plan;
  });
  problems.throwIfAny();
  return result;
}

function fileError(
  file: string,
  code: InputErrorCode,
  message: string,
  fix: string,
  element = basename(file),
): InputFileError {
  return new InputFileError(file, [{ code, element, message, fix }]);
}
