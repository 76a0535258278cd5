// The movements of a GeoJSON network: those a link lists, else every exit but the way back.
import type { ProblemList } from '../errors.ts';
import { endBearing, startBearing } from '../geometry.ts';
import { classifyTurn } from '../turns.ts';
import type { LaneConnection, MovementSpec, TurnType } from '../types.ts';
import { turnType, type Links, type ParsedLink } from './geojson-links.ts';
import {
  fieldsOf,
  index,
  isDefined,
  list,
  text,
  type Expectation,
  type Fields,
} from './json-fields.ts';

const lanePairs: Expectation<[number, number][]> = {
  test: (value): value is [number, number][] =>
    list.test(value) &&
    value.length > 0 &&
    value.every((pair) => list.test(pair) && pair.length === 2 && pair.every(index.test)),
  description: '[[fromLane, toLane], ...], lane 0 the rightmost',
};

const MOVEMENT_FIX =
  'Write each movement as { "to": "<link id>" }, with optional "lanes" and "turn".';

export function movementId(movement: Pick<MovementSpec, 'from' | 'to'>): string {
  return `${movement.from}>${movement.to}`;
}

/** The movements from one link into the links leaving its downstream intersection. */
export function linkMovements(
  link: ParsedLink,
  links: Links,
  problems: ProblemList,
): MovementSpec[] {
  return link.movements
    ? listedMovements(link, link.movements, links, problems)
    : defaultMovements(link, links);
}

function movement(link: ParsedLink, exit: ParsedLink, lanes: LaneConnection[]): MovementSpec {
  const ends = { from: link.spec.id, to: exit.spec.id };
  return { id: movementId(ends), ...ends, lanes };
}

/** Every exit but the way back; by lane-use arrows when given, dropping turns no lane allows. */
function defaultMovements(link: ParsedLink, links: Links): MovementSpec[] {
  const exits = (links.leaving.get(link.spec.to) ?? []).filter(
    (exit) => exit.spec.to !== link.spec.from,
  );
  return exits.flatMap((exit) => {
    const lanes = laneConnections(link, exit, turnOf(link, exit));
    const allowed = lanes.length > 0 || !hasLanes(link, exit);
    return allowed ? [movement(link, exit, lanes)] : [];
  });
}

/** Whether both links have lanes: a link whose lanes could not be read has none. */
function hasLanes(link: ParsedLink, exit: ParsedLink): boolean {
  return link.spec.lanes.length > 0 && exit.spec.lanes.length > 0;
}

/** The turn from geometry, only to pick lanes: `buildNetwork` classifies turns the same way. */
function turnOf(link: ParsedLink, exit: ParsedLink): TurnType {
  return classifyTurn(
    endBearing(link.spec.geometry, 'lonlat'),
    startBearing(exit.spec.geometry, 'lonlat'),
    exit.spec.to === link.spec.from,
  );
}

/**
 * Lane connections for a turn: from the lanes whose arrows allow it (all lanes when the link has
 * no arrows: the rightmost for right turns, the leftmost for left and U-turns, every lane through),
 * each to the lane in the same position on the exit, counted from the right for right turns and
 * through, from the left for left and U-turns; clamped to the exit's lanes.
 */
function laneConnections(link: ParsedLink, exit: ParsedLink, turn: TurnType): LaneConnection[] {
  const { lanes } = link.spec;
  const exitCount = exit.spec.lanes.length;
  if (!hasLanes(link, exit)) return [];
  const fromLanes = lanes.every((lane) => lane.turns)
    ? lanes.filter((lane) => lane.turns?.includes(turn)).map((lane) => lane.index)
    : defaultLanes(turn, lanes.length);
  const fromLeft = turn === 'left' || turn === 'uturn';
  return fromLanes.map((fromLane) => ({
    fromLane,
    toLane: fromLeft
      ? Math.max(0, exitCount - lanes.length + fromLane)
      : Math.min(fromLane, exitCount - 1),
  }));
}

function defaultLanes(turn: TurnType, laneCount: number): number[] {
  if (turn === 'right') return [0];
  if (turn === 'through') return Array.from({ length: laneCount }, (_, lane) => lane);
  return [laneCount - 1];
}

/** The link's own `movements` list: `[{ to, lanes?: [[fromLane, toLane], ...], turn? }]`. */
function listedMovements(
  link: ParsedLink,
  raws: unknown[],
  links: Links,
  problems: ProblemList,
): MovementSpec[] {
  const seen = new Set<string>();
  return raws
    .map((raw, position) => {
      const element = `${link.fields.element} movements[${position}]`;
      const fields = fieldsOf(raw, element, problems, MOVEMENT_FIX);
      const read = fields && readListedMovement(fields, link, links);
      if (!fields || !read) return undefined;
      if (seen.has(read.to)) {
        return fields.problem(
          'DUPLICATE_ID',
          `lists the movement into "${read.to}" a second time.`,
          'List each movement once, with all its lanes.',
        );
      }
      seen.add(read.to);
      return read;
    })
    .filter(isDefined);
}

function readListedMovement(
  fields: Fields,
  link: ParsedLink,
  links: Links,
): MovementSpec | undefined {
  const toId = fields.required('to', text);
  const turn = fields.optional('turn', turnType);
  const exit = toId === undefined ? undefined : findExit(fields, toId, link, links);
  if (!exit) return undefined;
  const lanes =
    fields.raw('lanes') === undefined
      ? connectionsForTurn(fields, link, exit, turn ?? turnOf(link, exit))
      : readLanePairs(fields, link, exit);
  if (!lanes) return undefined;
  return { ...movement(link, exit, lanes), ...(turn !== undefined ? { turn } : {}) };
}

function findExit(
  fields: Fields,
  toId: string,
  link: ParsedLink,
  links: Links,
): ParsedLink | undefined {
  const exit = links.byId.get(toId);
  if (!exit && !links.ids.has(toId)) {
    return fields.problem(
      'UNKNOWN_LINK',
      `goes to link "${toId}", which is not among the links.`,
      'Name a link leaving the intersection this link ends at.',
    );
  }
  if (!exit || exit.spec.from === link.spec.to) return exit; // no exit: unreadable, reported
  return fields.problem(
    'MOVEMENT_NOT_AT_INTERSECTION',
    `goes to link "${toId}", which leaves "${exit.spec.from}", but this link ends at "${link.spec.to}".`,
    `Name a link leaving intersection "${link.spec.to}".`,
  );
}

function connectionsForTurn(
  fields: Fields,
  link: ParsedLink,
  exit: ParsedLink,
  turn: TurnType,
): LaneConnection[] | undefined {
  const lanes = laneConnections(link, exit, turn);
  if (lanes.length > 0 || !hasLanes(link, exit)) return lanes;
  return fields.problem(
    'BAD_VALUE',
    `is a ${turn} turn, which no lane's "turns" allows.`,
    `Give the movement's "lanes", or add "${turn}" to a lane's turns.`,
  );
}

function readLanePairs(
  fields: Fields,
  link: ParsedLink,
  exit: ParsedLink,
): LaneConnection[] | undefined {
  const pairs = fields.optional('lanes', lanePairs);
  if (!pairs) return undefined;
  const connections = pairs.map(([fromLane, toLane]) => ({ fromLane, toLane }));
  const linkCount = link.spec.lanes.length;
  const exitCount = exit.spec.lanes.length;
  const bad = connections.filter(
    ({ fromLane, toLane }) =>
      (linkCount > 0 && fromLane >= linkCount) || (exitCount > 0 && toLane >= exitCount),
  );
  for (const { fromLane, toLane } of bad) {
    fields.problem(
      'UNKNOWN_LANE',
      `joins lane ${fromLane} of "${link.spec.id}" (${linkCount} lanes) to lane ${toLane} of "${exit.spec.id}" (${exitCount} lanes).`,
      'Use lane indices from 0 (the rightmost lane) to the lane count less one.',
    );
  }
  return bad.length === 0 ? connections : undefined;
}
