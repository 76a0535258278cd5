// The broker link (mqtt.js 5): one connection with MQTT 5 where the broker offers it and 3.1.1
// otherwise, a Last Will, reconnection, and publish/subscribe that report refusals as coded errors.
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { CodedError } from '../coded-error.ts';
import type { Account } from './accounts.ts';
import { silentLogger, type MqttLogger } from './logger.ts';
import { canPublish, isTopicFilter, isTopicName } from './rights.ts';

export type LinkErrorCode =
  | 'CONNECT_REFUSED'
  | 'CONNECT_TIMEOUT'
  | 'PROTOCOL_REFUSED'
  | 'PUBLISH_DENIED'
  | 'PUBLISH_REFUSED'
  | 'PUBLISH_FAILED'
  | 'NOT_CONNECTED'
  | 'SUBSCRIBE_DENIED'
  | 'SUBSCRIBE_FAILED'
  | 'BAD_TOPIC'
  | 'BAD_OPTION'
  | 'CLOSED';

/** A link failure with a stable code; `reasonCode` is the broker's MQTT reason or return code. */
export class LinkError extends CodedError<LinkErrorCode> {
  readonly reasonCode: number | undefined;

  constructor(code: LinkErrorCode, message: string, reasonCode?: number) {
    super(code, message);
    this.reasonCode = reasonCode;
  }
}

export type QoS = 0 | 1 | 2;

export interface LinkOptions {
  /** `mqtt://host:port` (or `mqtts://`, `ws://`); credentials in the URL are ignored. */
  url: string;
  username: string;
  password: string;
  /** Default: the username. The embedded broker accepts the username or `username:suffix`. */
  clientId?: string;
  /** Published by the broker when the connection drops without DISCONNECT. */
  will?: { topic: string; payload: string | Uint8Array; qos?: QoS; retain?: boolean };
  /** MQTT 5: how long the broker waits before sending the will, so a quick reconnect does not flap
   * presence to offline. The session outlives a drop by as long, and reconnects resume it. */
  willDelaySeconds?: number;
  /** Published (QoS 1, retained) on every connect, e.g. presence `online` after the will's `offline`. */
  birth?: { topic: string; payload: string | Uint8Array };
  /** `auto` tries MQTT 5 and falls back to 3.1.1 when the broker refuses it (aedes does). */
  protocol?: 'auto' | 5 | 4;
  /** The account's rights, checked before sending: a denied publish makes aedes drop the
   * connection and mqtt.js would resend it on every reconnect, so it is better never sent. */
  account?: Account;
  /** Wait between reconnection attempts, ms. */
  reconnectPeriodMs?: number;
  /** How long the first connection may take, retries after network errors included, ms. */
  connectTimeoutMs?: number;
  keepaliveSeconds?: number;
  logger?: MqttLogger;
}

export interface PublishOptions {
  qos?: QoS;
  retain?: boolean;
  /** MQTT 5 message expiry, seconds (rounded up); on 3.1.1 the payload's `expiresAt` must say it. */
  expirySeconds?: number;
  /** MQTT 5 response topic; on 3.1.1 the payload's `replyTo` must say it. */
  responseTopic?: string;
  /** MQTT 5 correlation data (UTF-8); on 3.1.1 the payload's `correlationId` must say it. */
  correlationId?: string;
}

/** What MQTT 5 properties and the retain flag said about a received message. */
export interface MessageMeta {
  responseTopic?: string;
  correlationId?: string;
  /** Seconds the message has left to live, as the broker forwards it. */
  expirySeconds?: number;
  /** A retained message replayed on subscribe, not a fresh publish. */
  retained: boolean;
}

export type MessageHandler = (topic: string, payload: Buffer, meta: MessageMeta) => void;

export interface Link {
  /** The protocol in use: 5, or 4 (MQTT 3.1.1). */
  readonly protocolVersion: 4 | 5;
  readonly connected: boolean;
  /** Resolves once the broker has the message (QoS 1/2) or it is written (QoS 0). */
  publish(topic: string, payload: string | Uint8Array, options?: PublishOptions): Promise<void>;
  /** Resolves with the QoS granted; rejects `SUBSCRIBE_DENIED` when the broker refuses. */
  subscribe(filter: string, qos?: QoS): Promise<QoS>;
  unsubscribe(filter: string): Promise<void>;
  /** Adds a handler for every message; returns a function that removes it. */
  onMessage(handler: MessageHandler): () => void;
  /** Disconnects cleanly (the will is discarded) or, `abrupt`, drops the connection as a crash
   * would (the broker publishes the will). Pending publishes reject with `CLOSED`. */
  close(options?: { abrupt?: boolean }): Promise<void>;
}

/** MQTT reason codes meaning "this broker does not speak that protocol version". */
const PROTOCOL_VERSION_REFUSED = new Set([1, 0x84]);
/** How long a clean close waits for unacknowledged publishes, ms. */
const CLOSE_GRACE_MS = 2000;

/**
 * Connects to a broker and resolves once the first CONNACK accepts the account. Network errors
 * are retried every `reconnectPeriodMs` until `connectTimeoutMs`; a refusal (bad credentials, a
 * client id not allowed) rejects at once. Later drops reconnect on their own, and a retained
 * `birth` message is published after each.
 *
 * @throws {LinkError} `CONNECT_REFUSED` (with the broker's `reasonCode`), `CONNECT_TIMEOUT`,
 * `PROTOCOL_REFUSED` (protocol 5 asked of a 3.1.1 broker), `BAD_OPTION`.
 * @example
 * const link = await connectLink({ url: broker.url, username: 'engine', password });
 * link.protocolVersion // => 4 on the embedded broker, 5 on Mosquitto
 * await link.subscribe('tsc/+/+/status/#', 1);
 * link.onMessage((topic, payload, meta) => …);
 */
export async function connectLink(options: LinkOptions): Promise<Link> {
  const { protocol = 'auto', logger = silentLogger } = options;
  checkOptions(options);
  if (protocol !== 'auto') return new MqttLink(await firstConnection(options, protocol), options);
  try {
    return new MqttLink(await firstConnection(options, 5), options);
  } catch (error) {
    if (!(error instanceof LinkError) || error.code !== 'PROTOCOL_REFUSED') throw error;
    logger.info({ url: options.url }, 'mqtt: broker refused MQTT 5, using 3.1.1');
    return new MqttLink(await firstConnection(options, 4), options);
  }
}

function checkOptions({
  willDelaySeconds,
  reconnectPeriodMs,
  connectTimeoutMs,
  will,
  birth,
}: LinkOptions) {
  const numbers = { willDelaySeconds, reconnectPeriodMs, connectTimeoutMs };
  for (const [name, value] of Object.entries(numbers)) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      throw new LinkError(
        'BAD_OPTION',
        `connectLink: ${name} must be a whole number ≥ 0, not ${value}`,
      );
    }
  }
  for (const [name, topic] of [
    ['will', will?.topic],
    ['birth', birth?.topic],
  ] as const) {
    if (topic !== undefined && !isTopicName(topic)) {
      throw new LinkError(
        'BAD_TOPIC',
        `connectLink: the ${name} topic "${topic}" must be non-empty without + or #`,
      );
    }
  }
}

function clientOptions(options: LinkOptions, version: 4 | 5): IClientOptions {
  const {
    username,
    password,
    clientId = username,
    will,
    willDelaySeconds = 5,
    reconnectPeriodMs = 2000,
    keepaliveSeconds = 30,
  } = options;
  // Will delay only holds while the session lives, so the session outlives a drop by as long.
  const sessionSeconds = version === 5 && will ? willDelaySeconds : 0;
  return {
    protocolVersion: version,
    clientId,
    username,
    password,
    clean: true,
    keepalive: keepaliveSeconds,
    reconnectPeriod: reconnectPeriodMs,
    reconnectOnConnackError: true,
    connectTimeout: 10_000,
    resubscribe: true,
    // Live QoS 0 data is worthless late and would pile up in memory during an outage.
    queueQoSZero: false,
    ...(version === 5 && sessionSeconds > 0
      ? { properties: { sessionExpiryInterval: sessionSeconds } }
      : {}),
    ...(will
      ? {
          will: {
            topic: will.topic,
            payload: Buffer.from(will.payload),
            qos: will.qos ?? 1,
            retain: will.retain ?? true,
            ...(version === 5 && willDelaySeconds > 0
              ? { properties: { willDelayInterval: willDelaySeconds } }
              : {}),
          },
        }
      : {}),
  };
}

/** The first connection at one protocol version: resolves connected, or rejects with why not. */
function firstConnection(options: LinkOptions, version: 4 | 5): Promise<MqttClient> {
  const { url, connectTimeoutMs = 30_000, logger = silentLogger } = options;
  const client = mqtt.connect(url, clientOptions(options, version));
  return new Promise((resolve, reject) => {
    let connectSent = false;
    let networkError: Error | undefined;
    const timer = setTimeout(
      () =>
        fail(
          new LinkError(
            'CONNECT_TIMEOUT',
            `connectLink: no connection to ${url} within ${connectTimeoutMs} ms${networkError ? ` (${networkError.message})` : ''}; check that the broker runs and the URL`,
          ),
        ),
      connectTimeoutMs,
    );
    const cleanUp = () => {
      clearTimeout(timer);
      client.off('connect', onConnect);
      client.off('error', onError);
      client.off('close', onClose);
      client.off('packetsend', onSend);
    };
    const fail = (error: LinkError) => {
      cleanUp();
      client.on('error', () => {}); // the abandoned client may still report its socket's end
      client.end(true);
      reject(error);
    };
    const onConnect = () => {
      cleanUp();
      resolve(client);
    };
    const onSend = (packet: { cmd: string }) => {
      if (packet.cmd === 'connect') connectSent = true;
    };
    const onError = (error: Error & { code?: string | number }) => {
      if (typeof error.code !== 'number') {
        networkError = error;
        logger.warn({ url, error: error.message }, 'mqtt: cannot reach the broker yet');
        return;
      }
      if (version === 5 && PROTOCOL_VERSION_REFUSED.has(error.code)) {
        return fail(
          new LinkError(
            'PROTOCOL_REFUSED',
            `connectLink: ${url} refused MQTT 5 (${error.message})`,
            error.code,
          ),
        );
      }
      fail(
        new LinkError(
          'CONNECT_REFUSED',
          `connectLink: ${url} refused ${options.username}: ${error.message}; check the username, password and client id`,
          error.code,
        ),
      );
    };
    // A 3.1.1-only broker may just hang up on an MQTT 5 CONNECT instead of answering it.
    const onClose = () => {
      if (version === 5 && connectSent && !networkError) {
        fail(
          new LinkError(
            'PROTOCOL_REFUSED',
            `connectLink: ${url} closed the connection on an MQTT 5 CONNECT`,
          ),
        );
      }
      connectSent = false;
      networkError = undefined;
    };
    client.on('connect', onConnect);
    client.on('error', onError);
    client.on('close', onClose);
    client.on('packetsend', onSend);
  });
}

class MqttLink implements Link {
  readonly protocolVersion: 4 | 5;
  readonly #client: MqttClient;
  readonly #options: LinkOptions;
  readonly #logger: MqttLogger;
  readonly #handlers = new Set<MessageHandler>();
  readonly #pending = new Set<(error: LinkError) => void>();
  #closing: Promise<void> | undefined;

  constructor(client: MqttClient, options: LinkOptions) {
    this.#client = client;
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    this.protocolVersion = client.options.protocolVersion === 5 ? 5 : 4;
    // From now on reconnects resume the session the first connect started (MQTT 5 with a will
    // delay), so a short drop neither loses queued commands nor publishes the will.
    const sessionExpiry = client.options.properties?.sessionExpiryInterval ?? 0;
    if (sessionExpiry > 0) client.options.clean = false;

    client.on('message', (topic, payload, packet) => this.#dispatch(topic, payload, packet));
    client.on('error', (error) =>
      this.#logger.warn(
        { clientId: client.options.clientId, error: error.message },
        'mqtt: link error',
      ),
    );
    client.on('offline', () =>
      this.#logger.warn({ clientId: client.options.clientId }, 'mqtt: link lost, reconnecting'),
    );
    client.on('connect', () => {
      this.#logger.info({ clientId: client.options.clientId }, 'mqtt: link reconnected');
      this.#publishBirth();
    });
    this.#publishBirth();
  }

  get connected(): boolean {
    return this.#client.connected;
  }

  #publishBirth(): void {
    const { birth } = this.#options;
    if (!birth) return;
    this.publish(birth.topic, birth.payload, { qos: 1, retain: true }).catch((error: Error) =>
      this.#logger.warn(
        { topic: birth.topic, error: error.message },
        'mqtt: birth message not published',
      ),
    );
  }

  #dispatch(topic: string, payload: Buffer, packet: IPublishPacket): void {
    const properties = packet.properties;
    const meta: MessageMeta = { retained: packet.retain };
    if (properties?.responseTopic !== undefined) meta.responseTopic = properties.responseTopic;
    if (properties?.correlationData !== undefined) {
      meta.correlationId = Buffer.from(properties.correlationData).toString('utf8');
    }
    if (properties?.messageExpiryInterval !== undefined) {
      meta.expirySeconds = properties.messageExpiryInterval;
    }
    for (const handler of this.#handlers) {
      try {
        handler(topic, payload, meta);
      } catch (error) {
        this.#logger.warn(
          { topic, error: (error as Error).message },
          'mqtt: message handler threw',
        );
      }
    }
  }

  async publish(
    topic: string,
    payload: string | Uint8Array,
    options: PublishOptions = {},
  ): Promise<void> {
    const { qos = 1, retain = false, expirySeconds, responseTopic, correlationId } = options;
    if (this.#closing)
      throw new LinkError('CLOSED', 'publish: the link is closed; connect a new one');
    if (!isTopicName(topic)) {
      throw new LinkError(
        'BAD_TOPIC',
        `publish: "${topic}" is not a topic name; give one without + or #`,
      );
    }
    const { account } = this.#options;
    if (account && !canPublish(account, topic)) {
      throw new LinkError(
        'PUBLISH_DENIED',
        `publish: ${account.username} may not publish to ${topic}; publish only under its own site`,
      );
    }
    if (expirySeconds !== undefined && !(Number.isFinite(expirySeconds) && expirySeconds > 0)) {
      throw new LinkError(
        'BAD_OPTION',
        `publish: expirySeconds must be a positive number, not ${expirySeconds}`,
      );
    }
    // QoS 0 is not queued while the link is down (queueQoSZero is off): say so instead.
    if (qos === 0 && !this.#client.connected) {
      throw new LinkError(
        'NOT_CONNECTED',
        `publish: QoS 0 message to ${topic} dropped while reconnecting`,
      );
    }
    const properties = {
      ...(expirySeconds !== undefined ? { messageExpiryInterval: Math.ceil(expirySeconds) } : {}),
      ...(responseTopic !== undefined ? { responseTopic } : {}),
      ...(correlationId !== undefined ? { correlationData: Buffer.from(correlationId) } : {}),
    };
    const withProperties = this.protocolVersion === 5 && Object.keys(properties).length > 0;
    await this.#settle(
      this.#client.publishAsync(topic, Buffer.from(payload), {
        qos,
        retain,
        ...(withProperties ? { properties } : {}),
      }),
      (error) => {
        const reasonCode = numericCode(error);
        return reasonCode === undefined
          ? new LinkError('PUBLISH_FAILED', `publish: ${topic} not sent: ${error.message}`)
          : new LinkError(
              'PUBLISH_REFUSED',
              `publish: the broker refused ${topic}: ${error.message}`,
              reasonCode,
            );
      },
    );
  }

  async subscribe(filter: string, qos: QoS = 1): Promise<QoS> {
    if (this.#closing)
      throw new LinkError('CLOSED', 'subscribe: the link is closed; connect a new one');
    if (!isTopicFilter(filter)) {
      throw new LinkError(
        'BAD_TOPIC',
        `subscribe: "${filter}" is not a filter; + and # stand for whole levels, # last`,
      );
    }
    const granted = await this.#settle(this.#client.subscribeAsync(filter, { qos }), (error) => {
      // mqtt.js rejects a refused subscription with the SUBACK packet, its reason code inside.
      const code = (error as { packet?: { granted?: number[] } }).packet?.granted?.[0];
      return code !== undefined && code >= 0x80
        ? new LinkError('SUBSCRIBE_DENIED', `subscribe: the broker refused ${filter}`, code)
        : new LinkError('SUBSCRIBE_FAILED', `subscribe: ${filter} failed: ${error.message}`);
    });
    const answer = granted[0]?.qos;
    if (answer === undefined || answer >= 0x80) {
      throw new LinkError('SUBSCRIBE_DENIED', `subscribe: the broker refused ${filter}`, answer);
    }
    return answer as QoS;
  }

  async unsubscribe(filter: string): Promise<void> {
    if (this.#closing)
      throw new LinkError('CLOSED', 'unsubscribe: the link is closed; connect a new one');
    await this.#settle(
      this.#client.unsubscribeAsync(filter),
      (error) => new LinkError('SUBSCRIBE_FAILED', `unsubscribe: ${filter}: ${error.message}`),
    );
  }

  onMessage(handler: MessageHandler): () => void {
    this.#handlers.add(handler);
    return () => void this.#handlers.delete(handler);
  }

  /** Awaits an mqtt.js promise, mapping its failure, and rejects it with `CLOSED` on close. */
  #settle<T>(operation: Promise<T>, mapError: (error: Error) => LinkError): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const abandon = (error: LinkError) => reject(error);
      this.#pending.add(abandon);
      operation.then(
        (value) => {
          this.#pending.delete(abandon);
          resolve(value);
        },
        (error: Error) => {
          this.#pending.delete(abandon);
          reject(error instanceof LinkError ? error : mapError(error));
        },
      );
    });
  }

  close({ abrupt = false }: { abrupt?: boolean } = {}): Promise<void> {
    this.#closing ??= (async () => {
      this.#handlers.clear();
      const client = this.#client;
      if (!abrupt && client.connected && Object.keys(client.outgoing).length > 0) {
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            client.off('outgoingEmpty', done);
            resolve();
          };
          const timer = setTimeout(done, CLOSE_GRACE_MS);
          client.on('outgoingEmpty', done);
        });
      }
      const force = abrupt || !client.connected || Object.keys(client.outgoing).length > 0;
      // A clean goodbye ends the MQTT 5 session at once instead of after its expiry.
      const resumable = (client.options.properties?.sessionExpiryInterval ?? 0) > 0;
      await client.endAsync(force, resumable ? { properties: { sessionExpiryInterval: 0 } } : {});
      for (const abandon of this.#pending) {
        abandon(new LinkError('CLOSED', 'the link was closed before the broker answered'));
      }
      this.#pending.clear();
    })();
    return this.#closing;
  }
}

const numericCode = (error: Error): number | undefined => {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
};
