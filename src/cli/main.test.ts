// Tests for the greenwave command: inspect, optimize, exit codes and messages for bad input.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from './main.ts';

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (text) => (out += text), err: (text) => (err += text) });
  return { code, out, err };
}

const sumoNet = 'fixtures/sumo/four-leg-signalised.net.xml';
const sumoRoutes = 'fixtures/sumo/four-leg-signalised.rou.xml';

describe('greenwave inspect', () => {
  it('summarizes a GeoJSON network as JSON', async () => {
    const { code, out } = await run(
      'inspect',
      '--net',
      'fixtures/networks/grid-3x3.geojson',
      '--json',
    );
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.format).toBe('geojson');
    expect(report.network.signals).toBe(9);
  });

  it('adds demand per signal group from SUMO routes', async () => {
    const { code, out } = await run('inspect', '--net', sumoNet, '--demand', sumoRoutes, '--json');
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.demand.vehicles).toBe(1281);
    expect(Object.keys(report.demand.signalGroupFlows)).toEqual(['GS_C']);
  });

  it('exits 1 naming the file and the element for a bad file', async () => {
    const { code, err } = await run(
      'inspect',
      '--net',
      'fixtures/sumo/invalid/connection-to-a-missing-lane.net.xml',
    );
    expect(code).toBe(1);
    expect(err).toContain('connection-to-a-missing-lane.net.xml');
    expect(err).toContain('UNKNOWN_LANE');
  });

  it('exits 2 for bad usage and unknown commands', async () => {
    expect((await run('inspect')).code).toBe(2);
    expect((await run('inspect', '--net')).code).toBe(2);
    expect((await run('frobnicate')).code).toBe(2);
  });
});

describe('greenwave optimize', () => {
  const dir = mkdtempSync(join(tmpdir(), 'greenwave-cli-'));

  it('writes SUMO programs in the net’s link order', async () => {
    const out = join(dir, 'plans.add.xml');
    const { code } = await run('optimize', '--net', sumoNet, '--demand', sumoRoutes, '--out', out);
    expect(code).toBe(0);
    const xml = readFileSync(out, 'utf8');
    expect(xml).toContain('<tlLogic id="GS_C" type="static" programID="greenwave"');
    const states = [...xml.matchAll(/state="([^"]+)"/g)].map((match) => match[1]!);
    expect(states.every((state) => state.length === 16)).toBe(true);
  });

  it('writes the plans and their measures as JSON', async () => {
    const out = join(dir, 'plans.json');
    expect(
      (await run('optimize', '--net', sumoNet, '--demand', sumoRoutes, '--out', out)).code,
    ).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.signals[0].status).toBe('optimal');
    expect(report.signals[0].measures.delay).toBeLessThan(report.signals[0].before.delay);
  });

  it('takes manual coordination groups from a file and rejects a malformed one', async () => {
    const groups = join(dir, 'groups.json');
    writeFileSync(groups, JSON.stringify({ apart: ['GS_C'] }));
    const { code, out } = await run(
      'optimize',
      '--net',
      sumoNet,
      '--demand',
      sumoRoutes,
      '--groups',
      groups,
    );
    expect(code).toBe(0);
    expect(JSON.parse(out).groups[0]).toMatchObject({ signals: ['GS_C'], reason: 'manual' });
    writeFileSync(groups, JSON.stringify({ apart: 'GS_C' }));
    expect(
      (await run('optimize', '--net', sumoNet, '--demand', sumoRoutes, '--groups', groups)).code,
    ).toBe(1);
  });

  it('plans a day by periods from a counts file', async () => {
    const counts = join(dir, 'day.csv');
    const rows = ['begin,end,from,to,count'];
    for (let quarter = 0; quarter < 96; quarter++) {
      const peak = quarter >= 30 && quarter < 38 ? 5 : 1;
      rows.push(
        `${quarter * 900},${quarter * 900 + 900},N2C,C2S,${30 * peak}`,
        `${quarter * 900},${quarter * 900 + 900},E2C,C2W,20`,
      );
    }
    writeFileSync(counts, rows.join('\n'));
    const { code, out } = await run(
      'optimize',
      '--net',
      sumoNet,
      '--demand',
      counts,
      '--time-of-day',
    );
    expect(code).toBe(0);
    const day = JSON.parse(out);
    expect(day.schedule.map((entry: { planId: string }) => entry.planId)).toContain('am-peak');
  });

  it('refuses SUMO output for a network whose signal groups are not link indices', async () => {
    const counts = join(dir, 'grid.csv');
    writeFileSync(counts, 'begin,end,movement,count\n0,900,n0_0-n1_0>n1_0-n2_0,10\n');
    const { code } = await run(
      'optimize',
      '--net',
      'fixtures/networks/grid-3x3.geojson',
      '--demand',
      counts,
      '--out',
      join(dir, 'x.add.xml'),
    );
    expect(code).toBe(1);
  });
});
