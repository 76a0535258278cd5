// A users-file record made from a plain password: both hashes, checked like a record read from disk.
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { CodedError } from '../coded-error.ts';
import { UserRecord, userProblems } from './accounts.ts';
import { hashPassword, mosquittoPasswordHash } from './passwords.ts';

export class UserRecordError extends CodedError<'BAD_ACCOUNT'> {}

export interface NewUser {
  username: string;
  password: string;
  role: 'engine' | 'controller';
  zone?: string;
  site?: string;
}

const checkRecord = TypeCompiler.Compile(UserRecord);

/**
 * The users-file record for a new account or a new password: an scrypt hash for the embedded
 * broker and a `$7$` hash for Mosquitto, of the same password.
 *
 * @throws {UserRecordError} `BAD_ACCOUNT` naming the field: a username outside letters, digits and
 * `. _ @ -`, a zone or site with `/ + #` or spaces, a controller without zone and site, an engine
 * with one, an empty password.
 * @example
 * await createUserRecord({ username: 'zz-jingsan', password, role: 'controller', zone: 'zz', site: 'jingsan' })
 * // => { username: 'zz-jingsan', role: 'controller', zone: 'zz', site: 'jingsan', passwordHash: '$scrypt$…', mosquittoHash: '$7$…' }
 */
export async function createUserRecord(
  { username, password, role, zone, site }: NewUser,
  {
    scryptCost = {},
    mosquittoIterations,
  }: { scryptCost?: { ln?: number }; mosquittoIterations?: number } = {},
): Promise<UserRecord> {
  if (password.length === 0) {
    throw new UserRecordError('BAD_ACCOUNT', 'createUserRecord: the password is empty; give one');
  }
  const record: UserRecord = {
    username,
    role,
    ...(zone !== undefined ? { zone } : {}),
    ...(site !== undefined ? { site } : {}),
    passwordHash: await hashPassword(password, scryptCost),
    mosquittoHash: mosquittoPasswordHash(
      password,
      mosquittoIterations ? { iterations: mosquittoIterations } : {},
    ),
  };
  const shapeProblems = [...checkRecord.Errors(record)].map(
    (error) => `${error.path.slice(1) || 'record'}: ${error.message}`,
  );
  const problems = [
    ...shapeProblems,
    ...(shapeProblems.length === 0
      ? userProblems(record, username).map((problem) => `${problem.message} ${problem.fix}`)
      : []),
  ];
  if (problems.length > 0) {
    throw new UserRecordError(
      'BAD_ACCOUNT',
      `createUserRecord: ${problems.join('; ')} (usernames: letters, digits and . _ @ -; zone and site without / + # or spaces)`,
    );
  }
  return record;
}
