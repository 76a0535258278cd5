// Checks a username and password against the users file's records and names the account.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { accountOf, type Account, type UserRecord } from './accounts.ts';
import { SCRYPT_DEFAULTS, verifyPassword } from './passwords.ts';

/** Verified against for unknown usernames, so that they cost as long as known ones. */
const UNKNOWN_USER_HASH = `$scrypt$ln=${SCRYPT_DEFAULTS.ln},r=${SCRYPT_DEFAULTS.r},p=${SCRYPT_DEFAULTS.p}$${'A'.repeat(22)}$${'A'.repeat(43)}`;

export type Authenticate = (
  username: string | undefined,
  password: Uint8Array | string | undefined,
) => Promise<Account | undefined>;

/**
 * An authenticator over the users file's records: resolves the account, or undefined for an
 * unknown user or a wrong password. A password that verified once is remembered (as an HMAC under
 * a key of this process, never as text), so controllers reconnecting after a network blip do not
 * pay scrypt again; any other password pays it in full.
 *
 * @example
 * const authenticate = createAuthenticator(usersFile.users);
 * await authenticate('zz-jingsan', 'the password') // => { username: 'zz-jingsan', role: 'controller', zone: 'zz', site: 'jingsan' }
 */
export function createAuthenticator(users: readonly UserRecord[]): Authenticate {
  const byName = new Map(users.map((user) => [user.username, user]));
  const key = randomBytes(32);
  const verified = new Map<string, Buffer>();
  const fingerprint = (username: string, password: string) =>
    createHmac('sha256', key).update(username).update('\u0000').update(password).digest();

  return async (username, rawPassword) => {
    const password =
      typeof rawPassword === 'string'
        ? rawPassword
        : Buffer.from(rawPassword ?? []).toString('utf8');
    const user = username === undefined ? undefined : byName.get(username);
    if (!user || password.length === 0) {
      await verifyPassword(password || '-', UNKNOWN_USER_HASH);
      return undefined;
    }
    const print = fingerprint(user.username, password);
    const known = verified.get(user.username);
    if (known && timingSafeEqual(known, print)) return accountOf(user);
    if (!(await verifyPassword(password, user.passwordHash))) return undefined;
    verified.set(user.username, print);
    return accountOf(user);
  };
}
