// The time-of-day prior on the demo network's weekday counts, read in a time zone.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDemo, type Demo } from './engine.fixture.ts';
import { secondOfDay, timeOfDayPrior } from './prior.ts';

describe('secondOfDay', () => {
  it('reads the local time of day in the zone', () => {
    expect(secondOfDay(Date.parse('2026-11-30T00:30:00Z'), 'Asia/Shanghai')).toBe(30_600);
    expect(secondOfDay(Date.parse('2026-11-30T23:59:59.5Z'), 'UTC')).toBe(86_399.5);
    // New York in winter: UTC−5
    expect(secondOfDay(Date.parse('2026-01-15T12:00:00Z'), 'America/New_York')).toBe(7 * 3600);
  });

  it('refuses a zone it does not know', () => {
    expect(() => secondOfDay(0, 'Mars/Olympus')).toThrow(
      expect.objectContaining({ code: 'BAD_PRIOR' }),
    );
  });
});

describe('timeOfDayPrior', () => {
  let demo: Demo;
  beforeAll(async () => {
    demo = await loadDemo();
  });

  it('gives the period, the count interval and the plans for the time of day in its zone', () => {
    const shanghai = timeOfDayPrior(demo.network, dayOf(demo), { timeZone: 'Asia/Shanghai' });
    // 00:30 UTC is 08:30 in Zhengzhou: the morning peak
    const morning = Date.parse('2026-11-30T00:30:00Z');
    expect(shanghai.periodAt(morning).name).toBe('am-peak');
    expect(demo.prior.periodAt(morning).name).toBe('night');
    const flows = shanghai.flowsAt(morning);
    expect(Object.keys(flows).length).toBeGreaterThan(50);
    expect(Object.values(flows).reduce((a, b) => a + b, 0)).toBeGreaterThan(
      Object.values(shanghai.flowsAt(Date.parse('2026-11-30T18:00:00Z'))).reduce(
        (a, b) => a + b,
        0,
      ),
    );
    const { period, plans } = demo.prior.plansAt(Date.parse('2026-11-30T08:00:00Z'));
    expect(period.name).toBe('am-peak');
    expect(Object.keys(plans).sort()).toEqual(demo.sites);
    expect(Object.values(plans).every((plan) => plan.id === 'am-peak')).toBe(true);
    // computed once per period
    expect(demo.prior.plansAt(Date.parse('2026-11-30T09:00:00Z')).plans).toBe(plans);
  });

  it('refuses counts without an interval', () => {
    expect(() =>
      timeOfDayPrior(demo.network, { begin: 0, end: 0, interval: 900, flows: [] }),
    ).toThrow(expect.objectContaining({ code: 'BAD_PRIOR' }));
  });
});

/** The day of counts behind the fixture's prior, rebuilt from its flows at each interval. */
function dayOf(demo: Demo) {
  const flows = [];
  for (let begin = 0; begin < 86_400; begin += 900) {
    const at = Date.parse('2026-11-30T00:00:00Z') + begin * 1000;
    for (const [movement, flow] of Object.entries(demo.prior.flowsAt(at))) {
      flows.push({ movement, begin, end: begin + 900, vehicles: flow / 4, flow });
    }
  }
  return { begin: 0, end: 86_400, interval: 900, flows };
}
