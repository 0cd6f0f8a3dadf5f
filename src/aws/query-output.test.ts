// AWS's XML answers, written from the shapes: escaping, lists, policy documents, errors.
import { describe, expect, it } from 'vitest';
import { serviceModels } from './model/index.js';
import { escapeXml, writeError, writeResult } from './query-output.js';

const iam = serviceModels.iam;

describe('the Query protocol answers', () => {
  it.each([
    { name: 'leaves plain text alone', text: 'alice', expected: 'alice' },
    { name: 'escapes the five XML entities', text: `<a href="x">Tom & Jerry's</a>`, expected: '&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;' },
    { name: 'keeps other characters as they are', text: 'ünïcødé ✓', expected: 'ünïcødé ✓' },
  ])('$name', ({ text, expected }) => {
    expect(escapeXml(text)).toBe(expected);
  });

  it('writes a list as <member>s in the model’s member order, leaving out absent members', () => {
    const xml = writeResult(
      iam,
      'ListUsers',
      { shape: 'ListUsersResponse', resultWrapper: 'ListUsersResult', connectionMember: 'Users' },
      { nodes: [{ userName: 'a', path: '/', arn: 'arn:aws:iam::1:user/a', userId: 'AIDA1', createDate: '2026-01-01T00:00:00.000Z', passwordLastUsed: null }], isTruncated: true, marker: 'm&n' },
      'rid',
    );
    expect(xml).toBe(
      '<ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUsersResult><Users><member><Path>/</Path><UserName>a</UserName><UserId>AIDA1</UserId>' +
        '<Arn>arn:aws:iam::1:user/a</Arn><CreateDate>2026-01-01T00:00:00.000Z</CreateDate></member></Users><IsTruncated>true</IsTruncated><Marker>m&amp;n</Marker>' +
        '</ListUsersResult><ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></ListUsersResponse>',
    );
  });

  it('writes an empty list as an empty element', () => {
    const xml = writeResult(iam, 'ListUsers', { shape: 'ListUsersResponse', resultWrapper: 'ListUsersResult', connectionMember: 'Users' }, { nodes: [], isTruncated: false }, 'r');
    expect(xml).toContain('<ListUsersResult><Users></Users><IsTruncated>false</IsTruncated></ListUsersResult>');
  });

  it('URL-encodes a policy document as AWS does', () => {
    const document = '{"Version":"2012-10-17","Statement":[]}';
    const xml = writeResult(iam, 'GetRolePolicy', { shape: 'GetRolePolicyResponse', resultWrapper: 'GetRolePolicyResult', connectionMember: undefined }, { roleName: 'r', policyName: 'p', policyDocument: document }, 'r');
    expect(xml).toContain(`<PolicyDocument>${encodeURIComponent(document)}</PolicyDocument>`);
  });

  it('answers only ResponseMetadata for an action without output', () => {
    expect(writeResult(iam, 'DeleteUser', undefined, true, 'r')).toBe(
      '<DeleteUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteUserResponse>',
    );
  });

  it('writes AWS’s ErrorResponse with an escaped message', () => {
    expect(writeError(iam.metadata.xmlNamespace, { type: 'Sender', code: 'NoSuchEntity', message: 'The user with name <x> cannot be found.' }, 'r')).toBe(
      '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code>' +
        '<Message>The user with name &lt;x&gt; cannot be found.</Message></Error><RequestId>r</RequestId></ErrorResponse>',
    );
  });
});
