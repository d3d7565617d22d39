import { createLogger, redact } from '../src/core/log';

const sink = () => {
  const lines: string[] = [];
  return { lines, write: (s: string) => lines.push(s) };
};

describe('logger', () => {
  it('redacts secrets and api keys from every line, fields included', () => {
    const out = sink();
    const log = createLogger('debug', out, sink());
    log.info('rotated whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw for secret_live_abcdefghijklmnop', { key: 'secret_live_zzzzzzzzzzzz', n: 1 });
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
    expect(text).toMatch(/WARN  w/);
    expect(text).toMatch(/ERROR e/);
    expect(banner.lines.join('')).toBe('secret: whsec_AAAA\n');
    expect(createLogger('silent', out).enabled('error')).toBe(false);
  });

  it('redact leaves ordinary text alone', () => {
    expect(redact('nothing to see')).toBe('nothing to see');
  });
});
