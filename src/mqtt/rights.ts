// Topic rights per broker account: which topics it may publish and which filters it may subscribe.
import type { Account } from './accounts.ts';

/** The topic patterns (MQTT filter syntax) an account may write to and read from. */
export interface TopicRights {
  publish: string[];
  subscribe: string[];
}

/**
 * The rights of an account, as filter patterns: the one rule set both brokers enforce (the
 * embedded broker through `canPublish`/`canSubscribe`, Mosquitto through `mosquittoAcl`).
 *
 * The engine publishes and subscribes everywhere except `$`-topics, and may read `$SYS`. A
 * controller for site S in zone Z publishes its presence, status and results and reads its
 * commands and its own topics (to recover its retained plan after a restart).
 *
 * @example
 * topicRights({ username: 'zz-jingsan', role: 'controller', zone: 'zz', site: 'jingsan' }).publish
 * // => ['tsc/zz/jingsan/presence', 'tsc/zz/jingsan/status/+', 'tsc/zz/jingsan/result/+']
 */
export function topicRights(account: Account): TopicRights {
  if (account.role === 'engine') return { publish: ['#'], subscribe: ['#', '$SYS/#'] };
  const node = `tsc/${account.zone}/${account.site}`;
  const own = [`${node}/presence`, `${node}/status/+`, `${node}/result/+`];
  return { publish: own, subscribe: [`${node}/command/#`, ...own] };
}

/**
 * Whether `account` may publish to `topic`. No one publishes under `$` (broker-reserved).
 *
 * @example
 * const site = { username: 'zz-jingsan', role: 'controller', zone: 'zz', site: 'jingsan' } as const;
 * canPublish(site, 'tsc/zz/jingsan/status/det.volume') // => true
 * canPublish(site, 'tsc/zz/dongfeng/status/det.volume') // => false
 */
export function canPublish(account: Account, topic: string): boolean {
  if (!isTopicName(topic) || topic.startsWith('$')) return false;
  return topicRights(account).publish.some((pattern) => topicMatches(pattern, topic));
}

/**
 * Whether `account` may subscribe to `filter`: only when every topic the filter can match is one
 * the account may read, so wildcards cannot reach past its own topics. A shared subscription
 * (`$share/{group}/{filter}`) is judged by its filter.
 *
 * @example
 * const site = { username: 'zz-jingsan', role: 'controller', zone: 'zz', site: 'jingsan' } as const;
 * canSubscribe(site, 'tsc/zz/jingsan/command/#') // => true
 * canSubscribe(site, 'tsc/zz/+/command/#') // => false
 */
export function canSubscribe(account: Account, filter: string): boolean {
  const inner = unshare(filter);
  if (inner === undefined || !isTopicFilter(inner)) return false;
  return topicRights(account).subscribe.some((pattern) => filterCovers(pattern, inner));
}

/** The filter inside a shared subscription, the filter itself otherwise; undefined if malformed. */
function unshare(filter: string): string | undefined {
  if (!filter.startsWith('$share/')) return filter;
  const match = /^\$share\/([^/+#]+)\/(.+)$/.exec(filter);
  return match?.[2];
}

/** A topic a message may be published to: non-empty, no wildcards, no NUL. */
export function isTopicName(topic: string): boolean {
  return (
    topic.length > 0 &&
    Buffer.byteLength(topic) <= 65535 &&
    !topic.includes('+') &&
    !topic.includes('#') &&
    !topic.includes('\u0000')
  );
}

/** A subscription filter: `+` only as a whole level, `#` only as the whole last level. */
export function isTopicFilter(filter: string): boolean {
  if (filter.length === 0 || Buffer.byteLength(filter) > 65535 || filter.includes('\u0000')) {
    return false;
  }
  const levels = filter.split('/');
  return levels.every((level, index) => {
    if (level === '#') return index === levels.length - 1;
    return level === '+' || !/[+#]/.test(level);
  });
}

/**
 * Whether `filter` matches `topic` by MQTT's rules (a filter starting with a wildcard does not
 * match `$`-topics; `a/#` also matches `a`).
 *
 * @example
 * topicMatches('tsc/+/+/status/#', 'tsc/zz/jingsan/status/det.volume') // => true
 * topicMatches('#', '$SYS/broker/uptime') // => false
 */
export function topicMatches(filter: string, topic: string): boolean {
  const filterLevels = filter.split('/');
  const topicLevels = topic.split('/');
  if (topic.startsWith('$') && (filterLevels[0] === '+' || filterLevels[0] === '#')) return false;
  for (let index = 0; index < filterLevels.length; index++) {
    const level = filterLevels[index];
    if (level === '#') return true;
    const topicLevel = topicLevels[index];
    if (topicLevel === undefined) return false;
    if (level !== '+' && level !== topicLevel) return false;
  }
  return filterLevels.length === topicLevels.length;
}

/**
 * Whether every topic `filter` matches is also matched by `pattern` (both MQTT filters).
 *
 * @example
 * filterCovers('tsc/zz/jingsan/command/#', 'tsc/zz/jingsan/command/tlc.plan.set') // => true
 * filterCovers('tsc/zz/jingsan/command/#', 'tsc/zz/+/command/#') // => false
 */
export function filterCovers(pattern: string, filter: string): boolean {
  const patternLevels = pattern.split('/');
  const filterLevels = filter.split('/');
  for (let index = 0; ; index++) {
    const want = patternLevels[index];
    const have = filterLevels[index];
    if (want === undefined && have === undefined) return true;
    // A leading wildcard in the pattern never reaches `$`-topics; a literal `$` level in the filter does.
    const dollar = index === 0 && have !== undefined && have.startsWith('$');
    if (want === '#') return !dollar;
    // A leading `#` matches every non-`$` topic of one level or more: so does `+/#`, nothing narrower.
    if (have === '#') return index === 0 && want === '+' && patternLevels[1] === '#';
    if (want === undefined || have === undefined) return false;
    if (want === '+') {
      if (dollar) return false;
      continue;
    }
    if (have === '+' || have !== want) return false;
  }
}

/**
 * Whether `account` may connect with `clientId`: its username, or its username, `:` and any
 * suffix (`engine:ingest-2`). One account cannot then take over another's session by reusing its
 * client id, which MQTT answers by disconnecting the earlier client.
 *
 * @example
 * canUseClientId({ username: 'engine', role: 'engine' }, 'engine:ingest-2') // => true
 * canUseClientId({ username: 'zz-jingsan', role: 'controller', zone: 'zz', site: 'jingsan' }, 'zz-dongfeng') // => false
 */
export function canUseClientId(account: Account, clientId: string): boolean {
  return clientId === account.username || clientId.startsWith(`${account.username}:`);
}
