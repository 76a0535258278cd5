// Finds an arterial's signal sequence in a SUMO net and the vehicles whose routes drive all of it.

/** One vehicle of a SUMO route file: its id, departure (s) and the edges it drives, in order. */
export interface VehicleRoute {
  id: string;
  depart: number;
  edges: string[];
}

/** The arterial: its traffic lights in driving order, and the vehicles that pass all of them. */
export interface Arterial {
  /** Traffic-light ids in the order some vehicle passes them; the reverse is the other direction. */
  signals: string[];
  /** Ids of the vehicles whose signal sequence holds `signals` or its reverse, in order. */
  throughVehicles: Set<string>;
}

const TAG = /<(\/?)(vehicle|route)\b([^>]*?)(\/?)>/g;
const CONNECTION = /<connection\b([^>]*?)\/?>/g;
const ATTRIBUTE = /([\w:.-]+)="([^"]*)"/g;

function attributes(text: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const [, name, value] of text.matchAll(ATTRIBUTE)) found.set(name!, value!);
  return found;
}

/**
 * The traffic light each edge of a SUMO net ends at: an edge ends at a signal when a connection
 * leaving it carries `tl=`. The tl id, not the junction id, so joined signals count once.
 *
 * @example
 * signalsByEdge('<connection from="a" to="b" fromLane="0" toLane="0" tl="J1" linkIndex="0"/>');
 * // → Map { 'a' => 'J1' }
 */
export function signalsByEdge(netXml: string): Map<string, string> {
  const signals = new Map<string, string>();
  for (const [, text] of netXml.matchAll(CONNECTION)) {
    const connection = attributes(text!);
    const from = connection.get('from');
    const signal = connection.get('tl');
    if (from && signal && !from.startsWith(':')) signals.set(from, signal);
  }
  return signals;
}

/**
 * Vehicles with their routes from a SUMO route file: a `<route edges>` inside the `<vehicle>`, or
 * a named top-level `<route id>` referenced by `route=`. Trips and flows have no route and are
 * skipped: route them with duarouter first.
 *
 * @example
 * vehicleRoutes('<vehicle id="v" depart="3"><route edges="a b"/></vehicle>');
 * // → [{ id: 'v', depart: 3, edges: ['a', 'b'] }]
 */
export function vehicleRoutes(routesXml: string): VehicleRoute[] {
  const named = new Map<string, string[]>();
  const vehicles: VehicleRoute[] = [];
  let open: VehicleRoute | undefined;
  for (const [, closing, tag, text, selfClosing] of routesXml.matchAll(TAG)) {
    const values = attributes(text!);
    if (tag === 'vehicle' && closing) {
      open = undefined;
    } else if (tag === 'vehicle') {
      const edges = named.get(values.get('route') ?? '') ?? [];
      const vehicle = { id: values.get('id') ?? '', depart: Number(values.get('depart')), edges };
      vehicles.push(vehicle);
      open = selfClosing ? undefined : vehicle;
    } else if (tag === 'route' && !closing) {
      const edges = (values.get('edges') ?? '').split(/\s+/).filter(Boolean);
      if (open) open.edges = edges;
      else if (values.has('id')) named.set(values.get('id')!, edges);
    }
  }
  return vehicles.filter((vehicle) => vehicle.edges.length > 0);
}

/**
 * The traffic lights a route passes, in order: each edge mapped to the signal it ends at, a
 * signal met on consecutive edges (a joined signal over several junctions) counted once.
 *
 * @example
 * signalSequence(['a', 'b', 'c'], new Map([['a', 'J1'], ['c', 'J2']])); // → ['J1', 'J2']
 */
export function signalSequence(edges: string[], signals: Map<string, string>): string[] {
  const sequence: string[] = [];
  for (const edge of edges) {
    const signal = signals.get(edge);
    if (signal !== undefined && signal !== sequence.at(-1)) sequence.push(signal);
  }
  return sequence;
}

/** True when `sequence` passes every signal of `arterial` in order (others may lie between). */
function passesInOrder(sequence: string[], arterial: string[]): boolean {
  let next = 0;
  for (const signal of sequence) if (signal === arterial[next]) next++;
  return next === arterial.length;
}

/** The longest sequence of distinct signals; ties to the most driven, then the first by name. */
function mostDrivenLongest(sequences: string[][]): string[] {
  const drivers = new Map<string, { sequence: string[]; vehicles: number }>();
  for (const sequence of sequences) {
    if (new Set(sequence).size !== sequence.length) continue;
    const key = sequence.join('\n');
    const entry = drivers.get(key) ?? { sequence, vehicles: 0 };
    drivers.set(key, { ...entry, vehicles: entry.vehicles + 1 });
  }
  const ranked = [...drivers].sort(
    ([keyA, a], [keyB, b]) =>
      b.sequence.length - a.sequence.length || b.vehicles - a.vehicles || keyA.localeCompare(keyB),
  );
  return ranked[0]?.[1].sequence ?? [];
}

/**
 * The arterial of a network: the longest sequence of distinct traffic lights that some vehicle
 * drives through (ties go to the sequence most vehicles drive, then to the alphabetically first),
 * and the through vehicles, whose routes pass all of it in either direction.
 *
 * @example
 * const signals = new Map([['a', 'J1'], ['b', 'J2'], ['c', 'J2'], ['d', 'J1']]);
 * findArterial([
 *   { id: 'east', depart: 0, edges: ['a', 'b'] },
 *   { id: 'west', depart: 0, edges: ['c', 'd'] },
 *   { id: 'turn', depart: 0, edges: ['a'] },
 * ], signals);
 * // → { signals: ['J1', 'J2'], throughVehicles: Set { 'east', 'west' } }
 */
export function findArterial(vehicles: VehicleRoute[], signals: Map<string, string>): Arterial {
  const sequences = vehicles.map((vehicle) => signalSequence(vehicle.edges, signals));
  const arterial = mostDrivenLongest(sequences.filter((sequence) => sequence.length > 0));
  const reverse = [...arterial].reverse();
  const isThrough = (sequence: string[]) =>
    arterial.length > 0 && (passesInOrder(sequence, arterial) || passesInOrder(sequence, reverse));
  const throughVehicles = new Set(
    vehicles.filter((_, i) => isThrough(sequences[i]!)).map((vehicle) => vehicle.id),
  );
  return { signals: arterial, throughVehicles };
}
