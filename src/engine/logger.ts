// The engine's logger: pino's `(fields, message)` shape, so fastify's logger fits; quiet by default.
import type { LogLevel } from '../controllers/actions.ts';

export interface EngineLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** Discards everything: the default, so tests and library use stay quiet. */
export const silentLogger: EngineLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

/** pino's numeric levels, so tools that read fastify's log lines read these too. */
const LEVELS: Record<LogLevel, number> = { debug: 20, info: 30, warn: 40, error: 50 };

/**
 * A logger writing one JSON line per entry (pino's format: `level`, `time`, `msg`, fields), from
 * `level` up, stamped with `clock` (the engine's clock, so simulated runs log simulated time).
 *
 * @example
 * const logger = jsonLogger({ write: (line) => process.stdout.write(line) }, { level: 'info' });
 * logger.info({ site: 'J1' }, 'plan applied'); // {"level":30,"time":…,"msg":"plan applied","site":"J1"}
 */
export function jsonLogger(
  sink: { write(line: string): void },
  {
    level = 'info',
    clock = { now: () => Date.now() },
    name = 'engine',
  }: { level?: LogLevel; clock?: { now(): number }; name?: string } = {},
): EngineLogger {
  const threshold = LEVELS[level];
  const write = (entry: LogLevel) => (fields: Record<string, unknown>, message: string) => {
    if (LEVELS[entry] < threshold) return;
    sink.write(
      `${JSON.stringify({ level: LEVELS[entry], time: clock.now(), name, msg: message, ...fields })}\n`,
    );
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/**
 * A logger that keeps every entry in memory, for tests that check what was logged.
 *
 * @example
 * const logger = memoryLogger();
 * logger.warn({ site: 'J1' }, 'no answer');
 * logger.entries[0]; // => { level: 'warn', message: 'no answer', fields: { site: 'J1' } }
 */
export function memoryLogger(): EngineLogger & {
  entries: { level: LogLevel; message: string; fields: Record<string, unknown> }[];
} {
  const entries: { level: LogLevel; message: string; fields: Record<string, unknown> }[] = [];
  const keep = (level: LogLevel) => (fields: Record<string, unknown>, message: string) =>
    void entries.push({ level, message, fields });
  return {
    entries,
    debug: keep('debug'),
    info: keep('info'),
    warn: keep('warn'),
    error: keep('error'),
  };
}
