// Tests for password hashes: scrypt round trips and limits, Mosquitto's $7$ format, the authenticator.
import { describe, expect, it } from 'vitest';
import type { UserRecord } from './accounts.ts';
import { createAuthenticator } from './authenticate.ts';
import {
  hashPassword,
  mosquittoPasswordHash,
  parsePasswordHash,
  SCRYPT_DEFAULTS,
  verifyPassword,
} from './passwords.ts';

const cheap = { ln: 10 };

describe('hashPassword and verifyPassword', () => {
  it('verifies the password it hashed and nothing else', async () => {
    const hash = await hashPassword('correct horse battery staple', cheap);
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('salts every hash and records its parameters', async () => {
    const [first, second] = await Promise.all([
      hashPassword('same', cheap),
      hashPassword('same', cheap),
    ]);
    expect(first).not.toBe(second);
    expect(first).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(parsePasswordHash(first)).toMatchObject({ ln: 10, r: 8, p: 1 });
  });

  it('uses N = 2^15 by default and still verifies hashes made with other costs', async () => {
    const strong = await hashPassword('pw');
    expect(parsePasswordHash(strong)?.ln).toBe(SCRYPT_DEFAULTS.ln);
    const light = await hashPassword('pw', { ln: 8, r: 4, p: 2 });
    expect(await verifyPassword('pw', light)).toBe(true);
  });

  it('verifies RFC 7914 test vector 3 written in our format', async () => {
    // RFC 7914 §12: scrypt("pleaseletmein", "SodiumChloride", N=16384, r=8, p=1, dkLen=64).
    const derived =
      '7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887';
    const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');
    const encoded = `$scrypt$ln=14,r=8,p=1$${b64(Buffer.from('SodiumChloride'))}$${b64(Buffer.from(derived, 'hex'))}`;
    expect(await verifyPassword('pleaseletmein', encoded)).toBe(true);
    expect(await verifyPassword('pleaseletmeout', encoded)).toBe(false);
    const ours = await hashPassword('pleaseletmein', {
      ln: 14,
      salt: Buffer.from('SodiumChloride'),
    });
    // Ours keeps 32 bytes: the first half of the RFC's 64 (scrypt's output is a PBKDF2 stream).
    expect(ours).toBe(
      `$scrypt$ln=14,r=8,p=1$${b64(Buffer.from('SodiumChloride'))}$${b64(Buffer.from(derived.slice(0, 64), 'hex'))}`,
    );
  });

  it('refuses empty passwords, tiny salts and hostile costs', async () => {
    await expect(hashPassword('')).rejects.toThrow(/hashPassword/);
    await expect(hashPassword('pw', { ln: 25 })).rejects.toThrow(/ln ≤ 20/);
    await expect(hashPassword('pw', { salt: Buffer.alloc(4) })).rejects.toThrow(/salt/);
    expect(
      parsePasswordHash('$scrypt$ln=30,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$' + 'A'.repeat(43)),
    ).toBeUndefined();
    expect(
      parsePasswordHash('$scrypt$ln=18,r=32,p=1$AAAAAAAAAAAAAAAAAAAAAA$' + 'A'.repeat(43)),
    ).toBeUndefined();
    expect(parsePasswordHash('$7$101$abc$def')).toBeUndefined();
    expect(await verifyPassword('pw', 'not a hash')).toBe(false);
  });
});

describe('mosquittoPasswordHash', () => {
  it('reproduces a line written by mosquitto_passwd 2.0.11', () => {
    // `mosquitto_passwd -c -b pw alice s3cret` wrote this hash on the project's CI machine.
    const expected =
      '$7$101$38E3jQYQMUls9Ghs$iPM5jTmIpG8/tyVcmK1KCF6gKi41SEtLLV5OG+eWjHLUV2Jjrr8d8quH8XrvewK+4PLc1A45A0sLfHgZ5FljHw==';
    const salt = Buffer.from('38E3jQYQMUls9Ghs', 'base64');
    expect(mosquittoPasswordHash('s3cret', { iterations: 101, salt })).toBe(expected);
  });

  it('uses a fresh 12-byte salt and the configured rounds', () => {
    const [first, second] = [mosquittoPasswordHash('pw'), mosquittoPasswordHash('pw')];
    expect(first).not.toBe(second);
    expect(first).toMatch(/^\$7\$50000\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==$/);
    expect(() => mosquittoPasswordHash('pw', { iterations: 0 })).toThrow(/iterations/);
  });
});

describe('createAuthenticator', () => {
  const users = async (): Promise<UserRecord[]> => [
    { username: 'engine', role: 'engine', passwordHash: await hashPassword('engine-pw', cheap) },
    {
      username: 'zz-jingsan',
      role: 'controller',
      zone: 'zz',
      site: 'jingsan',
      passwordHash: await hashPassword('site-pw', cheap),
    },
  ];

  it('names the account for good credentials and nothing for bad ones', async () => {
    const authenticate = createAuthenticator(await users());
    expect(await authenticate('zz-jingsan', Buffer.from('site-pw'))).toEqual({
      username: 'zz-jingsan',
      role: 'controller',
      zone: 'zz',
      site: 'jingsan',
    });
    expect(await authenticate('engine', 'engine-pw')).toEqual({
      username: 'engine',
      role: 'engine',
    });
    expect(await authenticate('zz-jingsan', 'engine-pw')).toBeUndefined();
    expect(await authenticate('nobody', 'site-pw')).toBeUndefined();
    expect(await authenticate(undefined, undefined)).toBeUndefined();
    expect(await authenticate('engine', '')).toBeUndefined();
  });

  it('answers a remembered password without scrypt, and a wrong one still with it', async () => {
    const authenticate = createAuthenticator(await users());
    await authenticate('engine', 'engine-pw');
    const started = performance.now();
    for (let i = 0; i < 200; i++) expect(await authenticate('engine', 'engine-pw')).toBeDefined();
    expect(performance.now() - started).toBeLessThan(200);
    expect(await authenticate('engine', 'engine-pw!')).toBeUndefined();
  });
});
