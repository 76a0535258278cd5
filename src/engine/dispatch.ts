// The dispatcher: a raw MQTT message to its handler, or to an `input.rejected` alarm saying why not.
import { payloadParser, type ParseResult } from '../controllers/payloads.ts';
import { parseTopic } from '../controllers/topics.ts';
import type { MessageMeta } from '../mqtt/link.ts';
import type { EngineContext } from './context.ts';
import { inputRejected, parseFailureCode } from './effects.ts';
import { HANDLERS } from './handlers.ts';
import type { EngineState, EngineStep } from './state.ts';

/** The site id of the engine's own topics (its alarms, its presence): never a controller. */
export const ENGINE_SITE = 'engine';

export interface RawMessage {
  topic: string;
  payload: Uint8Array;
  meta: MessageMeta;
  /** The engine's clock when it arrived, ms. */
  now: number;
}

/** How a message ended: handled (perhaps with parts refused), refused whole, or not for the engine. */
export type DispatchOutcome = 'handled' | 'rejected' | 'ignored';

export interface Dispatched extends EngineStep {
  /** The message type (`presence`, `det.volume`, …), `unknown` when the topic names none. */
  type: string;
  outcome: DispatchOutcome;
}

const parsers: Record<string, (payload: Uint8Array) => ParseResult<unknown>> = Object.fromEntries(
  Object.entries(HANDLERS).map(([key, handler]) => [key, payloadParser(handler.schema)]),
);

const READS =
  'presence, status/det.volume, status/tlc.hires, status/tlc.plan and result/tlc.plan.set';

/**
 * Routes one message: the topic must be `tsc/{zone}/{site}/…` of this zone, name a handled type
 * and a signal of the network; the payload must parse against the type's schema. Anything else
 * becomes an `input.rejected` alarm with the topic and the reason, and the state is unchanged.
 * The engine's own topics (site `engine`) are ignored.
 *
 * @example
 * dispatchMessage(state, context, { topic: 'tsc/zz/J1/status/det.volume', payload: Buffer.from('{'), meta, now })
 *   .effects[0]; // => { type: 'alarm', code: 'input.rejected', reason: 'not JSON: …', values: { reasonCode: 'not-json', … } }
 */
export function dispatchMessage(
  state: EngineState,
  context: EngineContext,
  { topic, payload, meta, now }: RawMessage,
): Dispatched {
  const parsed = parseTopic(topic);
  const key = parsed && (parsed.kind === 'presence' ? 'presence' : `${parsed.kind}/${parsed.code}`);
  const handler = key === undefined ? undefined : HANDLERS[key];
  const type = handler?.type ?? 'unknown';
  const site = parsed?.site ?? topic.split('/')[2] ?? '';
  const refuse = (reasonCode: string, reason: string): Dispatched => ({
    state,
    effects: [inputRejected({ topic, site, reasonCode, reason, now, messageType: type })],
    type,
    outcome: 'rejected',
  });

  if (parsed?.site === ENGINE_SITE) return { state, effects: [], type, outcome: 'ignored' };
  if (parsed === undefined || parsed.zone !== context.zone) {
    return refuse(
      'unknown-topic',
      `topic ${topic} is not tsc/${context.zone}/{site}/{kind}[/{code}]; the engine reads ${READS}`,
    );
  }
  if (handler === undefined) {
    return refuse('unknown-topic', `no handler for ${key}; the engine reads ${READS}`);
  }
  if (context.signals[parsed.site] === undefined) {
    return refuse(
      'unknown-site',
      `site ${parsed.site} is not a signal of network ${context.network.getAttribute('name')}; check the controller's site id`,
    );
  }
  const checked = parsers[key!]!(payload);
  if (!checked.ok) return refuse(parseFailureCode(checked.reason), checked.reason);
  const step = handler.handle(
    state,
    { topic, site: parsed.site, payload: checked.value as never, meta, now },
    context,
  );
  return { ...step, type, outcome: 'handled' };
}
