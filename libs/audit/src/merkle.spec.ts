import { createHash } from 'node:crypto';
import {
  EMPTY_ROOT,
  leafDigest,
  leafHash,
  MerkleFrontier,
  merkleRoot,
  nodeHash,
  perfectSubtrees,
} from './merkle.js';

// RFC 6962 test data as published by Certificate Transparency (transparency-dev/merkle
// testonly/constants.go; the same values in certificate-transparency-go's merkletree tests).
const LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((hex) => Buffer.from(hex, 'hex'));
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

describe('the RFC 6962 Merkle tree', () => {
  it('gives the published root for every size 0..8 (reference and frontier)', () => {
    const frontier = new MerkleFrontier();
    expect(frontier.root()).toBe(ROOTS[0]);
    for (let size = 1; size <= LEAVES.length; size++) {
      frontier.append(LEAVES[size - 1]!);
      expect(merkleRoot(LEAVES.slice(0, size))).toBe(ROOTS[size]);
      expect(frontier.root()).toBe(ROOTS[size]);
      expect(frontier.size).toBe(size);
    }
  });

  it('hashes the empty tree to SHA-256 of nothing, a leaf with 0x00 and a node with 0x01', () => {
    expect(EMPTY_ROOT).toBe(createHash('sha256').digest('hex'));
    expect(leafHash(LEAVES[0]!).toString('hex')).toBe(ROOTS[1]);
    expect(nodeHash(leafHash(LEAVES[0]!), leafHash(LEAVES[1]!)).toString('hex')).toBe(ROOTS[2]);
  });

  it('hashes a string leaf as its UTF-8 bytes', () => {
    expect(leafHash('é✓').equals(leafHash(Buffer.from('é✓', 'utf8')))).toBe(true);
  });

  it('keeps the frontier equal to the reference for every size 0..300', () => {
    const leaves = Array.from({ length: 300 }, (_, i) => `leaf ${i} ${'x'.repeat(i % 7)}`);
    const frontier = new MerkleFrontier();
    expect(frontier.root()).toBe(merkleRoot([]));
    for (let size = 1; size <= leaves.length; size++) {
      if (size % 2 === 0) frontier.append(leaves[size - 1]!);
      else frontier.appendLeafHash(leafHash(leaves[size - 1]!));
      expect(frontier.root()).toBe(merkleRoot(leaves.slice(0, size)));
    }
  });

  it('round-trips through JSON and goes on from there', () => {
    const leaves = Array.from({ length: 45 }, (_, i) => `e${i}`);
    const frontier = new MerkleFrontier();
    leaves.slice(0, 37).forEach((leaf) => frontier.append(leaf));
    const json = JSON.parse(JSON.stringify(frontier)) as { size: number; nodes: string[] };
    expect(json.size).toBe(37);
    expect(json.nodes).toHaveLength(3); // 37 = 32 + 4 + 1
    const restored = MerkleFrontier.fromJSON(json);
    expect(restored.root()).toBe(frontier.root());
    leaves.slice(37).forEach((leaf) => restored.append(leaf));
    expect(restored.root()).toBe(merkleRoot(leaves));
  });

  it('takes a run of leaves as its perfect subtrees, whatever the run and where it starts', () => {
    const leaves = Array.from({ length: 200 }, (_, i) => `leaf ${i}`);
    const digests = leaves.map((leaf) => leafDigest(Buffer.from(leaf)));
    for (const start of [0, 1, 2, 3, 7, 8, 31, 64, 100, 127]) {
      for (const count of [0, 1, 2, 3, 5, 8, 16, 33, 64, 72]) {
        const frontier = new MerkleFrontier();
        leaves.slice(0, start).forEach((leaf) => frontier.append(leaf));
        const subtrees = perfectSubtrees(digests.slice(start), count, start);
        for (const [height, digest] of subtrees) frontier.appendSubtree(height, digest);
        expect([frontier.size, frontier.root()]).toEqual([
          start + count,
          merkleRoot(leaves.slice(0, start + count)),
        ]);
        // Each subtree as large as its start allows: at most two per height.
        expect(subtrees.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(count + 1)));
        leaves.slice(start + count, start + count + 3).forEach((leaf) => frontier.append(leaf));
        expect(frontier.root()).toBe(merkleRoot(leaves.slice(0, start + count + 3)));
      }
    }
  });

  it('refuses a subtree that does not start where its size allows', () => {
    const frontier = new MerkleFrontier();
    frontier.append('a');
    const [height, digest] = perfectSubtrees(
      [leafDigest(Buffer.from('b')), leafDigest(Buffer.from('c'))],
      2,
      2,
    )[0]!;
    expect(height).toBe(1);
    expect(() => frontier.appendSubtree(height, digest)).toThrow(RangeError);
    expect(frontier.size).toBe(1);
  });

  it('refuses a frontier whose nodes do not fit its size', () => {
    expect(() => MerkleFrontier.fromJSON({ size: 3, nodes: [ROOTS[1]!] })).toThrow(RangeError);
    expect(() => MerkleFrontier.fromJSON({ size: 1, nodes: ['zz'] })).toThrow(RangeError);
  });
});
