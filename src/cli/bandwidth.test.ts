// Tests for `greenwave bandwidth`: output, and the file and field named for bad corridor files.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputFileError } from '../network/errors.ts';
import { UsageError } from './args.ts';
import { bandwidth } from './bandwidth.ts';

async function run(options: Parameters<typeof bandwidth>[0]) {
  let out = '';
  let err = '';
  const code = await bandwidth(options, {
    out: (text) => (out += text),
    err: (text) => (err += text),
  });
  return { code, out, err };
}

async function inputError(options: Parameters<typeof bandwidth>[0]): Promise<InputFileError> {
  const error = await run(options).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(InputFileError);
  return error as InputFileError;
}

const textbook = 'fixtures/corridors/equal-spacing-half-cycle-travel.json';

describe('greenwave bandwidth', () => {
  it('prints the bandwidth result as JSON', async () => {
    const { code, out } = await run({ corridor: textbook, json: true });
    expect(code).toBe(0);
    const result = JSON.parse(out);
    expect(result.bandwidth).toEqual({ outbound: 40, inbound: 40 });
    expect(result.signals.map((signal: { offset: number }) => signal.offset)).toEqual([
      0, 40, 0, 40, 0,
    ]);
  });

  it('prints JSON on stdout and a summary for people on stderr', async () => {
    const { code, out, err } = await run({ corridor: textbook });
    expect(code).toBe(0);
    expect(JSON.parse(out).cycle).toBe(80);
    expect(err).toContain('cycle 80 s; bands 40 s outbound, 40 s inbound');
  });

  it('writes the time-space diagram as SVG', async () => {
    const svg = join(mkdtempSync(join(tmpdir(), 'greenwave-tsd-')), 'corridor.svg');
    expect((await run({ corridor: textbook, svg })).code).toBe(0);
    const text = readFileSync(svg, 'utf8');
    expect(text.startsWith('<svg')).toBe(true);
    expect(text).toContain('Outbound band');
  });

  it('needs --corridor', async () => {
    await expect(run({})).rejects.toBeInstanceOf(UsageError);
  });

  it('names the file and the field of a bad value', async () => {
    const file = 'fixtures/corridors/invalid/positions-that-do-not-increase.json';
    const error = await inputError({ corridor: file });
    expect(error.code).toBe('BAD_VALUE');
    expect(error.file).toBe(file);
    expect(error.problems[0]!.element).toBe('signals[2].position');
  });

  it('names a missing field as MISSING_ATTRIBUTE', async () => {
    const error = await inputError({ corridor: 'fixtures/corridors/invalid/no-speed-range.json' });
    expect(error.code).toBe('MISSING_ATTRIBUTE');
    expect(error.problems[0]!.element).toBe('speed');
  });

  it('reports a file that is not JSON, or not there, as PARSE_FAILED', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'greenwave-bandwidth-'));
    const broken = join(dir, 'cut-off.json');
    writeFileSync(broken, '{ "cycle": { "min": 60, "max": 120 }, "speed": ');
    expect((await inputError({ corridor: broken })).code).toBe('PARSE_FAILED');
    expect((await inputError({ corridor: join(dir, 'absent.json') })).code).toBe('PARSE_FAILED');
  });

  it('reports a corridor with no band against the signal at fault', async () => {
    const error = await inputError({
      corridor: 'fixtures/corridors/infeasible/queue-clearance-longer-than-the-green.json',
    });
    expect(error.problems[0]!.element).toBe('signals[1].queueClearance');
    expect(error.message).toContain('QUEUE_CLEARANCE_FILLS_GREEN');
  });
});
