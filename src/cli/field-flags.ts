// Shows the field names core errors use (media.width, params.layout, urls.input, limits.hangLimit …) as the flags that set them.
import { FieldError, type TrickleError } from '../errors.js';
import { MEDIA_FIELDS, type MediaField } from '../media/settings.js';
import { LIMIT_OPTIONS } from './limit-options.js';

const FLAGS: Record<string, string> = {
  'urls.input': '--in',
  'urls.output': '--out',
  'urls.control': '--control',
  'urls.events': '--events',
  'urls.data': '--data',
  processor: '--processor',
  device: '--device',
  params: '--params',
  ffmpegPath: '--ffmpeg',
  duration: '--duration',
  port: '--port',
  waitForInput: '--wait',
  waitForChannel: '--wait',
  metricsPort: '--metrics-port',
};

/** The flag a field is set by on the command line (the field itself where no flag sets it). */
export function flagOf(field: string): string {
  if (field.startsWith('params.')) return `--param ${field.slice('params.'.length)}`;
  if (field.startsWith('media.')) {
    const row = (MEDIA_FIELDS as Record<string, MediaField>)[field.slice('media.'.length)];
    return row?.flag ?? field;
  }
  if (field.startsWith('limits.')) return (LIMIT_OPTIONS as Record<string, { flag: string }>)[field.slice('limits.'.length)]?.flag ?? field;
  return FLAGS[field] ?? field;
}

/** The error's message and hint as the CLI shows them: every field error along its causes speaks of flags. */
export function withFlags(err: TrickleError): { message: string; hint?: string } {
  let { message, hint } = err;
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (!(e instanceof FieldError)) continue;
    const shown = e.describe(flagOf);
    message = message.replace(e.message, shown.message);
    if (hint && e.hint && shown.hint) hint = hint.replace(e.hint, shown.hint);
  }
  return { message, hint };
}
