// Tests for the users file: accepted shapes, every rejected one with its code, round trips.
import { describe, expect, it } from 'vitest';
import { InputFileError } from '../network/errors.ts';
import { accountOf, formatUsersFile, parseUsersFile } from './accounts.ts';

const hash = `$scrypt$ln=10,r=8,p=1$${'A'.repeat(22)}$${'B'.repeat(43)}`;
const engine = { username: 'engine', passwordHash: hash, role: 'engine' };
const site = {
  username: 'zz-jingsan',
  passwordHash: hash,
  role: 'controller',
  zone: 'zz',
  site: 'jingsan',
};

function codesOf(users: unknown, text = JSON.stringify({ users })): string[] {
  try {
    parseUsersFile(text, 'users.json');
  } catch (error) {
    expect(error).toBeInstanceOf(InputFileError);
    return (error as InputFileError).problems.map((problem) => problem.code);
  }
  return [];
}

describe('parseUsersFile', () => {
  it('reads engine and controller accounts', () => {
    const file = parseUsersFile(JSON.stringify({ users: [engine, site] }), 'users.json');
    expect(file.users.map(accountOf)).toEqual([
      { username: 'engine', role: 'engine' },
      { username: 'zz-jingsan', role: 'controller', zone: 'zz', site: 'jingsan' },
    ]);
  });

  it('keeps a Mosquitto hash beside the scrypt one', () => {
    const withMosquitto = { ...engine, mosquittoHash: '$7$101$abc$def' };
    expect(parseUsersFile(JSON.stringify({ users: [withMosquitto] }), 'f').users[0]).toEqual(
      withMosquitto,
    );
  });

  it.each([
    ['not JSON', undefined, '{"users": [', 'PARSE_FAILED'],
    ['no users array', undefined, '{"accounts": []}', 'BAD_VALUE'],
    ['an unknown role', [{ ...engine, role: 'admin' }], undefined, 'BAD_VALUE'],
    ['a username with a colon', [{ ...engine, username: 'a:b' }], undefined, 'BAD_VALUE'],
    ['a username with a space', [{ ...engine, username: 'a b' }], undefined, 'BAD_VALUE'],
    ['a site with a slash', [{ ...site, site: 'a/b' }], undefined, 'BAD_VALUE'],
    ['a zone with a wildcard', [{ ...site, zone: '+' }], undefined, 'BAD_VALUE'],
    ['a plain-text password', [{ ...engine, passwordHash: 'hunter2' }], undefined, 'BAD_VALUE'],
    [
      'a hostile scrypt cost',
      [{ ...engine, passwordHash: hash.replace('ln=10', 'ln=40') }],
      undefined,
      'BAD_VALUE',
    ],
    ['a bad Mosquitto hash', [{ ...engine, mosquittoHash: 'plain' }], undefined, 'BAD_VALUE'],
    ['an extra field', [{ ...engine, admin: true }], undefined, 'BAD_VALUE'],
    ['an engine with a zone', [{ ...engine, zone: 'zz' }], undefined, 'BAD_VALUE'],
    ['a controller without a site', [{ ...site, site: undefined }], undefined, 'MISSING_ATTRIBUTE'],
    ['a controller for site engine', [{ ...site, site: 'engine' }], undefined, 'BAD_VALUE'],
    ['a username twice', [site, { ...site, site: 'dongfeng' }], undefined, 'DUPLICATE_ID'],
  ])('rejects %s', (_, users, text, code) => {
    expect(codesOf(users, text)).toContain(code);
  });

  it('names every problem, not just the first', () => {
    expect(
      codesOf([
        { ...site, site: undefined },
        { ...engine, passwordHash: 'x' },
      ]),
    ).toEqual(['MISSING_ATTRIBUTE', 'BAD_VALUE']);
  });
});

describe('formatUsersFile', () => {
  it('sorts by username and reads back the same', () => {
    const text = formatUsersFile({ users: [site, engine] as never });
    expect(JSON.parse(text).users.map((u: { username: string }) => u.username)).toEqual([
      'engine',
      'zz-jingsan',
    ]);
    expect(parseUsersFile(text, 'f').users).toHaveLength(2);
  });
});
