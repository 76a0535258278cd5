// Starts a private Mosquitto (from Debian's package) on a free port with greenwave's accounts and
// topic rights, for the services suites, the end-to-end test and the benchmarks; stops it again.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { CodedError } from '../coded-error.ts';
import type { UserRecord } from './accounts.ts';
import {
  accountsOf,
  MAX_PACKET_BYTES,
  mosquittoAcl,
  mosquittoConf,
  mosquittoPasswordFile,
} from './mosquitto-config.ts';

export class MosquittoProcessError extends CodedError<'NOT_INSTALLED' | 'START_FAILED'> {}

export interface MosquittoOptions {
  /** Records with a `mosquittoHash` (as `createUserRecord` and `greenwave users add` make them). */
  users: readonly UserRecord[];
  binary?: string;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  maxPacketBytes?: number;
  /** How long to wait for the broker to accept connections, ms. */
  startTimeoutMs?: number;
}

export interface MosquittoProcess {
  url: string;
  port: number;
  /** The process id, to be stopped by id and nothing else. */
  pid: number;
  /** Stops the broker (SIGTERM, then SIGKILL after 5 s) and removes its temporary files. */
  close(): Promise<void>;
}

/**
 * Starts `mosquitto -c <temporary config>` with `allow_anonymous false`, a `password_file` from
 * the records' `$7$` hashes and an `acl_file` from `mosquittoAcl`, and resolves once it accepts
 * TCP connections. The broker is killed if this process exits first.
 *
 * @throws {MosquittoProcessError} `NOT_INSTALLED` when the binary is missing (`apt-get install
 * mosquitto`), `START_FAILED` with Mosquitto's own last words when it exits or never listens.
 * @example
 * const broker = await startMosquitto({ users });
 * const link = await connectLink({ url: broker.url, username: 'engine', password }); // MQTT 5
 * await broker.close();
 */
export async function startMosquitto({
  users,
  binary = '/usr/sbin/mosquitto',
  host = '127.0.0.1',
  port = 0,
  maxPacketBytes = MAX_PACKET_BYTES,
  startTimeoutMs = 10_000,
}: MosquittoOptions): Promise<MosquittoProcess> {
  const passwords = mosquittoPasswordFile(users);
  const acl = mosquittoAcl(accountsOf(users));
  const directory = await mkdtemp(join(tmpdir(), 'greenwave-mosquitto-'));
  const passwordFile = join(directory, 'passwd');
  const aclFile = join(directory, 'acl');
  await writeFile(passwordFile, passwords, { mode: 0o600 });
  await writeFile(aclFile, acl, { mode: 0o600 });
  // Two tries on a fresh free port each: another process may take the port between our probe
  // and Mosquitto's bind.
  let lastError: unknown;
  for (let attempt = 0; attempt < (port === 0 ? 2 : 1); attempt++) {
    const chosen = port === 0 ? await freePort(host) : port;
    const config = join(directory, 'mosquitto.conf');
    await writeFile(
      config,
      mosquittoConf({
        port: chosen,
        host,
        passwordFile,
        aclFile,
        maxPacketBytes,
        // As root, Mosquitto would switch to its own user, who cannot read our 0600 files.
        ...(process.getuid?.() === 0 ? { user: userInfo().username } : {}),
      }),
    );
    try {
      return await launch(binary, config, host, chosen, startTimeoutMs, directory);
    } catch (error) {
      lastError = error;
      if (error instanceof MosquittoProcessError && error.code === 'NOT_INSTALLED') break;
    }
  }
  await rm(directory, { recursive: true, force: true });
  throw lastError;
}

async function launch(
  binary: string,
  config: string,
  host: string,
  port: number,
  startTimeoutMs: number,
  directory: string,
): Promise<MosquittoProcess> {
  const child = spawn(binary, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  try {
    await waitUntilListening(child, host, port, startTimeoutMs, () => log);
  } catch (error) {
    process.off('exit', killOnExit);
    await stop(child, exited);
    throw error;
  }
  const pid = child.pid!;
  let closing: Promise<void> | undefined;
  return {
    url: `mqtt://${host}:${port}`,
    port,
    pid,
    close() {
      closing ??= (async () => {
        process.off('exit', killOnExit);
        await stop(child, exited);
        await rm(directory, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  // Never started (binary missing), or already gone.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, 5000);
  });
  await Promise.race([exited, killed]);
  clearTimeout(timer);
  await exited;
}

function waitUntilListening(
  child: ChildProcess,
  host: string,
  port: number,
  timeoutMs: number,
  log: () => string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let retry: NodeJS.Timeout | undefined;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      clearTimeout(retry);
      child.off('exit', onExit);
      child.off('error', onError);
      if (error) reject(error);
      else resolve();
    };
    const onError = (error: NodeJS.ErrnoException) =>
      finish(
        error.code === 'ENOENT'
          ? new MosquittoProcessError(
              'NOT_INSTALLED',
              `startMosquitto: ${child.spawnfile} not found; install it (apt-get install mosquitto) or pass binary`,
            )
          : error,
      );
    const onExit = (code: number | null) =>
      finish(
        new MosquittoProcessError(
          'START_FAILED',
          `startMosquitto: mosquitto exited (code ${code}) before listening on ${host}:${port}:\n${log()}`,
        ),
      );
    const deadline = setTimeout(
      () =>
        finish(
          new MosquittoProcessError(
            'START_FAILED',
            `startMosquitto: mosquitto did not listen on ${host}:${port} within ${timeoutMs} ms:\n${log()}`,
          ),
        ),
      timeoutMs,
    );
    child.once('exit', onExit);
    child.once('error', onError);
    const probe = () => {
      const socket = connect(port, host);
      socket.once('connect', () => {
        socket.destroy();
        finish();
      });
      socket.once('error', () => {
        socket.destroy();
        if (!settled) retry = setTimeout(probe, 50);
      });
    };
    probe();
  });
}

/** A port nothing listens on right now. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
