// Reads several byte streams at once and hands out each chunk as it arrives, tagged with its source.

export interface TaggedChunk {
  /** Index of the source in the array given to mergeStreams. */
  source: number;
  chunk: Uint8Array;
}

/** A byte stream (a Readable): destroy() ends a read that is still waiting. */
export type MergeSource = AsyncIterable<Uint8Array> & { destroy?(): unknown };

/**
 * Why: the decoder's ffmpeg writes video and audio to separate pipes (so neither waits for the
 * other in a muxer's interleaving queue); this reads both without letting either block the
 * other. Ends when every source has ended; the first source error ends it with that error.
 * Returning early (or failing) destroys every source (an async iterator's return() would wait
 * for the read still pending on an idle source).
 */
export async function* mergeStreams(sources: MergeSource[]): AsyncGenerator<TaggedChunk> {
  const its = sources.map((s) => s[Symbol.asyncIterator]());
  type Next = { source: number; result: IteratorResult<Uint8Array> };
  const pending = new Map<number, Promise<Next>>();
  const pull = (source: number) => pending.set(source, its[source].next().then((result) => ({ source, result })));
  its.forEach((_, i) => pull(i));
  try {
    while (pending.size > 0) {
      const { source, result } = await Promise.race(pending.values());
      if (result.done) {
        pending.delete(source);
        continue;
      }
      pull(source);
      yield { source, chunk: result.value };
    }
  } finally {
    for (const p of pending.values()) p.catch(() => undefined);
    for (const s of sources) s.destroy?.();
  }
}
