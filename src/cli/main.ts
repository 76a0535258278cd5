// The greenwave command: parses arguments and runs one subcommand; returns the exit code.
import { InputFileError } from '../network/errors.ts';
import { parse, UsageError, type Output } from './args.ts';
import { bandwidth } from './bandwidth.ts';
import { exportToSumo } from './export.ts';
import { inspect } from './inspect.ts';
import { optimize } from './optimize.ts';
import { serve, SERVE_OPTIONS, SERVE_USAGE } from './serve.ts';
import { sim } from './sim.ts';
import { users, USERS_USAGE } from './users.ts';

const USAGE = `greenwave: traffic-signal optimization engine

Usage:
  greenwave inspect --net FILE [--demand FILE] [--begin S --end S] [--interval S] [--json]
      Load a network (GeoJSON, SUMO .net.xml or .sumocfg, CityFlow roadnet.json) and optional
      demand (SUMO .rou.xml, CityFlow flow JSON, counts CSV) and summarize what was loaded.
  greenwave optimize --net FILE [--demand FILE] [--begin S --end S] [--out FILE]
                     [--cycle-min S] [--cycle-max S] [--interval S] [--intergreens plan|ite]
                     [--sequence optimize|keep] [--coordination groups|isolated]
                     [--offsets transyt|keep] [--groups FILE] [--time-of-day]
      Delay-minimizing cycle, splits and stage order for every signal, sized for the peak
      15 minutes of the window. --out FILE.add.xml writes SUMO tlLogic programs (load with
      sumo -a), --out FILE.json the plans with every measure; without --out, JSON on stdout.
      Signals coupled by the coordination-group rule share one cycle and get offsets from a
      TRANSYT-style search (delay + stops, platoon dispersion); --groups FILE overrides
      it ({"together": [["J1","J2"]], "apart": ["J7"]}). --time-of-day splits a
      day of counts into periods and writes a plan per period and the schedule (a SUMO WAUT).
  greenwave bandwidth --corridor FILE [--svg FILE]
      Exact two-way arterial progression (MAXBAND, solved with HiGHS) for a corridor file:
      prints cycle, both bandwidths, efficiency, offsets and link speeds as JSON; --svg writes
      the time-space diagram.
  greenwave export --net FILE --out NET.net.xml [--demand FILE --routes ROUTES.rou.xml]
                   [--begin S --end S] [--seed N]
      Write the network as a SUMO net (its programs as tlLogic) and, from the demand's turning
      flows, seeded vehicles with routes, so plans can be checked in SUMO (needs netconvert).
  greenwave sim --net FILE --demand FILE [--plans FILE] [--begin S --end S] [--seed N]
                [--step S] [--actuated S [--free]] [--json]
      Simulate vehicle by vehicle (lanes, car following, signals by plan) and print vehicles,
      mean travel time, mean delay (time lost + depart delay), mean stops, vehicle-seconds and
      wall seconds; --json as one JSON object. Plans: each signal's own program, or --plans
      FILE (optimize's .json, or SUMO tlLogic programs in an .add.xml). Counts as demand are
      drawn into vehicles as export draws them (seeded by --seed). --actuated S runs every
      plan coordinated-actuated with an S-second passage time; with --free, free-actuated
      (no cycle, no offset: each green its maximum, the first stage resting in green).
${SERVE_USAGE}${USERS_USAGE}  greenwave help
`;

const stdio: Output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** The options every command that reads a network and its demand takes. */
const NETWORK_AND_DEMAND = {
  net: 'string',
  demand: 'string',
  begin: 'string',
  end: 'string',
  interval: 'string',
} as const;

/**
 * Runs the command line. Exit codes: 0 done, 1 bad input file, 2 bad usage.
 *
 * @example
 * await main(['inspect', '--net', 'fixtures/networks/grid-3x3.geojson', '--json']) // => 0
 */
export async function main(argv: string[], output: Output = stdio): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'inspect':
        return await inspect(parse(rest, { ...NETWORK_AND_DEMAND, json: 'boolean' }), output);
      case 'optimize':
        return await optimize(
          parse(rest, {
            ...NETWORK_AND_DEMAND,
            out: 'string',
            'cycle-min': 'string',
            'cycle-max': 'string',
            intergreens: 'string',
            sequence: 'string',
            coordination: 'string',
            offsets: 'string',
            groups: 'string',
            'time-of-day': 'boolean',
          }),
          output,
        );
      case 'bandwidth':
        return await bandwidth(
          parse(rest, { corridor: 'string', json: 'boolean', svg: 'string' }),
          output,
        );
      case 'export':
        return await exportToSumo(
          parse(rest, { ...NETWORK_AND_DEMAND, out: 'string', routes: 'string', seed: 'string' }),
          output,
        );
      case 'sim':
        return await sim(
          parse(rest, {
            ...NETWORK_AND_DEMAND,
            plans: 'string',
            seed: 'string',
            step: 'string',
            actuated: 'string',
            free: 'boolean',
            json: 'boolean',
          }),
          output,
        );
      case 'users':
        return await users(rest, output);
      case 'serve':
        return await serve(parse(rest, SERVE_OPTIONS), output);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        output.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        output.err(`greenwave: unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof InputFileError) {
      output.err(`greenwave ${command}: ${error.message}\n`);
      return 1;
    }
    if (error instanceof UsageError) {
      output.err(`greenwave ${command}: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}
