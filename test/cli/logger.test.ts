// The CLI logger keeps secrets out of every line: registered values, secret-named fields, URL credentials.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCliLogger } from '../../src/cli/output/logger.js';

function capture(format: 'text' | 'json') {
  const lines: string[] = [];
  const log = createCliLogger({ format, level: 'debug', color: false, stream: { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream });
  return { log, text: () => lines.join('') };
}

describe('CLI logger redaction', () => {
  for (const format of ['text', 'json'] as const) {
    it(`${format}: a secret registered by a child is hidden in the parent's messages and fields, at every level`, () => {
      const { log, text } = capture(format);
      const child = log.child({ stream: 's1' });
      child.secret?.('tok-3f9a1c');
      log.debug('reply was tok-3f9a1c', { echoed: 'Authorization: tok-3f9a1c', nested: { list: ['x tok-3f9a1c y'] } });
      child.warn('retrying', { error: new Error('server said tok-3f9a1c') });
      assert.ok(!text().includes('tok-3f9a1c'), text());
      assert.equal(text().split('***').length - 1, 4);
    });

    it(`${format}: credentials inside URLs are masked wherever they appear`, () => {
      const { log, text } = capture(format);
      log.info('subscribing to http://user:pa55word@relay:3389/in', { url: 'https://admin:s3cr3t@orch:9995/x', other: 'http://plain.example/y' });
      assert.ok(!/pa55word|s3cr3t|user:|admin:/.test(text()), text());
      assert.match(text(), /http:\/\/\*\*\*@relay:3389\/in/);
      assert.match(text(), /http:\/\/plain\.example\/y/);
    });
  }

  it('fields named like secrets are replaced whatever their value', () => {
    const { log, text } = capture('json');
    log.info('registered', { heartbeat_secret: 'abc', apiToken: 'def', authorization: 'ghi', name: 'keep' });
    const line = JSON.parse(text()) as Record<string, unknown>;
    assert.deepEqual([line.heartbeat_secret, line.apiToken, line.authorization, line.name], ['***', '***', '***', 'keep']);
  });
});
