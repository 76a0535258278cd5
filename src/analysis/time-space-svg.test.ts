// Tests for the time–space SVG: valid XML, one row per signal, the band polygons, coordinates.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { BandwidthResult, Corridor } from '../optimize/corridor.ts';
import { timeSpaceSvg } from './time-space-svg.ts';
import { timeSpaceDiagram } from './time-space.ts';
import { IDS, TEXTBOOK, TEXTBOOK_RESULT } from './time-space.fixture.ts';

type Attributes = Record<string, string>;

/** Every element with its attributes, depth first, from the parsed SVG. */
function elements(svg: string): { name: string; attributes: Attributes; text?: string }[] {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    preserveOrder: true,
  });
  type Node = Record<string, unknown> & { ':@'?: Attributes };
  const out: { name: string; attributes: Attributes; text?: string }[] = [];
  const walk = (nodes: Node[]) => {
    for (const node of nodes) {
      const name = Object.keys(node).find((key) => key !== ':@')!;
      if (name === '#text') continue;
      const children = node[name] as Node[];
      const text = children.find((c) => '#text' in c)?.['#text'];
      out.push({
        name,
        attributes: node[':@'] ?? {},
        ...(text === undefined ? {} : { text: String(text) }),
      });
      walk(children);
    }
  };
  walk(parser.parse(svg) as Node[]);
  return out;
}

const hasClass = (element: { attributes: Attributes }, name: string) =>
  (element.attributes.class ?? '').split(' ').includes(name);

describe('timeSpaceSvg', () => {
  const diagram = timeSpaceDiagram(TEXTBOOK, TEXTBOOK_RESULT);
  const svg = timeSpaceSvg(diagram, { width: 960, height: 600, title: 'Textbook corridor' });
  const all = elements(svg);

  it('is well-formed XML with an SVG root, and repeats exactly', () => {
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(all[0]!.name).toBe('svg');
    expect(all[0]!.attributes).toMatchObject({
      xmlns: 'http://www.w3.org/2000/svg',
      width: '960',
      height: '600',
    });
    expect(timeSpaceSvg(diagram, { width: 960, height: 600, title: 'Textbook corridor' })).toBe(
      svg,
    );
    expect(svg).not.toMatch(/<script|@import|url\(http|font-face/);
  });

  it('draws one row per signal, labelled with its id and offset, distance rising upward', () => {
    const rows = all.filter((e) => e.name === 'g' && hasClass(e, 'signal'));
    expect(rows.map((r) => r.attributes['data-id'])).toEqual(IDS);
    const lines = all.filter((e) => e.name === 'line' && hasClass(e, 'row'));
    const ys = lines.map((l) => Number(l.attributes.y1));
    expect(ys).toHaveLength(5);
    // Position 0 at the bottom, 1600 m at the top, equal spacing for equal distances.
    for (let i = 1; i < ys.length; i++) expect(ys[i]!).toBeLessThan(ys[i - 1]!);
    const spacing = ys.slice(1).map((y, i) => ys[i]! - y);
    for (const gap of spacing) expect(gap).toBeCloseTo(spacing[0]!, 0);
    const texts = all.filter((e) => e.name === 'text').map((e) => e.text);
    expect(texts).toContain('S2');
    expect(texts).toContain('400 m · offset 40 s');
  });

  it('shades every band parallelogram, in two colours', () => {
    const polygons = all.filter((e) => e.name === 'polygon');
    const outbound = polygons.filter((p) => hasClass(p, 'outbound'));
    const inbound = polygons.filter((p) => hasClass(p, 'inbound'));
    expect(outbound).toHaveLength(diagram.bands.outbound.parallelograms.length);
    expect(inbound).toHaveLength(diagram.bands.inbound.parallelograms.length);
    expect(outbound.length).toBeGreaterThanOrEqual(3 * 4);
    const fills = all
      .filter((e) => e.name === 'g' && e.attributes.opacity !== undefined)
      .map((g) => g.attributes.fill);
    expect(new Set(fills).size).toBe(2);
  });

  it('places bars and bands at the times and positions they stand for', () => {
    // The plot frame is the clip path's rectangle; time runs across it from 0 to 240 s.
    const frame = all[all.findIndex((e) => e.name === 'clipPath') + 1]!.attributes;
    const left = Number(frame.x);
    const plotWidth = Number(frame.width);
    const x = (time: number) => left + (time / 240) * plotWidth;
    const rowY = Object.fromEntries(
      all
        .filter((e) => e.name === 'line' && hasClass(e, 'row'))
        .map((l, i) => [IDS[i]!, Number(l.attributes.y1)]),
    );
    // S2's first outbound green, 40–80 s, sits just above its row.
    const s2 = all.findIndex((e) => e.attributes['data-id'] === 'S2');
    const greenBar = all.slice(s2).find((e) => hasClass(e, 'green') && hasClass(e, 'outbound'))!;
    expect(Number(greenBar.attributes.x)).toBeCloseTo(x(40), 0);
    expect(Number(greenBar.attributes.width)).toBeCloseTo(x(80) - x(40), 0);
    expect(Number(greenBar.attributes.y) + Number(greenBar.attributes.height)).toBeLessThanOrEqual(
      rowY.S2!,
    );
    const inboundBar = all.slice(s2).find((e) => hasClass(e, 'green') && hasClass(e, 'inbound'))!;
    expect(Number(inboundBar.attributes.y)).toBeGreaterThanOrEqual(rowY.S2!);
    // The outbound band leaving S1 at 0 s: its S1–S2 parallelogram from (0, S1) to (40, S2).
    const firstBand = all.find(
      (e) =>
        e.name === 'polygon' &&
        hasClass(e, 'outbound') &&
        e.attributes['data-from'] === 'S1' &&
        e.attributes.points!.startsWith(`${Math.round(x(0) * 10) / 10},`),
    )!;
    const corners = firstBand.attributes.points!.split(' ').map((p) => p.split(',').map(Number));
    expect(corners[0]![1]).toBeCloseTo(rowY.S1!, 0);
    expect(corners[1]![0]).toBeCloseTo(x(40), 0);
    expect(corners[1]![1]).toBeCloseTo(rowY.S2!, 0);
    expect(corners[2]![0]).toBeCloseTo(x(80), 0);
  });

  it('rounds numbers to 0.1 and labels time ticks, cycle boundaries and the title numbers', () => {
    const numbers = svg.replace(/opacity="[^"]*"/g, '').match(/-?\d+\.\d+/g) ?? [];
    for (const n of numbers) expect(n.split('.')[1]!.length).toBe(1);
    const texts = all.filter((e) => e.name === 'text').map((e) => e.text ?? '');
    expect(texts).toEqual(expect.arrayContaining(['0', '80', '160', '240', 'Time (s)']));
    expect(all.filter((e) => hasClass(e, 'cycle-boundary'))).toHaveLength(4);
    expect(texts).toContain(
      'Cycle 80 s · outbound band 40 s · inbound band 40 s · efficiency 50 %',
    );
  });

  it('escapes text, so ids and titles cannot break the markup', () => {
    const corridor = {
      ...TEXTBOOK,
      signals: TEXTBOOK.signals.map((s, i) => (i === 0 ? { ...s, id: 'Main & "1st" <N>' } : s)),
    };
    const result = {
      ...TEXTBOOK_RESULT,
      signals: TEXTBOOK_RESULT.signals.map((s, i) =>
        i === 0 ? { ...s, id: 'Main & "1st" <N>' } : s,
      ),
      links: TEXTBOOK_RESULT.links.map((l, i) =>
        i === 0 ? { ...l, from: 'Main & "1st" <N>' } : l,
      ),
    };
    const escaped = timeSpaceSvg(timeSpaceDiagram(corridor, result), { title: "O'Hare <AM>" });
    expect(XMLValidator.validate(escaped)).toBe(true);
    expect(escaped).toContain('Main &amp; &quot;1st&quot; &lt;N&gt;');
    expect(escaped).toContain('O&apos;Hare &lt;AM&gt;');
  });

  it('spreads the labels of signals standing close, without overlapping them', () => {
    const close: Corridor = {
      ...TEXTBOOK,
      signals: [
        { id: 'A', position: 0, green: 0.5 },
        { id: 'B', position: 30, green: 0.5 },
        { id: 'C', position: 1000, green: 0.5 },
      ],
    };
    const result: BandwidthResult = {
      cycle: 80,
      bandwidth: { outbound: 0, inbound: 0 },
      efficiency: 0,
      signals: ['A', 'B', 'C'].map((id) => ({ id, offset: 0 })),
      links: [
        { from: 'A', to: 'B', outbound: 10, inbound: 10 },
        { from: 'B', to: 'C', outbound: 10, inbound: 10 },
      ],
    };
    const parts = elements(timeSpaceSvg(timeSpaceDiagram(close, result), { height: 400 }));
    const idYs = parts
      .filter((e) => e.name === 'text' && e.attributes['font-weight'] === 'bold')
      .slice(1) // the title
      .map((e) => Number(e.attributes.y));
    expect(idYs).toHaveLength(3);
    expect(Math.abs(idYs[0]! - idYs[1]!)).toBeGreaterThanOrEqual(24);
  });
});
