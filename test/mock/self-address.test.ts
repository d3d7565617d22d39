/** The rule of which URLs and connected addresses reach the mock itself (mock/domain/urls.ts). */
import { SelfAddress } from '../../mock/domain/urls';
import { embeddedIpv4, normalizeIp } from '../../core/ip';
import { selfSpellings } from '../helpers/reliability/hostile';

describe('SelfAddress', () => {
  it('a mock on 127.0.0.1: its address and port in every spelling, either family, is itself; not another port', () => {
    const self = new SelfAddress('127.0.0.1', 4010);
    for (const url of selfSpellings(4010)) expect({ url, self: self.reachedBy(url) }).toEqual({ url, self: true });
    for (const url of [
      'http://127.0.0.1:4011/x',
      'http://127.0.0.2:4010/x',
      'http://[::2]:4010/x',
      'http://[::ffff:127.0.0.2]:4010/x',
      'http://[::1]:4011/x',
      'http://example.com:4010/x',
      'https://127.0.0.1/x',
      'not a url',
    ]) {
      expect({ url, self: self.reachedBy(url) }).toEqual({ url, self: false });
    }
    // The default port of the scheme counts.
    expect(new SelfAddress('127.0.0.1', 80).reachedBy('http://localhost/x')).toBe(true);
    expect(new SelfAddress('127.0.0.1', 443).reachedBy('https://127.1/x')).toBe(true);
  });

  it('a mock on ::1 or on :: (dual-stack): every spelling, of either family, is itself', () => {
    for (const bound of ['::1', '::', '0:0:0:0:0:0:0:1', '0.0.0.0']) {
      const self = new SelfAddress(bound, 4010);
      for (const url of selfSpellings(4010))
        expect({ bound, url, self: self.reachedBy(url) }).toEqual({ bound, url, self: true });
      for (const url of ['http://[::1]:4011/', 'http://[::2]:4010/', 'http://[fe80::1]:4010/'])
        expect({ bound, url, self: self.reachedBy(url) }).toEqual({ bound, url, self: false });
    }
  });

  it('a wildcard bind (0.0.0.0): any loopback address, the unspecified one and interface addresses are itself', () => {
    const self = new SelfAddress('0.0.0.0', 4010, ['10.1.2.3', 'fe80::1']);
    for (const url of [
      'http://127.0.0.5:4010/',
      'http://0:4010/',
      'http://10.1.2.3:4010/',
      'http://[fe80::1]:4010/',
      'http://[::1]:4010/',
    ])
      expect(self.reachedBy(url)).toBe(true);
    expect(self.reachedBy('http://10.1.2.4:4010/')).toBe(false);
    expect(self.isSelf('::ffff:10.1.2.3', 4010)).toBe(true);
  });

  it('connected addresses as sockets report them', () => {
    const self = new SelfAddress('127.0.0.1', 4010);
    expect(self.isSelf('127.0.0.1', 4010)).toBe(true);
    expect(self.isSelf('::ffff:127.0.0.1', 4010)).toBe(true);
    expect(self.isSelf('::1', 4010)).toBe(true);
    expect(self.isSelf('127.0.0.1', 4011)).toBe(false);
    expect(self.isSelf('127.0.0.2', 4010)).toBe(false);
  });

  it('addresses are read as bytes: one spelling each, IPv4 embedded in IPv6 as IPv4', () => {
    expect(normalizeIp('[::FFFF:7F00:1]')).toBe('127.0.0.1');
    expect(normalizeIp('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(normalizeIp('0:0:0:0:0:ffff:7f00:1')).toBe('127.0.0.1');
    expect(normalizeIp('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(normalizeIp('0000:0000:0000::0001')).toBe('::1');
    expect(normalizeIp('0:0:0:0:0:0:0:0')).toBe('::');
    expect(normalizeIp('2001:DB8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(normalizeIp('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(normalizeIp('fe80::1%eth0')).toBe('fe80::1');
    // Not an address: left as a name.
    expect(normalizeIp('::ffff:127.0.0.256')).toBe('::ffff:127.0.0.256');
    expect(normalizeIp('1::2::3')).toBe('1::2::3');
    expect(normalizeIp('Example.COM')).toBe('example.com');
    // Compatible (::a.b.c.d) and translated (::ffff:0:a.b.c.d) forms; :: and ::1 stay themselves.
    expect(embeddedIpv4(normalizeIp('::127.0.0.1'))).toBe('127.0.0.1');
    expect(embeddedIpv4(normalizeIp('::ffff:0:7f00:1'))).toBe('127.0.0.1');
    expect(embeddedIpv4('::')).toBe('::');
    expect(embeddedIpv4('::1')).toBe('::1');
    expect(embeddedIpv4('2001:db8::1')).toBe('2001:db8::1');
  });
});
