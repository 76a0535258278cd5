// The Prometheus text format: families in order, labels sorted and escaped, counters only going up.
import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from './metrics.ts';

describe('MetricsRegistry', () => {
  it('renders counters and gauges in the text exposition format', () => {
    const metrics = new MetricsRegistry();
    const received = metrics.counter('greenwave_messages_received_total', 'Messages received.');
    received.inc({ type: 'det.volume' });
    received.inc({ type: 'det.volume' }, 2);
    received.inc({ type: 'presence' });
    metrics.gauge('greenwave_controllers_online', 'Controllers online.', () => [
      { labels: {}, value: 7 },
    ]);
    expect(metrics.render()).toBe(
      [
        '# HELP greenwave_messages_received_total Messages received.',
        '# TYPE greenwave_messages_received_total counter',
        'greenwave_messages_received_total{type="det.volume"} 3',
        'greenwave_messages_received_total{type="presence"} 1',
        '# HELP greenwave_controllers_online Controllers online.',
        '# TYPE greenwave_controllers_online gauge',
        'greenwave_controllers_online 7',
        '',
      ].join('\n'),
    );
    expect(received.get({ type: 'det.volume' })).toBe(3);
  });

  it('sorts and escapes labels, so one label set is one series', () => {
    const metrics = new MetricsRegistry();
    const rejected = metrics.counter('rejected_total', 'Refused.');
    rejected.inc({ type: 'x', reason: 'a"b\\c\nd' });
    rejected.inc({ reason: 'a"b\\c\nd', type: 'x' });
    expect(metrics.render()).toContain('rejected_total{reason="a\\"b\\\\c\\nd",type="x"} 2\n');
  });

  it('refuses a counter going down and a name used twice', () => {
    const metrics = new MetricsRegistry();
    const counter = metrics.counter('a_total', 'A.');
    expect(() => counter.inc({}, -1)).toThrow(RangeError);
    expect(() => metrics.counter('a_total', 'Again.')).toThrow(RangeError);
    expect(() => metrics.counter('bad name', 'B.')).toThrow(RangeError);
  });
});
