// Time–space diagram as a standalone SVG: distance up, time across, green/red bars and the two bands.
import type {
  BandParallelogram,
  GreenBand,
  TimeInterval,
  TimeSpaceDiagram,
  TimeSpaceSignal,
} from './time-space.ts';

export interface TimeSpaceSvgOptions {
  /** Pixels (default 960). */
  width?: number;
  /** Pixels (default: enough for every signal row and the legend). */
  height?: number;
  /** Heading (default "Time–space diagram"); cycle, bandwidths and efficiency follow beneath it. */
  title?: string;
}

const COLOURS = {
  green: '#2ca02c',
  red: '#d62728',
  queueClearance: '#b5e3b5',
  outbound: '#1f77b4',
  inbound: '#ff7f0e',
  row: '#555',
  grid: '#e3e3e3',
  cycle: '#888',
  text: '#222',
  muted: '#555',
};
const BAR = { height: 6, gap: 1 };
const LABEL = { gap: 28, idSize: 12, detailSize: 11 };
const LEGEND_ROW = 18;

/**
 * A standalone SVG of a time–space diagram, readable by a traffic engineer: signals as horizontal
 * rows at their positions (labelled with id, position and offset), time across with tick labels and
 * dashed cycle boundaries, each signal's outbound green/red bar just above its row and inbound bar
 * just below, both green bands shaded, a legend, and a title with cycle, bandwidths and efficiency.
 * Pure and deterministic: numbers rounded to 0.1, text escaped, no fonts, scripts or randomness.
 *
 * @example
 * const svg = timeSpaceSvg(timeSpaceDiagram(corridor, result), { title: 'Main Street, AM peak' });
 * svg.startsWith('<svg') // => true
 */
export function timeSpaceSvg(
  diagram: TimeSpaceDiagram,
  { width = 960, height, title = 'Time–space diagram' }: TimeSpaceSvgOptions = {},
): string {
  const legend = legendItems(diagram);
  const left = leftMargin(diagram.signals);
  const right = 24;
  const legendLines = layoutLegend(legend, left, width - right).lines;
  const top = 72;
  const bottom = 52 + legendLines * LEGEND_ROW;
  const totalHeight = height ?? top + bottom + plotHeight(diagram.signals);
  const frame: Frame = { left, right: width - right, top, bottom: totalHeight - bottom };
  const scale = scales(diagram, frame);
  const body = [
    `<rect width="${fmt(width)}" height="${fmt(totalHeight)}" fill="#fff"/>`,
    heading(diagram, title, width),
    timeAxis(diagram, frame, scale),
    `<clipPath id="tsd-plot"><rect x="${fmt(frame.left)}" y="${fmt(frame.top)}" width="${fmt(frame.right - frame.left)}" height="${fmt(frame.bottom - frame.top)}"/></clipPath>`,
    bandLayer(diagram.bands.outbound, scale),
    bandLayer(diagram.bands.inbound, scale),
    signalRows(diagram, frame, scale),
    `<rect x="${fmt(frame.left)}" y="${fmt(frame.top)}" width="${fmt(frame.right - frame.left)}" height="${fmt(frame.bottom - frame.top)}" fill="none" stroke="${COLOURS.row}"/>`,
    distanceTitle(frame),
    legendSvg(legend, left, width - right, frame.bottom + 52),
  ];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${fmt(width)}" height="${fmt(totalHeight)}" viewBox="0 0 ${fmt(width)} ${fmt(totalHeight)}" font-family="sans-serif" font-size="12" role="img" aria-label="${escapeXml(title)}">`,
    `<title>${escapeXml(title)}</title>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

interface Frame {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

interface Scale {
  x: (time: number) => number;
  y: (position: number) => number;
}

/** A number rounded to 0.1, without a trailing ".0" or a "-0". */
function fmt(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

/** Text safe inside an element or a double-quoted attribute. */
function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Rough text width in pixels for a sans-serif font: no font metrics in a pure function. */
function textWidth(text: string, size: number, bold = false): number {
  return text.length * size * (bold ? 0.64 : 0.58);
}

function detailLabel(signal: TimeSpaceSignal): string {
  return `${fmt(signal.position)} m · offset ${fmt(signal.offset)} s`;
}

function leftMargin(signals: TimeSpaceSignal[]): number {
  const widest = Math.max(
    ...signals.map((s) =>
      Math.max(textWidth(s.id, LABEL.idSize, true), textWidth(detailLabel(s), LABEL.detailSize)),
    ),
  );
  return Math.min(320, Math.max(120, Math.ceil(widest) + 44));
}

/** Plot height that leaves every row its bars and label, even where signals stand close. */
function plotHeight(signals: TimeSpaceSignal[]): number {
  const positions = signals.map((s) => s.position);
  const range = Math.max(...positions) - Math.min(...positions);
  const gaps = positions.slice(1).map((p, i) => p - positions[i]!);
  const closest = Math.min(...gaps.filter((g) => g > 0));
  const spread = Number.isFinite(closest) ? LABEL.gap * (range / closest) : 0;
  return Math.min(2000, Math.max(280, 60 * (signals.length - 1), spread)) + 44;
}

function scales(diagram: TimeSpaceDiagram, frame: Frame): Scale {
  const positions = diagram.signals.map((s) => s.position);
  const low = Math.min(...positions);
  const high = Math.max(...positions);
  const pad = 22;
  const span = frame.bottom - frame.top - 2 * pad;
  return {
    x: (time) => frame.left + (time / diagram.duration) * (frame.right - frame.left),
    y: (position) =>
      high === low
        ? (frame.top + frame.bottom) / 2
        : frame.bottom - pad - ((position - low) / (high - low)) * span,
  };
}

function heading(diagram: TimeSpaceDiagram, title: string, width: number): string {
  const { cycle, bandwidth, efficiency } = diagram;
  const numbers = `Cycle ${fmt(cycle)} s · outbound band ${fmt(bandwidth.outbound)} s · inbound band ${fmt(bandwidth.inbound)} s · efficiency ${fmt(efficiency * 100)} %`;
  return [
    `<text x="${fmt(width / 2)}" y="24" text-anchor="middle" font-size="16" font-weight="bold" fill="${COLOURS.text}">${escapeXml(title)}</text>`,
    `<text x="${fmt(width / 2)}" y="44" text-anchor="middle" fill="${COLOURS.muted}">${escapeXml(numbers)}</text>`,
  ].join('\n');
}

/** A round tick step giving at most `most` intervals, one that divides the cycle where one does. */
function tickStep(duration: number, cycle: number, most: number): number {
  const steps = [
    1, 2, 4, 5, 10, 15, 20, 25, 30, 40, 45, 50, 60, 75, 90, 100, 120, 150, 180, 300, 600,
  ];
  const fewEnough = steps.filter((step) => duration / step <= most);
  const dividesCycle = fewEnough.find(
    (step) => Math.abs(cycle / step - Math.round(cycle / step)) < 1e-9,
  );
  return dividesCycle ?? fewEnough[0] ?? Math.ceil(duration / most);
}

function timeAxis(diagram: TimeSpaceDiagram, frame: Frame, scale: Scale): string {
  const step = tickStep(
    diagram.duration,
    diagram.cycle,
    Math.max(2, Math.floor((frame.right - frame.left) / 60)),
  );
  const parts: string[] = [];
  for (let time = 0; time <= diagram.duration + 1e-9; time += step) {
    const x = fmt(scale.x(time));
    parts.push(
      `<line x1="${x}" y1="${fmt(frame.top)}" x2="${x}" y2="${fmt(frame.bottom)}" stroke="${COLOURS.grid}"/>`,
      `<line x1="${x}" y1="${fmt(frame.bottom)}" x2="${x}" y2="${fmt(frame.bottom + 5)}" stroke="${COLOURS.row}"/>`,
      `<text x="${x}" y="${fmt(frame.bottom + 18)}" text-anchor="middle" fill="${COLOURS.text}">${fmt(time)}</text>`,
    );
  }
  parts.push(
    `<text x="${fmt((frame.left + frame.right) / 2)}" y="${fmt(frame.bottom + 36)}" text-anchor="middle" fill="${COLOURS.text}">Time (s)</text>`,
  );
  return `<g class="time-axis">\n${parts.join('\n')}\n${cycleBoundaries(diagram, frame, scale)}\n</g>`;
}

function cycleBoundaries(diagram: TimeSpaceDiagram, frame: Frame, scale: Scale): string {
  const parts: string[] = [];
  const cycleWidth = scale.x(diagram.cycle) - scale.x(0);
  for (let k = 0; k * diagram.cycle <= diagram.duration + 1e-9; k++) {
    const x = fmt(scale.x(k * diagram.cycle));
    parts.push(
      `<line class="cycle-boundary" x1="${x}" y1="${fmt(frame.top - 4)}" x2="${x}" y2="${fmt(frame.bottom)}" stroke="${COLOURS.cycle}" stroke-dasharray="5 4"/>`,
    );
    const middle = Math.min(diagram.duration, (k + 0.5) * diagram.cycle);
    if ((k + 1) * diagram.cycle <= diagram.duration + 1e-9 && cycleWidth > 60)
      parts.push(
        `<text x="${fmt(scale.x(middle))}" y="${fmt(frame.top - 8)}" text-anchor="middle" fill="${COLOURS.muted}">cycle ${k + 1}</text>`,
      );
  }
  return parts.join('\n');
}

function points(parallelogram: BandParallelogram, scale: Scale): string {
  return parallelogram.corners
    .map((c) => `${fmt(scale.x(c.time))},${fmt(scale.y(c.position))}`)
    .join(' ');
}

/** The band's parallelograms shaded, and its two edges drawn once per cycle as polylines. */
function bandLayer(band: GreenBand, scale: Scale): string {
  const colour = COLOURS[band.direction];
  const polygons = band.parallelograms.map(
    (p) =>
      `<polygon class="band ${band.direction}" data-from="${escapeXml(p.from)}" data-to="${escapeXml(p.to)}" points="${points(p, scale)}"/>`,
  );
  const edges = bandEdges(band.parallelograms).map((edge) => {
    const line = edge.map((c) => `${fmt(scale.x(c.time))},${fmt(scale.y(c.position))}`).join(' ');
    return `<polyline points="${line}"/>`;
  });
  return [
    `<g class="band-${band.direction}" clip-path="url(#tsd-plot)">`,
    `<g fill="${colour}" opacity="0.28">\n${polygons.join('\n')}\n</g>`,
    `<g fill="none" stroke="${colour}" stroke-width="1.2">\n${edges.join('\n')}\n</g>`,
    '</g>',
  ].join('\n');
}

/** Start and end edges of each repetition of a band, as corner chains. */
function bandEdges(parallelograms: BandParallelogram[]): BandParallelogram['corners'][number][][] {
  const byCycle = new Map<number, BandParallelogram[]>();
  for (const p of parallelograms)
    byCycle.set(p.cycleIndex, [...(byCycle.get(p.cycleIndex) ?? []), p]);
  return [...byCycle.values()].flatMap((chain) => {
    const last = chain[chain.length - 1]!;
    return [
      [...chain.map((p) => p.corners[0]), last.corners[1]],
      [...chain.map((p) => p.corners[3]), last.corners[2]],
    ];
  });
}

function bars(
  intervals: TimeInterval[],
  y: number,
  colour: string,
  kind: string,
  scale: Scale,
): string[] {
  return intervals.map(
    ({ start, end }) =>
      `<rect class="${kind}" x="${fmt(scale.x(start))}" y="${fmt(y)}" width="${fmt(scale.x(end) - scale.x(start))}" height="${BAR.height}" fill="${colour}"/>`,
  );
}

/** Each label's y, moved apart where rows stand closer than a label's height, kept in the frame. */
function spreadLabels(rowYs: number[], frame: Frame): number[] {
  const order = rowYs.map((y, index) => ({ y, index })).sort((a, b) => a.y - b.y);
  const placed = order.map((o) => o.y);
  for (let i = 1; i < placed.length; i++)
    placed[i] = Math.max(placed[i]!, placed[i - 1]! + LABEL.gap);
  const limit = frame.bottom - 4;
  for (let i = placed.length - 1; i >= 0; i--) {
    const below = i === placed.length - 1 ? limit : placed[i + 1]! - LABEL.gap;
    placed[i] = Math.min(placed[i]!, below);
  }
  const out = new Array<number>(rowYs.length);
  order.forEach((o, i) => (out[o.index] = placed[i]!));
  return out;
}

function signalRows(diagram: TimeSpaceDiagram, frame: Frame, scale: Scale): string {
  const rowYs = diagram.signals.map((s) => scale.y(s.position));
  const labelYs = spreadLabels(rowYs, frame);
  const anyClearance = diagram.signals.some(
    (s) => s.outbound.queueClearance > 0 || s.inbound.queueClearance > 0,
  );
  return diagram.signals
    .map((signal, index) => {
      const y = rowYs[index]!;
      const labelY = labelYs[index]!;
      const above = y - BAR.gap - BAR.height;
      const below = y + BAR.gap;
      const leader =
        Math.abs(labelY - y) > 0.5
          ? [
              `<line x1="${fmt(frame.left - 8)}" y1="${fmt(labelY)}" x2="${fmt(frame.left)}" y2="${fmt(y)}" stroke="${COLOURS.muted}"/>`,
            ]
          : [];
      return [
        `<g class="signal" data-id="${escapeXml(signal.id)}">`,
        `<line class="row" x1="${fmt(frame.left)}" y1="${fmt(y)}" x2="${fmt(frame.right)}" y2="${fmt(y)}" stroke="${COLOURS.row}"/>`,
        ...bars(signal.outbound.greens, above, COLOURS.green, 'green outbound', scale),
        ...bars(signal.outbound.reds, above, COLOURS.red, 'red outbound', scale),
        ...bars(signal.inbound.greens, below, COLOURS.green, 'green inbound', scale),
        ...bars(signal.inbound.reds, below, COLOURS.red, 'red inbound', scale),
        ...(anyClearance
          ? [
              ...bars(
                signal.outbound.queueClearances,
                above,
                COLOURS.queueClearance,
                'queue-clearance outbound',
                scale,
              ),
              ...bars(
                signal.inbound.queueClearances,
                below,
                COLOURS.queueClearance,
                'queue-clearance inbound',
                scale,
              ),
            ]
          : []),
        ...leader,
        `<text x="${fmt(frame.left - 10)}" y="${fmt(labelY - 1)}" text-anchor="end" font-weight="bold" font-size="${LABEL.idSize}" fill="${COLOURS.text}">${escapeXml(signal.id)}</text>`,
        `<text x="${fmt(frame.left - 10)}" y="${fmt(labelY + 11)}" text-anchor="end" font-size="${LABEL.detailSize}" fill="${COLOURS.muted}">${escapeXml(detailLabel(signal))}</text>`,
        '</g>',
      ].join('\n');
    })
    .join('\n');
}

function distanceTitle(frame: Frame): string {
  const y = fmt((frame.top + frame.bottom) / 2);
  return `<text x="16" y="${y}" text-anchor="middle" transform="rotate(-90 16 ${y})" fill="${COLOURS.text}">Distance (m)</text>`;
}

interface LegendItem {
  label: string;
  /** A swatch of one colour, or the two-bar glyph explaining which bar is which direction. */
  swatch: { fill: string; opacity?: number } | 'bars';
}

function speedText(band: GreenBand): string {
  const speeds = band.parallelograms.map((p) => p.speed);
  if (speeds.length === 0) return '';
  const low = Math.min(...speeds);
  const high = Math.max(...speeds);
  const range = low === high ? fmt(low) : `${fmt(low)}–${fmt(high)}`;
  const kmh = low === high ? fmt(low * 3.6) : `${fmt(low * 3.6)}–${fmt(high * 3.6)}`;
  return ` at ${range} m/s (${kmh} km/h)`;
}

function bandLabel(band: GreenBand): string {
  const name =
    band.direction === 'outbound'
      ? 'Outbound band (distance rising)'
      : 'Inbound band (distance falling)';
  return band.width > 0 ? `${name}: ${fmt(band.width)} s${speedText(band)}` : `${name}: none`;
}

function legendItems(diagram: TimeSpaceDiagram): LegendItem[] {
  const anyClearance = diagram.signals.some(
    (s) => s.outbound.queueClearance > 0 || s.inbound.queueClearance > 0,
  );
  return [
    { label: 'Green', swatch: { fill: COLOURS.green } },
    { label: 'Red', swatch: { fill: COLOURS.red } },
    ...(anyClearance
      ? [{ label: 'Queue clearance', swatch: { fill: COLOURS.queueClearance } }]
      : []),
    { label: 'Bar above the row: outbound; below: inbound', swatch: 'bars' },
    { label: bandLabel(diagram.bands.outbound), swatch: { fill: COLOURS.outbound, opacity: 0.28 } },
    { label: bandLabel(diagram.bands.inbound), swatch: { fill: COLOURS.inbound, opacity: 0.28 } },
  ];
}

/** Legend items flowed left to right, wrapping at the right edge. */
function layoutLegend(
  items: LegendItem[],
  left: number,
  right: number,
): { lines: number; places: { x: number; line: number }[] } {
  let x = left;
  let line = 0;
  const places = items.map((item) => {
    const size = 20 + textWidth(item.label, 12) + 18;
    if (x > left && x + size > right) {
      x = left;
      line += 1;
    }
    const place = { x, line };
    x += size;
    return place;
  });
  return { lines: line + 1, places };
}

function legendSvg(items: LegendItem[], left: number, right: number, top: number): string {
  const { places } = layoutLegend(items, left, right);
  const parts = items.map((item, index) => {
    const { x, line } = places[index]!;
    const y = top + line * LEGEND_ROW;
    const swatch =
      item.swatch === 'bars'
        ? [
            `<rect x="${fmt(x)}" y="${fmt(y - 10)}" width="14" height="4" fill="${COLOURS.green}"/>`,
            `<line x1="${fmt(x)}" y1="${fmt(y - 5.5)}" x2="${fmt(x + 14)}" y2="${fmt(y - 5.5)}" stroke="${COLOURS.row}"/>`,
            `<rect x="${fmt(x)}" y="${fmt(y - 5)}" width="14" height="4" fill="${COLOURS.red}"/>`,
          ].join('')
        : `<rect x="${fmt(x)}" y="${fmt(y - 10)}" width="14" height="10" fill="${item.swatch.fill}"${item.swatch.opacity === undefined ? '' : ` fill-opacity="${item.swatch.opacity}" stroke="${item.swatch.fill}"`}/>`;
    return `${swatch}<text x="${fmt(x + 20)}" y="${fmt(y)}" fill="${COLOURS.text}">${escapeXml(item.label)}</text>`;
  });
  return `<g class="legend">\n${parts.join('\n')}\n</g>`;
}
