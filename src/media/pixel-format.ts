// The pixel formats a processor can ask for: their byte sizes, plane layout and NUT FourCCs.

/**
 * rgb24: packed R,G,B; rgba: packed R,G,B,A (alpha is ignored by the encoder); yuv420p: planar
 * Y (width x height) then U then V (each ceil(width/2) x ceil(height/2)), values as the input
 * carries them (limited range, Y 16..235); gray: one full-range luma byte a pixel (0 black, 255 white).
 */
export type PixelFormat = 'rgb24' | 'rgba' | 'yuv420p' | 'gray';

export const PIXEL_FORMATS: readonly PixelFormat[] = ['rgb24', 'rgba', 'yuv420p', 'gray'];

export function isPixelFormat(v: unknown): v is PixelFormat {
  return typeof v === 'string' && (PIXEL_FORMATS as readonly string[]).includes(v);
}

/** Bytes in one packed pixel of a packed format (rgb24 3, rgba 4, gray 1); 0 for planar yuv420p. */
export function bytesPerPixel(format: PixelFormat): number {
  return format === 'rgb24' ? 3 : format === 'rgba' ? 4 : format === 'gray' ? 1 : 0;
}

/** The size of one frame: w*h*3 (rgb24), w*h*4 (rgba), w*h + 2*ceil(w/2)*ceil(h/2) (yuv420p), w*h (gray). */
export function frameBytes(format: PixelFormat, width: number, height: number): number {
  if (format === 'yuv420p') return width * height + 2 * ((width + 1) >> 1) * ((height + 1) >> 1);
  return width * height * bytesPerPixel(format);
}

/** The three planes of a yuv420p frame, as views into its bytes. */
export interface YuvPlanes {
  y: Uint8Array;
  u: Uint8Array;
  v: Uint8Array;
  /** Width and height of U and V: ceil(width/2) x ceil(height/2). */
  chromaWidth: number;
  chromaHeight: number;
}

/** Views (no copy) of the Y, U and V planes of yuv420p bytes. */
export function yuvPlanes(data: Uint8Array, width: number, height: number): YuvPlanes {
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const ySize = width * height;
  const cSize = cw * ch;
  return {
    y: data.subarray(0, ySize),
    u: data.subarray(ySize, ySize + cSize),
    v: data.subarray(ySize + cSize, ySize + 2 * cSize),
    chromaWidth: cw,
    chromaHeight: ch,
  };
}

/** ffmpeg's FourCC of each format in NUT (what its rawvideo reader and writer use). */
const FOURCC: Record<PixelFormat, readonly number[]> = {
  rgb24: [0x52, 0x47, 0x42, 24], // 'R','G','B',24
  rgba: [0x52, 0x47, 0x42, 0x41], // 'RGBA'
  yuv420p: [0x49, 0x34, 0x32, 0x30], // 'I420'
  gray: [0x59, 0x38, 0x30, 0x30], // 'Y800'
};

export function nutFourcc(format: PixelFormat): Uint8Array {
  return Uint8Array.from(FOURCC[format]);
}

/** The format a raw video NUT stream carries, from its FourCC; undefined for any other. */
export function formatOfFourcc(fourcc: Uint8Array): PixelFormat | undefined {
  return PIXEL_FORMATS.find((f) => fourcc.length === 4 && FOURCC[f].every((b, i) => fourcc[i] === b));
}
