// The verified-token cache: a repeated token skips verification, only while it
// would still verify, the cache stays bounded, and its sweep releases idle and expired tokens.
import { describe, expect, it, vi } from 'vitest';
import { VerifiedTokenCache } from '../src/auth/token-cache.js';
import type { SessionClaims } from '../src/sessions/tokens.js';

const NOW = Date.UTC(2026, 10, 24, 10, 0, 0);

function claimsFor(jti: string, expSeconds: number): SessionClaims {
  return { sub: 'arn:aws:iam::123456789012:user/alice', jti, account: '123456789012', principal_type: 'user', principal_id: 'AIDA', iat: NOW / 1000, exp: expSeconds };
}

describe('VerifiedTokenCache', () => {
  it('verifies a token once and answers repeats from memory', async () => {
    const cache = new VerifiedTokenCache(30);
    const verify = vi.fn(async () => claimsFor('s1', NOW / 1000 + 3600));
    const first = await cache.verify('token-1', verify, NOW);
    const second = await cache.verify('token-1', verify, NOW + 1000);
    expect(second).toBe(first);
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('verifies again once exp plus the clock skew has passed, and passes on the refusal', async () => {
    const cache = new VerifiedTokenCache(30);
    const exp = NOW / 1000 + 60;
    const verify = vi.fn(async () => claimsFor('s1', exp));
    await cache.verify('token-1', verify, NOW);
    await cache.verify('token-1', verify, (exp + 29) * 1000);
    expect(verify).toHaveBeenCalledTimes(1);
    verify.mockRejectedValueOnce(new Error('expired'));
    await expect(cache.verify('token-1', verify, (exp + 30) * 1000)).rejects.toThrow('expired');
    expect(verify).toHaveBeenCalledTimes(2);
    expect(cache.size).toBe(0);
  });

  it('looks a token up without verifying: only the very string that verified, only while it would verify', async () => {
    const cache = new VerifiedTokenCache(30);
    const exp = NOW / 1000 + 60;
    expect(cache.lookup('token-1', NOW)).toBeUndefined();
    const claims = await cache.verify('token-1', async () => claimsFor('s1', exp), NOW);
    expect(cache.lookup('token-1', NOW + 1000)).toBe(claims);
    expect(cache.lookup('token-1x', NOW + 1000)).toBeUndefined();
    expect(cache.lookup('token-1', (exp + 30) * 1000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('answers only the whole token that verified, not another payload carrying its signature', async () => {
    const cache = new VerifiedTokenCache(30);
    const claims = await cache.verify('header.payload.signature', async () => claimsFor('s1', NOW / 1000 + 3600), NOW);
    expect(cache.lookup('header.payload.signature', NOW)).toBe(claims);
    expect(cache.lookup('header.otherPayload.signature', NOW)).toBeUndefined();
    const verify = vi.fn(async () => {
      throw new Error('invalid');
    });
    await expect(cache.verify('header.otherPayload.signature', verify, NOW)).rejects.toThrow('invalid');
    expect(cache.lookup('header.payload.signature', NOW)).toBe(claims);
  });

  it('never caches a refusal', async () => {
    const cache = new VerifiedTokenCache(0);
    const verify = vi.fn(async () => {
      throw new Error('invalid');
    });
    await expect(cache.verify('bad', verify, NOW)).rejects.toThrow('invalid');
    await expect(cache.verify('bad', verify, NOW)).rejects.toThrow('invalid');
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('keys on the whole token: another signature is verified on its own', async () => {
    const cache = new VerifiedTokenCache(0);
    const verify = vi.fn(async (token: string) => {
      if (token.endsWith('.forged')) throw new Error('invalid');
      return claimsFor('s1', NOW / 1000 + 3600);
    });
    await cache.verify('h.p.good', verify, NOW);
    await expect(cache.verify('h.p.forged', verify, NOW)).rejects.toThrow('invalid');
  });

  it('drops the least recently used token beyond its limit', async () => {
    const cache = new VerifiedTokenCache(0, 2);
    const verify = vi.fn(async (token: string) => claimsFor(token, NOW / 1000 + 3600));
    await cache.verify('a', verify, NOW);
    await cache.verify('b', verify, NOW);
    await cache.verify('a', verify, NOW); // a is now the most recent
    await cache.verify('c', verify, NOW); // evicts b
    expect(cache.size).toBe(2);
    verify.mockClear();
    await cache.verify('a', verify, NOW);
    expect(verify).not.toHaveBeenCalled();
    await cache.verify('b', verify, NOW);
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('sweeps away tokens unused for the idle time and tokens that no longer verify, and keeps the rest', async () => {
    const cache = new VerifiedTokenCache(30);
    const verify = vi.fn(async (token: string) => claimsFor(token, NOW / 1000 + (token === 'short' ? 60 : 3600)));
    for (const token of ['used', 'idle', 'short']) await cache.verify(token, verify, NOW);
    cache.lookup('used', NOW + 50_000);
    cache.lookup('short', NOW + 50_000);
    expect(cache.sweep(NOW + 60_000, 60_000)).toBe(1); // idle: unused for 60 s
    expect(cache.lookup('idle', NOW + 60_000)).toBeUndefined();
    expect(cache.sweep(NOW + 90_000, 60_000)).toBe(1); // short: exp + skew passed, though used 40 s ago
    expect(cache.size).toBe(1);
    expect(cache.lookup('used', NOW + 90_000)).toBeDefined();
    verify.mockClear();
    await cache.verify('idle', verify, NOW + 90_000);
    expect(verify).toHaveBeenCalledTimes(1);
  });
});
