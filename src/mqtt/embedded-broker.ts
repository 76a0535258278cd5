// The embedded MQTT broker (aedes, MQTT 3.1.1): accounts from the users file, topic rights per
// account, a packet-size limit; what `greenwave serve` runs when no MQTT_URL is given.
import { createServer, type Socket } from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Account, UserRecord } from './accounts.ts';
import { createAuthenticator } from './authenticate.ts';
import { silentLogger, type MqttLogger } from './logger.ts';
import { MAX_PACKET_BYTES } from './mosquitto-config.ts';
import { limitPacketSize } from './packet-size.ts';
import { canPublish, canSubscribe, canUseClientId } from './rights.ts';

export interface EmbeddedBrokerOptions {
  /** Interface to listen on; default loopback only. */
  host?: string;
  /** TCP port; 0 picks a free one (read it back from the result). */
  port?: number;
  /** The users file's records: who may connect, and as which account. */
  users: readonly UserRecord[];
  logger?: MqttLogger;
  /** Connections announcing a larger packet are dropped before it is read. */
  maxPacketBytes?: number;
}

export interface EmbeddedBroker {
  /** `mqtt://host:port`, for `connectLink`. */
  url: string;
  port: number;
  /** Disconnects every client (their wills are published), stops listening, frees all timers. */
  close(): Promise<void>;
}

/** MQTT 3.1.1 CONNACK return codes the broker answers with. */
const BAD_USERNAME_OR_PASSWORD = 4;
const IDENTIFIER_REJECTED = 2;

/**
 * Starts an aedes broker that only lets in the users file's accounts and only lets each publish
 * and subscribe within its `topicRights`. aedes speaks MQTT 3.1.1 only: it refuses an MQTT 5
 * CONNECT with return code 1, which `connectLink`'s `protocol: 'auto'` takes as the cue to fall
 * back. A denied publish closes the client's connection (MQTT-3.3.5-2, aedes's way); a denied
 * subscription is answered with SUBACK 0x80.
 *
 * @example
 * const broker = await startEmbeddedBroker({ port: 0, users: (await readUsersFile('users.json')).users });
 * broker.url // => 'mqtt://127.0.0.1:41873'
 * await broker.close();
 */
export async function startEmbeddedBroker({
  host = '127.0.0.1',
  port = 1883,
  users,
  logger = silentLogger,
  maxPacketBytes = MAX_PACKET_BYTES,
}: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const authenticate = createAuthenticator(users);
  const accounts = new WeakMap<Client, Account>();
  // Refusals are logged where they are decided; aedes reports them again as client errors.
  const logged = new WeakSet<Error>();
  const broker = await Aedes.createBroker({ maxTopicLevels: 16, drainTimeout: 30_000 });

  broker.authenticate = (client, username, password, done) => {
    const refuse = (returnCode: number, reason: string) => {
      logger.warn({ clientId: client.id, username, reason }, 'mqtt: connection refused');
      const error = new Error(`connection refused: ${reason}`) as AuthenticateError;
      error.returnCode = returnCode;
      logged.add(error);
      done(error, false);
    };
    authenticate(username, password).then(
      (account) => {
        if (!account) return refuse(BAD_USERNAME_OR_PASSWORD, 'bad username or password');
        if (!canUseClientId(account, client.id)) {
          return refuse(
            IDENTIFIER_REJECTED,
            `client id must be "${account.username}" or start with "${account.username}:"`,
          );
        }
        accounts.set(client, account);
        done(null, true);
      },
      (error: Error) => refuse(BAD_USERNAME_OR_PASSWORD, `verification failed: ${error.message}`),
    );
  };

  broker.authorizePublish = (client, packet, done) => {
    // client is null for a stale will left by another broker instance: its owner cannot be checked.
    const account = client ? accounts.get(client) : undefined;
    if (account && canPublish(account, packet.topic)) return done(null);
    logger.warn(
      { clientId: client?.id, username: account?.username, topic: packet.topic },
      'mqtt: publish denied, connection closed',
    );
    const error = new Error(`publish to ${packet.topic} denied`);
    logged.add(error);
    done(error);
  };

  broker.authorizeSubscribe = (client, subscription, done) => {
    const account = accounts.get(client);
    if (account && canSubscribe(account, subscription.topic)) return done(null, subscription);
    logger.warn(
      { clientId: client.id, username: account?.username, filter: subscription.topic },
      'mqtt: subscription denied',
    );
    done(null, null);
  };

  broker.on('clientReady', (client) => {
    logger.info(
      { clientId: client.id, username: accounts.get(client)?.username },
      'mqtt: client connected',
    );
  });
  broker.on('clientDisconnect', (client) => {
    logger.info({ clientId: client.id }, 'mqtt: client disconnected');
  });
  broker.on('clientError', (client, error) => {
    if (!logged.has(error)) {
      logger.warn({ clientId: client.id, error: error.message }, 'mqtt: client error');
    }
  });
  broker.on('connectionError', (client, error) => {
    // `connectLink` tries MQTT 5 first and falls back: routine, not a warning.
    const protocolProbe = (error as { errorCode?: number }).errorCode === 1;
    const fields = { clientId: client.id, error: error.message };
    if (protocolProbe) logger.info(fields, 'mqtt: MQTT 5 CONNECT refused (3.1.1 only)');
    else if (!logged.has(error)) logger.warn(fields, 'mqtt: connection error');
  });

  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    broker.handle(socket);
    limitPacketSize(socket, maxPacketBytes, (declaredBytes) => {
      logger.warn(
        { remoteAddress: socket.remoteAddress, declaredBytes, maxPacketBytes },
        'mqtt: packet too large, connection closed',
      );
    });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw error;
  }
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  logger.info({ host, port: boundPort }, 'mqtt: embedded broker listening');

  let closing: Promise<void> | undefined;
  return {
    url: `mqtt://${host.includes(':') ? `[${host}]` : host}:${boundPort}`,
    port: boundPort,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await new Promise<void>((resolve) => broker.close(() => resolve()));
        // Connections that never finished CONNECT are not aedes clients yet: end them here.
        for (const socket of sockets) socket.destroy();
        await stopped;
      })();
      return closing;
    },
  };
}
