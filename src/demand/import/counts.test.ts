// Tests for the counts file: clock times, movement ids, and rejected rows.
import { describe, expect, it } from 'vitest';
import { InputFileError } from '../../network/errors.ts';
import { parseCounts, parseTime } from './counts.ts';

const known = new Set(['E1>E2', 'E1>E3']);
const has = (id: string) => (known.has(id) ? [{ movement: id, share: 1 }] : []);

describe('parseCounts', () => {
  it('reads clock times, from/to and movement columns', () => {
    const text =
      '# morning\nbegin,end,from,to,count\n07:00,07:15,E1,E2,120\n07:15,07:30,E1,E2,90\n';
    const flows = parseCounts(text, 'am.csv', has);
    expect(flows).toMatchObject({ begin: 25200, end: 27000, interval: 900 });
    expect(flows.flows.map((flow) => flow.flow)).toEqual([480, 360]);
    const byId = parseCounts('movement,begin,end,count,pcu\nE1>E3,0,3600,100,130\n', 'x.csv', has);
    expect(byId.flows[0]).toEqual({
      movement: 'E1>E3',
      begin: 0,
      end: 3600,
      vehicles: 100,
      flow: 130,
    });
  });

  it('names the line and the problem of every bad row', () => {
    const text = 'begin,end,from,to,count\n0,900,E1,E9,5\n900,800,E1,E2,5\n0,900,E1,E2,-3\n';
    try {
      parseCounts(text, 'bad.csv', has);
      expect.unreachable();
    } catch (error) {
      const problems = (error as InputFileError).problems;
      expect(problems.map((problem) => [problem.element, problem.code])).toEqual([
        ['line 2', 'UNKNOWN_LINK'],
        ['line 3', 'BAD_VALUE'],
        ['line 4', 'BAD_VALUE'],
      ]);
    }
  });

  it('rejects a file without the required header', () => {
    expect(() => parseCounts('a,b\n1,2\n', 'h.csv', has)).toThrow(InputFileError);
  });
});

describe('parseTime', () => {
  it('reads seconds and clock times', () => {
    expect(parseTime('07:15')).toBe(26100);
    expect(parseTime('16:00:30')).toBe(57630);
    expect(parseTime('12.5')).toBe(12.5);
    expect(parseTime('noon')).toBeUndefined();
  });
});
