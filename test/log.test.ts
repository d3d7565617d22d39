import { formatDuration } from '../core/duration';
import { createLogger, redact } from '../core/log';

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
