// Tests for the packet-size meter: exact sizes, any chunking, and the first oversize packet found.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packetSizeMeter } from './packet-size.ts';

/** An MQTT packet of `remaining` body bytes: type byte, variable-length remaining length, body. */
function packet(remaining: number): Buffer {
  const length: number[] = [];
  let rest = remaining;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    length.push(byte);
  } while (rest > 0);
  return Buffer.concat([Buffer.from([0x30, ...length]), Buffer.alloc(remaining, 7)]);
}

/** Feeds `bytes` in chunks cut at `cuts`; returns the first size reported. */
function feed(max: number, bytes: Buffer, cuts: number[]): number | undefined {
  const meter = packetSizeMeter(max);
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  let start = 0;
  for (const end of [...points, bytes.length]) {
    const found = meter(bytes.subarray(start, end));
    if (found !== undefined) return found;
    start = end;
  }
  return undefined;
}

describe('packetSizeMeter', () => {
  it('lets a packet of exactly the limit through and stops one byte more', () => {
    // 1 type byte + 2 length bytes + 1021 = 1024
    expect(feed(1024, packet(1021), [])).toBeUndefined();
    expect(feed(1024, packet(1022), [])).toBe(1025);
  });

  it('reads the size from the header alone, before the body arrives', () => {
    const meter = packetSizeMeter(1_000_000);
    expect(meter(Buffer.from([0x30, 0xff, 0xff, 0x7f]))).toBe(1 + 3 + 2_097_151);
  });

  it('reports a malformed five-byte length', () => {
    expect(packetSizeMeter(100)(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80]))).toBe(Infinity);
  });

  it('finds the first oversize packet in any stream, however it is chunked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 600 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.integer({ min: 2, max: 500 }),
        (bodies, cuts, max) => {
          const packets = bodies.map(packet);
          const first = packets.find((p) => p.length > max);
          expect(feed(max, Buffer.concat(packets), cuts)).toBe(first?.length);
        },
      ),
    );
  });
});
