// The embedded broker's users file in the data directory: the engine's account and, for the demo,
// one controller account per signal, their passwords new at every start (only hashes are kept).
import { randomBytes } from 'node:crypto';
import { access } from 'node:fs/promises';
import type { UserRecord } from '../mqtt/accounts.ts';
import { USERNAME_PATTERN } from '../mqtt/accounts.ts';
import { readUsersFile, writeUsersFile } from '../mqtt/users-file.ts';
import { createUserRecord } from '../mqtt/user-record.ts';
import type { DemoAccount } from './demo-field.ts';

/** The engine's username on the embedded broker. */
export const ENGINE_USERNAME = 'engine';
/** Demo controller accounts are `demo-{site}`; serve replaces them at every start. */
export const DEMO_PREFIX = 'demo-';

export interface ServeAccounts {
  /** Every record, as written: give them to the embedded broker. */
  users: UserRecord[];
  engine: { username: string; password: string };
  /** One per signal when `demoSites` were given. */
  demo: DemoAccount[];
  /** Whether the file was created now. */
  created: boolean;
}

/**
 * Creates or updates `file`: the engine account and, for `demoSites` in `zone`, a controller account
 * each, all with fresh random passwords; every other record (accounts an operator added with
 * `greenwave users add`) is kept as it is, and old demo accounts are removed when there is no demo.
 * The file is written readable by its owner only.
 *
 * @example
 * const accounts = await prepareServeAccounts('data/users.json', { zone: 'zz', demoSites: ['JS-01'] });
 * accounts.demo[0]; // => { site: 'JS-01', username: 'demo-JS-01', password: '…' }
 */
export async function prepareServeAccounts(
  file: string,
  {
    zone,
    demoSites = [],
    scryptCost,
    random = (bytes: number) => randomBytes(bytes),
  }: {
    zone: string;
    demoSites?: readonly string[];
    /** Lower only in tests. */
    scryptCost?: { ln?: number };
    random?: (bytes: number) => Buffer;
  },
): Promise<ServeAccounts> {
  const exists = await access(file).then(
    () => true,
    () => false,
  );
  const kept = exists
    ? (await readUsersFile(file)).users.filter(
        (user) => user.username !== ENGINE_USERNAME && !user.username.startsWith(DEMO_PREFIX),
      )
    : [];
  const password = () => random(24).toString('base64url');
  const options = scryptCost ? { scryptCost } : {};
  const engine = { username: ENGINE_USERNAME, password: password() };
  const pattern = new RegExp(USERNAME_PATTERN);
  const demo = demoSites
    .map((site) => ({ site, username: `${DEMO_PREFIX}${site}`, password: password() }))
    .filter((account) => pattern.test(account.username) && /^[^/+#\s]{1,64}$/.test(account.site));
  const records = await Promise.all([
    createUserRecord({ ...engine, role: 'engine' }, options),
    ...demo.map((account) =>
      createUserRecord(
        {
          username: account.username,
          password: account.password,
          role: 'controller',
          zone,
          site: account.site,
        },
        options,
      ),
    ),
  ]);
  const users = [...kept, ...records];
  await writeUsersFile(file, { users });
  return { users, engine, demo, created: !exists };
}
