// The logger the MQTT layer writes to: pino's `(fields, message)` shape, so fastify's logger fits.

export interface MqttLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** Discards everything: the default, so library use stays quiet. */
export const silentLogger: MqttLogger = { info: () => {}, warn: () => {} };
