// How long a run of ADTS frames (AAC in MPEG-TS) plays, read from their headers alone.

/** ADTS sampling_frequency_index → samples a second. */
const RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/**
 * The duration, in 90 kHz ticks, of the ADTS frames that make up `payload` (1024 samples per raw
 * data block), or undefined when it is not a clean run of ADTS frames.
 */
export function adtsDurationTicks(payload: Uint8Array): number | undefined {
  let samples = 0;
  let rate = 0;
  let i = 0;
  while (i + 7 <= payload.length) {
    if (payload[i] !== 0xff || (payload[i + 1]! & 0xf6) !== 0xf0) return undefined;
    const r = RATES[(payload[i + 2]! >> 2) & 0x0f];
    if (!r || (rate && r !== rate)) return undefined;
    rate = r;
    const length = ((payload[i + 3]! & 0x03) << 11) | (payload[i + 4]! << 3) | (payload[i + 5]! >> 5);
    if (length < 7) return undefined;
    samples += ((payload[i + 6]! & 0x03) + 1) * 1024;
    i += length;
  }
  if (i !== payload.length || !rate) return undefined;
  return Math.round((samples * 90_000) / rate);
}
