// Reads and writes the users file on disk; the content rules live in accounts.ts.
import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { InputFileError } from '../network/errors.ts';
import { formatUsersFile, parseUsersFile, type UsersFile } from './accounts.ts';

/**
 * Reads and checks a users file.
 *
 * @throws {InputFileError} `PARSE_FAILED` when it cannot be read or is not JSON, or the codes of
 * `parseUsersFile` for bad records.
 * @example
 * (await readUsersFile('deploy/users.json')).users.map((user) => user.username) // => ['engine', …]
 */
export async function readUsersFile(file: string): Promise<UsersFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InputFileError(file, [
      {
        code: 'PARSE_FAILED',
        element: file,
        message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}).`,
        fix: 'Check the path, or create the file with `greenwave users add`.',
      },
    ]);
  }
  return parseUsersFile(text, file);
}

/**
 * Writes a users file readable by its owner only, atomically (a temporary file renamed over it),
 * so a crash never leaves half a file.
 *
 * @example
 * await writeUsersFile('deploy/users.json', { users: [] });
 */
export async function writeUsersFile(file: string, users: UsersFile): Promise<void> {
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, formatUsersFile(users), { mode: 0o600 });
  await rename(temporary, file);
}
