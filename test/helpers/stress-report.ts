/** Each stress run prints one line of counts and adds it to .stress/results.json. */
import fs from 'node:fs';
import path from 'node:path';

const FILE = path.join(__dirname, '../../.stress/results.json');

export function report(name: string, counts: Record<string, unknown>): void {
  const line = { name, at: new Date().toISOString(), ...counts };
  process.stdout.write(`STRESS ${name}: ${JSON.stringify(counts)}\n`);
  fs.mkdirSync(path.dirname(FILE), { recursive: true });
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(fs.readFileSync(FILE, 'utf8'));
  } catch {
    /* first run */
  }
  all[name] = line;
  fs.writeFileSync(FILE, JSON.stringify(all, null, 2) + '\n');
}
