// Tests for the Mosquitto files: the ACL mirrors topicRights, passwords come from the users file.
import { describe, expect, it } from 'vitest';
import type { Account } from './accounts.ts';
import {
  MosquittoConfigError,
  mosquittoAcl,
  mosquittoConf,
  mosquittoPasswordFile,
} from './mosquitto-config.ts';
import { topicRights } from './rights.ts';

const accounts: Account[] = [
  { username: 'zz-jingsan', role: 'controller', zone: 'zz', site: 'jingsan' },
  { username: 'engine', role: 'engine' },
];

describe('mosquittoAcl', () => {
  const acl = mosquittoAcl(accounts);

  it('writes one section per user, engine first', () => {
    expect(acl).toContain(
      [
        'user engine',
        'topic readwrite #',
        'topic read $SYS/#',
        '',
        'user zz-jingsan',
        'topic readwrite tsc/zz/jingsan/presence',
        'topic readwrite tsc/zz/jingsan/status/+',
        'topic readwrite tsc/zz/jingsan/result/+',
        'topic read tsc/zz/jingsan/command/#',
        '',
      ].join('\n'),
    );
  });

  it('grants exactly the rights of topicRights, no more', () => {
    for (const account of accounts) {
      const section = acl
        .split(`user ${account.username}\n`)[1]!
        .split('\n\n')[0]!
        .trim()
        .split('\n');
      const { publish, subscribe } = topicRights(account);
      const writes = section
        .filter((l) => / (write|readwrite) /.test(l))
        .map((l) => l.split(' ')[2]);
      const reads = section.filter((l) => / (read|readwrite) /.test(l)).map((l) => l.split(' ')[2]);
      expect(writes.sort()).toEqual([...publish].sort());
      expect(reads.sort()).toEqual([...subscribe].sort());
    }
  });
});

describe('mosquittoPasswordFile', () => {
  it('writes username:hash lines from the users file', () => {
    const text = mosquittoPasswordFile([
      { username: 'engine', role: 'engine', passwordHash: 'x', mosquittoHash: '$7$101$a$b' },
    ]);
    expect(text).toBe('engine:$7$101$a$b\n');
  });

  it('refuses records without a Mosquitto hash, naming them', () => {
    const make = () =>
      mosquittoPasswordFile([{ username: 'old-site', role: 'engine', passwordHash: 'x' }]);
    expect(make).toThrow(MosquittoConfigError);
    expect(make).toThrow(/old-site/);
  });
});

describe('mosquittoConf', () => {
  it('closes anonymous access and points at both files', () => {
    const conf = mosquittoConf({ port: 18830, passwordFile: '/t/passwd', aclFile: '/t/acl' });
    expect(conf.split('\n')).toEqual(
      expect.arrayContaining([
        'listener 18830 127.0.0.1',
        'allow_anonymous false',
        'password_file /t/passwd',
        'acl_file /t/acl',
        'max_packet_size 1048576',
        'persistence false',
      ]),
    );
  });

  it('refuses values that would inject config lines', () => {
    expect(() =>
      mosquittoConf({ port: 1, passwordFile: '/t/p\nallow_anonymous true', aclFile: '/t/acl' }),
    ).toThrow(expect.objectContaining({ code: 'BAD_CONFIG_PATH' }));
  });
});
