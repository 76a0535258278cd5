// The MAXBAND mixed-integer program (Little 1966; Little, Kelson & Gartner 1981) as CPLEX LP text.
import type { CycleShare, ResolvedCorridor, ResolvedSignal } from './bandwidth-input.ts';

/*
 * Conventions. Times are in cycles; z = 1/cycle. Signal i's outbound through green is
 * [φ_i, φ_i + g_i], its inbound through green [φ_i + σ_i, φ_i + σ_i + ḡ_i] (σ_i = inboundGreenStart),
 * and the band may use a green only after its queue clearance q_i (q̄_i). Then
 *   w_i  = time from the start of signal i's usable outbound green to the first vehicle of the band,
 *   w̄_i = the same for the inbound band,
 *   t_i, t̄_i = travel time on link i (signal i to i + 1) outbound and inbound,
 * and the band fits the green when w_i + b ≤ g_i − q_i (w̄_i + b̄ ≤ ḡ_i − q̄_i). Following the
 * outbound band from i to i + 1 gives φ_{i+1} − φ_i = t_i − (q_{i+1} − q_i) − (w_{i+1} − w_i) mod 1,
 * and the inbound band gives φ_{i+1} − φ_i = −t̄_i − Δσ_i − Δq̄_i − Δw̄_i mod 1; equating the two is
 * the loop constraint, with an integer m_i for the whole cycles:
 *   t_i + t̄_i + w_i − w_{i+1} − w̄_i + w̄_{i+1} − m_i = Δq_i − Δq̄_i − Δσ_i.
 * Every green, clearance and shift is `fraction + seconds·z`, so all of it stays linear while the
 * cycle varies. (Little writes w̄ from the band to the red, which flips its sign; the model is the
 * same.)
 *
 * One extension to Little, off by default (`allowOneWay`): a band may be absent. MAXBAND requires a trajectory through every
 * green in both directions, so where short greens make that impossible alongside a good band the
 * other way, it gives up band the geometry would allow (a one-way band of 20 s beats a 7 s + 0 s
 * pair). Binaries y, ȳ say whether each band exists; when y = 0, b = 0 and the band-in-green rows
 * relax to w_i ≤ 1, which lets the loop rows hold for any offsets. The w's then only parametrize
 * the offsets, which stay correct.
 *
 * Left-turn lead/lag (MAXBAND's δ). A signal whose protected lefts are optimized has
 * σ_i = σ⁰_i + δ_i·l_i − δ̄_i·l̄_i (seconds; see `CorridorSignal.leftTurn` for the ring-barrier model),
 * with δ_i = 1 when the outbound left leads and δ̄_i = 1 when the inbound left leads. In cycles the
 * shift is σ_i·z, and δ·z is a binary times a bounded continuous, so u = δ·z is exact under the
 * McCormick rows z_min·δ ≤ u ≤ z_max·δ, z − z_max·(1 − δ) ≤ u ≤ z − z_min·(1 − δ): the loop rows
 * take l_i·u_i − l̄_i·ū_i in place of the shift. Every left must also fit beside its opposing
 * through: (l_i + ḡ_i)·z ≤ 1 and (l̄_i + g_i)·z ≤ 1.
 */

/** LP column names, in Little's letters: the MAXBAND literature's vocabulary. */
export const column = {
  outboundBand: 'b',
  inboundBand: 'bbar',
  outboundBandExists: 'y',
  inboundBandExists: 'ybar',
  inverseCycle: 'z',
  outboundSlack: (signal: number) => `w_${signal}`,
  inboundSlack: (signal: number) => `wbar_${signal}`,
  outboundTravelTime: (link: number) => `t_${link}`,
  inboundTravelTime: (link: number) => `tbar_${link}`,
  loopCycles: (link: number) => `m_${link}`,
  outboundLeftLeads: (signal: number) => `lead_${signal}`,
  inboundLeftLeads: (signal: number) => `leadbar_${signal}`,
  outboundLeftLeadsPerCycle: (signal: number) => `leadz_${signal}`,
  inboundLeftLeadsPerCycle: (signal: number) => `leadbarz_${signal}`,
} as const;

/** A left whose lead or lag the program chooses: its binary δ, the product u = δ·z, and its shift. */
interface LeadChoice {
  signal: number;
  binary: string;
  product: string;
  /** Seconds the inbound green moves when this left leads: +l outbound, −l̄ inbound. */
  shift: number;
}

/**
 * The lefts of one signal whose lead or lag is optimized (a 0 s left has nothing to choose).
 *
 * @example
 * leadChoices({ leftTurn: { outbound: 12, inbound: 0, leadLag: 'optimize' }, … }, 3)
 * // => [{ signal: 3, binary: 'lead_3', product: 'leadz_3', shift: 12 }]
 */
export function leadChoices(signal: ResolvedSignal, index: number): LeadChoice[] {
  const left = signal.leftTurn;
  if (!left || left.leadLag !== 'optimize') return [];
  const choices: LeadChoice[] = [];
  if (left.outbound > 0)
    choices.push({
      signal: index,
      binary: column.outboundLeftLeads(index),
      product: column.outboundLeftLeadsPerCycle(index),
      shift: left.outbound,
    });
  if (left.inbound > 0)
    choices.push({
      signal: index,
      binary: column.inboundLeftLeads(index),
      product: column.inboundLeftLeadsPerCycle(index),
      shift: -left.inbound,
    });
  return choices;
}

const allLeadChoices = (corridor: ResolvedCorridor): LeadChoice[] =>
  corridor.signals.flatMap((signal, index) => leadChoices(signal, index));

type Term = readonly [coefficient: number, column: string];
type Sense = '<=' | '>=' | '=';

/**
 * The MAXBAND model of a resolved corridor as CPLEX LP text, ready for HiGHS.
 *
 * @example
 * maxbandProgram(resolveCorridor(corridor)).startsWith('Maximize') // => true
 */
export function maxbandProgram(corridor: ResolvedCorridor): string {
  const rows = [
    ...bandInGreenRows(corridor),
    ...speedRows(corridor),
    ...speedChangeRows(corridor),
    ...loopRows(corridor),
    ...bandRatioRows(corridor),
    ...leftTurnRows(corridor),
  ];
  const choices = allLeadChoices(corridor);
  const links = corridor.signals.length - 1;
  const loops = Array.from({ length: links }, (_, link) => link);
  return [
    'Maximize',
    ` bandwidth: ${expression([
      [1, column.outboundBand],
      [corridor.inboundWeight, column.inboundBand],
    ])}`,
    'Subject To',
    ...rows,
    'Bounds',
    ` ${1 / corridor.cycle.max} <= ${column.inverseCycle} <= ${1 / corridor.cycle.min}`,
    ...loops.map((link) => {
      const { min, max } = loopCycleRange(corridor, link);
      return ` ${min} <= ${column.loopCycles(link)} <= ${max}`;
    }),
    ...corridor.signals.flatMap((_, index) => [
      ` ${column.outboundSlack(index)} <= 1`,
      ` ${column.inboundSlack(index)} <= 1`,
    ]),
    ...(corridor.allowOneWay
      ? []
      : [` ${column.outboundBandExists} = 1`, ` ${column.inboundBandExists} = 1`]),
    'Generals',
    ...loops.map((link) => ` ${column.loopCycles(link)}`),
    'Binaries',
    ` ${column.outboundBandExists}`,
    ` ${column.inboundBandExists}`,
    ...choices.map((choice) => ` ${choice.binary}`),
    'End',
    '',
  ].join('\n');
}

/** `share` in cycles as terms: its fraction is a constant, its seconds multiply z. */
const secondsTerm = (seconds: number): Term => [seconds, column.inverseCycle];

/** The usable green, g − q, as a cycle share. */
function usableGreen(signal: ResolvedSignal, direction: 'outbound' | 'inbound'): CycleShare {
  const green = direction === 'outbound' ? signal.green : signal.inboundGreen;
  return {
    fraction: green.fraction,
    seconds: green.seconds - signal.queueClearance[direction],
  };
}

/**
 * w_i + b ≤ g_i − q_i when the band exists (y = 1); w_i ≤ 1 and b = 0 when it does not. The big M
 * is 1 − the smallest usable green over the cycle range, just enough to reach w_i ≤ 1.
 */
function bandInGreenRows(corridor: ResolvedCorridor): string[] {
  const exists = (direction: 'outbound' | 'inbound') =>
    direction === 'outbound' ? column.outboundBandExists : column.inboundBandExists;
  const band = (direction: 'outbound' | 'inbound') =>
    direction === 'outbound' ? column.outboundBand : column.inboundBand;
  const slack = (direction: 'outbound' | 'inbound', index: number) =>
    direction === 'outbound' ? column.outboundSlack(index) : column.inboundSlack(index);
  const directions = ['outbound', 'inbound'] as const;
  return [
    ...directions.map((direction) =>
      row(
        `${direction}_band_exists`,
        [
          [1, band(direction)],
          [-1, exists(direction)],
        ],
        '<=',
        0,
      ),
    ),
    ...corridor.signals.flatMap((signal, index) => {
      const fits = (green: CycleShare, name: string) =>
        green.seconds > 0
          ? [row(name, [secondsTerm(green.seconds)], '<=', 1 - green.fraction)]
          : [];
      return [
        ...directions.map((direction) => {
          const usable = usableGreen(signal, direction);
          const bigM = 1 - smallest(usable, corridor);
          return row(
            `${direction}_band_in_green_${index}`,
            [
              [1, slack(direction, index)],
              [1, band(direction)],
              secondsTerm(-usable.seconds),
              [bigM, exists(direction)],
            ],
            '<=',
            usable.fraction + bigM,
          );
        }),
        ...fits(signal.green, `outbound_green_in_cycle_${index}`),
        ...(signal.inboundGreen === signal.green
          ? []
          : fits(signal.inboundGreen, `inbound_green_in_cycle_${index}`)),
      ];
    }),
  ];
}

/** Link lengths, metres. */
const linkLengths = ({ signals }: ResolvedCorridor): number[] =>
  signals.slice(1).map((signal, index) => signal.position - signals[index]!.position);

/** d·z / max speed ≤ t ≤ d·z / min speed, in both directions. */
function speedRows(corridor: ResolvedCorridor): string[] {
  return linkLengths(corridor).flatMap((length, link) => {
    const { min, max } = corridor.signals[link]!.speedToNext;
    return [column.outboundTravelTime(link), column.inboundTravelTime(link)].flatMap(
      (travelTime) => [
        row(`${travelTime}_slowest`, [[1, travelTime], secondsTerm(-length / min)], '<=', 0),
        row(`${travelTime}_fastest`, [[1, travelTime], secondsTerm(-length / max)], '>=', 0),
      ],
    );
  });
}

/**
 * |1/v_{i+1} − 1/v_i| ≤ Δ, where 1/v_i = t_i / (d_i·z): |t_{i+1}/d_{i+1} − t_i/d_i| ≤ Δ·z. Each row
 * is scaled by the mean of the two lengths to keep its coefficients near 1.
 */
function speedChangeRows(corridor: ResolvedCorridor): string[] {
  const change = corridor.maxSpeedChange;
  if (change === undefined) return [];
  const lengths = linkLengths(corridor);
  return lengths.slice(1).flatMap((next, index) => {
    const length = lengths[index]!;
    const scale = (length + next) / 2;
    const link = index + 1;
    return (
      [
        [column.outboundTravelTime, 'outbound'],
        [column.inboundTravelTime, 'inbound'],
      ] as const
    ).flatMap(([travelTime, direction]) => {
      const terms: Term[] = [
        [scale / next, travelTime(link)],
        [-scale / length, travelTime(index)],
      ];
      return [
        row(
          `${direction}_speed_change_up_${link}`,
          [...terms, secondsTerm(-change * scale)],
          '<=',
          0,
        ),
        row(
          `${direction}_speed_change_down_${link}`,
          [...terms, secondsTerm(change * scale)],
          '>=',
          0,
        ),
      ];
    });
  });
}

/** The seconds part of Δq_i − Δq̄_i − Δσ_i (all three are in seconds). */
function loopSeconds({ signals }: ResolvedCorridor, link: number): number {
  const from = signals[link]!;
  const to = signals[link + 1]!;
  return (
    to.queueClearance.outbound -
    from.queueClearance.outbound -
    (to.queueClearance.inbound - from.queueClearance.inbound) -
    (to.inboundGreenStart - from.inboundGreenStart)
  );
}

/** Lefts fit beside their opposing throughs, and the McCormick rows that make u = δ·z exact. */
function leftTurnRows(corridor: ResolvedCorridor): string[] {
  const low = 1 / corridor.cycle.max;
  const high = 1 / corridor.cycle.min;
  const fits = corridor.signals.flatMap((signal, index) => {
    const left = signal.leftTurn;
    if (!left) return [];
    return (
      [
        ['outbound', left.outbound, signal.inboundGreen],
        ['inbound', left.inbound, signal.green],
      ] as const
    )
      .filter(([, seconds]) => seconds > 0)
      .map(([direction, seconds, through]) =>
        row(
          `${direction}_left_fits_${index}`,
          [secondsTerm(seconds + through.seconds)],
          '<=',
          1 - through.fraction,
        ),
      );
  });
  const mcCormick = allLeadChoices(corridor).flatMap(({ binary, product }) => [
    row(
      `${product}_off`,
      [
        [1, product],
        [-high, binary],
      ],
      '<=',
      0,
    ),
    row(
      `${product}_on_low`,
      [
        [1, product],
        [-low, binary],
      ],
      '>=',
      0,
    ),
    row(
      `${product}_below_z`,
      [
        [1, product],
        [-1, column.inverseCycle],
        [-low, binary],
      ],
      '<=',
      -low,
    ),
    row(
      `${product}_above_z`,
      [
        [1, product],
        [-1, column.inverseCycle],
        [-high, binary],
      ],
      '>=',
      -high,
    ),
  ]);
  return [...fits, ...mcCormick];
}

function loopRows(corridor: ResolvedCorridor): string[] {
  // The optimized shift of signal i enters loop i − 1 with + and loop i with −.
  const shifts = (link: number): Term[] => [
    ...leadChoices(corridor.signals[link + 1]!, link + 1).map((choice): Term => [
      choice.shift,
      choice.product,
    ]),
    ...leadChoices(corridor.signals[link]!, link).map((choice): Term => [
      -choice.shift,
      choice.product,
    ]),
  ];
  return linkLengths(corridor).map((_, link) =>
    row(
      `loop_${link}`,
      [
        ...shifts(link),
        [1, column.outboundTravelTime(link)],
        [1, column.inboundTravelTime(link)],
        [1, column.outboundSlack(link)],
        [-1, column.outboundSlack(link + 1)],
        [-1, column.inboundSlack(link)],
        [1, column.inboundSlack(link + 1)],
        [-1, column.loopCycles(link)],
        secondsTerm(-loopSeconds(corridor, link)),
      ],
      '=',
      0,
    ),
  );
}

/** min ≤ b / b̄ ≤ max, written without the division. */
function bandRatioRows({ bandRatio, inboundWeight: k, allowOneWay }: ResolvedCorridor): string[] {
  const outbound: Term = [1, column.outboundBand];
  if (!bandRatio) {
    if (allowOneWay) return [];
    // MAXBAND's target ratio: (1 − k)·b̄ ≥ (1 − k)·k·b, which is b = b̄ when k = 1.
    if (k === 1) return [row('band_ratio_target', [outbound, [-1, column.inboundBand]], '=', 0)];
    return [
      row(
        'band_ratio_target',
        [
          [(1 - k) * k, column.outboundBand],
          [-(1 - k), column.inboundBand],
        ],
        '<=',
        0,
      ),
    ];
  }
  return [
    row('band_ratio_min', [outbound, [-bandRatio.min, column.inboundBand]], '>=', 0),
    row('band_ratio_max', [outbound, [-bandRatio.max, column.inboundBand]], '<=', 0),
  ];
}

/** The value of `share` in cycles at each end of the cycle range (it is linear in z). */
function atCycleEnds(share: CycleShare, corridor: ResolvedCorridor): number[] {
  return [1 / corridor.cycle.max, 1 / corridor.cycle.min].map(
    (z) => share.fraction + share.seconds * z,
  );
}

const smallest = (share: CycleShare, corridor: ResolvedCorridor) =>
  Math.min(...atCycleEnds(share, corridor));
const largest = (share: CycleShare, corridor: ResolvedCorridor) =>
  Math.max(...atCycleEnds(share, corridor));

/**
 * The integers m_i can take: the loop's other terms bounded over the cycle and speed ranges. With
 * both bands, each w lies in [0, usable green]; with one band absent its w's only need [0, 1) to
 * reach every offset, which widens the range by at most one cycle each way. Exact (it cuts off no
 * solution), and it keeps branch and bound from wandering over whole cycles.
 *
 * @example
 * // 400 m at 10 m/s, cycle 60–120 s, greens 0.5:
 * loopCycleRange(resolveCorridor(corridor), 0) // => { min: 0, max: 2 }
 */
export function loopCycleRange(
  corridor: ResolvedCorridor,
  link: number,
): { min: number; max: number } {
  const from = corridor.signals[link]!;
  const to = corridor.signals[link + 1]!;
  const length = to.position - from.position;
  // An optimized shift σ ∈ [σ⁰ − l̄, σ⁰ + l] moves the loop's seconds by −Δσ.
  const shiftRange = (signal: ResolvedSignal, index: number) => {
    const shifts = leadChoices(signal, index).map((choice) => choice.shift);
    return { min: Math.min(0, ...shifts), max: Math.max(0, ...shifts) };
  };
  const fromShift = shiftRange(from, link);
  const toShift = shiftRange(to, link + 1);
  const fixed = loopSeconds(corridor, link);
  const seconds = [fixed - (toShift.min - fromShift.max), fixed - (toShift.max - fromShift.min)];
  const ends = [1 / corridor.cycle.max, 1 / corridor.cycle.min];
  const travel = (speed: number) =>
    seconds.flatMap((loop) => ends.map((z) => ((2 * length) / speed - loop) * z));
  const usable = (signal: ResolvedSignal, direction: 'outbound' | 'inbound') =>
    Math.min(1, Math.max(0, largest(usableGreen(signal, direction), corridor)));
  // m_i = t_i + t̄_i − c·z + (w_i − w_{i+1}) − (w̄_i − w̄_{i+1}): one pair within the usable
  // greens, the other within [0, 1] when its band is absent.
  const below = 1 + Math.max(usable(to, 'outbound'), usable(from, 'inbound'));
  const above = 1 + Math.max(usable(from, 'outbound'), usable(to, 'inbound'));
  const low = Math.min(...travel(from.speedToNext.max)) - below;
  const high = Math.max(...travel(from.speedToNext.min)) + above;
  const tolerance = 1e-9;
  // `+ 0` turns a −0 into 0 for the LP text.
  return { min: Math.ceil(low - tolerance) + 0, max: Math.floor(high + tolerance) + 0 };
}

function expression(terms: readonly Term[]): string {
  const merged = new Map<string, number>();
  for (const [coefficient, name] of terms) merged.set(name, (merged.get(name) ?? 0) + coefficient);
  const parts = [...merged]
    .filter(([, coefficient]) => coefficient !== 0)
    .map(([name, coefficient], index) => {
      const sign = coefficient < 0 ? '-' : index === 0 ? '' : '+';
      const magnitude = Math.abs(coefficient);
      return `${sign}${sign ? ' ' : ''}${magnitude === 1 ? '' : `${magnitude} `}${name}`;
    });
  return parts.length > 0 ? parts.join(' ') : `0 ${column.outboundBand}`;
}

function row(name: string, terms: readonly Term[], sense: Sense, rhs: number): string {
  return ` ${name}: ${expression(terms)} ${sense} ${rhs}`;
}
