// Reads each signalized intersection's signal: its groups, the movements they control, its plans.
import type { ProblemList } from '../errors.ts';
import type { MovementSpec, SignalGroupSpec, SignalSpec } from '../types.ts';
import { checkUniqueIds, type ParsedIntersection } from './geojson-features.ts';
import type { Links } from './geojson-links.ts';
import { movementId } from './geojson-movements.ts';
import { readPlan } from './geojson-plans.ts';
import {
  fieldsOf,
  isDefined,
  isObject,
  list,
  nonNegative,
  oneOf,
  positive,
  shown,
  text,
  texts,
  type Fields,
} from './json-fields.ts';

const signalGroupKind = oneOf(['vehicle', 'pedestrian'] as const);

/** Which signal and group control a movement. */
export interface Control {
  signal: string;
  signalGroup: string;
}

export interface Signals {
  specs: SignalSpec[];
  /** By movement id. */
  controlOf: Map<string, Control>;
}

interface SignalContext {
  movements: Map<string, MovementSpec>;
  links: Links;
  controlOf: Map<string, Control>;
  problems: ProblemList;
}

/** The signals of the signalized intersections, and which group controls each movement. */
export function readSignals(
  intersections: ParsedIntersection[],
  movements: MovementSpec[],
  links: Links,
  problems: ProblemList,
): Signals {
  const context: SignalContext = {
    movements: new Map(movements.map((movement) => [movementId(movement), movement])),
    links,
    controlOf: new Map(),
    problems,
  };
  const read = intersections
    .map((intersection) => readSignal(intersection, context))
    .filter(isDefined);
  checkUniqueIds(
    read.map(({ spec, fields }) => [spec.id, fields.element]),
    'signal',
    problems,
  );
  return { specs: read.map(({ spec }) => spec), controlOf: context.controlOf };
}

function readSignal(
  intersection: ParsedIntersection,
  context: SignalContext,
): { spec: SignalSpec; fields: Fields } | undefined {
  const { spec: node, fields: properties } = intersection;
  const raw = properties.raw('signal');
  if (node.kind !== 'signalized') {
    if (raw === undefined) return undefined;
    return properties.problem(
      'BAD_VALUE',
      `is "${node.kind}" but has a signal.`,
      'Make "kind" "signalized", or remove the signal.',
    );
  }
  const element = `${properties.element} signal`;
  const fields = isObject(raw) ? fieldsOf(raw, element, context.problems) : undefined;
  if (!fields) {
    return properties.problem(
      raw === undefined ? 'MISSING_ATTRIBUTE' : 'BAD_VALUE',
      raw === undefined ? 'is signalized but has no "signal".' : `"signal" is ${shown(raw)}.`,
      'Give "signal": { "signalGroups": [...], "plans": [...] }, or make the kind "priority".',
    );
  }
  const id = fields.optional('id', text) ?? node.id;
  const groups = (fields.required('signalGroups', list) ?? [])
    .map((group, position) => readSignalGroup(group, position, fields, id, node.id, context))
    .filter(isDefined);
  checkUniqueIds(
    groups.map((group) => [group.id, `${element} signalGroups "${group.id}"`]),
    'signal group',
    context.problems,
  );
  const groupIds = new Set(groups.map((group) => group.id));
  const plans = fields
    .optional('plans', list)
    ?.map((plan, position) => readPlan(plan, position, fields, id, groupIds))
    .filter(isDefined);
  if (plans) {
    checkUniqueIds(
      plans.map((plan) => [plan.id, `${element} plans "${plan.id}"`]),
      'plan of this signal',
      context.problems,
    );
  }
  const spec = {
    id,
    intersections: [node.id],
    signalGroups: groups,
    ...(plans ? { programs: plans } : {}),
  };
  return { spec, fields };
}

function readSignalGroup(
  raw: unknown,
  position: number,
  signal: Fields,
  signalId: string,
  intersection: string,
  context: SignalContext,
): SignalGroupSpec | undefined {
  const label = isObject(raw) && text.test(raw.id) ? ` (${JSON.stringify(raw.id)})` : '';
  const element = `${signal.element} signalGroups[${position}]${label}`;
  const fields = fieldsOf(raw, element, context.problems, 'Write each signal group as an object.');
  if (!fields) return undefined;
  const id = fields.required('id', text);
  const kind = fields.optional('kind', signalGroupKind) ?? 'vehicle';
  const minGreen = fields.optional('minGreen', nonNegative);
  if (!id) return undefined;
  const common = { id, kind, ...(minGreen !== undefined ? { minGreen } : {}) };
  if (kind === 'pedestrian') return readPedestrianGroup(fields, intersection, common, context);
  for (const ref of fields.required('movements', texts) ?? []) {
    assignMovement(ref, { signal: signalId, signalGroup: id }, fields, intersection, context);
  }
  return common;
}

function readPedestrianGroup(
  fields: Fields,
  intersection: string,
  common: SignalGroupSpec,
  { links }: SignalContext,
): SignalGroupSpec | undefined {
  if (fields.raw('movements') !== undefined) {
    fields.problem(
      'BAD_VALUE',
      'is a pedestrian group with vehicle "movements".',
      'Give a pedestrian group "crosses" (the links it walks across), not movements.',
    );
  }
  const crosses = fields.required('crosses', texts);
  const crossingLength = fields.required('crossingLength', positive);
  for (const linkId of crosses ?? []) {
    const link = links.byId.get(linkId);
    if (!links.ids.has(linkId)) {
      fields.problem(
        'UNKNOWN_LINK',
        `crosses link "${linkId}", which is not among the links.`,
        'Name the links whose carriageway the crossing spans.',
      );
    } else if (link && link.spec.from !== intersection && link.spec.to !== intersection) {
      fields.problem(
        'BAD_VALUE',
        `crosses link "${linkId}", which does not touch intersection "${intersection}".`,
        'Name links entering or leaving this intersection.',
      );
    }
  }
  if (!crosses || crossingLength === undefined) return undefined;
  return { ...common, crosses, crossingLength };
}

/** Records that a group controls a movement, or reports why it cannot. */
function assignMovement(
  ref: string,
  control: Control,
  fields: Fields,
  intersection: string,
  { movements, links, controlOf }: SignalContext,
): void {
  const movement = movements.get(ref);
  if (!movement) {
    reportMissingMovement(ref, fields, intersection, links);
    return;
  }
  const owner = links.byId.get(movement.from);
  const earlier = controlOf.get(ref);
  if (owner && owner.spec.to !== intersection) {
    fields.problem(
      'MOVEMENT_NOT_AT_INTERSECTION',
      `names movement "${ref}", which is at intersection "${owner.spec.to}", not "${intersection}".`,
      "Name movements of this intersection's own approaches.",
    );
  } else if (earlier) {
    fields.problem(
      'BAD_VALUE',
      `names movement "${ref}", already in signal group "${earlier.signalGroup}" of signal "${earlier.signal}".`,
      'Put each movement in one signal group only.',
    );
  } else {
    controlOf.set(ref, control);
  }
}

/** Says why `from>to` is not a movement: an unknown link, links not meeting here, or not listed. */
function reportMissingMovement(
  ref: string,
  fields: Fields,
  intersection: string,
  links: Links,
): void {
  // A link id may itself hold ">": try every split, preferring one whose head is a link.
  const splits = [...ref.matchAll(/>/g)].map((match) => [
    ref.slice(0, match.index),
    ref.slice(match.index + 1),
  ]);
  const [from, to] = splits.find(([head]) => links.ids.has(head!)) ?? splits[0] ?? [];
  if (from === undefined || to === undefined) {
    fields.problem(
      'BAD_VALUE',
      `names movement "${ref}", which is not "<from link>><to link>".`,
      'Name each movement as its approach link id, ">", and its exit link id, e.g. "L1>L2".',
    );
    return;
  }
  const unknown = [from, to].filter((id) => !links.ids.has(id));
  if (unknown.length > 0) {
    fields.problem(
      'UNKNOWN_LINK',
      `names movement "${ref}", but ${unknown.map((id) => `"${id}"`).join(' and ')} is not among the links.`,
      'Name movements as "<from link>><to link>" with the ids of existing links.',
    );
    return;
  }
  const fromLink = links.byId.get(from);
  const toLink = links.byId.get(to);
  if (!fromLink || !toLink) return; // a link that could not be read, reported already
  const meets = fromLink.spec.to === intersection && toLink.spec.from === intersection;
  fields.problem(
    'MOVEMENT_NOT_AT_INTERSECTION',
    meets
      ? `names movement "${ref}", which link "${from}" does not allow (not in its "movements", or a U-turn).`
      : `names movement "${ref}", but "${from}" does not enter and "${to}" does not leave intersection "${intersection}" both.`,
    meets
      ? `Add { "to": "${to}" } to the "movements" of link "${from}", or drop the movement from the group.`
      : "Name movements of this intersection's own approaches and exits.",
  );
}
