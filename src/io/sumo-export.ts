// Writes a network as a SUMO .net.xml: plain XML files in a temporary folder, then netconvert.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  sumoPlainNetwork,
  type SumoPlainNetwork,
  type SumoPlainOptions,
  type SumoSignalLinks,
} from '../network/export/sumo-plain.ts';
import type { RoadNetwork } from '../network/types.ts';

const run = promisify(execFile);

export interface SumoExportOptions extends SumoPlainOptions {
  /** The netconvert binary; default `netconvert` on the PATH. */
  netconvert?: string;
  /** Keep the plain XML files in this folder (created if missing) instead of a temporary one. */
  plainDirectory?: string;
  /** Milliseconds before netconvert is stopped; default 120,000. */
  timeoutMs?: number;
}

export interface SumoExport {
  /** The `.net.xml` written, absolute. */
  netFile: string;
  /** Signal id → signal group id → SUMO link index, and the state length. */
  linkIndices: Record<string, SumoSignalLinks>;
  /** Signals written without a program: netconvert's default program and link order. */
  defaultPrograms: string[];
  /** netconvert's warnings, one per line. */
  warnings: string[];
}

/**
 * The netconvert options for the plain files. `--no-turnarounds` (explicit U-turn connections are
 * kept all the same), `--offset.disable-normalization` so x/y stay those of the plain nodes, and
 * no joining or guessing of junctions and traffic lights, so each greenwave signal is one tlLogic
 * whose link indices are the ones in the `.tll.xml`.
 *
 * @example
 * netconvertArguments('/tmp/x', 'out.net.xml')
 * // => ['--node-files', '/tmp/x/network.nod.xml', …, '-o', 'out.net.xml', '--no-turnarounds', …]
 */
export function netconvertArguments(directory: string, netFile: string): string[] {
  return [
    ...['--node-files', join(directory, 'network.nod.xml')],
    ...['--edge-files', join(directory, 'network.edg.xml')],
    ...['--connection-files', join(directory, 'network.con.xml')],
    ...['--tllogic-files', join(directory, 'network.tll.xml')],
    ...['-o', netFile],
    '--no-turnarounds',
    '--offset.disable-normalization',
    ...['--junctions.join', 'false'],
    ...['--tls.join', 'false'],
    ...['--tls.guess', 'false'],
    ...['--tls.guess-signals', 'false'],
    ...['--geometry.remove', 'false'],
    ...['--xml-validation', 'never'],
  ];
}

/**
 * Exports a network to a SUMO `.net.xml` through netconvert and returns the mapping from
 * greenwave signal groups to SUMO link indices (each vehicle group's position among its signal's
 * vehicle groups; see `sumoLinkIndices`). Give plans keyed by those indices
 * (`plansWithLinkIndices`) to `sumoAdditional` to run other programs on the exported net.
 *
 * @throws {Error} when netconvert is missing or fails; the message holds netconvert's output.
 * @example
 * const { netFile, linkIndices } = await exportSumoNetwork(network, 'jinshui.net.xml');
 * linkIndices['JS-01'].groups['EB-L'] // => 1
 */
export async function exportSumoNetwork(
  network: RoadNetwork,
  netFile: string,
  options: SumoExportOptions = {},
): Promise<SumoExport> {
  const { netconvert = 'netconvert', plainDirectory, timeoutMs = 120_000 } = options;
  const plain = sumoPlainNetwork(network, options);
  const directory = plainDirectory
    ? resolve(plainDirectory)
    : await mkdtemp(join(tmpdir(), 'greenwave-sumo-'));
  const output = resolve(netFile);
  try {
    await writePlainFiles(directory, plain);
    const { stderr } = await run(netconvert, netconvertArguments(directory, output), {
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    }).catch((error: NodeJS.ErrnoException & { stderr?: string }) => {
      const detail = error.code === 'ENOENT' ? 'is not installed' : (error.stderr ?? error.message);
      throw new Error(
        `exportSumoNetwork: ${netconvert} failed for "${network.getAttribute('name')}": ${detail.trim()}. Install SUMO (netconvert) or fix the network.`,
      );
    });
    return {
      netFile: output,
      linkIndices: plain.linkIndices,
      defaultPrograms: plain.defaultPrograms,
      warnings: warningsOf(stderr),
    };
  } finally {
    if (!plainDirectory) await rm(directory, { recursive: true, force: true });
  }
}

async function writePlainFiles(directory: string, plain: SumoPlainNetwork): Promise<void> {
  await mkdir(directory, { recursive: true });
  await Promise.all([
    writeFile(join(directory, 'network.nod.xml'), plain.nodes),
    writeFile(join(directory, 'network.edg.xml'), plain.edges),
    writeFile(join(directory, 'network.con.xml'), plain.connections),
    writeFile(join(directory, 'network.tll.xml'), plain.trafficLights),
  ]);
}

/** netconvert's warning lines, without the one about SUMO_HOME (it does not change the net). */
function warningsOf(stderr: string): string[] {
  return stderr
    .split(/\r?\n/)
    .filter((line) => line.startsWith('Warning:') && !line.includes('SUMO_HOME'));
}
