// Real SUMO runs of own, SUMO-tool and greenwave programs: the cycle suite (RESCO delay) and the coordination suite (green waves).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runCoordinationSuite } from './sumo-compare-coordination.ts';
import { runCycleSuite } from './sumo-compare-cycle.ts';
import {
  PARALLEL_PROCESSES,
  REPOSITORY,
  createPool,
  sumoVersion,
  exitWith,
} from './sumo-process.ts';

type Suite = 'cycle' | 'coordination' | 'all';

const SUITES: readonly Suite[] = ['cycle', 'coordination', 'all'];

interface Options {
  suite: Suite;
  maps: string[];
  cases: string[];
  seeds: number[];
  json: string;
  data: string;
}

/** One suite's outcome, as main prints and saves it. */
interface SuiteOutcome {
  lines: string[];
  failures: string[];
  runs: number;
  report: object;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      suite: { type: 'string', default: 'all' },
      maps: { type: 'string', default: 'cologne1,cologne3,ingolstadt1' },
      cases: { type: 'string', default: 'libsignal/atlanta_1x5,resco/cologne3,jinshui' },
      seeds: { type: 'string', default: '1,2,3' },
      json: { type: 'string', default: join(REPOSITORY, 'bench/results/sumo-delay.json') },
    },
  });
  const suite = SUITES.find((name) => name === values.suite);
  if (!suite) {
    throw new Error(
      `sumo-compare: --suite must be one of ${SUITES.join(', ')}, not "${values.suite}"`,
    );
  }
  const seeds = values.seeds.split(',').map(Number);
  if (seeds.some((seed) => !Number.isInteger(seed) || seed < 0)) {
    throw new Error(`sumo-compare: --seeds must be non-negative integers, not "${values.seeds}"`);
  }
  const data = process.env['GREENWAVE_DATA'] ?? resolve(REPOSITORY, '../shared/data');
  const list = (text: string) => text.split(',').filter(Boolean);
  return {
    suite,
    maps: list(values.maps),
    cases: list(values.cases),
    seeds,
    json: values.json,
    data,
  };
}

/** The results file so far, so a single suite's run keeps the other suite's last results. */
async function previousReport(json: string): Promise<Record<string, unknown>> {
  try {
    const report: unknown = JSON.parse(await readFile(json, 'utf8'));
    return typeof report === 'object' && report !== null ? { ...report } : {};
  } catch {
    return {};
  }
}

/** The cycle suite's fields at the top (its format as before), the coordination suite beneath. */
async function saveReport(
  json: string,
  cycle: SuiteOutcome | undefined,
  coordination: SuiteOutcome | undefined,
): Promise<void> {
  const { coordination: previousCoordination, ...previousCycle } = await previousReport(json);
  const header = { date: new Date().toISOString(), sumo: await sumoVersion() };
  const report = {
    ...(cycle ? { ...header, ...cycle.report } : previousCycle),
    coordination: coordination ? { ...header, ...coordination.report } : previousCoordination,
  };
  await mkdir(dirname(json), { recursive: true });
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
}

async function main(): Promise<number> {
  const started = performance.now();
  const options = parseOptions(process.argv.slice(2));
  const folder = await mkdtemp(join(tmpdir(), 'greenwave-sumo-compare-'));
  const pool = createPool(PARALLEL_PROCESSES);
  const shared = { seeds: options.seeds, data: options.data, folder, pool };
  try {
    // The coordination suite asks the pool first: its Jinshui runs are the longest.
    const [coordination, cycle] = await Promise.all([
      options.suite !== 'cycle'
        ? runCoordinationSuite({ ...shared, cases: options.cases })
        : undefined,
      options.suite !== 'coordination'
        ? runCycleSuite({ ...shared, maps: options.maps })
        : undefined,
    ]);
    const outcomes = [cycle, coordination].filter((outcome) => outcome !== undefined);
    console.log(outcomes.map((outcome) => outcome.lines.join('\n')).join('\n\n'));
    await saveReport(options.json, cycle, coordination);
    const failures = outcomes.flatMap((outcome) => outcome.failures);
    for (const failure of failures) console.error(`FAIL ${failure}`);
    const runs = outcomes.reduce((count, outcome) => count + outcome.runs, 0);
    const seconds = (performance.now() - started) / 1000;
    console.log(`\nsumo-compare: ${runs} runs in ${seconds.toFixed(1)} s → ${options.json}`);
    return failures.length > 0 ? 1 : 0;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

await exitWith(main);
