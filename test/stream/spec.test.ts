// The stream spec, checked once in core: every rule of the media table refuses a bad value with a field-named message.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FieldError, isTrickleError } from '../../src/errors.js';
import { mediaFromParams, mediaSettings } from '../../src/media/settings-check.js';
import { MEDIA_FIELDS, mediaFields } from '../../src/media/settings.js';
import { checkStreamSpec } from '../../src/stream/spec.js';
import { prepareStream } from '../../src/stream/prepare.js';

/** The FieldError `fn` throws, checked for its code and fields. */
function fieldError(fn: () => unknown, code: string, fields: string[]): FieldError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof FieldError, String(err));
    assert.equal(err.code, code);
    assert.deepEqual(err.fields, fields);
    return err;
  }
  assert.fail('expected a FieldError');
}

describe('media settings', () => {
  it('fill in the table defaults and keep unset what has none', () => {
    const settings = mediaSettings({});
    for (const [name, f] of mediaFields()) assert.equal(settings[name], f.default, name);
    assert.deepEqual([settings.width, settings.maxFramerate, settings.gop, settings.preset], [undefined, undefined, 2, 'superfast']);
    assert.deepEqual([settings.videoEncoder, settings.audioCodec, settings.crf, settings.bitrate, settings.audioBitrate], ['libx264', undefined, undefined, undefined, undefined]);
    assert.deepEqual([settings.threads, settings.audioMode], ['auto', 'auto']);
  });

  it('refuse each bad value naming the media field, never a flag', () => {
    const bad: [Record<string, unknown>, string, RegExp][] = [
      [{ width: 0, height: 10 }, 'media.width', /^media\.width must be an integer of at least 1, got 0$/],
      [{ width: 10, height: 2.5 }, 'media.height', /^media\.height must be an integer of at least 1, got 2\.5$/],
      [{ maxFramerate: -1 }, 'media.maxFramerate', /^media\.maxFramerate must be a number of at least 0, got -1$/],
      [{ gop: 0 }, 'media.gop', /^media\.gop must be a number above 0, got 0$/],
      [{ gop: '2' }, 'media.gop', /must be a number above 0, got "2"/],
      [{ preset: 7 }, 'media.preset', /^media\.preset must be one of ultrafast, superfast, .*placebo, got 7$/],
      [{ preset: 'speedy' }, 'media.preset', /must be one of ultrafast/],
      [{ crf: 52 }, 'media.crf', /^media\.crf must be a number from 0 to 51, got 52$/],
      [{ bitrate: 'fast' }, 'media.bitrate', /^media\.bitrate must be a bit rate such as 2M, 1500k or 800000, got "fast"$/],
      [{ audioBitrate: 0 }, 'media.audioBitrate', /must be a bit rate/],
      [{ audioCodec: 'mp3' }, 'media.audioCodec', /^media\.audioCodec must be one of aac, opus, got "mp3"$/],
      [{ videoEncoder: 'x265' }, 'media.videoEncoder', /must be one of auto, libx264, h264_nvenc/],
      [{ threads: '0' }, 'media.threads', /^media\.threads must be auto or a whole number of at least 1, got "0"$/],
      [{ audioMode: 'copy' }, 'media.audioMode', /must be one of auto, passthrough, encode/],
    ];
    for (const [raw, field, message] of bad) {
      const err = fieldError(() => mediaSettings(raw), 'TRICKLE_USAGE', [field]);
      assert.match(err.message, message);
      assert.doesNotMatch(err.message, /--/);
    }
  });

  it('read bit rates as bits per second, with k/M suffixes', () => {
    const m = mediaSettings({ bitrate: '2M', maxrate: '2.5m', bufsize: 800_000, audioBitrate: '96k' });
    assert.deepEqual([m.bitrate, m.maxrate, m.bufsize, m.audioBitrate], [2_000_000, 2_500_000, 800_000, 96_000]);
    assert.deepEqual(mediaSettings(m), m, 'checking checked settings changes nothing');
  });

  it('resize is first, follow or WxH; WxH sets width and height, which must agree when set too', () => {
    assert.equal(mediaSettings().resize, 'first');
    assert.equal(mediaSettings({ resize: 'follow' }).resize, 'follow');
    const fixed = mediaSettings({ resize: '640x360' });
    assert.deepEqual([fixed.resize, fixed.width, fixed.height], ['640x360', 640, 360]);
    assert.deepEqual(mediaSettings({ resize: '640x360', width: 640, height: 360 }).width, 640);
    const err = fieldError(() => mediaSettings({ resize: '640x360', width: 320, height: 240 }), 'TRICKLE_USAGE', ['media.resize', 'media.width']);
    assert.equal(err.message, 'media.resize 640x360 and media.width 320 disagree');
    for (const bad of ['bigger', '0x10', '640x', 640]) {
      assert.match(fieldError(() => mediaSettings({ resize: bad }), 'TRICKLE_USAGE', ['media.resize']).message, /must be first, follow or WxH/);
    }
  });

  it('crf and bitrate exclude each other', () => {
    const err = fieldError(() => mediaSettings({ crf: 23, bitrate: '1M' }), 'TRICKLE_USAGE', ['media.crf', 'media.bitrate']);
    assert.equal(err.message, 'media.crf and media.bitrate cannot both be set');
  });

  it('width and height go together', () => {
    const err = fieldError(() => mediaSettings({ width: 320 }), 'TRICKLE_USAGE', ['media.width', 'media.height']);
    assert.equal(err.message, 'media.width and media.height go together');
    assert.deepEqual(err.describe((f) => f.toUpperCase()).message, 'MEDIA.WIDTH and MEDIA.HEIGHT go together');
  });

  it('every row names a type its rule can check, and with/excludes fields that exist', () => {
    for (const [name, f] of Object.entries(MEDIA_FIELDS) as [string, { type: string; with?: string; excludes?: string }][]) {
      assert.ok(['int', 'number', 'string', 'rate'].includes(f.type), name);
      if (f.with) assert.ok(f.with in MEDIA_FIELDS, `${name}.with`);
      if (f.excludes) assert.ok(f.excludes in MEDIA_FIELDS, `${name}.excludes`);
    }
  });
});

describe('media from stream params', () => {
  it('reads width, height and max_framerate; an unusable value unsets its field', () => {
    assert.deepEqual(mediaFromParams({ width: 320, height: '240', max_framerate: 15, intensity: 1 }), { width: 320, height: 240, maxFramerate: 15 });
    assert.deepEqual(mediaFromParams({ max_framerate: 0 }), { maxFramerate: undefined });
    assert.deepEqual(mediaFromParams({ max_framerate: 'fast' }), { maxFramerate: undefined });
    assert.deepEqual(mediaFromParams({}), {});
  });

  it('an update applies only the live fields (the frame-rate cap)', () => {
    assert.deepEqual(mediaFromParams({ width: 64, height: 64, max_framerate: 10 }, 'live'), { maxFramerate: 10 });
  });
});

describe('checkStreamSpec', () => {
  const urls = { input: 'http://relay/in', output: 'http://relay/out' };

  it('names the missing or wrong field', () => {
    fieldError(() => checkStreamSpec({ urls: { output: urls.output }, processor: 'x' }), 'TRICKLE_USAGE', ['urls.input']);
    fieldError(() => checkStreamSpec({ urls: { input: urls.input }, processor: 'x' }), 'TRICKLE_USAGE', ['urls.output']);
    fieldError(() => checkStreamSpec({ urls }), 'TRICKLE_USAGE', ['processor']);
    fieldError(() => checkStreamSpec({ urls: { ...urls, events: 'ws://x' }, processor: 'x' }), 'TRICKLE_INVALID_URL', ['urls.events']);
    fieldError(() => checkStreamSpec({ urls, processor: 'x', device: 'gpu' }), 'TRICKLE_USAGE', ['device']);
    fieldError(() => checkStreamSpec({ urls, processor: 'x', media: { gop: -1 } }), 'TRICKLE_USAGE', ['media.gop']);
  });

  it('fills in the defaults; channels may come later', () => {
    const spec = checkStreamSpec({ processor: 'red-tint', device: 'cuda:1' });
    assert.equal(spec.urls, undefined);
    assert.equal(spec.device, 'cuda:1');
    assert.equal(spec.media.gop, 2);
    assert.deepEqual(spec.params, {});
  });
});

describe('prepareStream', () => {
  it('imports the processor and types its params, but starts load() only when asked', async () => {
    let loads = 0;
    const def = { name: 't', params: { level: 1 }, load: () => void loads++ };
    const prepared = await prepareStream({ processor: def, params: { text: { level: '3' } } });
    assert.deepEqual(prepared.params, { level: 3 });
    assert.equal(loads, 0);
    await Promise.all([prepared.startLoad(), prepared.startLoad()]);
    assert.equal(loads, 1);
  });

  it('a processor that is not there is a typed error before anything runs', async () => {
    await assert.rejects(prepareStream({ processor: './no-such-processor.js' }), (e: unknown) => isTrickleError(e, 'TRICKLE_PROCESSOR_NOT_FOUND'));
  });
});
