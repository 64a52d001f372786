import { createHash } from 'node:crypto';

/** RFC 6962 §2.1 domain separation: a leaf and an interior node never hash the same bytes. */
const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** SHA-256 of the empty string: the RFC 6962 root of an empty tree. */
export const EMPTY_ROOT = createHash('sha256').digest('hex');

function bytesOf(leaf: string | Uint8Array): Uint8Array {
  return typeof leaf === 'string' ? Buffer.from(leaf, 'utf8') : leaf;
}

/** SHA-256(0x00 || leaf); a string leaf is its UTF-8 bytes. */
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
  private readonly nodes: Uint8Array[] = [];

  get size(): number {
    return this.count;
  }

  append(leaf: string | Uint8Array): void {
    this.appendLeafHash(leafHash(leaf));
  }

  appendLeafHash(hash: Uint8Array): void {
    let node: Uint8Array = Buffer.from(hash); // a copy: the caller may reuse its buffer
    for (let size = this.count; size & 1; size = Math.floor(size / 2)) {
      node = nodeHash(this.nodes.pop()!, node);
    }
    this.nodes.push(node);
    this.count += 1;
  }

  /** The tree hash of the leaves appended so far, hex. */
  root(): string {
    if (this.nodes.length === 0) return EMPTY_ROOT;
    let acc = this.nodes[this.nodes.length - 1]!;
    for (let i = this.nodes.length - 2; i >= 0; i--) acc = nodeHash(this.nodes[i]!, acc);
    return Buffer.from(acc.buffer, acc.byteOffset, acc.byteLength).toString('hex');
  }

  toJSON(): { size: number; nodes: string[] } {
    return { size: this.count, nodes: this.nodes.map((node) => Buffer.from(node).toString('hex')) };
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
      frontier.nodes.push(Buffer.from(node, 'hex'));
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
