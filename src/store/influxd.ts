// Starts a private InfluxDB 1.x (Debian's influxd) for the services suites: temp dirs, free ports, no reporting.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface InfluxdProcess {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Stops the server and keeps its data; `start` runs it again on the same port and data. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes its data. */
  dispose(): Promise<void>;
}

/** A port the OS just handed out (free unless someone takes it in the next instant). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) =>
    server.once('error', reject).listen(0, '127.0.0.1', resolve),
  );
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string')
    throw new Error('freePort: the OS gave no TCP port');
  return address.port;
}

function config(directory: string, httpPort: number, rpcPort: number): string {
  return `reporting-enabled = false
bind-address = "127.0.0.1:${rpcPort}"

[meta]
  dir = "${join(directory, 'meta')}"
  logging-enabled = false

[data]
  dir = "${join(directory, 'data')}"
  wal-dir = "${join(directory, 'wal')}"
  query-log-enabled = false

[http]
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false

[monitor]
  store-enabled = false

[subscriber]
  enabled = false

[continuous_queries]
  log-enabled = false
`;
}

/**
 * Starts `influxd -config <temp toml>` with meta, data and WAL in a temp directory, HTTP and RPC
 * on free loopback ports, and waits until `/ping` answers.
 *
 * @example
 * const influxd = await startInfluxd();
 * const store = await openInfluxStore({ url: `${influxd.url}/test` });
 * await influxd.dispose();
 */
export async function startInfluxd({
  binary = '/usr/bin/influxd',
  startTimeoutMs = 30_000,
}: { binary?: string; startTimeoutMs?: number } = {}): Promise<InfluxdProcess> {
  const directory = await mkdtemp(join(tmpdir(), 'greenwave-influxd-'));
  const port = await freePort();
  const configFile = join(directory, 'influxdb.conf');
  await writeFile(configFile, config(directory, port, await freePort()));
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    let output = '';
    const spawned = spawn(binary, ['-config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = spawned;
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    spawned.stdout?.on('data', keep);
    spawned.stderr?.on('data', keep);
    const exited = new Promise<never>((_, reject) =>
      spawned.once('exit', (code) =>
        reject(new Error(`startInfluxd: influxd exited with ${code}:\n${output}`)),
      ),
    );
    exited.catch(() => undefined);
    const deadline = Date.now() + startTimeoutMs;
    for (;;) {
      const ping = fetch(`${url}/ping`).then(
        (response) => response.status === 204,
        () => false,
      );
      if (await Promise.race([ping, exited])) return;
      if (Date.now() > deadline) {
        await stop();
        throw new Error(
          `startInfluxd: no answer on ${url}/ping after ${startTimeoutMs} ms:\n${output}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function stop(): Promise<void> {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  try {
    await start();
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    port,
    start,
    stop,
    async dispose() {
      await stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
