// `greenwave inspect`: what a network and its demand hold, as text or JSON.
import {
  summarizeDemand,
  summarizeNetwork,
  type DemandSummary,
  type NetworkSummary,
} from '../network/summary.ts';
import type { Output } from './args.ts';
import { loadInputs, type NetworkDemandOptions } from './inputs.ts';

export interface InspectOptions extends NetworkDemandOptions {
  json?: boolean;
}

/** Loads the files, prints the summary; returns the exit code. */
export async function inspect(options: InspectOptions, output: Output): Promise<number> {
  const { loaded, demand: loadedDemand } = await loadInputs(options);
  const network = summarizeNetwork(loaded.network);
  const demand = loadedDemand && {
    file: loadedDemand.file,
    format: loadedDemand.format,
    ...summarizeDemand(loaded.network, loadedDemand.flows, loadedDemand.vehicles?.length),
  };
  const report = {
    file: loaded.file,
    format: loaded.format,
    network,
    ...(demand ? { demand } : {}),
  };
  output.out(options.json ? `${JSON.stringify(report, null, 2)}\n` : describe(report));
  return 0;
}

function describe(report: {
  file: string;
  format: string;
  network: NetworkSummary;
  demand?: DemandSummary & { file: string; format: string };
}): string {
  const { network, demand } = report;
  const kinds = Object.entries(network.intersections)
    .filter(([kind]) => kind !== 'total')
    .map(([kind, count]) => `${count} ${kind}`)
    .join(', ');
  const lines = [
    `${report.file} (${report.format}, ${network.coordinates} coordinates): ${network.name}`,
    `  intersections  ${network.intersections.total} (${kinds})`,
    `  signals        ${network.signals} with ${network.signalGroups} signal groups, ${network.conflicts} conflicting pairs`,
    `  links          ${network.links} with ${network.lanes} lanes`,
    `  movements      ${network.movements.total} (${network.movements.through} through, ${network.movements.left} left, ${network.movements.right} right, ${network.movements.uturn} U-turn)`,
    `  detectors      ${network.detectors}`,
    `  programs       ${network.programs.length}`,
    ...network.programs.map(
      (program) =>
        `    ${program.signal} "${program.plan}": cycle ${program.cycleLength} s, offset ${program.offset} s, ${program.stages} stages`,
    ),
  ];
  if (demand) {
    lines.push(
      `${demand.file} (${demand.format}): window ${demand.begin}–${demand.end} s` +
        (demand.vehicles !== undefined ? `, ${demand.vehicles} vehicles` : ''),
      `  flow per signal group, pcu/h:`,
      ...Object.entries(demand.signalGroupFlows).map(
        ([signal, groups]) =>
          `    ${signal}: ${Object.entries(groups)
            .map(([group, flow]) => `${group}=${flow}`)
            .join(' ')}`,
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}
