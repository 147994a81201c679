// Test helper: a frame with a "number plate" of text on colour bars, drawn with a font if there is one, else as 7-segment blocks.
import { existsSync } from 'node:fs';

export const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';

/** The plate's rectangle in the 640x360 scene (text lies inside it). */
export const PLATE = { x: 40, y: 100, width: 400, height: 80 };

const SEGMENTS: Record<string, string> = { '0': 'abcdef', '1': 'bc', '2': 'abged', '3': 'abgcd', '4': 'fgbc', '5': 'afgcd', '6': 'afgedc', '7': 'abc', '8': 'abcdefg', '9': 'abcdfg' };

/** drawbox filters that draw `text` (digits and spaces) as 7-segment digits: no font needed. */
function sevenSegment(text: string, x0: number, y0: number, s = 24, t = 7): string {
  const boxes: [number, number, number, number][] = [];
  [...text].forEach((ch, i) => {
    const x = x0 + i * 36;
    const y = y0;
    for (const g of SEGMENTS[ch] ?? '') {
      if (g === 'a') boxes.push([x, y, s, t]);
      if (g === 'g') boxes.push([x, y + s - (t >> 1), s, t]);
      if (g === 'd') boxes.push([x, y + 2 * s - t, s, t]);
      if (g === 'f') boxes.push([x, y, t, s]);
      if (g === 'b') boxes.push([x + s - t, y, t, s]);
      if (g === 'e') boxes.push([x, y + s, t, s]);
      if (g === 'c') boxes.push([x + s - t, y + s, t, s]);
    }
  });
  return boxes.map(([x, y, w, h]) => `drawbox=x=${x}:y=${y}:w=${w}:h=${h}:color=black:t=fill`).join(',');
}

/** The lavfi graphs available here: 'font' (drawtext with DejaVu) when the font exists, and always 'blocks'. */
export function textScenes(): { name: string; source: string }[] {
  const base = `smptehdbars=s=640x360:r=10,drawbox=x=${PLATE.x}:y=${PLATE.y}:w=${PLATE.width}:h=${PLATE.height}:color=white:t=fill`;
  const scenes = [{ name: 'blocks', source: `${base},${sevenSegment('0512 3478', 60, 115)}` }];
  if (existsSync(FONT)) {
    scenes.unshift({ name: 'font', source: `${base},drawtext=fontfile=${FONT}:text='KA 05 MX 1234':fontsize=48:fontcolor=black:x=55:y=115` });
  }
  return scenes;
}

/** Sum of |Laplacian| of luma over pixels inside `rect` (inside=true) or outside it expanded by `pad`. */
export function laplacianEnergy(data: Uint8Array, w: number, h: number, rect: { x: number; y: number; width: number; height: number }, inside: boolean, pad = 0): number {
  const luma = (x: number, y: number) => {
    const i = (y * w + x) * 3;
    return 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
  };
  let sum = 0;
  for (let y = 1; y < h - 1; y++)
    for (let x = 1; x < w - 1; x++) {
      const inRect = x >= rect.x - pad && x < rect.x + rect.width + pad && y >= rect.y - pad && y < rect.y + rect.height + pad;
      if (inRect !== inside) continue;
      sum += Math.abs(4 * luma(x, y) - luma(x - 1, y) - luma(x + 1, y) - luma(x, y - 1) - luma(x, y + 1));
    }
  return sum;
}
