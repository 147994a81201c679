// The CLI shows core field names as its flags, and the media table drives its flags, environment and config example.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { flagOf, withFlags } from '../../src/cli/field-flags.js';
import { LIMIT_OPTIONS } from '../../src/cli/limit-options.js';
import { addMediaOptions, mediaSettingSpecs } from '../../src/cli/media-options.js';
import { FieldError, TrickleError } from '../../src/errors.js';
import { mediaSettings } from '../../src/media/settings-check.js';
import { mediaFields } from '../../src/media/settings.js';
import { resolveParams } from '../../src/processor/params.js';

const camel = (flag: string) => flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

describe('field names as flags', () => {
  it('maps media, params, channel and other fields to the flags that set them', () => {
    assert.equal(flagOf('media.width'), '--width');
    assert.equal(flagOf('media.maxFramerate'), '--max-framerate');
    assert.equal(flagOf('media.videoEncoder'), '--video-encoder');
    assert.equal(flagOf('media.unknown'), 'media.unknown', 'a field no flag sets keeps its name');
    assert.equal(flagOf('params.intensity'), '--param intensity');
    assert.equal(flagOf('params'), '--params');
    assert.equal(flagOf('urls.input'), '--in');
    assert.equal(flagOf('device'), '--device');
  });

  it('rewrites a field error, and one wrapped as the cause of another, in flags', () => {
    let err: unknown;
    try {
      mediaSettings({ width: 320 });
    } catch (e) {
      err = e;
    }
    assert.deepEqual(withFlags(err as TrickleError), { message: '--width and --height go together', hint: undefined });
    try {
      resolveParams({ params: { intensity: 0.3 } }, { intensity: 'lots' });
    } catch (e) {
      err = e;
    }
    const wrapped = new TrickleError('TRICKLE_PROCESSOR_LOAD', `processor load failed: ${(err as Error).message}`, { cause: err });
    assert.equal(withFlags(wrapped).message, 'processor load failed: --param intensity=lots: expected a number');
    const hinted = new FieldError('TRICKLE_PORT_IN_USE', ['port'], () => 'address in use', { hint: ([f]) => `pick another ${f}` });
    assert.deepEqual([hinted.hint, withFlags(hinted).hint], ['pick another port', 'pick another --port']);
  });
});

describe('the media table on the command line', () => {
  it('each offered field has a flag whose option name is its config key (one key for flag and config)', () => {
    for (const [name, f] of mediaFields()) {
      if (!f.flag) continue;
      assert.equal(camel(f.flag), f.config, name);
      assert.match(f.env ?? '', /^TRICKLE_[A-Z_]+$/, `${name} env`);
    }
  });

  it('process gets exactly the fields the table offers it, and resolves them flag > env > config', () => {
    const cmd = addMediaOptions(new Command('process'), 'process');
    const offered = mediaFields().filter(([, f]) => f.flag && (f.commands ?? ['process', 'serve']).includes('process'));
    assert.deepEqual(cmd.options.map((o) => o.long), offered.map(([, f]) => f.flag));
    const specs = mediaSettingSpecs('process');
    assert.deepEqual(specs.find((s) => s.key === 'maxFramerate'), { key: 'maxFramerate', type: 'number', env: ['TRICKLE_MAX_FRAMERATE'], flag: '--max-framerate' });
    assert.deepEqual(specs.find((s) => s.key === 'bitrate'), { key: 'bitrate', type: 'string', env: ['TRICKLE_BITRATE'], flag: '--bitrate' }, 'a rate stays text for the core to read');
  });

  it('the config example documents every media key in the sections of the commands that offer it', () => {
    const example = JSON.parse(readFileSync(new URL('../../../.trickclirc.example', import.meta.url), 'utf8')) as Record<string, Record<string, unknown>>;
    for (const [name, f] of mediaFields()) {
      if (!f.config) continue;
      for (const command of f.commands ?? ['process', 'serve']) assert.ok(f.config in example[command], `${command}.${f.config} (${name})`);
    }
  });
});

describe('the stream limits on the command line', () => {
  it('limits.* fields show as their flags, each flag named for its key, each key in the config example of process and serve', () => {
    assert.equal(flagOf('limits.frameTimeout'), '--frame-timeout');
    assert.equal(flagOf('limits.maxResolution'), '--max-resolution');
    const example = JSON.parse(readFileSync(new URL('../../../.trickclirc.example', import.meta.url), 'utf8')) as Record<string, Record<string, unknown>>;
    for (const [key, o] of Object.entries(LIMIT_OPTIONS)) {
      assert.equal(camel(o.flag), key);
      for (const command of ['process', 'serve']) assert.ok(key in example[command]!, `${command}.${key}`);
    }
    assert.ok('maxRetainedBytes' in example.relay!, 'relay.maxRetainedBytes');
  });
});
