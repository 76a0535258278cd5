// Detectors on lanes: counts and occupancy per interval, and hi-res detector on/off events.
import type { DetectorSpec, RoadNetwork } from '../src/network/types.ts';
import type { CompiledNetwork } from './compile.ts';
import { SimulationError } from './errors.ts';
import type { DetectorChannel, DetectorReading, HiResEvent } from './types.ts';

/** Gap SUMO's default car keeps when stopped, metres: the body is the jam spacing less this. */
const STANDSTILL_GAP = 2.5;
const EPSILON = 1e-9;

export interface DetectionSetup {
  /** Detectors besides the network's own. */
  detectors: readonly DetectorSpec[];
  /** Seconds per reading. */
  interval: number;
  hiRes: boolean;
  begin: number;
  step: number;
  jamSpacing: number;
}

/**
 * Every detector of a run. The simulator hands it each vehicle's front position on a detector's
 * lane at the start and the end of every step (`observe`); between the two the front moves at a
 * constant speed, so a count is a front passing the start of the zone and occupancy is the exact
 * time some vehicle body (from the front back `jamSpacing − 2.5` m) overlaps the zone, the
 * vehicles of a step merged so that two never count twice. A point detector (length 0) is
 * occupied while a body covers its point. Hi-res channels number each signal's detectors in
 * order (the network's, then the options'); a detector on a link that ends at no signal reports
 * counts and occupancy but no hi-res events.
 */
export class DetectorField {
  /** Detector indices on each global lane (most lanes have none). */
  readonly laneDetectors: Int32Array[];
  readonly channels: DetectorChannel[];
  private readonly ids: string[];
  private readonly zoneStart: Float64Array;
  private readonly zoneEnd: Float64Array;
  private readonly signal: (string | undefined)[];
  private readonly channel: Int32Array;
  private readonly counts: Int32Array;
  private readonly occupied: Float64Array;
  private readonly on: Uint8Array;
  private readonly intervals: number[][];
  private readonly touched: number[] = [];
  private readonly body: number;
  private readonly step: number;
  private readonly interval: number;
  private readonly hiRes: boolean;
  private readingStart: number;
  private nextReading: number;
  private readings: DetectorReading[] = [];

  /**
   * @throws {SimulationError} `BAD_DETECTOR` for a detector on a link or lane the network lacks,
   *   or with an id already taken.
   * @example
   * const field = new DetectorField(network, net, { detectors: [], interval: 60, hiRes: true, begin: 0, step: 0.5, jamSpacing: 7.5 });
   */
  constructor(network: RoadNetwork, net: CompiledNetwork, setup: DetectionSetup) {
    const specs = [...Object.values(network.getAttribute('detectors')), ...setup.detectors];
    const seen = new Set<string>();
    const perSignal = new Map<string, number>();
    this.laneDetectors = Array.from({ length: net.laneLink.length }, () => new Int32Array(0));
    const onLane: number[][] = Array.from({ length: net.laneLink.length }, () => []);
    this.ids = [];
    this.signal = [];
    this.channels = [];
    const starts: number[] = [];
    const ends: number[] = [];
    const channels: number[] = [];
    specs.forEach((spec, index) => {
      const globalLane = detectorLane(network, net, spec, seen);
      const length = net.linkLength[net.laneLink[globalLane]!]!;
      const start = Math.min(Math.max(spec.position, 0), length);
      starts.push(start);
      ends.push(Math.min(Math.max(start + (spec.length ?? 0), start), length));
      onLane[globalLane]!.push(index);
      this.ids.push(spec.id);
      const signal = network.getNodeAttribute(network.target(spec.link), 'signal');
      this.signal.push(signal);
      const channel = signal === undefined ? 0 : (perSignal.get(signal) ?? 0) + 1;
      if (signal !== undefined) {
        perSignal.set(signal, channel);
        this.channels.push({ detector: spec.id, signal, channel });
      }
      channels.push(channel);
    });
    onLane.forEach((detectors, lane) => {
      if (detectors.length > 0) this.laneDetectors[lane] = Int32Array.from(detectors);
    });
    this.zoneStart = Float64Array.from(starts);
    this.zoneEnd = Float64Array.from(ends);
    this.channel = Int32Array.from(channels);
    this.counts = new Int32Array(specs.length);
    this.occupied = new Float64Array(specs.length);
    this.on = new Uint8Array(specs.length);
    this.intervals = specs.map(() => []);
    this.body = Math.max(setup.jamSpacing - STANDSTILL_GAP, 0.5);
    this.step = setup.step;
    this.interval = setup.interval;
    this.hiRes = setup.hiRes;
    this.readingStart = setup.begin;
    this.nextReading = setup.begin + setup.interval;
  }

  /** Where detector `detector`'s zone starts, metres from the start of its lane. */
  zoneStartOf(detector: number): number {
    return this.zoneStart[detector]!;
  }

  /** A vehicle's front went from `from` to `to` metres along the detector's lane during the step. */
  observe(detector: number, from: number, to: number): void {
    const start = this.zoneStart[detector]!;
    const reach = this.zoneEnd[detector]! + this.body;
    if (from <= start && start < to) this.counts[detector] = this.counts[detector]! + 1;
    let enter = 0;
    let leave = this.step;
    if (to === from) {
      if (!(from > start && from < reach)) return;
    } else {
      const rate = (to - from) / this.step;
      enter = Math.max(0, (start - from) / rate);
      leave = Math.min(this.step, (reach - from) / rate);
      if (leave <= enter) return;
    }
    const intervals = this.intervals[detector]!;
    if (intervals.length === 0) this.touched.push(detector);
    intervals.push(enter, leave);
  }

  /** Closes the step that started at `time`: occupancy, on/off events, and readings when due. */
  endStep(time: number, events: HiResEvent[] | undefined): void {
    const emit = this.hiRes ? events : undefined;
    for (const detector of this.touched) this.merge(detector, time, emit);
    this.touched.length = 0;
    for (let detector = 0; detector < this.on.length; detector++) {
      if (this.on[detector] && this.intervals[detector]!.length === 0) {
        this.on[detector] = 0;
        this.event(emit, time, detector, 81);
      }
      this.intervals[detector]!.length = 0;
    }
    const end = time + this.step;
    if (end < this.nextReading - EPSILON) return;
    const span = end - this.readingStart;
    this.ids.forEach((detector, index) => {
      this.readings.push({
        detector,
        begin: this.readingStart,
        end,
        count: this.counts[index]!,
        occupancy: Math.min(1, this.occupied[index]! / span),
      });
    });
    this.counts.fill(0);
    this.occupied.fill(0);
    this.readingStart = end;
    while (this.nextReading <= end + EPSILON) this.nextReading += this.interval;
  }

  /** The readings completed since the last call. */
  drainReadings(): DetectorReading[] {
    const readings = this.readings;
    this.readings = [];
    return readings;
  }

  private merge(detector: number, time: number, events: HiResEvent[] | undefined): void {
    const flat = this.intervals[detector]!;
    const pairs: [number, number][] = [];
    for (let index = 0; index < flat.length; index += 2)
      pairs.push([flat[index]!, flat[index + 1]!]);
    pairs.sort((a, b) => a[0] - b[0]);
    let cursor = 0;
    let total = 0;
    let runStart = -1;
    let runEnd = -1;
    const close = () => {
      if (runStart < 0) return;
      total += runEnd - runStart;
      if (this.on[detector] && runStart > cursor + EPSILON) {
        this.on[detector] = 0;
        this.event(events, time + cursor, detector, 81);
      }
      if (!this.on[detector]) {
        this.on[detector] = 1;
        this.event(events, time + runStart, detector, 82);
      }
      cursor = runEnd;
      if (runEnd < this.step - EPSILON) {
        this.on[detector] = 0;
        this.event(events, time + runEnd, detector, 81);
      }
    };
    for (const [enter, leave] of pairs) {
      if (runStart >= 0 && enter <= runEnd + EPSILON) {
        runEnd = Math.max(runEnd, leave);
        continue;
      }
      close();
      runStart = enter;
      runEnd = leave;
    }
    close();
    this.occupied[detector] = this.occupied[detector]! + total;
  }

  private event(
    events: HiResEvent[] | undefined,
    time: number,
    detector: number,
    code: 81 | 82,
  ): void {
    const signal = this.signal[detector];
    if (!events || signal === undefined) return;
    events.push({ time, signal, code, param: this.channel[detector]! });
  }
}

function detectorLane(
  network: RoadNetwork,
  net: CompiledNetwork,
  spec: DetectorSpec,
  seen: Set<string>,
): number {
  const fail = (problem: string): never => {
    throw new SimulationError('BAD_DETECTOR', `createSimulation: detector ${spec.id} ${problem}`);
  };
  if (seen.has(spec.id)) fail('is given twice; give each detector its own id');
  seen.add(spec.id);
  const link = net.linkOf.get(spec.link);
  if (link === undefined) fail(`is on link ${spec.link}, which is not in the network`);
  const lanes = [...network.getEdgeAttribute(spec.link, 'lanes')].sort((a, b) => a.index - b.index);
  const position = lanes.findIndex((lane) => lane.index === spec.lane);
  if (position < 0) {
    fail(
      `is on lane ${spec.lane} of ${spec.link}, which has lanes ${lanes.map((lane) => lane.index).join(', ')}`,
    );
  }
  if (!Number.isFinite(spec.position))
    fail('has no finite position; give metres from the lane start');
  return net.linkFirstLane[link!]! + position;
}
