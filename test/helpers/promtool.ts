// Prometheus's own linter for a scrape: `promtool check metrics` (Debian package prometheus).
import assert from 'node:assert/strict';
import { execa } from 'execa';

/** promtool's lint of a scrape (asserts it exits 0); empty when clean. */
export async function promtool(text: string): Promise<string> {
  const r = await execa('promtool', ['check', 'metrics'], { input: text, reject: false });
  assert.equal(r.exitCode, 0, `promtool: ${r.stdout}${r.stderr}`);
  return `${r.stdout}${r.stderr}`.trim();
}

/** The value of one series in a scrape (`name{labels}` exactly as written there), or undefined. */
export function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(series + ' ')) return Number(line.slice(series.length + 1));
  }
  return undefined;
}
