// A byte counter over an MQTT stream that spots a packet larger than allowed from its fixed header,
// before the broker buffers it (aedes has no packet-size limit of its own).
import type { Socket } from 'node:net';

/**
 * A meter fed the raw bytes of a connection, chunk by chunk; it returns the declared size of the
 * first packet over `maxPacketBytes` (fixed header included; Infinity for a malformed length
 * field), or undefined while all fit. It reads
 * only each packet's fixed header (type byte and variable-length "remaining length") and skips
 * the rest, so it costs O(1) per chunk whatever the packet sizes.
 *
 * @example
 * const meter = packetSizeMeter(1024);
 * meter(Buffer.from([0x30, 0x80, 0x10])) // => 2051 (a PUBLISH announcing 2048 bytes)
 */
export function packetSizeMeter(maxPacketBytes: number): (chunk: Uint8Array) => number | undefined {
  if (!Number.isInteger(maxPacketBytes) || maxPacketBytes < 2) {
    throw new RangeError(
      `packetSizeMeter: maxPacketBytes must be an integer of at least 2, not ${maxPacketBytes}`,
    );
  }
  let phase: 'type' | 'length' | 'body' = 'type';
  let length = 0;
  let lengthBytes = 0;
  let bodyLeft = 0;
  return (chunk) => {
    let index = 0;
    while (index < chunk.length) {
      if (phase === 'body') {
        const skipped = Math.min(bodyLeft, chunk.length - index);
        index += skipped;
        bodyLeft -= skipped;
        if (bodyLeft === 0) phase = 'type';
      } else if (phase === 'type') {
        index += 1;
        phase = 'length';
        length = 0;
        lengthBytes = 0;
      } else {
        const byte = chunk[index]!;
        index += 1;
        length += (byte & 0x7f) * 128 ** lengthBytes;
        lengthBytes += 1;
        if ((byte & 0x80) === 0) {
          const size = 1 + lengthBytes + length;
          if (size > maxPacketBytes) return size;
          bodyLeft = length;
          phase = length === 0 ? 'type' : 'body';
        } else if (lengthBytes === 4) {
          // A fifth length byte is malformed MQTT: no size can be read, so stop here.
          return Number.POSITIVE_INFINITY;
        }
      }
    }
    return undefined;
  };
}

/**
 * Watches a socket's incoming bytes and destroys it when a packet over `maxPacketBytes` starts.
 * Attach it after the broker's own reader: a `data` listener added next to a `readable` one sees
 * every chunk the broker reads without changing the stream's flow.
 */
export function limitPacketSize(
  socket: Socket,
  maxPacketBytes: number,
  onOversize: (declaredBytes: number) => void,
): void {
  const meter = packetSizeMeter(maxPacketBytes);
  const watch = (chunk: Buffer) => {
    const declared = meter(chunk);
    if (declared === undefined) return;
    socket.off('data', watch);
    onOversize(declared);
    socket.destroy();
  };
  socket.on('data', watch);
}
