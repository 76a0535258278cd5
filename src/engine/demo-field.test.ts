// Loading the virtual field's module: absent, without the export, or present.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadDemoField } from './demo-field.ts';
import { temporaryDirectory } from './engine.fixture.ts';

let directory: string | undefined;
afterEach(async () => {
  if (directory) await rm(directory, { recursive: true, force: true });
  directory = undefined;
});

describe('loadDemoField', () => {
  it('says why when the module is not there', async () => {
    directory = await temporaryDirectory();
    const loaded = await loadDemoField(pathToFileURL(join(directory, 'demo.ts')));
    expect(loaded.start).toBeUndefined();
    expect(loaded.reason).toMatch(/no virtual field at .*demo\.ts/);
  });

  it('says why when the module does not export startDemoField', async () => {
    directory = await temporaryDirectory();
    const file = join(directory, 'other.mjs');
    await writeFile(file, 'export const something = 1;\n');
    expect((await loadDemoField(pathToFileURL(file))).reason).toMatch(
      /does not export startDemoField/,
    );
  });

  it('returns startDemoField when the module exports it', async () => {
    directory = await temporaryDirectory();
    const file = join(directory, 'field.mjs');
    await writeFile(
      file,
      'export async function startDemoField(options) { return { stop: async () => options.zone }; }\n',
    );
    const loaded = await loadDemoField(pathToFileURL(file));
    const field = await loaded.start!({ zone: 'zz' } as never);
    expect(await field.stop()).toBe('zz');
  });

  it('does not hide a field module that fails to load', async () => {
    directory = await temporaryDirectory();
    const file = join(directory, 'broken.mjs');
    await writeFile(file, "import './missing-dependency.mjs';\n");
    await expect(loadDemoField(pathToFileURL(file))).rejects.toThrow(/missing-dependency/);
  });
});
