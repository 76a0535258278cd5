// `greenwave users`: manages the broker accounts file and writes Mosquitto's password and ACL files.
import { access, chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { UserRecord, UsersFile } from '../mqtt/accounts.ts';
import { InputFileError } from '../network/errors.ts';
import {
  accountsOf,
  MosquittoConfigError,
  mosquittoAcl,
  mosquittoPasswordFile,
} from '../mqtt/mosquitto-config.ts';
import { readUsersFile, writeUsersFile } from '../mqtt/users-file.ts';
import { createUserRecord, UserRecordError } from '../mqtt/user-record.ts';
import { parse, UsageError, type Output } from './args.ts';

export const USERS_USAGE = `  greenwave users add --file FILE --username NAME --role engine|controller
                      [--zone ZONE --site SITE] [--password-env VAR]
      Add an MQTT account to the users file (created if missing), or set a new password for
      one. A controller needs its zone and site and may then only publish under
      tsc/ZONE/SITE/{presence,status/*,result/*} and read tsc/ZONE/SITE/command/#; the engine
      may use every topic. The password comes from the environment variable VAR, otherwise
      from the first line of standard input.
  greenwave users remove --file FILE --username NAME
  greenwave users mosquitto --file FILE --out DIR
      Write DIR/passwd and DIR/acl for Mosquitto's password_file and acl_file: the same
      accounts and topic rights as the embedded broker.
`;

/** Where the command reads its password from; the process's by default, injectable for tests. */
export interface UsersInput {
  env: Record<string, string | undefined>;
  /** The first line of standard input, without its line break. */
  readLine: () => Promise<string>;
}

const processInput: UsersInput = { env: process.env, readLine: readStdinLine };

/**
 * Runs `greenwave users <add|remove|mosquitto> …`; returns the exit code.
 *
 * @throws {UsageError} for a missing or bad option (exit 2 in `main`).
 * @throws {InputFileError} for an unreadable or invalid users file (exit 1 in `main`).
 * @example
 * await users(['add', '--file', 'users.json', '--username', 'engine', '--role', 'engine', '--password-env', 'PW'], output)
 * // => 0, and users.json holds the engine account
 */
export async function users(
  argv: string[],
  output: Output,
  input: UsersInput = processInput,
): Promise<number> {
  const [action, ...rest] = argv;
  switch (action) {
    case 'add':
      return add(
        parse(rest, {
          file: 'string',
          username: 'string',
          role: 'string',
          zone: 'string',
          site: 'string',
          'password-env': 'string',
        }),
        output,
        input,
      );
    case 'remove':
      return remove(parse(rest, { file: 'string', username: 'string' }), output);
    case 'mosquitto':
      return mosquitto(parse(rest, { file: 'string', out: 'string' }), output);
    default:
      throw new UsageError(
        action === undefined
          ? 'users needs an action: add, remove or mosquitto'
          : `users has no action "${action}"; use add, remove or mosquitto`,
      );
  }
}

interface AddOptions {
  file?: string;
  username?: string;
  role?: string;
  zone?: string;
  site?: string;
  'password-env'?: string;
}

async function add(options: AddOptions, output: Output, input: UsersInput): Promise<number> {
  const file = required(options.file, '--file FILE');
  const username = required(options.username, '--username NAME');
  const role = options.role;
  if (role !== 'engine' && role !== 'controller') {
    throw new UsageError(`--role must be engine or controller, not "${role ?? ''}"`);
  }
  const existing = await readOrEmpty(file);
  const password = await readPassword(options['password-env'], input);
  let record: UserRecord;
  try {
    record = await createUserRecord({
      username,
      password,
      role,
      ...(options.zone !== undefined ? { zone: options.zone } : {}),
      ...(options.site !== undefined ? { site: options.site } : {}),
    });
  } catch (error) {
    if (error instanceof UserRecordError) throw new UsageError(error.message);
    throw error;
  }
  const replaced = existing.users.some((user) => user.username === username);
  await writeUsersFile(file, {
    users: [...existing.users.filter((user) => user.username !== username), record],
  });
  const where = role === 'controller' ? ` for tsc/${options.zone}/${options.site}` : '';
  output.err(
    `greenwave users: ${replaced ? 'updated' : 'added'} ${username} (${role}${where}) in ${file}\n`,
  );
  return 0;
}

async function remove(options: { file?: string; username?: string }, output: Output) {
  const file = required(options.file, '--file FILE');
  const username = required(options.username, '--username NAME');
  const existing = await readUsersFile(file);
  const kept = existing.users.filter((user) => user.username !== username);
  if (kept.length === existing.users.length) {
    throw new UsageError(`${file} has no user "${username}"`);
  }
  await writeUsersFile(file, { users: kept });
  output.err(`greenwave users: removed ${username} from ${file}\n`);
  return 0;
}

async function mosquitto(options: { file?: string; out?: string }, output: Output) {
  const file = required(options.file, '--file FILE');
  const directory = required(options.out, '--out DIR');
  const { users: records } = await readUsersFile(file);
  let passwords: string;
  try {
    passwords = mosquittoPasswordFile(records);
  } catch (error) {
    if (!(error instanceof MosquittoConfigError)) throw error;
    throw new InputFileError(file, [
      {
        code: 'MISSING_ATTRIBUTE',
        element: 'users[].mosquittoHash',
        message: error.message,
        fix: 'Run `greenwave users add` again for those users.',
      },
    ]);
  }
  await mkdir(directory, { recursive: true });
  const passwordFile = join(directory, 'passwd');
  const aclFile = join(directory, 'acl');
  await writeFile(passwordFile, passwords, { mode: 0o600 });
  await chmod(passwordFile, 0o600);
  await writeFile(aclFile, mosquittoAcl(accountsOf(records)), { mode: 0o644 });
  output.err(
    `greenwave users: wrote ${passwordFile} and ${aclFile} (${records.length} accounts). Mosquitto reads ` +
      `them after dropping privileges: let its user read passwd (the eclipse-mosquitto image runs as uid 1883).\n`,
  );
  return 0;
}

function required(value: string | undefined, option: string): string {
  if (value === undefined || value === '') throw new UsageError(`${option} is required`);
  return value;
}

/** The users file, or an empty one when it does not exist yet. */
async function readOrEmpty(file: string): Promise<UsersFile> {
  try {
    await access(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { users: [] };
  }
  return readUsersFile(file);
}

async function readPassword(variable: string | undefined, input: UsersInput): Promise<string> {
  if (variable !== undefined) {
    const value = input.env[variable];
    if (!value) throw new UsageError(`--password-env ${variable}: the variable is unset or empty`);
    return value;
  }
  const line = await input.readLine();
  if (line.length === 0) {
    throw new UsageError(
      'the password is empty: give it on standard input or with --password-env VAR',
    );
  }
  return line;
}

/** One line from standard input; on a terminal, prompted for and not echoed. */
function readStdinLine(): Promise<string> {
  const terminal = process.stdin.isTTY === true;
  if (terminal) process.stderr.write('password: ');
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const reader = createInterface({ input: process.stdin, output: silent, terminal });
  return new Promise((resolve) => {
    let answered = false;
    reader.once('line', (line) => {
      answered = true;
      reader.close();
      if (terminal) process.stderr.write('\n');
      resolve(line.replace(/\r$/, ''));
    });
    reader.once('close', () => {
      if (!answered) resolve('');
    });
  });
}
