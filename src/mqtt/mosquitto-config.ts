// Mosquitto's acl_file, password_file and a minimal config, written from greenwave's users file.
import { accountOf, type Account, type UserRecord } from './accounts.ts';
import { topicRights } from './rights.ts';
import { CodedError } from '../coded-error.ts';

export class MosquittoConfigError extends CodedError<'NO_MOSQUITTO_HASH' | 'BAD_CONFIG_PATH'> {}

/** Largest MQTT packet either broker accepts, bytes: above the engine's 256 KiB payload limit, so
 * an oversized payload still reaches the engine to be rejected with an alarm. */
export const MAX_PACKET_BYTES = 1024 * 1024;

/**
 * Mosquitto `acl_file` text granting each account exactly its `topicRights`: the same rule set
 * the embedded broker enforces.
 *
 * Mosquitto (2.0) grants a SUBSCRIBE outside these rights but delivers nothing the account may
 * not read; the embedded broker refuses the subscription. Either way nothing arrives.
 *
 * @example
 * mosquittoAcl([{ username: 'zz-jingsan', role: 'controller', zone: 'zz', site: 'jingsan' }])
 * // => '…user zz-jingsan\ntopic readwrite tsc/zz/jingsan/presence\n…topic read tsc/zz/jingsan/command/#\n'
 */
export function mosquittoAcl(accounts: readonly Account[]): string {
  const sections = [...accounts]
    .sort((a, b) => a.username.localeCompare(b.username))
    .map((account) => {
      const { publish, subscribe } = topicRights(account);
      const lines = [
        ...publish.map(
          (topic) => `topic ${subscribe.includes(topic) ? 'readwrite' : 'write'} ${topic}`,
        ),
        ...subscribe
          .filter((topic) => !publish.includes(topic))
          .map((topic) => `topic read ${topic}`),
      ];
      return [`user ${account.username}`, ...lines].join('\n');
    });
  return [
    '# greenwave topic rights, generated from the users file (greenwave users mosquitto); do not edit.',
    '',
    sections.join('\n\n'),
    '',
  ].join('\n');
}

/**
 * Mosquitto `password_file` text from the users file's `mosquittoHash` fields.
 *
 * @throws {MosquittoConfigError} `NO_MOSQUITTO_HASH` when a record has none (added before the
 * field existed, or edited by hand): set its password again with `greenwave users add`.
 * @example
 * mosquittoPasswordFile([{ username: 'engine', role: 'engine', passwordHash: '…', mosquittoHash: '$7$…' }])
 * // => 'engine:$7$…\n'
 */
export function mosquittoPasswordFile(users: readonly UserRecord[]): string {
  const missing = users.filter((user) => user.mosquittoHash === undefined).map((u) => u.username);
  if (missing.length > 0) {
    throw new MosquittoConfigError(
      'NO_MOSQUITTO_HASH',
      `mosquittoPasswordFile: ${missing.join(', ')} ha${missing.length > 1 ? 've' : 's'} no mosquittoHash; set the password again with \`greenwave users add\`, which records both hashes`,
    );
  }
  return [...users]
    .sort((a, b) => a.username.localeCompare(b.username))
    .map((user) => `${user.username}:${user.mosquittoHash}\n`)
    .join('');
}

/** The accounts of users-file records. */
export const accountsOf = (users: readonly UserRecord[]): Account[] => users.map(accountOf);

export interface MosquittoConfOptions {
  port: number;
  host?: string;
  passwordFile: string;
  aclFile: string;
  maxPacketBytes?: number;
  /** When run as root, Mosquitto switches to this user before reading the password file. */
  user?: string;
  /** Directory for Mosquitto's persistence file; none (in memory only) when absent. */
  persistenceDirectory?: string;
}

/**
 * A mosquitto.conf for one listener with accounts and topic rights, no anonymous access.
 *
 * @throws {MosquittoConfigError} `BAD_CONFIG_PATH` for a path with a line break.
 * @example
 * mosquittoConf({ port: 1883, passwordFile: '/etc/mosquitto/passwd', aclFile: '/etc/mosquitto/acl' })
 * // => 'listener 1883 127.0.0.1\nallow_anonymous false\npassword_file /etc/mosquitto/passwd\n…'
 */
export function mosquittoConf({
  port,
  host = '127.0.0.1',
  passwordFile,
  aclFile,
  maxPacketBytes = MAX_PACKET_BYTES,
  user,
  persistenceDirectory,
}: MosquittoConfOptions): string {
  const values = [host, passwordFile, aclFile, user ?? '', persistenceDirectory ?? ''];
  if (values.some((value) => /[\r\n]/.test(value))) {
    throw new MosquittoConfigError(
      'BAD_CONFIG_PATH',
      'mosquittoConf: a host, path or user contains a line break; give plain single-line values',
    );
  }
  return [
    `listener ${port} ${host}`,
    'allow_anonymous false',
    `password_file ${passwordFile}`,
    `acl_file ${aclFile}`,
    `max_packet_size ${maxPacketBytes}`,
    ...(user ? [`user ${user}`] : []),
    ...(persistenceDirectory
      ? ['persistence true', `persistence_location ${persistenceDirectory.replace(/\/?$/, '/')}`]
      : ['persistence false']),
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    '',
  ].join('\n');
}
