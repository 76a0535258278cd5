// What the virtual field's controllers publish: simulated detector readings and hi-res events as
// det.volume and tlc.hires payloads per site, with the detector faults a test injects applied.
import { isoTime } from '../controllers/actions.ts';
import type { DetectorVolumePayload, HiresPayload } from '../controllers/payloads.ts';
import type { DetectorMap } from '../ingest/detector-map.ts';
import { DETECTOR_OFF, DETECTOR_ON } from '../ingest/health-evidence.ts';
import type { DetectorChannel, DetectorReading, HiResEvent } from '../../sim/types.ts';

/**
 * How an injected faulty detector behaves: `stuck-on` reads occupied all the time and counts
 * nothing, `stuck-off` reads empty, `silent` is left out of every message.
 */
export type FieldDetectorFault = 'stuck-on' | 'stuck-off' | 'silent';

/** One site's det.volume message, before it is sent. */
export interface SiteVolume {
  site: string;
  payload: DetectorVolumePayload;
}

/**
 * The det.volume payloads for a batch of readings: one message per site with one entry per
 * interval end (oldest first), `ts` the end of the interval on the wall clock (`originMs` is
 * the simulation's second 0), `seq` continuing from `lastSeq` (a site's first entry is 1).
 * Readings of detectors outside the map (no signal) are left out; faults apply as
 * `FieldDetectorFault` says. Returns the messages and every site's last seq.
 *
 * @example
 * volumePayloads(readings, { map, originMs: Date.parse('2026-11-30T00:00:00Z'), interval: 60, lastSeq: {} })
 *   .messages[0]; // => { site: 'JS-01', payload: { interval: 60, entries: [{ ts: '2026-11-30T07:31:00.000Z', seq: 1, values: { … } }] } }
 */
export function volumePayloads(
  readings: readonly DetectorReading[],
  {
    map,
    originMs,
    interval,
    lastSeq,
    faults = {},
  }: {
    map: DetectorMap;
    originMs: number;
    interval: number;
    lastSeq: Readonly<Record<string, number>>;
    faults?: Readonly<Record<string, FieldDetectorFault>>;
  },
): { messages: SiteVolume[]; lastSeq: Record<string, number> } {
  const bySite = new Map<string, Map<number, DetectorVolumePayload['entries'][number]['values']>>();
  for (const reading of readings) {
    const site = map.detectors[reading.detector]?.site;
    const fault = faults[reading.detector];
    if (site === undefined || fault === 'silent') continue;
    let ends = bySite.get(site);
    if (!ends) bySite.set(site, (ends = new Map()));
    let values = ends.get(reading.end);
    if (!values) ends.set(reading.end, (values = {}));
    values[reading.detector] = faultyReading(reading, fault);
  }
  const seqs = { ...lastSeq };
  const messages: SiteVolume[] = [];
  for (const site of [...bySite.keys()].sort()) {
    const ends = [...bySite.get(site)!.entries()].sort(([a], [b]) => a - b);
    const entries = ends.map(([end, values]) => {
      seqs[site] = (seqs[site] ?? 0) + 1;
      return { ts: isoTime(originMs + Math.round(end * 1000)), seq: seqs[site], values };
    });
    messages.push({ site, payload: { interval, entries } });
  }
  return { messages, lastSeq: seqs };
}

/** A reading as the faulty detector reports it: counts whole, occupancy within [0, 1]. */
function faultyReading(
  reading: DetectorReading,
  fault: FieldDetectorFault | undefined,
): { count: number; occupancy: number } {
  if (fault === 'stuck-on') return { count: 0, occupancy: 1 };
  if (fault === 'stuck-off') return { count: 0, occupancy: 0 };
  const occupancy = Math.min(1, Math.max(0, Math.round(reading.occupancy * 10_000) / 10_000));
  return { count: Math.max(0, Math.round(reading.count)), occupancy };
}

/**
 * The tlc.hires entries per site for a batch of simulated events, in time order. Phase events keep
 * their signal-group parameter; detector events (81 off, 82 on) get the detector map's channel
 * (`channels` says which detector the simulator's channel is), and those of faulty detectors are
 * dropped — a stuck detector's own transition is `faultEvents`' to add.
 *
 * @example
 * hiresEntries(events, { map, channels: sim.detectorChannels(), originMs }).get('JS-01');
 * // => [{ ts: '2026-11-30T07:30:01.500Z', code: 1, param: 2 }, { ts: …, code: 82, param: 5 }, …]
 */
export function hiresEntries(
  events: readonly HiResEvent[],
  {
    map,
    channels,
    originMs,
    faults = {},
  }: {
    map: DetectorMap;
    channels: readonly DetectorChannel[];
    originMs: number;
    faults?: Readonly<Record<string, FieldDetectorFault>>;
  },
): Map<string, HiresPayload['entries']> {
  const detectorOf = new Map(
    channels.map((channel) => [`${channel.signal}#${channel.channel}`, channel.detector]),
  );
  const bySite = new Map<string, HiresPayload['entries']>();
  for (const event of events) {
    let param = event.param;
    if (event.code === DETECTOR_OFF || event.code === DETECTOR_ON) {
      const detector = detectorOf.get(`${event.signal}#${event.param}`);
      const mapped = detector === undefined ? undefined : map.detectors[detector];
      if (mapped === undefined || faults[mapped.id] !== undefined) continue;
      param = mapped.channel;
    }
    let entries = bySite.get(event.signal);
    if (!entries) bySite.set(event.signal, (entries = []));
    entries.push({
      ts: isoTime(originMs + Math.round(event.time * 1000)),
      code: event.code,
      param,
    });
  }
  return bySite;
}

/**
 * The hi-res event a detector gives when a fault starts or ends at `ms`: a stuck-on detector turns
 * on (82) and stays on; when its fault clears it turns off (81). Other faults give no event.
 *
 * @example
 * faultEvent(map, 'stopline:jinshui-eb-0:0', { from: undefined, to: 'stuck-on', ms }); // => { site: 'JS-01', entry: { ts, code: 82, param: 3 } }
 */
export function faultEvent(
  map: DetectorMap,
  detector: string,
  {
    from,
    to,
    ms,
  }: { from: FieldDetectorFault | undefined; to: FieldDetectorFault | undefined; ms: number },
): { site: string; entry: HiresPayload['entries'][number] } | undefined {
  const mapped = map.detectors[detector];
  if (mapped === undefined || from === to) return undefined;
  const code = to === 'stuck-on' ? DETECTOR_ON : from === 'stuck-on' ? DETECTOR_OFF : undefined;
  if (code === undefined) return undefined;
  return { site: mapped.site, entry: { ts: isoTime(ms), code, param: mapped.channel } };
}
