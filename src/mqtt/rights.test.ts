// Tests for topic rights: each account's allowed and denied topics, and wildcard containment.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Account } from './accounts.ts';
import {
  canPublish,
  canSubscribe,
  canUseClientId,
  filterCovers,
  isTopicFilter,
  isTopicName,
  topicMatches,
} from './rights.ts';

const engine: Account = { username: 'engine', role: 'engine' };
const jingsan: Account = {
  username: 'zz-jingsan',
  role: 'controller',
  zone: 'zz',
  site: 'jingsan',
};

describe('canPublish', () => {
  it.each([
    'tsc/zz/jingsan/presence',
    'tsc/zz/jingsan/status/det.volume',
    'tsc/zz/jingsan/status/tlc.hires',
    'tsc/zz/jingsan/status/tlc.plan',
    'tsc/zz/jingsan/result/tlc.plan.set',
  ])('lets a controller publish its own %s', (topic) => {
    expect(canPublish(jingsan, topic)).toBe(true);
  });

  it.each([
    ['another site', 'tsc/zz/dongfeng/status/det.volume'],
    ['another zone', 'tsc/zx/jingsan/status/det.volume'],
    ['its own commands', 'tsc/zz/jingsan/command/tlc.plan.set'],
    ['alarms', 'tsc/zz/jingsan/alarm/tlc.detector'],
    ['the engine alarms', 'tsc/zz/engine/alarm/input.rejected'],
    ['a deeper status topic', 'tsc/zz/jingsan/status/det.volume/live'],
    ['a presence sub-topic', 'tsc/zz/jingsan/presence/extra'],
    ['the site node itself', 'tsc/zz/jingsan'],
    ['$SYS', '$SYS/broker/uptime'],
    ['a wildcard topic', 'tsc/zz/jingsan/status/+'],
    ['a # topic', 'tsc/zz/jingsan/status/#'],
    ['an empty topic', ''],
    ['a look-alike site prefix', 'tsc/zz/jingsan2/status/det.volume'],
  ])('refuses a controller %s (%s)', (_, topic) => {
    expect(canPublish(jingsan, topic)).toBe(false);
  });

  it('lets the engine publish everywhere but under $', () => {
    expect(canPublish(engine, 'tsc/zz/jingsan/command/tlc.plan.set')).toBe(true);
    expect(canPublish(engine, 'tsc/zz/engine/alarm/input.rejected')).toBe(true);
    expect(canPublish(engine, 'anything/else')).toBe(true);
    expect(canPublish(engine, '$SYS/broker/uptime')).toBe(false);
    expect(canPublish(engine, '$share/x/y')).toBe(false);
    expect(canPublish(engine, 'tsc/+/jingsan/command/tlc.plan.set')).toBe(false);
  });
});

describe('canSubscribe', () => {
  it.each([
    'tsc/zz/jingsan/command/#',
    'tsc/zz/jingsan/command/+',
    'tsc/zz/jingsan/command/tlc.plan.set',
    'tsc/zz/jingsan/command',
    'tsc/zz/jingsan/presence',
    'tsc/zz/jingsan/status/+',
    'tsc/zz/jingsan/status/tlc.plan',
    'tsc/zz/jingsan/result/tlc.plan.set',
    '$share/field/tsc/zz/jingsan/command/#',
  ])('lets a controller subscribe to its own %s', (filter) => {
    expect(canSubscribe(jingsan, filter)).toBe(true);
  });

  it.each([
    'tsc/zz/+/command/#',
    'tsc/zz/dongfeng/command/#',
    'tsc/+/jingsan/command/#',
    'tsc/zz/jingsan/#',
    'tsc/zz/jingsan/+',
    'tsc/zz/jingsan/+/tlc.plan.set',
    'tsc/zz/jingsan/status/#',
    'tsc/#',
    '#',
    '+/zz/jingsan/command/#',
    '$SYS/#',
    '$SYS/broker/uptime',
    'tsc/zz/engine/alarm/#',
    'tsc/zz/jingsan/command/#/x',
    'tsc/zz/jingsan/command/a+b',
    '$share/field/tsc/zz/+/command/#',
    '$share//tsc/zz/jingsan/command/#',
    '',
  ])('refuses a controller %s', (filter) => {
    expect(canSubscribe(jingsan, filter)).toBe(false);
  });

  it('lets the engine subscribe to everything, $SYS included', () => {
    expect(canSubscribe(engine, '#')).toBe(true);
    expect(canSubscribe(engine, 'tsc/+/+/status/#')).toBe(true);
    expect(canSubscribe(engine, '$share/ingest/tsc/+/+/status/#')).toBe(true);
    expect(canSubscribe(engine, '$SYS/#')).toBe(true);
    expect(canSubscribe(engine, 'tsc/#/status')).toBe(false);
  });
});

describe('canUseClientId', () => {
  it('allows the username and username:suffix, nothing else', () => {
    expect(canUseClientId(jingsan, 'zz-jingsan')).toBe(true);
    expect(canUseClientId(jingsan, 'zz-jingsan:field')).toBe(true);
    expect(canUseClientId(jingsan, 'zz-jingsan2')).toBe(false);
    expect(canUseClientId(jingsan, 'engine')).toBe(false);
    expect(canUseClientId(jingsan, 'mqttjs_1234')).toBe(false);
  });
});

describe('topic syntax', () => {
  it('tells topic names from filters', () => {
    expect(isTopicName('tsc/zz/jingsan/presence')).toBe(true);
    expect(isTopicName('a/+/b')).toBe(false);
    expect(isTopicName('a\u0000b')).toBe(false);
    expect(isTopicFilter('a/+/b/#')).toBe(true);
    expect(isTopicFilter('a/b#')).toBe(false);
    expect(isTopicFilter('a/#/b')).toBe(false);
    expect(isTopicFilter('a/b+/c')).toBe(false);
  });

  it('matches by MQTT rules', () => {
    expect(topicMatches('a/#', 'a')).toBe(true);
    expect(topicMatches('a/+', 'a')).toBe(false);
    expect(topicMatches('a/+', 'a/')).toBe(true);
    expect(topicMatches('+/b', '$SYS/b')).toBe(false);
    expect(topicMatches('$SYS/#', '$SYS/b')).toBe(true);
  });
});

describe('filterCovers', () => {
  // Every filter of up to three levels over literals, a $-level and both wildcards, against every
  // topic of up to four levels over the same literals, an empty level and one no filter names.
  const levels = ['a', 'b', '$s', '+', '#'];
  const words = (alphabet: string[], depth: number): string[][] =>
    depth === 0
      ? [[]]
      : [[], ...words(alphabet, depth - 1).flatMap((head) => alphabet.map((l) => [...head, l]))];
  const unique = (list: string[][]) => [
    ...new Set(list.filter((w) => w.length > 0).map((w) => w.join('/'))),
  ];
  const filters = unique(words(levels, 3)).filter(isTopicFilter);
  const topics = unique(words(['a', 'b', '$s', 'z', ''], 4));
  const matched = new Map(filters.map((f) => [f, topics.map((t) => topicMatches(f, t))]));

  it('holds exactly when every topic the filter matches, the pattern matches too', () => {
    expect(filters.length).toBeGreaterThan(80);
    for (const pattern of filters) {
      for (const filter of filters) {
        const byPattern = matched.get(pattern)!;
        const escaped = matched.get(filter)!.some((hit, index) => hit && !byPattern[index]);
        expect({ pattern, filter, covers: filterCovers(pattern, filter) }).toEqual({
          pattern,
          filter,
          covers: !escaped,
        });
      }
    }
  });

  it('is reflexive and transitive on arbitrary filters', () => {
    const filterArbitrary = fc
      .array(fc.constantFrom('tsc', 'zz', 'x', '$SYS', '+', '#'), { minLength: 1, maxLength: 6 })
      .map((parts) => parts.join('/'))
      .filter(isTopicFilter);
    fc.assert(
      fc.property(filterArbitrary, filterArbitrary, filterArbitrary, (a, b, c) => {
        expect(filterCovers(a, a)).toBe(true);
        if (filterCovers(a, b) && filterCovers(b, c)) expect(filterCovers(a, c)).toBe(true);
      }),
    );
  });
});
