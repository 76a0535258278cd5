// The web page's pure helpers: map projection, status colours, plan rows, number formats. No DOM,
// so node imports it too (types in view.d.ts). Test: npx vitest run src/api/page/view.test.ts

/** Map colours by state, shared by the legend and the drawing. */
export const COLOURS = {
  online: '#2e7d32',
  pending: '#f9a825',
  offline: '#c62828',
  unknown: '#9e9e9e',
  fault: '#c62828',
  warning: '#ef6c00',
  boundary: '#bdbdbd',
  link: '#78909c',
};

/**
 * A projection of network positions onto an SVG box of `width` × `height` pixels with `margin`
 * around, north up, one scale on both axes. For `lonlat` a degree of longitude is shortened by the
 * cosine of the middle latitude, so streets keep their angles.
 *
 * @example
 * projection([0, 0, 100, 50], 'planar', { width: 220, height: 120, margin: 10 })([100, 50]) // => [210, 10]
 */
export function projection(bounds, coordinates, { width, height, margin = 16 }) {
  const [west, south, east, north] = bounds;
  const squeeze = coordinates === 'lonlat' ? Math.cos((((south + north) / 2) * Math.PI) / 180) : 1;
  const spanX = Math.max((east - west) * squeeze, 1e-12);
  const spanY = Math.max(north - south, 1e-12);
  const scale = Math.min((width - 2 * margin) / spanX, (height - 2 * margin) / spanY);
  const left = (width - spanX * scale) / 2;
  const top = (height - spanY * scale) / 2;
  return ([x, y]) => [round(left + (x - west) * squeeze * scale), round(top + (north - y) * scale)];
}

/**
 * The height an SVG of `width` pixels needs to draw `bounds` at the projection's scale, kept
 * within [min, max]: a long arterial gets a low map, a grid a square one.
 *
 * @example
 * fittedHeight([0, 0, 100, 25], 'planar', 432, { margin: 16 }) // => 132
 */
export function fittedHeight(
  bounds,
  coordinates,
  width,
  { margin = 16, min = 120, max = 640 } = {},
) {
  const [west, south, east, north] = bounds;
  const squeeze = coordinates === 'lonlat' ? Math.cos((((south + north) / 2) * Math.PI) / 180) : 1;
  const spanX = Math.max((east - west) * squeeze, 1e-12);
  const height = ((width - 2 * margin) * (north - south)) / spanX + 2 * margin;
  return Math.round(Math.min(Math.max(height, min), max));
}

/**
 * A polyline moved `distance` pixels to the right of its direction of travel (right-hand
 * traffic), so a link and its opposite are drawn side by side, not on top of each other.
 *
 * @example
 * offsetPolyline([[0, 0], [10, 0]], 2) // => [[0, 2], [10, 2]]
 */
export function offsetPolyline(points, distance) {
  return points.map((point, index) => {
    const from = points[Math.max(index - 1, 0)];
    const to = points[Math.min(index + 1, points.length - 1)];
    const dx = to[0] - from[0];
    const dy = to[1] - from[1];
    const length = Math.hypot(dx, dy);
    if (length === 0) return [point[0], point[1]];
    // In SVG y grows downwards, so the right-hand normal of (dx, dy) is (−dy, dx).
    return [round(point[0] - (dy / length) * distance), round(point[1] + (dx / length) * distance)];
  });
}

/**
 * Where a detector is drawn, in pixels: on its link's segment from `start` to `end` at `fraction`
 * of the way, but at least `clear` pixels back from the stop line so the intersection's dot does
 * not hide it, and to the right of travel by lane (kerb lane nearest the centre line's offset).
 *
 * @example
 * detectorPoint([0, 0], [100, 0], 0.99, 1, { clear: 14 }) // => [86, 5.5]
 */
export function detectorPoint(
  start,
  end,
  fraction,
  lane,
  { clear = 14, laneWidth = 3, offset = 2.5 } = {},
) {
  const dx = end[0] - start[0];
  const dy = end[1] - start[1];
  const length = Math.hypot(dx, dy);
  if (length === 0) return [start[0], start[1]];
  const back = Math.min(Math.max((1 - fraction) * length, clear), length);
  const along = (length - back) / length;
  const side = offset + lane * laneWidth;
  return [
    round(start[0] + dx * along - (dy / length) * side),
    round(start[1] + dy * along + (dx / length) * side),
  ];
}

/**
 * The SVG path data of a polyline.
 *
 * @example
 * pathData([[0, 0], [10, 5]]) // => 'M0 0L10 5'
 */
export function pathData(points) {
  return points.map(([x, y], index) => `${index === 0 ? 'M' : 'L'}${x} ${y}`).join('');
}

/**
 * A controller's colour and words on the map: a command awaiting its answer first, then presence.
 *
 * @example
 * controllerState({ presence: { state: 'online' }, pending: { version: 4 } }) // => { colour: '#f9a825', label: 'online, command v4 pending' }
 */
export function controllerState(controller) {
  if (controller === undefined) return { colour: COLOURS.unknown, label: 'no controller known' };
  const presence = controller.presence?.state ?? 'unknown';
  if (controller.pending && presence === 'online') {
    return {
      colour: COLOURS.pending,
      label: `online, command v${controller.pending.version} pending`,
    };
  }
  if (presence === 'online') return { colour: COLOURS.online, label: 'online' };
  if (presence === 'offline' || presence === 'shutdown')
    return { colour: COLOURS.offline, label: presence };
  return { colour: COLOURS.unknown, label: 'presence unknown' };
}

/**
 * A detector's colour by its health: sound, not judged yet, incomplete data, or failed.
 *
 * @example
 * detectorColour('stuck-on') // => '#c62828'
 */
export function detectorColour(status) {
  if (status === 'ok') return COLOURS.online;
  if (status === 'missing' || status === 'gaps') return COLOURS.warning;
  if (status === 'stuck-on' || status === 'stuck-off' || status === 'chattering')
    return COLOURS.fault;
  return COLOURS.unknown;
}

/**
 * The level of service's colour, A green to F red.
 *
 * @example
 * levelOfServiceColour('F') // => '#c62828'
 */
export function levelOfServiceColour(level) {
  return (
    { A: '#2e7d32', B: '#558b2f', C: '#9e9d24', D: '#f9a825', E: '#ef6c00', F: '#c62828' }[level] ??
    COLOURS.unknown
  );
}

/**
 * The rows of a plan table: per stage its signal groups with how each moves, and its times.
 *
 * @example
 * stageRows({ stages: [{ id: 'A', greens: { 'EB-T': 'protected', 'EB-L': 'permissive' }, green: 40, yellow: 3, allRed: 2, minGreen: 10 }] })
 * // => [{ stage: 'A', groups: 'EB-L (permissive), EB-T (protected)', green: 40, yellow: 3, allRed: 2, minGreen: 10, start: 0 }]
 */
export function stageRows(plan) {
  let start = 0;
  return plan.stages.map((stage) => {
    const row = {
      stage: stage.id,
      groups: Object.entries(stage.greens)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([group, kind]) => `${group} (${kind})`)
        .join(', '),
      green: stage.green,
      yellow: stage.yellow,
      allRed: stage.allRed,
      minGreen: stage.minGreen,
      start,
    };
    start += stage.green + stage.yellow + stage.allRed;
    return row;
  });
}

/**
 * A number of seconds for a table, to one decimal; a dash for none.
 *
 * @example
 * seconds(38.25) // => '38.3 s'
 */
export function seconds(value) {
  return value === undefined || value === null || !Number.isFinite(value)
    ? '–'
    : `${value.toFixed(1)} s`;
}

/**
 * A change with its sign, to one decimal: less delay shows as a minus.
 *
 * @example
 * signed(-8.26) // => '−8.3'
 */
export function signed(value) {
  if (value === undefined || value === null || !Number.isFinite(value)) return '–';
  const text = Math.abs(value).toFixed(1);
  return value < 0 ? `−${text}` : value > 0 ? `+${text}` : text;
}

/**
 * Text made safe to put inside HTML.
 *
 * @example
 * escapeHtml('<b>&') // => '&lt;b&gt;&amp;'
 */
export function escapeHtml(text) {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function round(value) {
  return Math.round(value * 10) / 10;
}
