// The topic grammar of product.md: tsc/{zone}/{site}/{kind}/{code}; parse and build, nothing else.

export type TopicKind = 'presence' | 'status' | 'command' | 'result' | 'alarm';

export interface SiteTopic {
  zone: string;
  /** Controller (signal) id, or `engine` for the engine's own topics. */
  site: string;
  kind: TopicKind;
  /** Dotted code, e.g. `det.volume`, `tlc.plan.set`; empty for presence. */
  code: string;
}

const KINDS = new Set<string>(['presence', 'status', 'command', 'result', 'alarm']);
const ID = /^[^/+#\s]+$/;

/**
 * Reads a topic; undefined when it is not one of ours.
 *
 * @example
 * parseTopic('tsc/zz/jingsan/status/det.volume') // => { zone: 'zz', site: 'jingsan', kind: 'status', code: 'det.volume' }
 */
export function parseTopic(topic: string): SiteTopic | undefined {
  const levels = topic.split('/');
  if (levels[0] !== 'tsc' || levels.length < 4) return undefined;
  const [, zone, site, kind, ...rest] = levels as [string, string, string, string, ...string[]];
  if (!ID.test(zone) || !ID.test(site) || !KINDS.has(kind)) return undefined;
  if (kind === 'presence') return rest.length === 0 ? { zone, site, kind, code: '' } : undefined;
  if (rest.length !== 1 || !ID.test(rest[0]!)) return undefined;
  return { zone, site, kind: kind as TopicKind, code: rest[0]! };
}

/**
 * Builds a topic; throws on an id that cannot sit inside a topic.
 *
 * @example
 * siteTopic({ zone: 'zz', site: 'jingsan', kind: 'command', code: 'tlc.plan.set' }) // => 'tsc/zz/jingsan/command/tlc.plan.set'
 */
export function siteTopic({ zone, site, kind, code }: SiteTopic): string {
  for (const [name, id] of [
    ['zone', zone],
    ['site', site],
  ] as const) {
    if (!ID.test(id)) {
      throw new TypeError(
        `siteTopic: ${name} "${id}" must be non-empty without '/', '+', '#' or spaces`,
      );
    }
  }
  return kind === 'presence'
    ? `tsc/${zone}/${site}/presence`
    : `tsc/${zone}/${site}/${kind}/${code}`;
}

/** The engine's alarm topic for `code`, e.g. `tsc/zz/engine/alarm/input.rejected`. */
export const alarmTopic = (zone: string, code: string): string =>
  siteTopic({ zone, site: 'engine', kind: 'alarm', code });
