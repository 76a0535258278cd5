// Reads a signal's plans from a GeoJSON network into timing plans, each stage's greens checked.
import { actuationOf } from '../../timing/actuation.ts';
import type { Actuation, OffsetReference, Stage, TimingPlan } from '../../timing/types.ts';
import { isPassage, MAX_PASSAGE } from '../../timing/validate.ts';
import type { GreenKind } from '../types.ts';
import type { ProblemList } from '../errors.ts';
import { checkUniqueIds } from './geojson-features.ts';
import {
  fieldsOf,
  finite,
  flag,
  isDefined,
  jsonObject,
  list,
  oneOf,
  positive,
  shown,
  text,
  type Expectation,
  type Fields,
} from './json-fields.ts';

const greenKind = oneOf<GreenKind>(['protected', 'permissive']);
const offsetReference = oneOf<OffsetReference>([
  'first-stage-green-start',
  'first-stage-yellow-start',
]);
const passageTime: Expectation<number> = {
  test: isPassage,
  description: `a number of seconds in [0, ${MAX_PASSAGE}]`,
};

/** Plan `position` of `signal`, whose groups are `groupIds`; its id is `plan-<n>` when it has none. */
export function readPlan(
  raw: unknown,
  position: number,
  signal: Fields,
  signalId: string,
  groupIds: Set<string>,
): TimingPlan | undefined {
  const element = `${signal.element} plans[${position}]`;
  const fields = fieldsOf(raw, element, signal.problems, 'Write each plan as an object.');
  if (!fields) return undefined;
  const id = fields.optional('id', text) ?? `plan-${position + 1}`;
  const cycleLength = fields.required('cycleLength', positive);
  const offset = fields.optional('offset', finite) ?? 0;
  const reference = fields.optional('offsetReference', offsetReference);
  const actuated = readActuation(fields);
  const rawStages = fields.required('stages', list);
  if (rawStages?.length === 0) {
    fields.problem('MISSING_ATTRIBUTE', 'has no stages.', 'Give the plan at least one stage.');
  }
  const stages = (rawStages ?? []).map((stage, index) =>
    readStage(stage, `${element} stages[${index}]`, groupIds, signal.problems),
  );
  if (cycleLength === undefined || !rawStages || !stages.every(isDefined)) return undefined;
  if (actuated === 'invalid') return undefined;
  checkUniqueIds(
    stages.map((stage) => [stage.id, `${element} stages "${stage.id}"`]),
    'stage of this plan',
    signal.problems,
  );
  return {
    id,
    signal: signalId,
    cycleLength,
    offset,
    offsetReference: reference ?? 'first-stage-green-start',
    stages,
    ...(actuated === undefined ? {} : { actuated }),
    origin: 'geojson',
  };
}

/**
 * `actuated`: `{ "passage": seconds }` for coordinated-actuated operation, with `"free": true` for
 * free operation (no cycle, no offset); absent, fixed time. `"free": false` is read as coordinated
 * and carried as no `free`, as the plan payloads carry it.
 */
function readActuation(plan: Fields): Actuation | 'invalid' | undefined {
  if (plan.raw('actuated') === undefined) return undefined;
  const actuated = plan.object('actuated', 'optional');
  const passage = actuated?.required('passage', passageTime);
  const free = actuated?.optional('free', flag);
  if (passage === undefined || actuated?.raw('free') !== free) return 'invalid';
  return actuationOf(free === undefined ? { passage } : { passage, free });
}

function readStage(
  raw: unknown,
  element: string,
  groupIds: Set<string>,
  problems: ProblemList,
): Stage | undefined {
  const fields = fieldsOf(raw, element, problems, 'Write each stage as an object.');
  if (!fields) return undefined;
  const id = fields.required('id', text);
  const greens = readGreens(fields, groupIds);
  const green = fields.required('green', finite);
  const yellow = fields.required('yellow', finite);
  const allRed = fields.required('allRed', finite);
  const minGreen = fields.required('minGreen', finite);
  const maxGreen = fields.optional('maxGreen', finite);
  if (!id || !greens) return undefined;
  if (green === undefined || yellow === undefined || allRed === undefined || minGreen === undefined)
    return undefined;
  return {
    id,
    greens,
    green,
    yellow,
    allRed,
    minGreen,
    ...(maxGreen !== undefined ? { maxGreen } : {}),
  };
}

/** `greens`: signal group id → protected or permissive, each group one of the signal's. */
function readGreens(fields: Fields, groupIds: Set<string>): Record<string, GreenKind> | undefined {
  const greens = fields.required('greens', jsonObject);
  if (!greens) return undefined;
  let valid = true;
  for (const [group, kind] of Object.entries(greens)) {
    if (!groupIds.has(group)) {
      valid = false;
      fields.problem(
        'UNKNOWN_SIGNAL_GROUP',
        `gives green to signal group "${group}", which the signal does not have.`,
        `Name one of the signal's groups (${[...groupIds].join(', ')}), or add the group.`,
      );
    }
    if (!greenKind.test(kind)) {
      valid = false;
      fields.problem(
        'BAD_VALUE',
        `gives signal group "${group}" the green ${shown(kind)}.`,
        'Give each green as "protected" or "permissive".',
      );
    }
  }
  return valid ? (greens as Record<string, GreenKind>) : undefined;
}
