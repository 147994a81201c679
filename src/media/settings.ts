// A stream's media settings as one declarative table: each field's type, default, rule, and where users set it.
//
// Everything else derives from this table: the MediaSettings type, its checks (mediaSettings()),
// what stream params carry (mediaFromParams()), the flags, environment variables and config keys
// of `trickle process` and `trickle serve` (src/cli/media-options.ts). A new encoder option is a
// row here plus the arguments it turns into (encoder-args.ts).

/** The commands whose flags, environment and config section offer a field. */
export type MediaCommand = 'process' | 'serve';

export interface MediaField {
  /** `rate`: a bit rate, given as bits per second or with a k/M/G suffix ("2M", "1500k"), kept as bits per second. */
  type: 'int' | 'number' | 'string' | 'rate';
  /** The values a string field may take: one of `choices`, or one that matches `pattern` (`expect` says which in words). */
  choices?: readonly string[];
  pattern?: RegExp;
  expect?: string;
  /** A `WxH` value also sets these two fields (which, when set too, must agree). */
  sizeOf?: readonly [string, string];
  default?: number | string;
  /** The smallest value allowed (`above`: the value must be greater), and the largest. */
  min?: number;
  above?: number;
  max?: number;
  /** Another field that must be set whenever this one is. */
  with?: string;
  /** Another field that must not be set when this one is. */
  excludes?: string;
  /** The stream param (PyTrickle's names) that sets it at start and, when `live`, on every update. */
  param?: string;
  live?: boolean;
  /** Flag (its value's name for help), environment variable and config key; none yet for settings users cannot change. */
  flag?: string;
  value?: string;
  env?: string;
  config?: string;
  commands?: readonly MediaCommand[];
  /** One line of help. */
  describe: string;
}

/** x264's presets, fastest first. */
export const X264_PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow', 'placebo'] as const;

export const MEDIA_FIELDS = {
  width: {
    type: 'int', min: 1, with: 'height', param: 'width',
    flag: '--width', value: 'w', env: 'TRICKLE_WIDTH', config: 'width', commands: ['process'],
    describe: 'scale input frames to this width',
  },
  height: {
    type: 'int', min: 1, with: 'width', param: 'height',
    flag: '--height', value: 'h', env: 'TRICKLE_HEIGHT', config: 'height', commands: ['process'],
    describe: 'scale input frames to this height',
  },
  resize: {
    type: 'string', default: 'first', pattern: /^(first|follow|[1-9]\d*x[1-9]\d*)$/, expect: 'first, follow or WxH (such as 640x360)', sizeOf: ['width', 'height'],
    flag: '--resize', value: 'first|follow|WxH', env: 'TRICKLE_RESIZE', config: 'resize',
    describe: 'when the input size changes: scale to the first size, follow it (the encoder restarts), or WxH (= --width/--height) (default first)',
  },
  maxFramerate: {
    // 0 means no cap, as an unusable max_framerate param does.
    type: 'number', min: 0, param: 'max_framerate', live: true,
    flag: '--max-framerate', value: 'n', env: 'TRICKLE_MAX_FRAMERATE', config: 'maxFramerate', commands: ['process'],
    describe: 'cap the processed frame rate',
  },
  gop: {
    type: 'number', above: 0, default: 2,
    flag: '--gop', value: 'seconds', env: 'TRICKLE_GOP', config: 'gop', commands: ['process'],
    describe: 'keyframe interval of the output (default 2)',
  },
  preset: {
    type: 'string', choices: X264_PRESETS, default: 'superfast',
    flag: '--preset', value: 'name', env: 'TRICKLE_PRESET', config: 'preset',
    describe: 'x264 preset of the output video, ultrafast … placebo (default superfast)',
  },
  crf: {
    type: 'number', min: 0, max: 51, excludes: 'bitrate',
    flag: '--crf', value: 'n', env: 'TRICKLE_CRF', config: 'crf',
    describe: 'constant quality 0-51, lower is better (default: the encoder\'s own, 23 for x264)',
  },
  bitrate: {
    type: 'rate', excludes: 'crf',
    flag: '--bitrate', value: 'rate', env: 'TRICKLE_BITRATE', config: 'bitrate',
    describe: 'target video bit rate, e.g. 2M or 1500k (instead of --crf)',
  },
  maxrate: {
    type: 'rate',
    flag: '--maxrate', value: 'rate', env: 'TRICKLE_MAXRATE', config: 'maxrate',
    describe: 'peak video bit rate (default: --bitrate)',
  },
  bufsize: {
    type: 'rate',
    flag: '--bufsize', value: 'rate', env: 'TRICKLE_BUFSIZE', config: 'bufsize',
    describe: 'rate-control buffer (default: one second at --maxrate)',
  },
  videoEncoder: {
    type: 'string', choices: ['auto', 'libx264', 'h264_nvenc'], default: 'libx264',
    flag: '--video-encoder', value: 'name', env: 'TRICKLE_VIDEO_ENCODER', config: 'videoEncoder',
    describe: 'libx264, h264_nvenc, or auto: NVENC where it encodes on this machine (default libx264)',
  },
  threads: {
    // 'auto' is resolved by the command (cores shared out over serve's capacity); unresolved it leaves ffmpeg's own choice.
    type: 'string', default: 'auto', pattern: /^(auto|[1-9]\d*)$/, expect: 'auto or a whole number of at least 1',
    flag: '--threads', value: 'n|auto', env: 'TRICKLE_THREADS', config: 'threads',
    describe: 'x264 threads per stream (default auto: serve shares the cores out over --capacity, process leaves ffmpeg\'s choice)',
  },
  audioMode: {
    type: 'string', choices: ['auto', 'passthrough', 'encode'], default: 'auto',
    flag: '--audio', value: 'auto|passthrough|encode', env: 'TRICKLE_AUDIO', config: 'audio',
    describe: 'passthrough: copy AAC/Opus audio as it comes (no audio() hook call); encode: always re-encode; auto: copy when the processor has no audio() hook and no other codec or bit rate is asked for (default auto)',
  },
  audioCodec: {
    type: 'string', choices: ['aac', 'opus'],
    flag: '--audio-codec', value: 'codec', env: 'TRICKLE_AUDIO_CODEC', config: 'audioCodec',
    describe: 'codec of re-encoded audio, aac or opus (default aac; a different codec than the input\'s means re-encoding)',
  },
  audioBitrate: {
    type: 'rate',
    flag: '--audio-bitrate', value: 'rate', env: 'TRICKLE_AUDIO_BITRATE', config: 'audioBitrate',
    describe: 'bit rate of re-encoded audio (default 128k for AAC, 96k for Opus; setting it means re-encoding under --audio auto)',
  },
} as const satisfies Record<string, MediaField>;

export type MediaFieldName = keyof typeof MEDIA_FIELDS;

type FieldValue<F> = F extends { choices: readonly (infer C)[] } ? C : F extends { type: 'string' } ? string : number;

/** A stream's media settings; fields without a default may be unset. */
export type MediaSettings = {
  -readonly [K in MediaFieldName]: (typeof MEDIA_FIELDS)[K] extends { default: unknown }
    ? FieldValue<(typeof MEDIA_FIELDS)[K]>
    : FieldValue<(typeof MEDIA_FIELDS)[K]> | undefined;
};

/** The table's rows with their names, for code that walks all of them. */
export function mediaFields(): [MediaFieldName, MediaField][] {
  return Object.entries(MEDIA_FIELDS) as [MediaFieldName, MediaField][];
}
