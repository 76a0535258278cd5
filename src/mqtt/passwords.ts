// Password hashes for broker accounts: scrypt for the embedded broker, PBKDF2 `$7$` for Mosquitto.
import { pbkdf2Sync, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt cost: N = 2^15, r = 8, p = 1 (32 MiB, about 90 ms on this project's CI machine). */
export const SCRYPT_DEFAULTS = { ln: 15, r: 8, p: 1 } as const;
/** Mosquitto checks `$7$` hashes on every connect without caching: 50 000 rounds ≈ 25 ms each. */
export const MOSQUITTO_PBKDF2_ITERATIONS = 50_000;

const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** Refuse costs a hostile users file could use to exhaust memory or time at verification. */
const MAX_LN = 20;
const MAX_MEMORY_BYTES = 256 * 1024 * 1024;

export interface ScryptParameters {
  ln: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

/**
 * Reads an scrypt hash string (PHC style: `$scrypt$ln=15,r=8,p=1$<salt>$<hash>`, base64 without
 * padding); undefined when malformed or when its cost is beyond the safe limits.
 *
 * @example
 * parsePasswordHash('$scrypt$ln=15,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$…')?.ln // => 15
 */
export function parsePasswordHash(encoded: string): ScryptParameters | undefined {
  const match =
    /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(
      encoded,
    );
  if (!match) return undefined;
  const [ln, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const salt = Buffer.from(match[4]!, 'base64');
  const hash = Buffer.from(match[5]!, 'base64');
  if (!costWithinLimits(ln, r, p) || salt.length < 8 || hash.length < 16) return undefined;
  return { ln, r, p, salt, hash };
}

/** Memory scrypt needs for N = 2^ln and block size r. */
const memoryBytes = (ln: number, r: number) => 128 * 2 ** ln * r;

const costWithinLimits = (ln: number, r: number, p: number) =>
  [ln, r, p].every(Number.isInteger) &&
  ln >= 1 &&
  ln <= MAX_LN &&
  r >= 1 &&
  p >= 1 &&
  p <= 16 &&
  memoryBytes(ln, r) <= MAX_MEMORY_BYTES;

function scryptAsync(password: string, salt: Buffer, bytes: number, options: ScryptOptions) {
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, bytes, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

const scryptOptions = ({ ln, r, p }: { ln: number; r: number; p: number }): ScryptOptions => ({
  N: 2 ** ln,
  r,
  p,
  maxmem: 2 * memoryBytes(ln, r) + 1024 * 1024,
});

const unpadded = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

export interface ScryptCost {
  /** log2 of N, the CPU and memory cost. */
  ln?: number;
  /** Block size. */
  r?: number;
  /** Parallelism. */
  p?: number;
  /** Random 16 bytes unless given (tests). */
  salt?: Buffer;
}

/**
 * Hashes a password with scrypt and a random salt; the parameters travel in the string, so a
 * later change of defaults still verifies old hashes.
 *
 * @example
 * await hashPassword('correct horse') // => '$scrypt$ln=15,r=8,p=1$…$…'
 */
export async function hashPassword(
  password: string,
  {
    ln = SCRYPT_DEFAULTS.ln,
    r = SCRYPT_DEFAULTS.r,
    p = SCRYPT_DEFAULTS.p,
    salt = randomBytes(SALT_BYTES),
  }: ScryptCost = {},
): Promise<string> {
  if (password.length === 0) {
    throw new RangeError('hashPassword: the password is empty; give a non-empty password');
  }
  if (!costWithinLimits(ln, r, p) || salt.length < 8) {
    throw new RangeError(
      `hashPassword: cost ln=${ln}, r=${r}, p=${p} or a salt of ${salt.length} bytes is outside the accepted range; keep ln ≤ ${MAX_LN}, 128·2^ln·r ≤ 256 MiB and a salt of at least 8 bytes`,
    );
  }
  const hash = await scryptAsync(password, salt, KEY_BYTES, scryptOptions({ ln, r, p }));
  return `$scrypt$ln=${ln},r=${r},p=${p}$${unpadded(salt)}$${unpadded(hash)}`;
}

/**
 * Whether `password` matches `encoded` (constant-time comparison); false for a malformed hash.
 *
 * @example
 * await verifyPassword('correct horse', await hashPassword('correct horse')) // => true
 */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parsePasswordHash(encoded);
  if (!parsed) return false;
  const candidate = await scryptAsync(
    password,
    parsed.salt,
    parsed.hash.length,
    scryptOptions(parsed),
  );
  return timingSafeEqual(candidate, parsed.hash);
}

/**
 * The same password in Mosquitto 2's `password_file` format, `$7$<iterations>$<salt>$<hash>`
 * (PBKDF2-HMAC-SHA512, 12-byte salt, 64-byte hash, both base64), as `mosquitto_passwd` writes it.
 *
 * @example
 * mosquittoPasswordHash('s3cret', { iterations: 101, salt: Buffer.from('38E3jQYQMUls9Ghs', 'base64') })
 * // => '$7$101$38E3jQYQMUls9Ghs$iPM5jTmIpG8/tyVcmK1KCF6gKi41SEtLLV5OG+eWjHLUV2Jjrr8d8quH8XrvewK+4PLc1A45A0sLfHgZ5FljHw=='
 */
export function mosquittoPasswordHash(
  password: string,
  {
    iterations = MOSQUITTO_PBKDF2_ITERATIONS,
    salt = randomBytes(12),
  }: { iterations?: number; salt?: Buffer } = {},
): string {
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new RangeError(
      `mosquittoPasswordHash: iterations must be a positive integer, not ${iterations}`,
    );
  }
  const hash = pbkdf2Sync(password, salt, iterations, 64, 'sha512');
  return `$7$${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}
