// `greenwave serve`: the engine's HTTP server on the demo network or a given one.
import { fileURLToPath } from 'node:url';
import { buildApp } from '../api/app.ts';
import { loadNetwork } from '../io/load.ts';
import type { Output } from './args.ts';
import { UsageError } from './args.ts';

/** The demo network shipped with the project: Jinshui Road, Zhengzhou. */
export const DEMO_NETWORK = fileURLToPath(
  new URL('../../fixtures/networks/zhengzhou-jinshui-road.geojson', import.meta.url),
);

/** Starts the server and resolves when it stops (on SIGINT or SIGTERM); returns the exit code. */
export async function serve(
  options: { net?: string; port?: string },
  output: Output,
): Promise<number> {
  const port = Number(options.port ?? process.env['PORT'] ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(
      `--port (or PORT) must be a port number, not "${options.port ?? process.env['PORT']}"`,
    );
  }
  const { network, file } = await loadNetwork(options.net ?? DEMO_NETWORK);
  const app = buildApp({ network, logger: true });
  const address = await app.listen({ port, host: process.env['HOST'] ?? '127.0.0.1' });
  output.err(
    `greenwave: serving ${network.getAttribute('name')} (${file}) at ${address}; health at ${address}/health\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => void app.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
