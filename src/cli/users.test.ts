// Tests for `greenwave users`: adding, updating and removing accounts, and the Mosquitto files.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseUsersFile } from '../mqtt/accounts.ts';
import { createAuthenticator } from '../mqtt/authenticate.ts';
import { InputFileError } from '../network/errors.ts';
import { UsageError } from './args.ts';
import { users, type UsersInput } from './users.ts';

function run(argv: string[], input: Partial<UsersInput> = {}) {
  let err = '';
  const output = { out: () => {}, err: (text: string) => (err += text) };
  const stdin: UsersInput = { env: {}, readLine: async () => '', ...input };
  return users(argv, output, stdin).then((code) => ({ code, err }));
}

const directories: string[] = [];
const fresh = () => {
  directories.push(mkdtempSync(join(tmpdir(), 'greenwave-users-')));
  return join(directories.at(-1)!, 'users.json');
};
afterAll(() =>
  directories.forEach((directory) => rmSync(directory, { recursive: true, force: true })),
);
const read = (file: string) => parseUsersFile(readFileSync(file, 'utf8'), file).users;

describe('greenwave users add', () => {
  it('creates the file and an account whose password verifies, from an environment variable', async () => {
    const file = fresh();
    const added = await run(
      [
        'add',
        '--file',
        file,
        '--username',
        'zz-jingsan',
        '--role',
        'controller',
        '--zone',
        'zz',
        '--site',
        'jingsan',
        '--password-env',
        'PW',
      ],
      { env: { PW: 'jingsan-secret' } },
    );
    expect(added.code).toBe(0);
    expect(added.err).toContain('added zz-jingsan (controller for tsc/zz/jingsan)');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const records = read(file);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      username: 'zz-jingsan',
      role: 'controller',
      zone: 'zz',
      site: 'jingsan',
    });
    expect(records[0]!.mosquittoHash).toMatch(/^\$7\$/);
    expect(JSON.stringify(records)).not.toContain('jingsan-secret');
    const authenticate = createAuthenticator(records);
    expect(await authenticate('zz-jingsan', 'jingsan-secret')).toMatchObject({ site: 'jingsan' });
  });

  it('reads the password from standard input and replaces an existing account', async () => {
    const file = fresh();
    await run(['add', '--file', file, '--username', 'engine', '--role', 'engine'], {
      readLine: async () => 'first',
    });
    const again = await run(['add', '--file', file, '--username', 'engine', '--role', 'engine'], {
      readLine: async () => 'second',
    });
    expect(again.err).toContain('updated engine');
    const records = read(file);
    expect(records).toHaveLength(1);
    const authenticate = createAuthenticator(records);
    expect(await authenticate('engine', 'second')).toBeDefined();
    expect(await authenticate('engine', 'first')).toBeUndefined();
  });

  it.each([
    [['--username', 'x', '--role', 'engine'], /--file/],
    [['--file', 'F', '--role', 'engine'], /--username/],
    [['--file', 'F', '--username', 'x', '--role', 'admin'], /--role/],
    [['--file', 'F', '--username', 'x', '--role', 'controller', '--zone', 'zz'], /zone and site/],
    [
      ['--file', 'F', '--username', 'x', '--role', 'controller', '--zone', 'zz', '--site', 'a/b'],
      /site/,
    ],
    [['--file', 'F', '--username', 'a:b', '--role', 'engine'], /username/],
    [['--file', 'F', '--username', 'x', '--role', 'engine', '--zone', 'zz'], /zone or site/],
    [['--file', 'F', '--username', 'x', '--role', 'engine', '--password-env', 'NOPE'], /NOPE/],
    [['--file', 'F', '--username', 'x', '--role', 'engine', '--bogus'], /bogus/],
  ])('refuses %j as a usage error', async (args, message) => {
    const file = fresh();
    const argv = ['add', ...args.map((arg) => (arg === 'F' ? file : arg))];
    const attempt = run(argv, { readLine: async () => 'pw' });
    await expect(attempt).rejects.toBeInstanceOf(UsageError);
    await expect(run(argv, { readLine: async () => 'pw' })).rejects.toThrow(message);
  });

  it('refuses an empty password from standard input', async () => {
    const attempt = run(['add', '--file', fresh(), '--username', 'x', '--role', 'engine']);
    await expect(attempt).rejects.toThrow(/password is empty/);
  });

  it('leaves a broken users file alone and says what is wrong', async () => {
    const file = fresh();
    writeFileSync(file, '{"users": [');
    const attempt = run(['add', '--file', file, '--username', 'x', '--role', 'engine'], {
      readLine: async () => 'pw',
    });
    await expect(attempt).rejects.toBeInstanceOf(InputFileError);
    expect(readFileSync(file, 'utf8')).toBe('{"users": [');
  });
});

describe('greenwave users remove', () => {
  it('removes one account and refuses an unknown one', async () => {
    const file = fresh();
    for (const username of ['engine', 'other']) {
      await run(['add', '--file', file, '--username', username, '--role', 'engine'], {
        readLine: async () => 'pw',
      });
    }
    expect((await run(['remove', '--file', file, '--username', 'other'])).code).toBe(0);
    expect(read(file).map((user) => user.username)).toEqual(['engine']);
    await expect(run(['remove', '--file', file, '--username', 'other'])).rejects.toThrow(
      /no user "other"/,
    );
  });
});

describe('greenwave users mosquitto', () => {
  it('writes passwd and acl for the same accounts', async () => {
    const file = fresh();
    await run(['add', '--file', file, '--username', 'engine', '--role', 'engine'], {
      readLine: async () => 'pw',
    });
    await run(
      [
        'add',
        '--file',
        file,
        '--username',
        'zz-jingsan',
        '--role',
        'controller',
        '--zone',
        'zz',
        '--site',
        'jingsan',
      ],
      { readLine: async () => 'pw2' },
    );
    const out = join(file, '..', 'mosquitto');
    expect((await run(['mosquitto', '--file', file, '--out', out])).code).toBe(0);
    const passwd = readFileSync(join(out, 'passwd'), 'utf8');
    expect(passwd).toMatch(/^engine:\$7\$50000\$[^:\n]+\nzz-jingsan:\$7\$50000\$[^:\n]+\n$/);
    expect(statSync(join(out, 'passwd')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(out, 'acl'), 'utf8')).toContain(
      'user zz-jingsan\ntopic readwrite tsc/zz/jingsan/presence',
    );
  });

  it('names accounts that lack a Mosquitto hash', async () => {
    const file = fresh();
    const hash = `$scrypt$ln=10,r=8,p=1$${'A'.repeat(22)}$${'B'.repeat(43)}`;
    writeFileSync(
      file,
      JSON.stringify({ users: [{ username: 'legacy', role: 'engine', passwordHash: hash }] }),
    );
    const attempt = run(['mosquitto', '--file', file, '--out', join(file, '..', 'm')]);
    await expect(attempt).rejects.toThrow(/legacy/);
  });

  it('asks for an action', async () => {
    await expect(run([])).rejects.toThrow(/add, remove or mosquitto/);
    await expect(run(['list'])).rejects.toThrow(/no action "list"/);
  });
});
