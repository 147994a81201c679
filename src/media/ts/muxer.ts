// MPEG-TS muxer for the encoder's output: H.264 access units and AAC/Opus packets in, transport packets out.
//
// Why our own: in one ffmpeg muxer a video packet waits in the interleaving queue for the next
// packet of another stream (~33 ms at 30 fps, since AAC comes out a frame behind). Here each
// packet becomes transport packets the moment the encoder hands it over. What it writes:
//   - PAT and PMT before every keyframe, so each GOP is a self-contained segment;
//   - H.264 with an access unit delimiter first and SPS/PPS before every IDR (the encoder keeps
//     them in its global header), PCR (= dts) on every video PES, random_access on keyframes;
//   - AAC as ADTS (headers built from the AudioSpecificConfig), Opus with its TS control headers;
//   - or the input's audio copied: each PES payload as it came, under the input's stream type,
//     descriptors and stream id;
//   - without video (an audio-only stream): PAT and PMT before the first audio packet and then
//     every second, PCR on the audio PES;
//   - every PES with its length set when it fits, so readers can tell where it ends.
// PIDs and stream ids are ffmpeg's defaults.
import { nalUnits } from './nal.js';
import { pesPackets } from './pes.js';
import { patPacket, pmtPacket } from './psi.js';
import { STREAM_TYPE } from './stream-types.js';

export const PMT_PID = 0x1000;
export const VIDEO_PID = 0x100;
export const AUDIO_PID = 0x101;
const PROGRAM = 1;
const STREAM_ID_VIDEO = 0xe0;
const STREAM_ID_AUDIO = 0xc0;
const STREAM_ID_PRIVATE = 0xbd;
const AUD = Uint8Array.of(0, 0, 0, 1, 9, 0xf0);
/** MPEG-4 audio sampling frequency indexes. */
const AAC_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

export interface TsMuxAudio {
  codec: 'aac' | 'opus';
}

/** An input audio stream whose PES payloads are copied as they are. */
export interface CopiedAudioStream {
  streamType: number;
  descriptors: Uint8Array;
}

/** PSI repeated this often (90 kHz) when no video keyframe carries it. */
const AUDIO_ONLY_PSI_TICKS = 90_000;

export interface MuxPacket {
  /** 90 kHz. */
  pts: number;
  dts?: number;
  key?: boolean;
  data: Uint8Array;
}

interface AdtsConfig {
  profile: number;
  rateIndex: number;
  channelConfig: number;
}

/** Muxes one program (H.264 video, optional audio); each call returns the bytes for one packet. */
export class TsMuxer {
  private cc = { pat: 0, pmt: 0, video: 0, audio: 0 };
  private parameterSets?: Uint8Array;
  private adts?: AdtsConfig;
  /** Of the audio stream, once known (the Opus descriptor says it; 2 until then). */
  private channels = 2;
  private copied?: CopiedAudioStream;
  private hasVideo = true;
  /** Audio-only: pts of the audio packet the last PSI went before. */
  private psiPts?: number;

  constructor(private audio?: TsMuxAudio) {}

  /** No audio stream after all (before the first PMT went out). */
  dropAudio(): void {
    this.audio = undefined;
    this.copied = undefined;
  }

  /** No video stream: PSI goes out with the audio (before the first PMT went out). */
  dropVideo(): void {
    this.hasVideo = false;
  }

  /** The audio stream is `stream`, copied (audioCopy() from now on, and the PMT says so). */
  copyAudio(stream: CopiedAudioStream): void {
    this.copied = stream;
  }

  /** True when audio is copied rather than encoded here. */
  get copiesAudio(): boolean {
    return this.copied !== undefined;
  }

  /** The audio stream's channel count (goes into the next PMT for Opus, and AAC headers without a config). */
  setAudioChannels(channels: number): void {
    this.channels = channels;
    if (this.audio?.codec === 'aac') this.adts ??= { profile: 1, rateIndex: AAC_RATES.indexOf(48_000), channelConfig: channels === 8 ? 7 : channels };
  }

  /** Takes the video encoder's global header (Annex B SPS/PPS) to repeat before every IDR. */
  setVideoHeader(extradata: Uint8Array): void {
    const sets = nalUnits(extradata).filter((n) => n.type === 7 || n.type === 8);
    if (sets.length) this.parameterSets = concat(sets.flatMap((n) => [START_CODE, n.bytes]));
  }

  /** Takes the audio encoder's global header (AAC AudioSpecificConfig). */
  setAudioHeader(extradata: Uint8Array): void {
    if (this.audio?.codec === 'aac' && extradata.length >= 2) this.adts = adtsFromConfig(extradata) ?? this.adts;
  }

  /** Transport packets for one H.264 access unit (PAT/PMT first when it is a keyframe). */
  video(p: MuxPacket): Uint8Array {
    const parts: Uint8Array[] = [];
    if (!startsWithAud(p.data)) parts.push(AUD);
    if (p.key && this.parameterSets && !hasParameterSets(p.data)) parts.push(this.parameterSets);
    parts.push(p.data);
    const dts = p.dts ?? p.pts;
    const pes = pesPackets({ pid: VIDEO_PID, streamId: STREAM_ID_VIDEO, pts: p.pts, dts, randomAccess: p.key, pcr: dts * 300 }, concat(parts), this.cc.video);
    this.cc.video = pes.cc;
    return p.key ? concat([this.psi(), pes.packets]) : pes.packets;
  }

  /** Transport packets for one audio packet (one AAC frame or Opus packet). */
  audioPacket(p: MuxPacket): Uint8Array {
    const a = this.audio;
    if (!a || this.copied) throw new RangeError('this muxer has no encoded audio stream');
    if (a.codec === 'aac' && !this.adts) throw new RangeError('AAC packet before the audio stream was described');
    const payload = a.codec === 'aac' ? withAdts(p.data, this.adts!) : withOpusControlHeader(p.data);
    return this.audioPes(p, a.codec === 'aac' ? STREAM_ID_AUDIO : STREAM_ID_PRIVATE, payload);
  }

  /** Transport packets for one copied audio PES: its payload as it came, under its stream id. */
  audioCopy(p: MuxPacket, streamId: number): Uint8Array {
    if (!this.copied) throw new RangeError('this muxer copies no audio stream');
    return this.audioPes(p, streamId, p.data);
  }

  private audioPes(p: MuxPacket, streamId: number, payload: Uint8Array): Uint8Array {
    const pes = pesPackets({ pid: AUDIO_PID, streamId, pts: p.pts, dts: p.dts, pcr: this.hasVideo ? undefined : (p.dts ?? p.pts) * 300 }, payload, this.cc.audio);
    this.cc.audio = pes.cc;
    if (this.hasVideo || (this.psiPts !== undefined && p.pts >= this.psiPts && p.pts - this.psiPts < AUDIO_ONLY_PSI_TICKS)) return pes.packets;
    this.psiPts = p.pts;
    return concat([this.psi(), pes.packets]);
  }

  private psi(): Uint8Array {
    const streams: { pid: number; streamType: number; descriptors: Uint8Array }[] = [];
    if (this.hasVideo) streams.push({ pid: VIDEO_PID, streamType: STREAM_TYPE.h264, descriptors: new Uint8Array(0) });
    const a = this.audio;
    if (this.copied) streams.push({ pid: AUDIO_PID, streamType: this.copied.streamType, descriptors: this.copied.descriptors });
    else if (a?.codec === 'aac') streams.push({ pid: AUDIO_PID, streamType: STREAM_TYPE.aac, descriptors: new Uint8Array(0) });
    // Opus: registration 'Opus' + DVB extension descriptor (0x80) with the channel config code.
    else if (a?.codec === 'opus') streams.push({ pid: AUDIO_PID, streamType: STREAM_TYPE.privateData, descriptors: Uint8Array.of(0x05, 4, 0x4f, 0x70, 0x75, 0x73, 0x7f, 2, 0x80, this.channels) });
    const pat = patPacket(PMT_PID, PROGRAM, this.cc.pat++);
    const pmt = pmtPacket(PMT_PID, { programNumber: PROGRAM, pcrPid: this.hasVideo ? VIDEO_PID : AUDIO_PID, streams }, this.cc.pmt++);
    return concat([pat, pmt]);
  }
}

const START_CODE = Uint8Array.of(0, 0, 0, 1);

function startsWithAud(b: Uint8Array): boolean {
  const i = b[2] === 1 ? 3 : b[3] === 1 ? 4 : -1;
  return i > 0 && b[0] === 0 && b[1] === 0 && (b[i] & 0x1f) === 9;
}

/** SPS before the first slice. */
function hasParameterSets(b: Uint8Array): boolean {
  for (let i = 0; i + 3 < b.length; i++) {
    if (b[i] !== 0 || b[i + 1] !== 0 || b[i + 2] !== 1) continue;
    const t = b[i + 3] & 0x1f;
    if (t === 7) return true;
    if (t === 1 || t === 5) return false;
    i += 2;
  }
  return false;
}

/** ADTS fields from an AudioSpecificConfig (object type, frequency index, channel configuration). */
function adtsFromConfig(asc: Uint8Array): AdtsConfig | undefined {
  const objectType = asc[0] >> 3;
  const rateIndex = ((asc[0] & 7) << 1) | (asc[1] >> 7);
  const channelConfig = (asc[1] >> 3) & 0x0f;
  // ADTS can say only object types 1-4 and table frequencies.
  if (objectType < 1 || objectType > 4 || rateIndex > 12) return undefined;
  return { profile: objectType - 1, rateIndex, channelConfig };
}

function withAdts(frame: Uint8Array, c: AdtsConfig): Uint8Array {
  const len = frame.length + 7;
  const out = new Uint8Array(len);
  out[0] = 0xff;
  out[1] = 0xf1; // MPEG-4, layer 0, no CRC
  out[2] = (c.profile << 6) | (c.rateIndex << 2) | (c.channelConfig >> 2);
  out[3] = ((c.channelConfig & 3) << 6) | (len >> 11);
  out[4] = (len >> 3) & 0xff;
  out[5] = ((len & 7) << 5) | 0x1f; // buffer fullness 0x7FF (VBR)
  out[6] = 0xfc; // one raw data block
  out.set(frame, 7);
  return out;
}

/** Opus in TS: 0x7FE0, then the packet size as 0xFF bytes plus a remainder, then the packet. */
function withOpusControlHeader(packet: Uint8Array): Uint8Array {
  const sizeBytes = Math.floor(packet.length / 255) + 1;
  const out = new Uint8Array(2 + sizeBytes + packet.length);
  out[0] = 0x7f;
  out[1] = 0xe0;
  out.fill(0xff, 2, 2 + sizeBytes - 1);
  out[2 + sizeBytes - 1] = packet.length % 255;
  out.set(packet, 2 + sizeBytes);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
