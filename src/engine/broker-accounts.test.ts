// The users file `greenwave serve` keeps: engine and demo accounts renewed, operators' accounts kept.
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuthenticator } from '../mqtt/authenticate.ts';
import { readUsersFile, writeUsersFile } from '../mqtt/users-file.ts';
import { cheapUserRecords } from '../mqtt/testing.ts';
import { prepareServeAccounts } from './broker-accounts.ts';
import { temporaryDirectory } from './engine.fixture.ts';

const cheap = { scryptCost: { ln: 10 } };
let directory: string | undefined;
afterEach(async () => {
  if (directory) await rm(directory, { recursive: true, force: true });
  directory = undefined;
});

describe('prepareServeAccounts', () => {
  it('creates the file with an engine account and a demo account per site, owner-only', async () => {
    directory = await temporaryDirectory();
    const file = join(directory, 'users.json');
    const accounts = await prepareServeAccounts(file, {
      zone: 'zz',
      demoSites: ['J1', 'J2'],
      ...cheap,
    });
    expect(accounts.created).toBe(true);
    expect(accounts.demo.map(({ site, username }) => ({ site, username }))).toEqual([
      { site: 'J1', username: 'demo-J1' },
      { site: 'J2', username: 'demo-J2' },
    ]);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const authenticate = createAuthenticator((await readUsersFile(file)).users);
    expect(await authenticate('engine', Buffer.from(accounts.engine.password))).toEqual({
      username: 'engine',
      role: 'engine',
    });
    expect(await authenticate('demo-J2', Buffer.from(accounts.demo[1]!.password))).toMatchObject({
      role: 'controller',
      zone: 'zz',
      site: 'J2',
    });
    expect(await authenticate('engine', Buffer.from('guess'))).toBeUndefined();
  });

  it("renews the engine's password, keeps an operator's accounts, drops demo accounts without a demo", async () => {
    directory = await temporaryDirectory();
    const file = join(directory, 'users.json');
    const first = await prepareServeAccounts(file, { zone: 'zz', demoSites: ['J1'], ...cheap });
    const existing = (await readUsersFile(file)).users;
    const [operator] = await cheapUserRecords([
      { username: 'zz-J7', password: 'field-secret', role: 'controller', zone: 'zz', site: 'J7' },
    ]);
    await writeUsersFile(file, { users: [...existing, operator!] });
    const second = await prepareServeAccounts(file, { zone: 'zz', ...cheap });
    expect(second.created).toBe(false);
    expect(second.engine.password).not.toBe(first.engine.password);
    expect(second.users.map((user) => user.username).sort()).toEqual(['engine', 'zz-J7']);
    const authenticate = createAuthenticator(second.users);
    expect(await authenticate('engine', Buffer.from(first.engine.password))).toBeUndefined();
    expect(await authenticate('zz-J7', Buffer.from('field-secret'))).toMatchObject({ site: 'J7' });
  });
});
