// The web page's pure helpers, as node imports them from the file the browser gets.
// Run: npx vitest run src/api/page/view.test.ts
import { describe, expect, it } from 'vitest';
import {
  COLOURS,
  controllerState,
  detectorColour,
  detectorPoint,
  escapeHtml,
  fittedHeight,
  levelOfServiceColour,
  offsetPolyline,
  pathData,
  projection,
  seconds,
  signed,
  stageRows,
} from './view.js';

describe('projection', () => {
  it('fits planar bounds into the box with one scale, north up, centred', () => {
    const project = projection([0, 0, 100, 50], 'planar', { width: 220, height: 120, margin: 10 });
    expect(project([0, 0])).toEqual([10, 110]);
    expect(project([100, 50])).toEqual([210, 10]);
    // A taller box: the width decides the scale and the drawing is centred vertically.
    const tall = projection([0, 0, 100, 50], 'planar', { width: 220, height: 300, margin: 10 });
    expect(tall([0, 50])).toEqual([10, 100]);
    expect(tall([0, 0])).toEqual([10, 200]);
  });

  it('shortens longitude by the cosine of the middle latitude', () => {
    // At 60° a degree of longitude is half a degree of latitude: 2° × 1° draws square.
    const project = projection([0, 59.5, 2, 60.5], 'lonlat', {
      width: 100,
      height: 100,
      margin: 0,
    });
    const [left, top] = project([0, 60.5]);
    const [right, bottom] = project([2, 59.5]);
    expect(right - left).toBeCloseTo(bottom - top, 0);
  });
});

describe('fittedHeight', () => {
  it('gives the height that draws the bounds at full width, within limits', () => {
    // 400 px of drawing for 100 m: 25 m take 100 px, plus the margins.
    expect(fittedHeight([0, 0, 100, 25], 'planar', 432, { margin: 16 })).toBe(132);
    expect(fittedHeight([0, 0, 100, 1], 'planar', 432)).toBe(120);
    expect(fittedHeight([0, 0, 100, 1000], 'planar', 432)).toBe(640);
    // At 60° latitude 2° of longitude draw as wide as 1° of latitude is high.
    expect(fittedHeight([0, 59.5, 2, 60.5], 'lonlat', 300, { margin: 0 })).toBeCloseTo(300, -1);
  });
});

describe('drawing helpers', () => {
  it('moves a polyline to the right of its direction of travel (SVG y down)', () => {
    expect(
      offsetPolyline(
        [
          [0, 0],
          [10, 0],
        ],
        2,
      ),
    ).toEqual([
      [0, 2],
      [10, 2],
    ]);
    expect(
      offsetPolyline(
        [
          [10, 0],
          [0, 0],
        ],
        2,
      ),
    ).toEqual([
      [10, -2],
      [0, -2],
    ]);
    expect(
      offsetPolyline(
        [
          [5, 5],
          [5, 5],
        ],
        2,
      ),
    ).toEqual([
      [5, 5],
      [5, 5],
    ]);
    expect(
      pathData([
        [0, 0],
        [10, 5],
        [12, 7],
      ]),
    ).toBe('M0 0L10 5L12 7');
  });

  it('draws a detector clear of the stop line, to the right of travel by lane', () => {
    expect(detectorPoint([0, 0], [100, 0], 0.99, 1, { clear: 14 })).toEqual([86, 5.5]);
    expect(detectorPoint([0, 0], [100, 0], 0.5, 0)).toEqual([50, 2.5]);
    // Westbound: right of travel is up the screen (smaller y).
    expect(detectorPoint([100, 0], [0, 0], 0.5, 0)).toEqual([50, -2.5]);
    // A link shorter than the clearance: the detector sits at its start.
    expect(detectorPoint([0, 0], [10, 0], 1, 0)).toEqual([0, 2.5]);
  });

  it('colours a controller by its pending command first, then its presence', () => {
    expect(controllerState({ presence: { state: 'online' } })).toEqual({
      colour: COLOURS.online,
      label: 'online',
    });
    expect(controllerState({ presence: { state: 'online' }, pending: { version: 4 } })).toEqual({
      colour: COLOURS.pending,
      label: 'online, command v4 pending',
    });
    expect(
      controllerState({ presence: { state: 'offline' }, pending: { version: 4 } }).colour,
    ).toBe(COLOURS.offline);
    expect(controllerState({ presence: { state: 'shutdown' } }).label).toBe('shutdown');
    expect(controllerState({ presence: { state: 'unknown' } }).colour).toBe(COLOURS.unknown);
    expect(controllerState(undefined).colour).toBe(COLOURS.unknown);
  });

  it('colours detectors by health and levels of service A to F', () => {
    expect(detectorColour('ok')).toBe(COLOURS.online);
    for (const fault of ['stuck-on', 'stuck-off', 'chattering'])
      expect(detectorColour(fault)).toBe(COLOURS.fault);
    expect(detectorColour('missing')).toBe(COLOURS.warning);
    expect(detectorColour('gaps')).toBe(COLOURS.warning);
    expect(detectorColour('unknown')).toBe(COLOURS.unknown);
    const levels = ['A', 'B', 'C', 'D', 'E', 'F'].map(levelOfServiceColour);
    expect(new Set(levels).size).toBe(6);
    expect(levelOfServiceColour('F')).toBe(COLOURS.fault);
    expect(levelOfServiceColour('?')).toBe(COLOURS.unknown);
  });
});

describe('plan rows and formats', () => {
  it('lists each stage with its groups and kinds, sorted, and where it starts in the cycle', () => {
    const rows = stageRows({
      stages: [
        {
          id: 'A',
          greens: { 'EB-T': 'protected', 'EB-L': 'permissive' },
          green: 40,
          yellow: 3,
          allRed: 2,
          minGreen: 10,
        },
        { id: 'B', greens: { 'NB-T': 'protected' }, green: 20, yellow: 4, allRed: 1, minGreen: 8 },
        { id: 'C', greens: { 'SB-T': 'protected' }, green: 15, yellow: 3, allRed: 2, minGreen: 8 },
      ],
    });
    expect(rows[0]).toEqual({
      stage: 'A',
      groups: 'EB-L (permissive), EB-T (protected)',
      green: 40,
      yellow: 3,
      allRed: 2,
      minGreen: 10,
      start: 0,
    });
    expect(rows.map((row) => row.start)).toEqual([0, 45, 70]);
  });

  it('formats seconds and signed changes, and escapes HTML', () => {
    expect(seconds(38.25)).toBe('38.3 s');
    expect(seconds(null)).toBe('–');
    expect(seconds(Infinity)).toBe('–');
    expect(signed(-8.26)).toBe('−8.3');
    expect(signed(2)).toBe('+2.0');
    expect(signed(0)).toBe('0.0');
    expect(signed(undefined)).toBe('–');
    expect(escapeHtml('<b title="x">&</b>')).toBe('&lt;b title=&quot;x&quot;&gt;&amp;&lt;/b&gt;');
  });
});
