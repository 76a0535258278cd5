// An in-memory MQTT broker: links that deliver synchronously, retained messages, wills and topic
// rights, so the engine and a virtual field run with no socket (unit tests, offline simulations).
import type { Account } from '../mqtt/accounts.ts';
import {
  LinkError,
  type Link,
  type MessageHandler,
  type MessageMeta,
  type PublishOptions,
  type QoS,
} from '../mqtt/link.ts';
import {
  canPublish,
  canSubscribe,
  isTopicFilter,
  isTopicName,
  topicMatches,
} from '../mqtt/rights.ts';

/** One message as the bus saw it, for tests that check what went where. */
export interface BusMessage {
  /** The publishing link's name, or `inject` for `MemoryBus.inject`. */
  from: string;
  topic: string;
  payload: Buffer;
  options: PublishOptions;
}

export interface MemoryLinkOptions {
  /** For logs and `BusMessage.from`; default `link-{n}`. */
  name?: string;
  /** 5 forwards MQTT 5 properties to this link; default 4 (as the embedded aedes broker). */
  protocolVersion?: 4 | 5;
  /** The account's topic rights are enforced as the embedded broker enforces them. */
  account?: Account;
  /** Published when the link closes `abrupt`ly, as a broker publishes a Last Will. */
  will?: { topic: string; payload: string | Uint8Array; retain?: boolean };
}

/**
 * A broker in memory. A publish reaches every subscribed link at once, inside `publish`, in
 * subscription order; a subscribe replays the retained messages it matches before it resolves.
 * Handlers that publish in turn are delivered depth-first, so a handler must not assume it runs
 * alone (the engine queues what arrives while it is busy).
 *
 * @example
 * const bus = new MemoryBus();
 * const engineLink = bus.link({ name: 'engine' });
 * const controller = bus.link({ name: 'J1', account: { username: 'zz-J1', role: 'controller', zone: 'zz', site: 'J1' } });
 * await engineLink.subscribe('tsc/zz/+/presence');
 * await controller.publish('tsc/zz/J1/presence', '{"state":"online","ts":"…"}', { retain: true });
 */
export class MemoryBus {
  readonly #links = new Set<MemoryLink>();
  readonly #retained = new Map<string, { payload: Buffer; options: PublishOptions }>();
  #count = 0;
  /** Every publish, in order (injected ones included). */
  readonly messages: BusMessage[] = [];

  /** A new connected link. */
  link(options: MemoryLinkOptions = {}): Link & { readonly name: string } {
    const link = new MemoryLink(this, {
      ...options,
      name: options.name ?? `link-${(this.#count += 1)}`,
    });
    this.#links.add(link);
    return link;
  }

  /**
   * Publishes as no account at all (no rights checked): for tests that send what a broken or
   * hostile controller might, e.g. a payload the broker would let through.
   */
  inject(topic: string, payload: string | Uint8Array, options: PublishOptions = {}): void {
    this.route('inject', topic, Buffer.from(payload), options);
  }

  /** The retained message on `topic`, if any. */
  retained(topic: string): Buffer | undefined {
    return this.#retained.get(topic)?.payload;
  }

  /** @internal Delivers one publish to every matching link. */
  route(from: string, topic: string, payload: Buffer, options: PublishOptions): void {
    this.messages.push({ from, topic, payload, options });
    if (options.retain) {
      if (payload.length === 0) this.#retained.delete(topic);
      else this.#retained.set(topic, { payload, options });
    }
    for (const link of [...this.#links]) link.deliver(topic, payload, options, false);
  }

  /** @internal Replays retained messages matching `filter` to one link. */
  replay(link: MemoryLink, filter: string): void {
    for (const [topic, { payload, options }] of [...this.#retained]) {
      if (topicMatches(filter, topic)) link.deliverTo(filter, topic, payload, options, true);
    }
  }

  /** @internal */
  forget(link: MemoryLink): void {
    this.#links.delete(link);
  }
}

class MemoryLink implements Link {
  readonly name: string;
  readonly protocolVersion: 4 | 5;
  readonly #bus: MemoryBus;
  readonly #options: MemoryLinkOptions;
  readonly #filters = new Set<string>();
  readonly #handlers = new Set<MessageHandler>();
  #closed = false;

  constructor(bus: MemoryBus, options: MemoryLinkOptions & { name: string }) {
    this.#bus = bus;
    this.#options = options;
    this.name = options.name;
    this.protocolVersion = options.protocolVersion ?? 4;
  }

  get connected(): boolean {
    return !this.#closed;
  }

  async publish(
    topic: string,
    payload: string | Uint8Array,
    options: PublishOptions = {},
  ): Promise<void> {
    if (this.#closed)
      throw new LinkError('CLOSED', 'publish: the link is closed; connect a new one');
    if (!isTopicName(topic)) {
      throw new LinkError(
        'BAD_TOPIC',
        `publish: "${topic}" is not a topic name; give one without + or #`,
      );
    }
    const account = this.#options.account;
    if (account && !canPublish(account, topic)) {
      throw new LinkError(
        'PUBLISH_DENIED',
        `publish: ${account.username} may not publish to ${topic}; publish only under its own site`,
      );
    }
    this.#bus.route(this.name, topic, Buffer.from(payload), options);
  }

  async subscribe(filter: string, qos: QoS = 1): Promise<QoS> {
    if (this.#closed)
      throw new LinkError('CLOSED', 'subscribe: the link is closed; connect a new one');
    if (!isTopicFilter(filter)) {
      throw new LinkError('BAD_TOPIC', `subscribe: "${filter}" is not a filter`);
    }
    const account = this.#options.account;
    if (account && !canSubscribe(account, filter)) {
      throw new LinkError('SUBSCRIBE_DENIED', `subscribe: the broker refused ${filter}`, 0x80);
    }
    this.#filters.add(filter);
    this.#bus.replay(this, filter);
    return qos;
  }

  async unsubscribe(filter: string): Promise<void> {
    this.#filters.delete(filter);
  }

  onMessage(handler: MessageHandler): () => void {
    this.#handlers.add(handler);
    return () => void this.#handlers.delete(handler);
  }

  async close({ abrupt = false }: { abrupt?: boolean } = {}): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#handlers.clear();
    this.#bus.forget(this);
    const will = this.#options.will;
    if (abrupt && will) {
      this.#bus.route(this.name, will.topic, Buffer.from(will.payload), {
        qos: 1,
        retain: will.retain ?? true,
      });
    }
  }

  /** One copy per link however many of its filters match, as most brokers do. */
  deliver(topic: string, payload: Buffer, options: PublishOptions, retained: boolean): void {
    const filter = [...this.#filters].find((candidate) => topicMatches(candidate, topic));
    if (filter !== undefined) this.deliverTo(filter, topic, payload, options, retained);
  }

  deliverTo(
    _filter: string,
    topic: string,
    payload: Buffer,
    options: PublishOptions,
    retained: boolean,
  ): void {
    if (this.#closed) return;
    const meta: MessageMeta = { retained };
    if (this.protocolVersion === 5) {
      if (options.responseTopic !== undefined) meta.responseTopic = options.responseTopic;
      if (options.correlationId !== undefined) meta.correlationId = options.correlationId;
      if (options.expirySeconds !== undefined) meta.expirySeconds = options.expirySeconds;
    }
    for (const handler of [...this.#handlers]) {
      try {
        handler(topic, payload, meta);
      } catch {
        // As mqtt.js's link: one handler's failure is not the broker's, nor the other handlers'.
      }
    }
  }
}
