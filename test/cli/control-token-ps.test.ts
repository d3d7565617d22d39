/**
 * `--control-token` shows in `ps` (issue 22, point 11): `serve --help` offers the environment
 * variable and warns about the flag, and `serve` given the flag warns on stderr, never printing it.
 */
import { runCli, startCli } from '../helpers/cli';

const TOKEN = 'tok-visible-in-ps-0123456789';

it('serve --help warns that the flag is visible in ps and names the environment variable', async () => {
  const { code, stdout } = await runCli(['serve', '--help']);
  expect(code).toBe(0);
  const row = stdout.slice(stdout.indexOf('--control-token'));
  expect(row).toMatch(/INKLINK_MOCK_CONTROL_TOKEN/);
  expect(row).toMatch(/visible to other local users in `ps`/);
});

it('serve with the flag prints one warning line on stderr without the token; with the env var, none', async () => {
  const flagged = await startCli(['--port', '0', '--control-token', TOKEN]);
  await flagged.stop();
  const warnings = flagged
    .stderr()
    .split('\n')
    .filter((l) => /--control-token.*`ps`/.test(l));
  expect(warnings).toHaveLength(1);
  expect(flagged.stderr() + flagged.stdout()).not.toContain(TOKEN);

  const viaEnv = await startCli(['--port', '0'], { INKLINK_MOCK_CONTROL_TOKEN: TOKEN });
  await viaEnv.stop();
  expect(viaEnv.stderr()).not.toMatch(/`ps`/);
});
