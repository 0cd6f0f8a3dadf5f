// Which account owns a resource, as the authorizer reads it from the ARN on every decision.
import { describe, expect, it } from 'vitest';
import { resourceOwnerOf } from './authorize.js';

const CALLER = '111111111111';

describe('resourceOwnerOf', () => {
  it.each([
    ['*', CALLER],
    ['arn:aws:docs:::document/42', CALLER],
    ['arn:aws:iam::aws:policy/ReadOnlyAccess', CALLER],
    ['arn:aws:iam::aws:nothing', CALLER],
    ['arn:aws:iam::111111111111:user/alice', CALLER],
    ['arn:aws:s3:::bucket', CALLER],
    ['not-an-arn', CALLER],
    ['arn:aws:docs:us-east-1:22222222222x:document/x', CALLER],
    ['arn:aws:docs:us-east-1:2222222222222:document/x', CALLER],
    ['arn:aws:docs:us-east-1:222222222222:document/x', '222222222222'],
    ['arn:aws:iam::222222222222:role/r', '222222222222'],
  ])('%s is owned by %s', (arn, owner) => {
    expect(resourceOwnerOf(arn, CALLER)).toBe(owner);
  });
});
