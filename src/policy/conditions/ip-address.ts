// IpAddress / NotIpAddress: the context value is an IPv4 or IPv6 address; policy
// values are CIDR blocks (RFC 4632) or single addresses. An address matches a block
// of the same family only (IPv4-mapped IPv6 addresses count as IPv4).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress

import ipaddr from 'ipaddr.js';
import { defineMatcher, type ConditionMatcher } from './matcher.js';
import { conditionOperators, type BaseOperator } from './operator-name.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Block = [Address, number];

/** Parses a CIDR block or single address (as a /32 or /128); `undefined` when malformed. */
export function parseBlock(value: string): Block | undefined {
  const text = value.trim();
  try {
    if (text.includes('/')) {
      const [address, bits] = ipaddr.parseCIDR(text);
      if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
        return [(address as ipaddr.IPv6).toIPv4Address(), bits - 96];
      }
      return [address, bits];
    }
    const address = ipaddr.process(text);
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  } catch {
    return undefined;
  }
}

/** Parses one address (IPv4-mapped IPv6 unwrapped); `undefined` when malformed. */
export function parseAddress(value: string): Address | undefined {
  const text = value.trim();
  if (!ipaddr.isValid(text)) return undefined;
  try {
    return ipaddr.process(text);
  } catch {
    return undefined;
  }
}

const inBlock = (address: Address, [range, bits]: Block): boolean =>
  address.kind() === range.kind() && address.match(range, bits);

/** The matcher of IpAddress / NotIpAddress. */
export const ipAddress = (name: 'IpAddress' | 'NotIpAddress'): ConditionMatcher<Block, Address> =>
  defineMatcher({
    operator: conditionOperators[name] as BaseOperator,
    compileValue: parseBlock,
    prepareContextValue: parseAddress,
    test: inBlock,
  });
