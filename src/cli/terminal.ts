/**
 * How the CLI treats the terminal: colour only on a TTY and never with NO_COLOR (no-color.org), no
 * stack trace when a reader closes the pipe (`verify --list-checks | head -1`), and plain output
 * from code that paints whatever its output is (Pact's verifier: see `runWithPlainOutput`).
 */
import { spawn } from 'node:child_process';
import os from 'node:os';

/** Whether to paint what goes to `stream`: a terminal, and NO_COLOR unset or empty. */
export function colourEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

// CSI sequences (colours, bold, cursor moves) and OSC sequences (hyperlinks, titles).
// eslint-disable-next-line no-control-regex -- ESC and BEL delimit escape sequences: matched on purpose
const ANSI_RE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;
/** An escape sequence cut at the end of a chunk: kept for the next one. */
// eslint-disable-next-line no-control-regex -- ESC and BEL delimit escape sequences: matched on purpose
const PARTIAL_RE = /\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*)?$/;

export function stripAnsi(text: string): string {
  return text.replace(ANSI_RE, '');
}

/** A filter over chunks of text that drops escape sequences, even one split between two chunks. */
export function ansiStripper(): { push(chunk: string): string; end(): string } {
  let held = '';
  return {
    push(chunk) {
      const text = held + chunk;
      const cut = PARTIAL_RE.exec(text);
      held = cut ? cut[0] : '';
      return stripAnsi(cut ? text.slice(0, cut.index) : text);
    },
    end() {
      const rest = held;
      held = '';
      return rest;
    },
  };
}

/** A reader that went away (EPIPE) ends the command quietly, with the status it has so far. */
export function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    throw err;
  });
}

/** Set in the child of `runWithPlainOutput`, so that it runs the command itself. */
export const PLAIN_CHILD_ENV = 'INKLINK_MOCK_PLAIN_OUTPUT_CHILD';

/**
 * Runs a command whose output comes partly from native code that paints it whatever it is written
 * to (Pact's verifier prints ANSI colours to a file or a pipe, and pact-core has no switch for it).
 * When colour is off (not a TTY, or NO_COLOR), the command runs in a child process of the same CLI
 * whose stdout and stderr come back through a filter that drops escape sequences; signals are
 * passed on. Otherwise (and in that child) it runs here.
 */
export async function runWithPlainOutput(cliFile: string, argv: string[], run: () => Promise<number>): Promise<number> {
  if (process.env[PLAIN_CHILD_ENV] === '1' || (colourEnabled(process.stdout) && colourEnabled(process.stderr)))
    return run();
  const child = spawn(process.execPath, [...process.execArgv, cliFile, ...argv], {
    stdio: ['inherit', 'pipe', 'pipe'],
    env: { ...process.env, [PLAIN_CHILD_ENV]: '1' },
  });
  const pipeThrough = (from: NodeJS.ReadableStream, to: NodeJS.WriteStream) => {
    const filter = ansiStripper();
    from.setEncoding('utf8');
    from.on('data', (chunk: string) => to.write(filter.push(chunk)));
    return new Promise<void>((resolve) => from.on('end', () => resolve(void to.write(filter.end()))));
  };
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, forward);
  const drained = Promise.all([pipeThrough(child.stdout, process.stdout), pipeThrough(child.stderr, process.stderr)]);
  const status = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0)));
  });
  await drained;
  for (const s of signals) process.off(s, forward);
  return status;
}
