// The web page's DOM code: draws the map once, then polls the API and fills the tables. The pure
// parts live in view.js (unit-tested); this file only fetches and writes HTML.
/* global document, fetch, window, URL, URLSearchParams, Blob */
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

const LIVE_SECONDS = 5;
const SLOW_SECONDS = 30;
const MAP_WIDTH = 900;

const $ = (selector) => document.querySelector(selector);

async function api(path) {
  const response = await fetch(path, { headers: { accept: 'application/json' } });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error(body.message ?? `${path}: HTTP ${response.status}`);
  }
  return response.json();
}

const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '–');

// ---- map ----------------------------------------------------------------------------------

async function drawMap() {
  const map = await api('/api/v1/network/map');
  $('#network-name').textContent = map.name;
  const box = {
    width: MAP_WIDTH,
    height: fittedHeight(map.bounds, map.coordinates, MAP_WIDTH, { margin: 28 }),
    margin: 28,
  };
  const project = projection(map.bounds, map.coordinates, box);
  const links = map.links.map((link) => {
    const points = offsetPolyline(link.geometry.map(project), 2.5);
    const width = 1 + link.lanes * 1.2;
    return `<path class="link" d="${pathData(points)}" stroke="${COLOURS.link}" stroke-width="${width}"><title>${escapeHtml(
      `${link.name ?? link.id}: ${link.lanes} lanes, ${Math.round(link.length)} m, ${Math.round(link.speedLimit * 3.6)} km/h`,
    )}</title></path>`;
  });
  const linkById = new Map(map.links.map((link) => [link.id, link]));
  const detectors = map.detectors.map((detector) => {
    const link = linkById.get(detector.link);
    const [x, y] = detectorPoint(
      project(link.geometry[0]),
      project(link.geometry[link.geometry.length - 1]),
      detector.offset / link.length,
      detector.lane,
    );
    return `<rect class="detector" data-detector="${escapeHtml(detector.id)}" x="${x - 2}" y="${y - 2}" width="4" height="4" fill="${COLOURS.unknown}"><title>${escapeHtml(
      `${detector.id} (${detector.kind}${detector.implied ? ', implied' : ''}), lane ${detector.lane} of ${detector.link}`,
    )}</title></rect>`;
  });
  const nodes = map.intersections.map((intersection) => {
    const [x, y] = project(intersection.position);
    if (!intersection.signal) {
      return `<circle cx="${x}" cy="${y}" r="3" fill="${COLOURS.boundary}"><title>${escapeHtml(intersection.name ?? intersection.id)} (${intersection.kind})</title></circle>`;
    }
    return `<g><circle class="signal" data-site="${escapeHtml(intersection.signal)}" cx="${x}" cy="${y}" r="8" fill="${COLOURS.unknown}" stroke="#fff" stroke-width="2"><title>${escapeHtml(
      `${intersection.signal}: ${intersection.name ?? intersection.id}`,
    )}</title></circle><text class="label" x="${x}" y="${y - 13}" text-anchor="middle">${escapeHtml(intersection.signal)}</text></g>`;
  });
  $('#map').innerHTML =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${box.width} ${box.height}" role="img">` +
    `${links.join('')}${detectors.join('')}${nodes.join('')}</svg>`;
  $('#legend').innerHTML = [
    [COLOURS.online, 'controller online / detector sound'],
    [COLOURS.pending, 'command pending'],
    [COLOURS.offline, 'offline / detector failed'],
    [COLOURS.warning, 'detector data missing or gappy'],
    [COLOURS.unknown, 'unknown / not judged yet'],
  ]
    .map(
      ([colour, text]) =>
        `<li><span class="swatch" style="background:${colour}"></span>${escapeHtml(text)}</li>`,
    )
    .join('');
}

function paintControllers(controllers) {
  const bySite = new Map(controllers.map((controller) => [controller.site, controller]));
  for (const circle of document.querySelectorAll('circle.signal')) {
    const { colour, label } = controllerState(bySite.get(circle.dataset.site));
    circle.setAttribute('fill', colour);
    circle.querySelector('title').textContent = `${circle.dataset.site}: ${label}`;
  }
  $('#controllers tbody').innerHTML = controllers
    .map((controller) => {
      const { colour, label } = controllerState(controller);
      return `<tr><td>${escapeHtml(controller.site)}</td><td><span class="swatch" style="background:${colour}"></span>${escapeHtml(label)}</td><td>${escapeHtml(controller.active?.planId ?? '–')}</td><td class="number">${controller.active?.version ?? '–'}</td><td>${escapeHtml(controller.alarms.join(', '))}</td></tr>`;
    })
    .join('');
}

function paintDetectors(detectors) {
  const byId = new Map(detectors.map((detector) => [detector.detector, detector]));
  for (const rect of document.querySelectorAll('rect.detector')) {
    const detector = byId.get(rect.dataset.detector);
    rect.setAttribute('fill', detectorColour(detector?.status ?? 'unknown'));
    if (detector) {
      rect.querySelector('title').textContent =
        `${detector.detector}: ${detector.status} (${detector.reason})`;
    }
  }
  const counts = {};
  for (const detector of detectors) counts[detector.status] = (counts[detector.status] ?? 0) + 1;
  $('#detector-summary').textContent = `Detectors: ${Object.entries(counts)
    .map(([status, count]) => `${count} ${status}`)
    .join(', ')}`;
}

// ---- plans, decisions, alarms -------------------------------------------------------------

function planTable(plan) {
  const rows = stageRows(plan)
    .map(
      (row) =>
        `<tr><td>${escapeHtml(row.stage)}</td><td>${escapeHtml(row.groups)}</td><td class="number">${row.start}</td><td class="number">${row.green}</td><td class="number">${row.yellow}</td><td class="number">${row.allRed}</td><td class="number">${row.minGreen}</td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th>stage</th><th>signal groups green</th><th class="number">starts</th><th class="number">green</th><th class="number">yellow</th><th class="number">all-red</th><th class="number">min</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function paintPlans(plans, controllers) {
  const bySite = new Map(controllers.map((controller) => [controller.site, controller]));
  $('#plans').innerHTML = plans
    .map((view) => {
      const plan = view.step ?? view.target;
      const active = bySite.get(view.site)?.active ?? view.active;
      const head = `<h3>${escapeHtml(view.site)}${view.mode ? ` <span class="muted">(${escapeHtml(view.mode)})</span>` : ''}</h3>`;
      if (!plan) return `<div class="plan">${head}<p class="muted">No plan decided yet.</p></div>`;
      const actuated = plan.actuated
        ? `${plan.actuated.free ? 'free (no cycle or offset held)' : 'coordinated-actuated'}, passage ${plan.actuated.passage} s`
        : 'fixed time';
      const running = active
        ? `controller runs ${escapeHtml(active.planId)} v${active.version} since ${time(active.appliedAt)}`
        : 'controller has not reported a plan';
      return `<div class="plan">${head}<p><b>${escapeHtml(plan.id)}</b>: cycle ${plan.cycleLength} s, offset ${plan.offset} s (${escapeHtml(plan.offsetReference)}), ${actuated}${view.reached === false ? `; stepping towards target ${escapeHtml(view.target?.id ?? '')} (cycle ${view.target?.cycleLength} s, offset ${view.target?.offset} s)` : ''}</p><p class="muted">${running}${view.reason ? `. ${escapeHtml(view.reason)}` : ''}</p>${planTable(plan)}</div>`;
    })
    .join('');
}

function paintLog(decisions, alarms) {
  $('#decisions').innerHTML =
    decisions
      .map(
        (decision) =>
          `<li><span class="when">${time(decision.at)}</span> <b>${escapeHtml(decision.group)}</b> ${escapeHtml(decision.mode)} (${escapeHtml(decision.trigger)}${decision.cycleLength ? `, cycle ${decision.cycleLength} s` : ''}): ${escapeHtml(decision.reason)}<br /><span class="muted">${escapeHtml(
            Object.entries(decision.outcomes)
              .map(([site, outcome]) => `${site} ${outcome}`)
              .join(', '),
          )}</span></li>`,
      )
      .join('') || '<li class="muted">No decisions yet.</li>';
  $('#alarms').innerHTML =
    alarms
      .map(
        (alarm) =>
          `<li><span class="when">${time(alarm.ts)}</span> <b class="${alarm.active === false ? '' : 'worse'}">${escapeHtml(alarm.code)}</b>${alarm.site ? ` at ${escapeHtml(alarm.site)}` : ''}${alarm.active === false ? ' (cleared)' : ''}: ${escapeHtml(alarm.reason ?? '')}</li>`,
      )
      .join('') || '<li class="muted">No alarms.</li>';
}

// ---- measures and the time–space diagram ---------------------------------------------------

function measureCells(measures) {
  if (!measures) return '<td colspan="4" class="muted">–</td>';
  const ratio = measures.criticalDegreeOfSaturation;
  const operation =
    measures.operation === 'fixed-time' ? '' : ` (${escapeHtml(measures.operation)})`;
  return `<td>${escapeHtml(measures.planId)}${operation}</td><td class="number">${measures.cycle}</td><td class="number">${seconds(measures.delay)}</td><td><span class="los" style="background:${levelOfServiceColour(measures.levelOfService)}">${escapeHtml(measures.levelOfService)}</span> ${ratio === null ? 'no green' : ratio.toFixed(2)}</td>`;
}

async function refreshMeasures() {
  const measures = await api('/api/v1/measures');
  const { demand } = measures;
  const sourceText = {
    detectors: `estimated from the last ${demand.window / 60} min of detector data (${Math.round(demand.coverage.share * 100)} % of movements measured; the time-of-day prior fills the rest)`,
    prior: `the time-of-day prior${demand.period ? ` (${demand.period})` : ''}: no detector data in the last ${demand.window / 60} min`,
    none: 'no demand known: every measure is zero',
  }[demand.source];
  $('#measures-demand').textContent =
    `Before: ${measures.before}. After: ${measures.after}. Both on the demand at ${time(demand.at)}, ${sourceText}. HCM control delay per vehicle, level of service and the critical lane's degree of saturation (v/c), each plan evaluated fixed time at its planned greens (for actuated and free plans, their maximums).`;
  $('#measures tbody').innerHTML = measures.sites
    .map((site) => {
      const change = site.change?.delay;
      const tone =
        change === undefined || Math.abs(change) < 0.05 ? '' : change < 0 ? 'better' : 'worse';
      return `<tr><td>${escapeHtml(site.site)}</td>${measureCells(site.before)}${measureCells(site.after)}<td class="number ${tone}">${signed(change)}</td></tr>`;
    })
    .join('');
}

let diagramUrl;
async function refreshTimeSpace() {
  const form = new window.FormData($('#time-space-form'));
  const query = new URLSearchParams();
  const sites = String(form.get('sites') ?? '').trim();
  if (sites) query.set('sites', sites);
  query.set('plan', String(form.get('plan') ?? 'step'));
  query.set('cycles', String(form.get('cycles') ?? '3'));
  query.set('width', String(Math.max(640, Math.min(1400, $('#time-space').clientWidth || 960))));
  const response = await fetch(`/api/v1/time-space.svg?${query}`);
  const error = $('#time-space-error');
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    error.textContent = body.message ?? `HTTP ${response.status}`;
    error.hidden = false;
    return;
  }
  error.hidden = true;
  const svg = await response.text();
  if (diagramUrl) URL.revokeObjectURL(diagramUrl);
  diagramUrl = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  $('#time-space').innerHTML =
    `<img alt="Time–space diagram with green bands" src="${diagramUrl}" />`;
}

// ---- polling -------------------------------------------------------------------------------

async function refreshLive() {
  const [engine, controllers, detectors, plans, decisions, alarms] = await Promise.all([
    api('/api/v1/engine'),
    api('/api/v1/controllers'),
    api('/api/v1/detectors'),
    api('/api/v1/plans'),
    api('/api/v1/decisions?limit=30'),
    api('/api/v1/alarms?limit=30'),
  ]);
  const online = controllers.filter((controller) => controller.presence.state === 'online').length;
  $('#engine-status').textContent =
    `Engine ${engine.engineId} in zone ${engine.zone}: ${engine.phase}, MQTT ${engine.mqtt.connected ? 'connected' : 'disconnected'}; ${online} of ${controllers.length} controllers online; ${engine.counters.cycles} adaptive cycles; clock ${time(engine.now)}.`;
  paintControllers(controllers);
  paintDetectors(detectors);
  paintPlans(plans, controllers);
  paintLog(decisions, alarms);
}

function every(secondsBetween, task) {
  const run = () =>
    task().catch((error) => {
      $('#engine-status').textContent = `Cannot reach the engine: ${error.message}`;
    });
  void run();
  window.setInterval(run, secondsBetween * 1000);
}

async function start() {
  await drawMap();
  $('#time-space-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void refreshTimeSpace();
  });
  every(LIVE_SECONDS, refreshLive);
  every(SLOW_SECONDS, refreshMeasures);
  every(SLOW_SECONDS, refreshTimeSpace);
}

start().catch((error) => {
  $('#engine-status').textContent = `The page could not start: ${error.message}`;
});
