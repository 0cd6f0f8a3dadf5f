import { describe, expect, it } from 'vitest';
import { createSealer } from './seal.js';

const sealer = createSealer('a-master-key-of-at-least-32-characters');

describe('createSealer', () => {
  const cases: Array<{ name: string; sealedWith?: string; openedWith?: string; opens: boolean }> = [
    { name: 'opens a value sealed without associated data', opens: true },
    { name: 'opens a value with the same associated data', sealedWith: 'acct:AKIA1', openedWith: 'acct:AKIA1', opens: true },
    { name: 'refuses other associated data', sealedWith: 'acct:AKIA1', openedWith: 'acct:AKIA2', opens: false },
    { name: 'refuses associated data left out', sealedWith: 'acct:AKIA1', opens: false },
    { name: 'refuses associated data added', openedWith: 'acct:AKIA1', opens: false },
  ];
  it.each(cases)('$name', ({ sealedWith, openedWith, opens }) => {
    const sealed = sealer.seal('secret', sealedWith);
    if (opens) expect(sealer.open(sealed, openedWith)).toBe('secret');
    else expect(() => sealer.open(sealed, openedWith)).toThrow();
  });

  it('refuses a value sealed under another master key', () => {
    const other = createSealer('another-master-key-of-32-characters!!');
    expect(() => other.open(sealer.seal('secret', 'acct:AKIA1'), 'acct:AKIA1')).toThrow();
  });

  it('refuses a truncated authentication tag', () => {
    const [version, iv, tag, body] = sealer.seal('secret').split('.');
    const short = Buffer.from(tag!, 'base64url').subarray(0, 4).toString('base64url');
    expect(() => sealer.open([version, iv, short, body].join('.'))).toThrow();
  });
});
