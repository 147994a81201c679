// Turns a probability map into bounding boxes: threshold, dilate, connected components.
import type { Rect } from './box-blur.js';

export interface BoxOptions {
  threshold: number;
  /** Dilation radius in map pixels: joins the characters of one word into one box. */
  dilate?: number;
  /** Components smaller than this many map pixels (before dilation) are noise. */
  minArea?: number;
}

/** Finds boxes in maps of one size after another, reusing its scratch buffers. */
export class BoxFinder {
  #mask = new Uint8Array(0);
  #tmp = new Uint8Array(0);
  #labels = new Int32Array(0);
  #stack = new Int32Array(0);
  #dil = new Uint8Array(0);

  /** Why: text regions are the connected blobs of the detector's map; returns their boxes in map pixels. */
  find(prob: Float32Array, w: number, h: number, opts: BoxOptions): Rect[] {
    const n = w * h;
    if (this.#mask.length < n) {
      this.#mask = new Uint8Array(n);
      this.#tmp = new Uint8Array(n);
      this.#labels = new Int32Array(n);
      this.#stack = new Int32Array(n);
      this.#dil = new Uint8Array(n);
    }
    const mask = this.#mask;
    const seeds = this.#tmp;
    let any = false;
    for (let i = 0; i < n; i++) {
      const on = prob[i] > opts.threshold ? 1 : 0;
      mask[i] = on;
      any ||= on === 1;
    }
    if (!any) return [];
    seeds.set(mask.subarray(0, n));
    const d = Math.max(0, Math.round(opts.dilate ?? 0));
    if (d > 0) this.#dilate(w, h, d);
    return this.#components(w, h, opts.minArea ?? 0);
  }

  /** Square dilation of radius d, done as a horizontal then a vertical running max (mask ← mask ⊕ box). */
  #dilate(w: number, h: number, d: number): void {
    const mask = this.#mask;
    const tmp = this.#dil;
    for (let y = 0; y < h; y++) {
      const row = y * w;
      // Two sweeps give "is there an on pixel within d on the left or on the right".
      let last = -1e9;
      for (let x = 0; x < w; x++) {
        if (mask[row + x]) last = x;
        tmp[row + x] = x - last <= d ? 1 : 0;
      }
      last = 1e9;
      for (let x = w - 1; x >= 0; x--) {
        if (mask[row + x]) last = x;
        if (last - x <= d) tmp[row + x] = 1;
      }
    }
    for (let x = 0; x < w; x++) {
      let last = -1e9;
      for (let y = 0; y < h; y++) {
        if (tmp[y * w + x]) last = y;
        mask[y * w + x] = y - last <= d ? 1 : 0;
      }
      last = 1e9;
      for (let y = h - 1; y >= 0; y--) {
        if (tmp[y * w + x]) last = y;
        if (last - y <= d) mask[y * w + x] = 1;
      }
    }
  }

  /** 4-connected components of the dilated mask, kept when they hold at least minArea undilated pixels. */
  #components(w: number, h: number, minArea: number): Rect[] {
    const mask = this.#mask;
    const seeds = this.#tmp;
    const labels = this.#labels;
    const stack = this.#stack;
    labels.fill(0, 0, w * h);
    const boxes: Rect[] = [];
    let label = 0;
    for (let start = 0; start < w * h; start++) {
      if (!mask[start] || labels[start]) continue;
      label++;
      let top = 0;
      stack[top++] = start;
      labels[start] = label;
      let minX = w, minY = h, maxX = -1, maxY = -1, area = 0;
      while (top > 0) {
        const i = stack[--top];
        const x = i % w;
        const y = (i - x) / w;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
        area += seeds[i];
        if (x > 0 && mask[i - 1] && !labels[i - 1]) (labels[i - 1] = label), (stack[top++] = i - 1);
        if (x < w - 1 && mask[i + 1] && !labels[i + 1]) (labels[i + 1] = label), (stack[top++] = i + 1);
        if (y > 0 && mask[i - w] && !labels[i - w]) (labels[i - w] = label), (stack[top++] = i - w);
        if (y < h - 1 && mask[i + w] && !labels[i + w]) (labels[i + w] = label), (stack[top++] = i + w);
      }
      if (area >= minArea) boxes.push({ x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 });
    }
    return boxes;
  }
}
