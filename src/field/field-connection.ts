// How a field controller reaches the broker: its account, Last Will and birth, and the MQTT connector.
import type { EngineLogger } from '../engine/logger.ts';
import type { MemoryBus } from '../engine/memory-bus.ts';
import type { Account } from '../mqtt/accounts.ts';
import { connectLink, type Link } from '../mqtt/link.ts';

/** A controller account the field connects as (the demo's `DemoAccount`). */
export interface FieldAccount {
  site: string;
  username: string;
  password: string;
}

/** What a connector needs to open one controller's connection. */
export interface ControllerConnection {
  site: string;
  zone: string;
  username: string;
  password: string;
  /** The account's rights, so a link can refuse a forbidden publish before sending it. */
  account: Account;
  /** Presence `offline`, retained: the broker publishes it when the connection drops. */
  will: { topic: string; payload: string; qos: 1; retain: true };
  /** Presence `online`, retained: published on every connect. */
  birth: { topic: string; payload: string };
}

/** Opens one controller's connection (MQTT, or an in-memory bus in unit tests). */
export type ConnectController = (connection: ControllerConnection) => Promise<Link>;

/**
 * A connector to an MQTT broker: client id = username, the will and birth as given, the account's
 * rights checked locally (a forbidden publish is refused before it is sent), MQTT 5 where the
 * broker offers it.
 *
 * @example
 * const connect = mqttConnector({ url: broker.url });
 * const field = await VirtualField.start({ network, zone: 'zz', accounts, connect, clock });
 */
export function mqttConnector({
  url,
  protocol = 'auto',
  logger,
  reconnectPeriodMs,
}: {
  url: string;
  protocol?: 'auto' | 4 | 5;
  logger?: EngineLogger;
  reconnectPeriodMs?: number;
}): ConnectController {
  return ({ username, password, will, birth, account }) =>
    connectLink({
      url,
      username,
      password,
      clientId: username,
      will,
      birth,
      account,
      protocol,
      ...(logger ? { logger } : {}),
      ...(reconnectPeriodMs === undefined ? {} : { reconnectPeriodMs }),
    });
}

/**
 * A connector onto an in-memory bus (offline runs and tests): the link enforces the account and
 * keeps the will, and the birth is published retained; `seen` collects each connection asked for.
 *
 * @example
 * const field = await VirtualField.start({ network, zone: 'zz', accounts, connect: busConnector(bus), clock });
 */
export function busConnector(
  bus: MemoryBus,
  { protocolVersion = 4, seen }: { protocolVersion?: 4 | 5; seen?: ControllerConnection[] } = {},
): ConnectController {
  return async (connection) => {
    seen?.push(connection);
    const link = bus.link({
      name: connection.username,
      account: connection.account,
      will: connection.will,
      protocolVersion,
    });
    await link.publish(connection.birth.topic, connection.birth.payload, { qos: 1, retain: true });
    return link;
  };
}
