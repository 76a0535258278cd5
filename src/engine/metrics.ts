// Counters and gauges in Prometheus's text exposition format (version 0.0.4), without a client library.

export type Labels = Readonly<Record<string, string>>;

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  /** Counters: values by label key; gauges: read when rendered. */
  values: Map<string, { labels: Labels; value: number }>;
  collect?: () => { labels: Labels; value: number }[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * A set of metric families rendered as Prometheus text. Counters only go up; gauges are read from
 * a function when rendered, so they always show the current state.
 *
 * @example
 * const metrics = new MetricsRegistry();
 * const received = metrics.counter('greenwave_messages_received_total', 'MQTT messages received.');
 * received.inc({ type: 'det.volume' });
 * metrics.render(); // => '# HELP greenwave_messages_received_total …\n…{type="det.volume"} 1\n'
 */
export class MetricsRegistry {
  readonly #families = new Map<string, Family>();

  counter(
    name: string,
    help: string,
  ): { inc(labels?: Labels, by?: number): void; get(labels?: Labels): number } {
    const family = this.#add({ name, help, type: 'counter', values: new Map() });
    return {
      inc(labels = {}, by = 1) {
        if (!(by >= 0)) throw new RangeError(`counter ${name}: increments must be ≥ 0, got ${by}`);
        const key = formatLabels(labels);
        const entry = family.values.get(key) ?? { labels, value: 0 };
        entry.value += by;
        family.values.set(key, entry);
      },
      get(labels = {}) {
        return family.values.get(formatLabels(labels))?.value ?? 0;
      },
    };
  }

  gauge(name: string, help: string, collect: () => { labels: Labels; value: number }[]): void {
    this.#add({ name, help, type: 'gauge', values: new Map(), collect });
  }

  /** Every family in the text format, in the order registered. */
  render(): string {
    const lines: string[] = [];
    for (const family of this.#families.values()) {
      lines.push(
        `# HELP ${family.name} ${family.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`,
      );
      lines.push(`# TYPE ${family.name} ${family.type}`);
      const samples = family.collect ? family.collect() : [...family.values.values()];
      for (const { labels, value } of samples) {
        lines.push(`${family.name}${formatLabels(labels)} ${formatValue(value)}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }

  #add(family: Family): Family {
    if (!NAME.test(family.name) || this.#families.has(family.name)) {
      throw new RangeError(`MetricsRegistry: "${family.name}" is not a new metric name`);
    }
    this.#families.set(family.name, family);
    return family;
  }
}

/** Labels in the text format, sorted by name: also the key a counter's values are kept under. */
function formatLabels(labels: Labels): string {
  const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return '';
  const escaped = entries.map(
    ([key, value]) =>
      `${key}="${value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`,
  );
  return `{${escaped.join(',')}}`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
