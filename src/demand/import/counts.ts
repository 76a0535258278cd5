// The counts file: turning-movement counts per interval, one CSV row per movement and interval.
import { ProblemList } from '../../network/errors.ts';
import type { MovementFlow, TurningFlows } from '../types.ts';

/**
 * Reads a counts file (CSV, `#` comments, a header row). Columns, in any order:
 * `begin`, `end` (seconds, or clock time `HH:MM[:SS]`), then either `movement` (a movement id) or
 * `from` and `to` (link ids), and `count` (vehicles counted in the interval; `pcu` may be given
 * instead, or beside it). `movementsOf` maps a movement id or a `from>to` link pair to the
 * network's movements and each one's share (a link pair may be served by several signal groups).
 *
 * @throws {InputFileError} naming the row and the fix; nothing is half-loaded.
 * @example
 * parseCounts('begin,end,from,to,count\n07:00,07:15,E1,E2,120\n', 'am.csv', (id) => [{ movement: id, share: 1 }])
 * // => { begin: 25200, end: 26100, interval: 900, flows: [{ movement: 'E1>E2', begin: 25200, end: 26100, vehicles: 120, flow: 480 }] }
 */
export function parseCounts(
  text: string,
  file: string,
  movementsOf: (id: string) => readonly { movement: string; share: number }[],
): TurningFlows {
  const problems = new ProblemList(file);
  const rows = text
    .split(/\r?\n/)
    .map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => line !== '' && !line.startsWith('#'));
  const header = rows.shift();
  const columns = header ? header.line.split(',').map((name) => name.trim().toLowerCase()) : [];
  const column = (name: string) => columns.indexOf(name);
  const names = column('movement') >= 0 || (column('from') >= 0 && column('to') >= 0);
  if (
    column('begin') < 0 ||
    column('end') < 0 ||
    !names ||
    (column('count') < 0 && column('pcu') < 0)
  ) {
    problems.add(
      'MISSING_ATTRIBUTE',
      'header row',
      'lacks required columns.',
      'Start the file with a header such as "begin,end,from,to,count" (or "movement" instead of from/to).',
    );
    problems.throwIfAny();
  }

  const flows: MovementFlow[] = [];
  for (const { line, number } of rows) {
    const cells = line.split(',').map((cell) => cell.trim());
    const cell = (name: string) => (column(name) >= 0 ? cells[column(name)] : undefined);
    const element = `line ${number}`;
    const begin = parseTime(cell('begin'));
    const end = parseTime(cell('end'));
    const movement = cell('movement') || `${cell('from')}>${cell('to')}`;
    const vehicles = Number(cell('count') ?? cell('pcu'));
    const pcu = cell('pcu') !== undefined ? Number(cell('pcu')) : vehicles;
    if (begin === undefined || end === undefined || !(end > begin)) {
      problems.add(
        'BAD_VALUE',
        element,
        `has the interval "${cell('begin')}"–"${cell('end')}".`,
        'Give begin and end as seconds or HH:MM[:SS], with end after begin.',
      );
    } else if (!(vehicles >= 0) || !(pcu >= 0)) {
      problems.add(
        'BAD_VALUE',
        element,
        'has a count that is not a non-negative number.',
        'Give the vehicles counted in the interval.',
      );
    } else if (movementsOf(movement).length === 0) {
      problems.add(
        'UNKNOWN_LINK',
        element,
        `names movement "${movement}", which the network does not have.`,
        'Use link ids (from, to) or a movement id of the network; `greenwave inspect --json` lists them.',
      );
    } else {
      for (const { movement: id, share } of movementsOf(movement)) {
        flows.push({
          movement: id,
          begin,
          end,
          vehicles: vehicles * share,
          flow: (share * pcu * 3600) / (end - begin),
        });
      }
    }
  }
  if (flows.length === 0 && problems.problems.length === 0) {
    problems.add(
      'MISSING_ATTRIBUTE',
      'file',
      'has no count rows.',
      'Add one row per movement and interval under the header.',
    );
  }
  problems.throwIfAny();
  return {
    begin: Math.min(...flows.map((flow) => flow.begin)),
    end: Math.max(...flows.map((flow) => flow.end)),
    interval: Math.min(...flows.map((flow) => flow.end - flow.begin)),
    flows,
  };
}

/**
 * Seconds from `12.5`, `07:15` or `07:15:30`; undefined when it is neither.
 *
 * @example
 * parseTime('07:15') // => 26100
 */
export function parseTime(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const clock = /^(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?$/.exec(value);
  if (clock) return Number(clock[1]) * 3600 + Number(clock[2]) * 60 + Number(clock[3] ?? 0);
  const seconds = Number(value);
  return Number.isFinite(seconds) ? seconds : undefined;
}
