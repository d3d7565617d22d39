/** The rule of which URLs and connected addresses reach the mock itself (mock/domain/urls.ts). */
import { SelfAddress, normalizeIp } from '../../mock/domain/urls';
import { selfSpellings } from '../helpers/reliability/hostile';

describe('SelfAddress', () => {
  it('a mock on 127.0.0.1: every spelling of its address and port is itself; another port or address is not', () => {
    const self = new SelfAddress('127.0.0.1', 4010);
    for (const url of selfSpellings(4010)) expect({ url, self: self.reachedBy(url) }).toEqual({ url, self: true });
    for (const url of [
      'http://127.0.0.1:4011/x',
      'http://127.0.0.2:4010/x',
      'http://[::1]:4010/x',
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

  it('a mock on ::1: [::1], [::] and localhost are itself; 127.0.0.1 is not', () => {
    const self = new SelfAddress('::1', 4010);
    expect(self.reachedBy('http://[::1]:4010/')).toBe(true);
    expect(self.reachedBy('http://[::]:4010/')).toBe(true);
    expect(self.reachedBy('http://localhost:4010/')).toBe(true);
    expect(self.reachedBy('http://127.0.0.1:4010/')).toBe(false);
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
    expect(self.isSelf('127.0.0.1', 4011)).toBe(false);
    expect(normalizeIp('[::FFFF:7F00:1]')).toBe('127.0.0.1');
    expect(normalizeIp('0:0:0:0:0:0:0:1')).toBe('::1');
  });
});
