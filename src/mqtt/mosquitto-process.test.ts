// Tests for the Mosquitto starter's failures, which need no Mosquitto: a missing binary, an early exit.
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { startMosquitto } from './mosquitto-process.ts';
import { cheapUserRecords } from './testing.ts';

const leftovers = () =>
  readdirSync(tmpdir()).filter((name) => name.startsWith('greenwave-mosquitto-'));

describe('startMosquitto', () => {
  it('says how to install Mosquitto when the binary is missing, and leaves no files', async () => {
    const users = await cheapUserRecords([{ username: 'engine', password: 'pw', role: 'engine' }]);
    const before = leftovers();
    const start = startMosquitto({ users, binary: '/nonexistent/mosquitto' });
    await expect(start).rejects.toMatchObject({ code: 'NOT_INSTALLED' });
    await expect(startMosquitto({ users, binary: '/nonexistent/mosquitto' })).rejects.toThrow(
      /apt-get install mosquitto/,
    );
    expect(leftovers()).toEqual(before);
  });

  it('reports a broker that exits before listening', async () => {
    const users = await cheapUserRecords([{ username: 'engine', password: 'pw', role: 'engine' }]);
    const before = leftovers();
    const start = startMosquitto({ users, binary: '/bin/false' });
    await expect(start).rejects.toMatchObject({ code: 'START_FAILED' });
    expect(leftovers()).toEqual(before);
  });

  it('refuses users without a Mosquitto hash before starting anything', async () => {
    const [engine] = await cheapUserRecords([
      { username: 'engine', password: 'pw', role: 'engine' },
    ]);
    const withoutHash = { ...engine!, mosquittoHash: undefined };
    const before = leftovers();
    await expect(startMosquitto({ users: [withoutHash] })).rejects.toMatchObject({
      code: 'NO_MOSQUITTO_HASH',
    });
    expect(leftovers()).toEqual(before);
  });
});
