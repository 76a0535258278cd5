// Tests for format detection by content and the loader's errors for unreadable or unknown files.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputFileError } from '../network/errors.ts';
import { detectFormat, loadNetwork } from './load.ts';

describe('detectFormat', () => {
  it('reads the format from the content, not the name', () => {
    expect(detectFormat('<?xml version="1.0"?>\n<!-- x -->\n<net version="1.9">')).toBe('sumo-net');
    expect(detectFormat('<routes>')).toBe('sumo-routes');
    expect(detectFormat('<configuration>')).toBe('sumo-config');
    expect(detectFormat('{"type": "FeatureCollection", "features": []}')).toBe('geojson');
    expect(detectFormat('{"intersections": [], "roads": []}')).toBe('cityflow-roadnet');
    expect(detectFormat('[{"vehicle": {}, "route": ["a"]}]')).toBe('cityflow-flow');
    expect(detectFormat('# counts\nbegin,end,from,to,count\n')).toBe('counts');
    expect(detectFormat('hello')).toBeUndefined();
  });
});

describe('loadNetwork', () => {
  it('names a file that cannot be read, and one that is no network', async () => {
    const missing = await loadNetwork('no/such/file.net.xml').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(InputFileError);
    expect((missing as InputFileError).code).toBe('PARSE_FAILED');
    const routes = await loadNetwork('fixtures/sumo/four-leg-signalised.rou.xml').catch(
      (error: unknown) => error,
    );
    expect((routes as InputFileError).code).toBe('FORMAT_UNKNOWN');
    expect((routes as InputFileError).file).toBe('fixtures/sumo/four-leg-signalised.rou.xml');
  });

  it('loads a sumocfg with its window and route files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'greenwave-cfg-'));
    const config = join(dir, 'four-leg.sumocfg');
    const fixtures = resolve('fixtures/sumo');
    writeFileSync(
      config,
      `<configuration><input><net-file value="${fixtures}/four-leg-signalised.net.xml"/>` +
        `<route-files value="${fixtures}/four-leg-signalised.rou.xml"/></input>` +
        '<time><begin value="600"/><end value="1800"/></time></configuration>',
    );
    const loaded = await loadNetwork(config);
    expect(loaded.format).toBe('sumo-net');
    expect(loaded.window).toEqual({ begin: 600, end: 1800 });
    expect(loaded.demandFiles).toEqual([`${fixtures}/four-leg-signalised.rou.xml`]);
  });
});
