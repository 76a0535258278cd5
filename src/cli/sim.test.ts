// Tests for greenwave sim: every input format, both plan formats, seeds, progress and coded errors.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from './main.ts';
import { loadSimulationInputs, sim, type SimReport } from './sim.ts';

const sumoNet = 'fixtures/sumo/four-leg-signalised.net.xml';
const sumoRoutes = 'fixtures/sumo/four-leg-signalised.rou.xml';
const jinshui = 'fixtures/networks/zhengzhou-jinshui-road.geojson';
const jinshuiCounts = 'fixtures/counts/zhengzhou-jinshui-weekday.csv';
/** A quarter of an hour of the morning peak on Jinshui Road: enough traffic, quick to run. */
const jinshuiWindow = ['--begin', '27000', '--end', '27900'];

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (text) => (out += text), err: (text) => (err += text) });
  return { code, out, err };
}

async function report(...argv: string[]): Promise<SimReport> {
  const { code, out, err } = await run('sim', ...argv, '--json');
  expect(code, err).toBe(0);
  return JSON.parse(out) as SimReport;
}

/** The totals that must repeat exactly: everything but the wall clock. */
function simulated({ wallSeconds: _wall, vehicleSecondsPerSecond: _rate, ...rest }: SimReport) {
  return rest;
}

function expectConserved(totals: SimReport): void {
  expect(totals.inserted).toBe(totals.arrived + totals.inNetwork);
  expect(totals.vehicles).toBe(totals.inserted + totals.waiting);
}

describe('greenwave sim on a SUMO net and routes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'greenwave-sim-'));

  it('prints one JSON object with the stable fields, vehicles conserved', async () => {
    const totals = await report('--net', sumoNet, '--demand', sumoRoutes);
    for (const field of [
      'vehicles',
      'meanTravelTime',
      'meanDelay',
      'meanStops',
      'vehicleSeconds',
      'wallSeconds',
    ]) {
      expect(Number.isFinite(totals[field as keyof SimReport]), field).toBe(true);
    }
    expect(totals.vehicles).toBe(1281);
    expect(totals.arrived).toBeGreaterThan(1200);
    expectConserved(totals);
    expect(totals.meanDelay).toBeGreaterThan(0);
    expect(totals.meanTravelTime).toBeGreaterThan(totals.meanDelay);
    expect(totals).toMatchObject({ seed: 1, plans: 'own programs', step: 0.5 });
  });

  it('repeats exactly with the same seed', async () => {
    const first = await report('--net', sumoNet, '--demand', sumoRoutes, '--seed', '7');
    const second = await report('--net', sumoNet, '--demand', sumoRoutes, '--seed', '7');
    expect(simulated(second)).toEqual(simulated(first));
  });

  it('keeps to --begin and --end', async () => {
    const totals = await report(
      '--net',
      sumoNet,
      '--demand',
      sumoRoutes,
      '--begin',
      '600',
      '--end',
      '1200',
    );
    expect(totals).toMatchObject({ begin: 600, end: 1200 });
    expect(totals.vehicles).toBeGreaterThan(100);
    expect(totals.vehicles).toBeLessThan(400);
    expect(totals.vehicleSeconds).toBeLessThanOrEqual(totals.inserted * 600);
  });

  it('runs optimize’s plans the same from its JSON and from its SUMO programs', async () => {
    const json = join(dir, 'four-leg.json');
    const additional = join(dir, 'four-leg.add.xml');
    const args = ['--net', sumoNet, '--demand', sumoRoutes];
    expect((await run('optimize', ...args, '--out', json)).code).toBe(0);
    expect((await run('optimize', ...args, '--out', additional)).code).toBe(0);
    const own = await report(...args);
    const fromJson = await report(...args, '--plans', json);
    const fromAdditional = await report(...args, '--plans', additional);
    expect(fromJson.plans).toBe(json);
    expect(simulated({ ...fromAdditional, plans: json })).toEqual(simulated(fromJson));
    // The optimized plan is not the network's own, so the run differs.
    expect(fromJson.meanDelay).not.toBe(own.meanDelay);
  });

  it('prints a summary for people without --json', async () => {
    const { code, out } = await run('sim', '--net', sumoNet, '--demand', sumoRoutes);
    expect(code).toBe(0);
    expect(out).toMatch(/vehicles 1281: \d+ inserted, \d+ arrived/);
    expect(out).toContain('mean delay');
    expect(out).toContain('vehicle-seconds');
  });
});

describe('greenwave sim on other formats', () => {
  const dir = mkdtempSync(join(tmpdir(), 'greenwave-sim-'));

  it('draws vehicles from counts on a GeoJSON network, seeded', async () => {
    const args = ['--net', jinshui, '--demand', jinshuiCounts, ...jinshuiWindow];
    const first = await report(...args, '--seed', '3');
    const again = await report(...args, '--seed', '3');
    const other = await report(...args, '--seed', '4');
    expect(first.vehicles).toBeGreaterThan(1000);
    expectConserved(first);
    expect(simulated(again)).toEqual(simulated(first));
    // The seed draws the vehicles too: another seed, another Poisson draw.
    expect(other.vehicles).not.toBe(first.vehicles);
  });

  it('runs every signal coordinated-actuated with --actuated, the network programs included', async () => {
    const args = ['--net', jinshui, '--demand', jinshuiCounts, ...jinshuiWindow];
    const fixed = await report(...args);
    const actuated = await report(...args, '--actuated', '2');
    expect(actuated.actuated).toBe(2);
    expect(fixed.actuated).toBeUndefined();
    expect(actuated.vehicles).toBe(fixed.vehicles);
    // The same vehicles, other signals: the stages gap out, so the delay differs.
    expect(actuated.meanDelay).not.toBe(fixed.meanDelay);
    const inputs = await loadSimulationInputs({
      net: jinshui,
      demand: jinshuiCounts,
      actuated: '2',
    });
    expect(Object.keys(inputs.plans)).toHaveLength(9);
    expect(Object.values(inputs.plans).every((plan) => plan.actuated?.passage === 2)).toBe(true);
    for (const bad of ['-1', '31', 'soon', '']) {
      const { code, err } = await run('sim', ...args, `--actuated=${bad}`);
      expect(code).toBe(2);
      expect(err).toMatch(/--actuated must be a passage time/);
    }
  });

  it('runs every signal free-actuated with --actuated and --free, and refuses --free alone', async () => {
    const args = ['--net', jinshui, '--demand', jinshuiCounts, ...jinshuiWindow];
    const free = await report(...args, '--actuated', '2', '--free');
    expect(free).toMatchObject({ actuated: 2, free: true });
    expect(free.vehicles).toBeGreaterThan(1000);
    expectConserved(free);
    const coordinated = await report(...args, '--actuated', '2');
    expect(coordinated).not.toHaveProperty('free');
    expect(free.vehicles).toBe(coordinated.vehicles);
    const inputs = await loadSimulationInputs({
      net: jinshui,
      demand: jinshuiCounts,
      actuated: '2',
      free: true,
    });
    expect(Object.keys(inputs.plans)).toHaveLength(9);
    for (const plan of Object.values(inputs.plans)) {
      expect(plan.actuated).toStrictEqual({ passage: 2, free: true });
    }
    const people = await run('sim', ...args, '--actuated', '2', '--free');
    expect(people.code, people.err).toBe(0);
    expect(people.out).toContain('run free with a 2 s passage');
    const alone = await run('sim', ...args, '--free');
    expect(alone.code).toBe(2);
    expect(alone.err).toMatch(/--free runs every plan free-actuated .*give it with --actuated S/);
    expect(alone.out).toBe('');
  });

  it('inserts vehicles drawn from counts at departSpeed max, as the routes greenwave export writes', async () => {
    const [begin, end] = [jinshuiWindow[1]!, jinshuiWindow[3]!];
    const inputs = await loadSimulationInputs({ net: jinshui, demand: jinshuiCounts, begin, end });
    expect(inputs.vehicles.length).toBeGreaterThan(0);
    expect(new Set(inputs.vehicles.map((trip) => trip.departSpeed))).toEqual(new Set(['max']));
  });

  it('reads SUMO programs written for a network greenwave exports', async () => {
    const json = join(dir, 'jinshui.json');
    const additional = join(dir, 'jinshui.add.xml');
    const args = ['--net', jinshui, '--demand', jinshuiCounts, ...jinshuiWindow];
    expect((await run('optimize', ...args, '--offsets', 'keep', '--out', json)).code).toBe(0);
    expect((await run('optimize', ...args, '--offsets', 'keep', '--out', additional)).code).toBe(0);
    const fromJson = await report(...args, '--plans', json);
    const fromAdditional = await report(...args, '--plans', additional);
    expect(simulated({ ...fromAdditional, plans: json })).toEqual(simulated(fromJson));
  });

  it('runs a CityFlow roadnet and flow', async () => {
    const totals = await report(
      '--net',
      'fixtures/cityflow/one-intersection.roadnet.json',
      '--demand',
      'fixtures/cityflow/one-intersection.flow.json',
      '--end',
      '300',
    );
    expect(totals.vehicles).toBe(6);
    expect(totals.arrived).toBe(6);
    expectConserved(totals);
  });
});

describe('greenwave sim progress and errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'greenwave-sim-'));
  const options = { net: sumoNet, demand: sumoRoutes, json: true };

  it('draws a progress bar on stderr only when asked to (a terminal)', async () => {
    let err = '';
    const output = { out: () => {}, err: (text: string) => (err += text) };
    await sim(options, output, { now: () => 0, progress: true });
    expect(err).toContain('simulating [');
    expect(err).toContain('100%');
    err = '';
    await sim(options, output, { now: () => 0, progress: false });
    expect(err).toBe('');
  });

  it('times the simulation with the clock it is given', async () => {
    let tick = 0;
    let out = '';
    const output = { out: (text: string) => (out += text), err: () => {} };
    await sim(options, output, { now: () => (tick += 2000), progress: false });
    expect(JSON.parse(out).wallSeconds).toBe(2);
  });

  it('exits 2 for bad usage', async () => {
    expect((await run('sim', '--net', sumoNet)).code).toBe(2);
    expect((await run('sim', '--net', sumoNet, '--demand', sumoRoutes, '--seed', '-1')).code).toBe(
      2,
    );
    expect((await run('sim', '--net', sumoNet, '--demand', sumoRoutes, '--step', '0')).code).toBe(
      2,
    );
    const empty = ['--begin', '900', '--end', '900'];
    expect((await run('sim', '--net', sumoNet, '--demand', sumoRoutes, ...empty)).code).toBe(2);
  });

  it('exits 1 with a coded error for a plan file that does not fit the network', async () => {
    const unknown = join(dir, 'unknown-signal.json');
    const plan = JSON.parse(
      readFileSync(
        'fixtures/plans/valid/three-stages-with-lead-lefts-and-pedestrians.json',
        'utf8',
      ),
    ).plan;
    writeFileSync(unknown, JSON.stringify([{ ...plan, signal: 'nowhere' }]));
    const notJson = join(dir, 'broken.json');
    writeFileSync(notJson, '{ "signals": [');
    const shortStates = join(dir, 'short.add.xml');
    writeFileSync(
      shortStates,
      '<additional><tlLogic id="GS_C" type="static" programID="x" offset="0">' +
        '<phase duration="40" state="GGrr"/><phase duration="40" state="rrGG"/></tlLogic></additional>',
    );
    const cases: [string, string][] = [
      [unknown, 'UNKNOWN_SIGNAL'],
      [notJson, 'PARSE_FAILED'],
      [shortStates, 'STATE_LENGTH_MISMATCH'],
      [join(dir, 'missing.json'), 'PARSE_FAILED'],
    ];
    for (const [file, code] of cases) {
      const result = await run('sim', '--net', sumoNet, '--demand', sumoRoutes, '--plans', file);
      expect(result.code, file).toBe(1);
      expect(result.err, file).toContain(code);
    }
  });

  it('exits 1 naming the demand file when its routes do not fit the network', async () => {
    const result = await run(
      'sim',
      '--net',
      sumoNet,
      '--demand',
      'fixtures/sumo-routes/small.rou.xml',
    );
    expect(result.code).toBe(1);
    expect(result.err).toContain('small.rou.xml');
    expect(result.err).toContain('UNKNOWN_LINK');
  });
});
