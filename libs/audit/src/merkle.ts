import { createHash, hash } from 'node:crypto';

/** SHA-256 of the empty string: the RFC 6962 root of an empty tree. */
export const EMPTY_ROOT = createHash('sha256').digest('hex');

// RFC 6962 §2.1 domain separation: a leaf (0x00) and an interior node (0x01) never hash the same bytes.
// The hot path works on 32-character latin1 strings ("digests") and one-shot hashes over a reused
// buffer: a Hash object and a Buffer per node cost more than the hashing itself.
let leafScratch = Buffer.alloc(8_192);

/**
 * The interior-node hash and the perfect subtrees of a run of leaves, over latin1 digests. Self-contained
 * (it uses only the hash it is given and node's globals): the hashing worker threads run its source
 * (`merkleHashers.toString()`), so that one definition builds the tree on every thread.
 */
export function merkleHashers(sha256Latin1: (bytes: Uint8Array) => string): {
  nodeDigest: (left: string, right: string) => string;
  perfectSubtrees: (leaves: readonly string[], count: number, start: number) => [number, string][];
} {
  const scratch = Buffer.alloc(65);
  scratch[0] = 0x01;

  /** SHA-256(0x01 || left || right). */
  function nodeDigest(left: string, right: string): string {
    scratch.write(left, 1, 32, 'latin1');
    scratch.write(right, 33, 32, 'latin1');
    return sha256Latin1(scratch);
  }

  /**
   * The roots of the largest perfect subtrees that cover `leaves[0..count)`, whose first leaf has index
   * `start` in the whole tree, in order, as [height, digest]: each subtree of height h starts at a
   * multiple of 2^h, so a frontier whose size is that start can take it whole (appendSubtree).
   */
  function perfectSubtrees(leaves: readonly string[], count: number, start: number): [number, string][] {
    const subtrees: [number, string][] = [];
    for (let at = 0; at < count;) {
      let height = 0;
      while ((start + at) % 2 ** (height + 1) === 0 && at + 2 ** (height + 1) <= count) height += 1;
      let level = leaves.slice(at, at + 2 ** height);
      while (level.length > 1) {
        const next: string[] = [];
        for (let i = 0; i < level.length; i += 2) next.push(nodeDigest(level[i]!, level[i + 1]!));
        level = next;
      }
      subtrees.push([height, level[0]!]);
      at += 2 ** height;
    }
    return subtrees;
  }

  return { nodeDigest, perfectSubtrees };
}

export const { nodeDigest, perfectSubtrees } = merkleHashers((bytes) => hash('sha256', bytes, 'binary'));

function bytesOf(leaf: string | Uint8Array): Uint8Array {
  return typeof leaf === 'string' ? Buffer.from(leaf, 'utf8') : leaf;
}

/** SHA-256(0x00 || leaf) as a latin1 string of 32 characters. */
export function leafDigest(leaf: Uint8Array): string {
  if (leaf.length + 1 > leafScratch.length) leafScratch = Buffer.alloc(2 * (leaf.length + 1));
  leafScratch[0] = 0x00;
  leafScratch.set(leaf, 1);
  return hash('sha256', leafScratch.subarray(0, leaf.length + 1), 'binary');
}

const toDigest = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
const fromDigest = (digest: string): Buffer => Buffer.from(digest, 'latin1');

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** SHA-256(0x00 || leaf); a string leaf is its UTF-8 bytes. Written plainly: the reference for the fast path. */
export function leafHash(leaf: string | Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(bytesOf(leaf)).digest();
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/**
 * RFC 6962 Merkle tree hash, built leaf by leaf in O(log n) memory. `nodes` holds the roots of the
 * perfect subtrees that the binary form of `size` describes, largest (leftmost) first; the tree hash
 * folds them from the right, which is exactly the RFC's split at the largest power of two below n.
 */
export class MerkleFrontier {
  private count = 0;
  private readonly nodes: string[] = [];

  get size(): number {
    return this.count;
  }

  append(leaf: string | Uint8Array): void {
    this.appendLeafDigest(leafDigest(bytesOf(leaf)));
  }

  appendLeafHash(leafHashBytes: Uint8Array): void {
    if (leafHashBytes.length !== 32) throw new RangeError('a leaf hash is 32 bytes');
    this.appendLeafDigest(toDigest(leafHashBytes));
  }

  /** The hot path: a leaf hash as `leafDigest` gives it. */
  appendLeafDigest(digest: string): void {
    this.appendSubtree(0, digest);
  }

  /**
   * A perfect subtree of 2^height leaves, by its root digest (as perfectSubtrees gives it): the same as
   * appending its leaves one by one. The frontier's size must be a multiple of 2^height.
   */
  appendSubtree(height: number, digest: string): void {
    const width = 2 ** height;
    if (this.count % width !== 0) {
      throw new RangeError(`a subtree of ${width} leaves cannot follow ${this.count} leaves`);
    }
    let node = digest;
    for (let size = this.count / width; size % 2 === 1; size = Math.floor(size / 2)) {
      node = nodeDigest(this.nodes.pop()!, node);
    }
    this.nodes.push(node);
    this.count += width;
  }

  /** The tree hash of the leaves appended so far, hex. */
  root(): string {
    if (this.nodes.length === 0) return EMPTY_ROOT;
    let acc = this.nodes[this.nodes.length - 1]!;
    for (let i = this.nodes.length - 2; i >= 0; i--) acc = nodeDigest(this.nodes[i]!, acc);
    return fromDigest(acc).toString('hex');
  }

  toJSON(): { size: number; nodes: string[] } {
    return { size: this.count, nodes: this.nodes.map((node) => fromDigest(node).toString('hex')) };
  }

  static fromJSON(json: { size: number; nodes: string[] }): MerkleFrontier {
    if (!Number.isSafeInteger(json.size) || json.size < 0) {
      throw new RangeError(`frontier size ${json.size} is not a count`);
    }
    if (json.nodes.length !== popCount(json.size)) {
      throw new RangeError(`a frontier of size ${json.size} has ${popCount(json.size)} nodes`);
    }
    const frontier = new MerkleFrontier();
    for (const node of json.nodes) {
      if (!/^[0-9a-f]{64}$/.test(node)) throw new RangeError('a frontier node is not a SHA-256 hex');
      frontier.nodes.push(Buffer.from(node, 'hex').toString('latin1'));
    }
    frontier.count = json.size;
    return frontier;
  }
}

function popCount(n: number): number {
  let count = 0;
  for (let rest = n; rest > 0; rest = Math.floor(rest / 2)) count += rest % 2;
  return count;
}

/** RFC 6962 MTH by its recursive definition: the reference the frontier is tested against. */
export function merkleRoot(leaves: readonly (string | Uint8Array)[]): string {
  if (leaves.length === 0) return EMPTY_ROOT;
  return subtree(leaves.map(leafHash)).toString('hex');
}

function subtree(hashes: readonly Buffer[]): Buffer {
  if (hashes.length === 1) return hashes[0]!;
  let split = 1;
  while (split * 2 < hashes.length) split *= 2;
  return nodeHash(subtree(hashes.slice(0, split)), subtree(hashes.slice(split)));
}
