// Broker accounts and the users file that holds them: schema, parsing with every problem named.
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { InputFileError, type InputProblem } from '../network/errors.ts';
import { parsePasswordHash } from './passwords.ts';

/** Usernames: also Mosquitto password-file keys and client-id prefixes, so no `:` or spaces. */
export const USERNAME_PATTERN = '^[A-Za-z0-9._@-]{1,64}$';
const TOPIC_ID_PATTERN = '^[^/+#\\s]{1,64}$';

export const UserRecord = Type.Object(
  {
    username: Type.String({ pattern: USERNAME_PATTERN }),
    /** scrypt, `$scrypt$ln=…,r=…,p=…$salt$hash` (see passwords.ts); checked by the embedded broker. */
    passwordHash: Type.String({ minLength: 1 }),
    /** The same password for Mosquitto's `password_file` (`$7$` PBKDF2-SHA512, or legacy `$6$`). */
    mosquittoHash: Type.Optional(Type.String({ pattern: '^\\$[67]\\$[^:\\s]+$' })),
    role: Type.Union([Type.Literal('engine'), Type.Literal('controller')]),
    zone: Type.Optional(Type.String({ pattern: TOPIC_ID_PATTERN })),
    site: Type.Optional(Type.String({ pattern: TOPIC_ID_PATTERN })),
  },
  { additionalProperties: false },
);
export type UserRecord = Static<typeof UserRecord>;

/** The users file: `{ "users": [{ "username", "passwordHash", "role", "zone"?, "site"? }] }`. */
export const UsersFile = Type.Object(
  { users: Type.Array(UserRecord) },
  { additionalProperties: false },
);
export type UsersFile = Static<typeof UsersFile>;

/** Who a connection is, once authenticated: the engine, or the controller of one site. */
export type Account =
  | { username: string; role: 'engine' }
  | { username: string; role: 'controller'; zone: string; site: string };

/** The site id the engine's own topics use (`tsc/{zone}/engine/alarm/…`); no controller may take it. */
const RESERVED_SITE = 'engine';

const checkUsersFile = TypeCompiler.Compile(UsersFile);

/**
 * Checks a users file's content and returns its records, or throws naming every problem.
 *
 * @throws {InputFileError} `PARSE_FAILED` (not JSON), `BAD_VALUE` (a field of the wrong shape, a
 * password hash that is not scrypt, an engine with a zone or site, a controller for site
 * `engine`), `MISSING_ATTRIBUTE` (a controller without zone or site), `DUPLICATE_ID` (a username
 * twice).
 * @example
 * parseUsersFile('{"users":[]}', 'users.json') // => { users: [] }
 */
export function parseUsersFile(text: string, file: string): UsersFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputFileError(file, [
      {
        code: 'PARSE_FAILED',
        element: file,
        message: `is not valid JSON (${(error as Error).message}).`,
        fix: 'Fix the JSON syntax at the position given, or recreate the file with `greenwave users add`.',
      },
    ]);
  }
  if (!checkUsersFile.Check(json)) {
    throw new InputFileError(
      file,
      [...checkUsersFile.Errors(json)].slice(0, 20).map((error) => ({
        code: 'BAD_VALUE',
        element: error.path || '/',
        message: `${error.message}.`,
        fix: 'Give the shape `{ "users": [{ "username", "passwordHash", "role": "engine" | "controller", "zone"?, "site"? }] }`; usernames of letters, digits and . _ @ -, zone and site without / + # or spaces.',
      })),
    );
  }
  const problems = json.users.flatMap((user, index) => userProblems(user, `users[${index}]`));
  const seen = new Set<string>();
  json.users.forEach((user, index) => {
    if (seen.has(user.username)) {
      problems.push({
        code: 'DUPLICATE_ID',
        element: `users[${index}].username`,
        message: `"${user.username}" appears more than once.`,
        fix: 'Keep one record per username (`greenwave users add` replaces an existing one).',
      });
    }
    seen.add(user.username);
  });
  if (problems.length > 0) throw new InputFileError(file, problems);
  return json;
}

/**
 * What is wrong with one record beyond its shape (the schema checks that): an unusable password
 * hash, an engine limited to a zone, a controller without its site or taking the engine's.
 *
 * @example
 * userProblems({ username: 'x', passwordHash: 'plain', role: 'engine' }, 'users[0]')[0].element // => 'users[0].passwordHash'
 */
export function userProblems(user: UserRecord, element: string): InputProblem[] {
  const problems: InputProblem[] = [];
  if (parsePasswordHash(user.passwordHash) === undefined) {
    problems.push({
      code: 'BAD_VALUE',
      element: `${element}.passwordHash`,
      message:
        'is not an scrypt hash of the form $scrypt$ln=…,r=…,p=…$salt$hash within safe cost limits.',
      fix: 'Set the password again with `greenwave users add`.',
    });
  }
  if (user.role === 'engine' && (user.zone !== undefined || user.site !== undefined)) {
    problems.push({
      code: 'BAD_VALUE',
      element,
      message: `engine account "${user.username}" has a zone or site, but the engine's rights are not limited to one.`,
      fix: 'Remove zone and site, or make the account a controller.',
    });
  }
  if (user.role === 'controller') {
    if (user.zone === undefined || user.site === undefined) {
      problems.push({
        code: 'MISSING_ATTRIBUTE',
        element,
        message: `controller account "${user.username}" needs both zone and site: its rights are tsc/{zone}/{site}/….`,
        fix: 'Add the zone and site of the signal this controller runs.',
      });
    } else if (user.site === RESERVED_SITE) {
      problems.push({
        code: 'BAD_VALUE',
        element: `${element}.site`,
        message: `site "${RESERVED_SITE}" is the engine's own node (its alarms); a controller cannot take it.`,
        fix: 'Use the signal id as the site.',
      });
    }
  }
  return problems;
}

/**
 * The account a users-file record stands for.
 *
 * @example
 * accountOf({ username: 'engine', passwordHash: '…', role: 'engine' }) // => { username: 'engine', role: 'engine' }
 */
export function accountOf(user: UserRecord): Account {
  if (user.role === 'engine') return { username: user.username, role: 'engine' };
  if (user.zone === undefined || user.site === undefined) {
    throw new TypeError(
      `accountOf: controller "${user.username}" has no zone or site; read users through parseUsersFile, which rejects it`,
    );
  }
  return { username: user.username, role: 'controller', zone: user.zone, site: user.site };
}

/**
 * The users file text for `users`, sorted by username so that diffs stay small.
 *
 * @example
 * formatUsersFile({ users: [] }) // => '{\n  "users": []\n}\n'
 */
export function formatUsersFile(file: UsersFile): string {
  const users = [...file.users].sort((a, b) => a.username.localeCompare(b.username));
  return `${JSON.stringify({ users }, null, 2)}\n`;
}
