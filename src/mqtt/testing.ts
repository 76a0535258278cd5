// Helpers for suites that run real brokers: an inbox over a link, a TCP relay that can fail like a
// network, and accounts hashed cheaply. Used by the MQTT, end-to-end and services suites.
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import type { UserRecord } from './accounts.ts';
import type { Link, MessageMeta } from './link.ts';
import { createUserRecord, type NewUser } from './user-record.ts';

export interface Received {
  topic: string;
  payload: string;
  meta: MessageMeta;
}

/** Collects what a link receives; `next` waits for the first message (past or future) that fits. */
export function inbox(link: Link) {
  const messages: Received[] = [];
  const waiters: { test: (m: Received) => boolean; resolve: (m: Received) => void }[] = [];
  link.onMessage((topic, payload, meta) => {
    const message = { topic, payload: payload.toString(), meta };
    messages.push(message);
    for (const waiter of [...waiters]) {
      if (waiter.test(message)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
  });
  return {
    messages,
    next(test: (m: Received) => boolean, timeoutMs = 5000): Promise<Received> {
      const seen = messages.find(test);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('inbox: no such message in time')),
          timeoutMs,
        );
        waiters.push({ test, resolve: (m) => (clearTimeout(timer), resolve(m)) });
      });
    },
  };
}

/**
 * A TCP relay to a broker whose connections can fail as a network would: `cut()` drops every
 * connection, `setBlocked(true)` turns new ones away until unblocked, `close()` stops it for good.
 *
 * @example
 * const proxy = await startProxy(broker.port);
 * const link = await connectLink({ url: proxy.url, … });
 * proxy.cut(); // the link reconnects through the proxy
 */
export async function startProxy(targetPort: number, targetHost = '127.0.0.1') {
  const sockets = new Set<Socket>();
  let blocked = false;
  const server: Server = createServer((downstream) => {
    if (blocked) {
      downstream.destroy();
      return;
    }
    const upstream = tcpConnect(targetPort, targetHost);
    for (const socket of [downstream, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        sockets.delete(socket);
        downstream.destroy();
        upstream.destroy();
      });
    }
    downstream.pipe(upstream);
    upstream.pipe(downstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const cut = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    url: `mqtt://127.0.0.1:${port}`,
    cut,
    setBlocked(value: boolean) {
      blocked = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        cut();
      }),
  };
}

/**
 * Users-file records for `users`, hashed at low cost: for tests, where the cost is not under test.
 *
 * @example
 * const records = await cheapUserRecords([{ username: 'engine', password: 'pw', role: 'engine' }]);
 */
export function cheapUserRecords(users: readonly NewUser[]): Promise<UserRecord[]> {
  return Promise.all(
    users.map((user) =>
      createUserRecord(user, { scryptCost: { ln: 10 }, mosquittoIterations: 10 }),
    ),
  );
}
