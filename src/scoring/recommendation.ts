// What the scorer answers for one user: the line, its bytes for the wire, and the model behind it.

export interface Recommendation {
  /** The answer line: up to listSize movie ids, comma-separated, best first. */
  readonly line: string;
  /**
   * The same line as it goes on the wire: UTF-8 bytes from a worker (written
   * there from the model's id bytes, one buffer per batch; no string per id,
   * per line, or in the copy between threads), the string itself otherwise.
   */
  readonly body: string | Uint8Array;
  modelId: string;
  generation: number;
  source: 'model' | 'cold-start' | 'degraded';
}
