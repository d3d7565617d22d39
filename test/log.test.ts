import { formatDuration } from '../core/duration';
import { createLogger, maskUrl, redact } from '../core/log';

const sink = () => {
  const lines: string[] = [];
  return { lines, write: (s: string) => lines.push(s) };
};

describe('logger', () => {
  it('redacts secrets and api keys from every line, fields included', () => {
    const out = sink();
    const log = createLogger('debug', out, sink());
    log.info('rotated whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw for secret_live_abcdefghijklmnop', {
      key: 'secret_live_zzzzzzzzzzzz',
      n: 1,
    });
    log.flush();
    const text = out.lines.join('');
    expect(text).not.toContain('MfKQ9r8G');
    expect(text).not.toContain('abcdefgh');
    expect(text).not.toContain('zzzzzzzz');
    expect(text).toContain('whsec_[redacted]');
    expect(text).toContain('secret_live_[redacted]');
    expect(text).toContain('n=1');
  });

  it('honours the level, and writes the banner as is', () => {
    const out = sink();
    const banner = sink();
    const log = createLogger('warn', out, banner);
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    log.banner('secret: whsec_AAAA');
    log.flush();
    const text = out.lines.join('');
    expect(text).not.toMatch(/DEBUG|INFO/);
    expect(text).toMatch(/WARN {2}w/);
    expect(text).toMatch(/ERROR e/);
    expect(banner.lines.join('')).toBe('secret: whsec_AAAA\n');
    expect(createLogger('silent', out).enabled('error')).toBe(false);
  });

  it('redact leaves ordinary text alone', () => {
    expect(redact('nothing to see')).toBe('nothing to see');
    expect(redact('--secret needs a value (--secret whsec_…); key secret_live_…')).toBe(
      '--secret needs a value (--secret whsec_…); key secret_live_…',
    );
    expect(redact('--secret whsec_MfKQ9r8 key secret_live_z')).toBe(
      '--secret whsec_[redacted] key secret_live_[redacted]',
    );
  });

  it('json: one object a line, fields included, redacted like text', () => {
    const out = sink();
    const log = createLogger('info', out, sink(), { format: 'json' });
    log.warn('rotated whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', {
      key: 'secret_live_zzzzzzzzzzzz',
      n: 1,
      nested: { a: [1] },
    });
    log.debug('not at info');
    log.request({
      method: 'POST',
      operation: 'rotateWebhookEndpointSecret',
      status: 200,
      ms: 1.23456,
      requestId: 'r-1',
    });
    log.flush();
    const records = out.lines
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records).toEqual([
      {
        time: expect.stringMatching(/^\d{4}-.*Z$/),
        level: 'warn',
        msg: 'rotated whsec_[redacted]',
        key: 'secret_live_[redacted]',
        n: 1,
        nested: { a: [1] },
      },
      {
        time: expect.any(String),
        level: 'info',
        msg: 'request',
        method: 'POST',
        operation: 'rotateWebhookEndpointSecret',
        status: 200,
        ms: 1.23,
        requestId: 'r-1',
      },
    ]);
  });

  it('the request line: at info, one line as Prism prints one; nothing at warn', () => {
    const out = sink();
    createLogger('warn', out, sink()).request({ method: 'GET', operation: 'x', status: 200, ms: 1, requestId: 'r' });
    const log = createLogger('info', out, sink());
    log.request({
      method: 'POST',
      operation: 'createWebhookEndpoint',
      status: 'no answer',
      ms: 12.345,
      requestId: 'r-2',
    });
    log.flush();
    expect(out.lines.join('')).toMatch(/^\S+Z INFO {2}POST createWebhookEndpoint no answer 12\.3 ms request=r-2\n$/);
  });

  it('durations read back the way the schedule is written', () => {
    expect([250, 5000, 300_000, 5_400_000, 90_061_000].map(formatDuration)).toEqual([
      '250ms',
      '5s',
      '5m',
      '1h30m',
      '25h1m',
    ]);
  });
});

describe('maskUrl (issue 22, point 5): URLs as the mock shows them', () => {
  it.each([
    ['https://user:pass@e.example/h?a=1', 'https://user:***@e.example/h?a=1'],
    ['https://ghp_token123@e.example/h', 'https://***@e.example/h'],
    ['https://e.example/h?token=abc&page=2', 'https://e.example/h?token=***&page=2'],
    [
      'https://e.example/h?key=1&api_key=2&apikey=3&secret=4&password=5&signature=6&sig=7&auth=8&access_token=9',
      'https://e.example/h?key=***&api_key=***&apikey=***&secret=***&password=***&signature=***&sig=***&auth=***' +
        '&access_token=***',
    ],
    [
      'https://e.example/h?X-Api-Key=1&Client_Secret=2&AUTHORIZATION=3',
      'https://e.example/h?X-Api-Key=***&Client_Secret=***&AUTHORIZATION=***',
    ],
    ['https://e.example/h?v=secret_live_abcdef0123&w=whsec_abc%2Bdef', 'https://e.example/h?v=***&w=***'],
    ['https://e.example/h?v=%73ecret_live_abcdef0123', 'https://e.example/h?v=***'],
    ['https://e.example/h#access_token=x&state=1', 'https://e.example/h#access_token=***&state=1'],
    ['https://u:p@e.example/h?token=t', 'https://u:***@e.example/h?token=***'],
    ['https://e.example/whsec_abcdefghijkl/h', 'https://e.example/whsec_[redacted]'],
  ])('%s -> %s', (url, shown) => {
    expect(maskUrl(url)).toBe(shown);
  });

  it('leaves a URL without credentials exactly as given', () => {
    for (const url of [
      'https://E.example:443/a%20b?page=2&design=x',
      'http://127.0.0.1:3000/webhooks',
      'https://e.example/h?flag',
    ])
      expect(maskUrl(url)).toBe(url);
  });

  it("the logger masks a URL's password or lone user in any line, whatever wrote it", () => {
    expect(redact('to https://bob:hunter2@e.example/h and http://tok@e.example/')).toBe(
      'to https://bob:***@e.example/h and http://***@e.example/',
    );
    expect(redact(maskUrl('https://bob:hunter2@e.example/h'))).toBe('https://bob:***@e.example/h');
    expect(redact('mail bob@e.example about it')).toBe('mail bob@e.example about it');
  });

  it('masks what is not a URL as well as its shape allows', () => {
    expect(maskUrl('not a url?token=1&a=2')).toBe('not a url?token=***&a=2');
    expect(maskUrl('http://user:pass@[bad/h?x=secret_live_abcdefg')).toBe('http://***@[bad/h?x=***');
  });
});
