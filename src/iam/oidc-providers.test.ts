// The issuer URLs an OIDC provider may be registered under, and the key (host and path,
// without the scheme) its ARN and the tokens' `iss` are matched by.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html
import { describe, expect, it } from 'vitest';
import { isLoopbackHost, oidcProviderArn, readIssuerUrl } from './oidc-providers.js';

const strict = { allowHttpLoopback: false };
const loopback = { allowHttpLoopback: true };

describe('readIssuerUrl', () => {
  it.each([
    ['an https host', 'https://idp.example.com', strict, 'idp.example.com'],
    ['an https host and path', 'https://keycloak.example.com/realms/acme', strict, 'keycloak.example.com/realms/acme'],
    ['a trailing slash, kept out of the key (Auth0 writes its iss so)', 'https://acme.eu.auth0.com/', strict, 'acme.eu.auth0.com'],
    ['loopback http with a port, when allowed', 'http://127.0.0.1:8080', loopback, '127.0.0.1:8080'],
    ['localhost http, when allowed', 'http://localhost:3000/oidc', loopback, 'localhost:3000/oidc'],
    ['IPv6 loopback http, when allowed', 'http://[::1]:9000', loopback, '[::1]:9000'],
  ] as const)('accepts %s', (_name, url, policy, key) => {
    const read = readIssuerUrl(url, policy);
    expect('key' in read && read.key).toBe(key);
  });

  it.each([
    ['plain http', 'http://idp.example.com', strict, /https/],
    ['loopback http when not allowed', 'http://127.0.0.1:8080', strict, /https/],
    ['http to a host that is not loopback, even when loopback is allowed', 'http://10.0.0.5', loopback, /https/],
    ['a port', 'https://idp.example.com:8443', strict, /port/],
    ['a query', 'https://idp.example.com/?tenant=a', strict, /query/],
    ['an empty query', 'https://idp.example.com/?', strict, /query/],
    ['a fragment', 'https://idp.example.com/#x', strict, /fragment/],
    ['credentials', 'https://user:pass@idp.example.com', strict, /credentials/],
    ['no scheme', 'idp.example.com', strict, /https/],
    ['another scheme', 'ftp://idp.example.com', strict, /https/],
  ] as const)('refuses %s', (_name, url, policy, problem) => {
    const read = readIssuerUrl(url, policy);
    expect('problem' in read && read.problem).toMatch(problem);
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['[::1]', true],
    ['128.0.0.1', false],
    ['127.0.0.1.example.com', false],
    ['localhost.example.com', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

it('names a provider arn:aws:iam::<account>:oidc-provider/<host/path>', () => {
  expect(oidcProviderArn('123456789012', 'idp.example.com/tenant')).toBe('arn:aws:iam::123456789012:oidc-provider/idp.example.com/tenant');
});
